//! The investigator's side: key generation, export and offline decryption (the desk app comes later).

use std::process::ExitCode;

use crate::cli::{Command, ServeArgs};

pub fn run_serve(_args: &ServeArgs) -> Result<ExitCode, String> {
    todo!()
}

pub fn run_tool(_command: Command) -> Result<ExitCode, String> {
    todo!()
}
