//! The one command runner for the `wbs` binary: run it with arguments (optionally in a directory),
//! stdin closed, and keep its exit code and both outputs as text.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// The `wbs` binary Cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_wbs");

/// What one run of `wbs` did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit status 0.
    pub fn success(&self) -> bool {
        self.code == 0
    }
}

/// A `wbs` command with stdin closed; for the few tests that spawn it themselves. The investigator
/// tools' configuration (`desk.toml`, `known_servers`, `seen`) is a fresh directory of its own for
/// each run, never the user's; `wbs_with_config` keeps one across runs.
pub fn command() -> Command {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    static ROOT: OnceLock<tempfile::TempDir> = OnceLock::new();
    let root = ROOT.get_or_init(|| tempfile::tempdir().expect("a temporary directory"));
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let mut cmd = Command::new(BIN);
    cmd.stdin(Stdio::null()).env_remove("XDG_CONFIG_HOME").env(
        "WBS_DESK_CONFIG",
        root.path().join(format!("run-{run}")).join("desk.toml"),
    );
    cmd
}

/// Runs `wbs ARGS…` with the desk configuration at `config` (kept across runs: pins, seen marks).
pub fn wbs_with_config<I, S>(config: &Path, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    finish(command().args(args).env("WBS_DESK_CONFIG", config))
}

/// Runs `wbs ARGS…` in the test's working directory.
pub fn wbs<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    finish(command().args(args))
}

/// Runs `wbs ARGS…` in `dir`.
pub fn wbs_in<I, S>(dir: &Path, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    finish(command().args(args).current_dir(dir))
}

fn finish(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("runs wbs");
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
