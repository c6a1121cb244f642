//! Passphrases of protected identity files (age's scrypt format, docs/design.md §10): asked in the
//! terminal with echo off, or — for scripts and tests only — taken from `WBS_PASSPHRASE`. The desk asks
//! once, at start, before it serves anything.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};

use rustix::termios::{tcgetattr, tcsetattr, LocalModes, OptionalActions};
use zeroize::Zeroizing;

/// The environment variable scripts and tests may set instead of typing (any process of the same user
/// can read a process's environment: for automation, not for daily use).
pub(crate) const ENV: &str = "WBS_PASSPHRASE";

/// The passphrase from `WBS_PASSPHRASE`, else asked on the terminal with `prompt`.
pub(crate) fn read(prompt: &str) -> Result<Zeroizing<String>, String> {
    if let Ok(p) = std::env::var(ENV) {
        return Ok(Zeroizing::new(p));
    }
    ask(prompt)
}

/// Asks on the controlling terminal with echo off (restored afterwards, also on error).
fn ask(prompt: &str) -> Result<Zeroizing<String>, String> {
    let no_tty = || {
        format!(
            "a passphrase is needed and there is no terminal to ask it on: run the command in a terminal (or set {ENV} in a script)"
        )
    };
    let tty = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| no_tty())?;
    let before = tcgetattr(&tty).map_err(|_| no_tty())?;
    let mut quiet = before.clone();
    quiet.local_modes -= LocalModes::ECHO;
    tcsetattr(&tty, OptionalActions::Now, &quiet).map_err(|_| no_tty())?;
    let mut line = Zeroizing::new(String::new());
    let result = (&tty)
        .write_all(prompt.as_bytes())
        .and_then(|()| (&tty).flush())
        .and_then(|()| BufReader::new(&tty).read_line(&mut line));
    let _ = tcsetattr(&tty, OptionalActions::Now, &before);
    let _ = (&tty).write_all(b"\n");
    result.map_err(|e| format!("cannot read the passphrase: {e}"))?;
    let trimmed = line.trim_end_matches(['\n', '\r']).to_owned();
    Ok(Zeroizing::new(trimmed))
}

/// A new passphrase for `wbs keygen --passphrase`: asked twice (or taken from `WBS_PASSPHRASE`), and
/// refused when short.
pub(crate) fn new_passphrase() -> Result<Zeroizing<String>, String> {
    let first = read("New passphrase for the identity: ")?;
    if first.chars().count() < 12 {
        return Err(
            "the passphrase is shorter than 12 characters: choose a longer one (a few words are easy to remember)"
                .to_owned(),
        );
    }
    if std::env::var(ENV).is_err() {
        let again = ask("The same passphrase again: ")?;
        if *again != *first {
            return Err("the two passphrases differ: run wbs keygen again".to_owned());
        }
    }
    Ok(first)
}
