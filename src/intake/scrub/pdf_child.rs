//! PDF rewrites in a child process with a memory ceiling (docs/design.md §6, §11).
//!
//! `lopdf` builds what a file describes before the scrubber sees any of it. The load filter charges
//! object streams before they inflate (`pdf::Expansion`), but cross-reference streams pass no hook:
//! a few hundred bytes, compressed twice, inflate to 16 MiB of entries kept as a map several times
//! that size, and one file may chain thousands of them. So the running server rewrites each PDF in a
//! child process of its own binary (`wbs scrub-pdf`, hidden), limited to the memory the document
//! budget charged for it (`Format::memory_base` included): a file that needs more ends the child (its allocation
//! fails and it aborts) and is refused as unscrubbable, and the server's own memory never holds it.
//!
//! The file is report content, so the child cannot dump core (not dumpable, `RLIMIT_CORE` 0), has no
//! environment, writes nothing to disk, and its standard error goes nowhere. `RLIMIT_CPU` ends a file
//! that would keep a core busy. The file goes in and the clean file comes out over pipes.
//!
//! Only the server turns this on (`rewrite_pdfs_in_child`); tests, benches and fuzz targets of the
//! library rewrite in-process, through the same `pdf::rewrite`.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::{Command, ExitCode, Stdio};
use std::sync::OnceLock;

use super::pdf::{self, Loaded};
use super::{PDF_MEMORY_BASE, PDF_MEMORY_PER_BYTE};

/// CPU seconds a child may use: the slowest ordinary shape at the upload limit (~20 MB of tiny
/// objects) rewrites in under 4 s (docs/performance.md); the hard limit (SIGKILL) a little later.
const CHILD_CPU_SECS: u64 = 60;

/// The child's answers other than success, as exit codes.
const EXIT_OVER_ALLOWANCE: u8 = 3;
const EXIT_UNSCRUBBABLE: u8 = 4;
const EXIT_NO_LIMITS: u8 = 5;

/// The program the server runs as the child; unset: rewrite in-process.
static CHILD_PROGRAM: OnceLock<OsString> = OnceLock::new();

/// Called by the server at start: from now on PDFs are rewritten in a child process running this
/// same binary: `/proc/self/exe` on Linux, which stays this binary even if the file on disk is
/// replaced by an update while the server runs; elsewhere the path the binary was started from.
pub fn rewrite_pdfs_in_child() {
    let proc_exe = std::path::Path::new("/proc/self/exe");
    let program = if proc_exe.exists() {
        Some(proc_exe.as_os_str().to_owned())
    } else {
        std::env::current_exe().ok().map(Into::into)
    };
    match program {
        Some(program) => {
            let _ = CHILD_PROGRAM.set(program);
        }
        None => tracing::warn!(
            code = "WBS-SCRUB-CHILD",
            "this binary's path is unknown (no /proc?): PDFs are cleaned in the server's own memory"
        ),
    }
}

/// The memory a child may use for `file_len` bytes with `allowance` bytes of object-stream text:
/// exactly what the document budget charged for them (`Format::memory_per_byte`,
/// `Format::memory_base`, `pdf::Pdf::finish`).
pub fn memory_limit(file_len: usize, allowance: u64) -> u64 {
    (file_len as u64)
        .saturating_add(allowance)
        .saturating_mul(PDF_MEMORY_PER_BYTE)
        .saturating_add(PDF_MEMORY_BASE)
}

/// Rewrites `file` with `allowance` bytes of object-stream text: in a child process when the
/// server turned that on, else here.
pub(super) fn rewrite(file: &[u8], allowance: u64) -> Result<Vec<u8>, Loaded> {
    match CHILD_PROGRAM.get() {
        Some(program) => in_child(program, file, allowance),
        // A parser bug on a hostile file must refuse the file, not take the upload down with it.
        None => catch_unwind(AssertUnwindSafe(|| pdf::rewrite(file, allowance)))
            .unwrap_or(Err(Loaded::Unscrubbable)),
    }
}

fn in_child(program: &OsString, file: &[u8], allowance: u64) -> Result<Vec<u8>, Loaded> {
    let limit = memory_limit(file.len(), allowance);
    let spawned = Command::new(program)
        .arg("scrub-pdf")
        .arg("--memory-limit")
        .arg(limit.to_string())
        .arg("--allowance")
        .arg(allowance.to_string())
        .arg("--len")
        .arg(file.len().to_string())
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            // Without a child there is no ceiling: the file is not rewritten here instead. The error
            // names the system's reason (too many processes, no /proc), never the file.
            tracing::warn!(
                code = "WBS-SCRUB-CHILD",
                error = %e,
                "could not start the PDF cleaner: the PDF is refused"
            );
            return Err(Loaded::Unscrubbable);
        }
    };
    let (Some(mut input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(Loaded::Unscrubbable);
    };
    // The child holds its answer within its memory limit, so a longer one is not a clean file.
    let mut clean = Vec::with_capacity(file.len());
    let read = std::thread::scope(|scope| {
        // Written beside the reading, so neither side waits on a full pipe. A child that ends early
        // closes its end: the write fails, and the exit status below says why.
        scope.spawn(move || {
            let _ = input.write_all(file);
        });
        output.take(limit + 1).read_to_end(&mut clean)
    });
    if read.is_err() || clean.len() as u64 > limit {
        let _ = child.kill();
        let _ = child.wait();
        return Err(Loaded::Unscrubbable);
    }
    match child.wait().map(|status| status.code()) {
        Ok(Some(0)) => Ok(clean),
        Ok(Some(code)) if code == i32::from(EXIT_OVER_ALLOWANCE) => Err(Loaded::OverAllowance),
        // Unscrubbable, no limits, or ended by a signal: out of memory (abort), out of CPU time.
        _ => Err(Loaded::Unscrubbable),
    }
}

/// `wbs scrub-pdf`: the child's side. Limits itself before it reads a byte, then reads `len` bytes
/// from standard input, rewrites them and writes the clean file to standard output.
pub fn child_main(memory_limit: u64, allowance: u64, len: usize) -> ExitCode {
    if limit_self(memory_limit).is_err() {
        return ExitCode::from(EXIT_NO_LIMITS);
    }
    let mut file = Vec::with_capacity(len);
    let read = std::io::stdin()
        .lock()
        .take(len as u64)
        .read_to_end(&mut file);
    if read.is_err() || file.len() != len {
        return ExitCode::from(EXIT_UNSCRUBBABLE);
    }
    match catch_unwind(AssertUnwindSafe(|| pdf::rewrite(&file, allowance))) {
        Ok(Ok(clean)) => {
            let mut out = std::io::stdout().lock();
            if out.write_all(&clean).and_then(|()| out.flush()).is_err() {
                return ExitCode::from(EXIT_UNSCRUBBABLE);
            }
            ExitCode::SUCCESS
        }
        Ok(Err(Loaded::OverAllowance)) => ExitCode::from(EXIT_OVER_ALLOWANCE),
        Ok(Err(Loaded::Unscrubbable)) | Err(_) => ExitCode::from(EXIT_UNSCRUBBABLE),
    }
}

/// Lowers this process's limits (never above what it was given: lowering needs no privilege).
fn limit_self(memory_limit: u64) -> rustix::io::Result<()> {
    use rustix::process::{
        getrlimit, set_dumpable_behavior, setrlimit, DumpableBehavior, Resource,
    };
    set_dumpable_behavior(DumpableBehavior::NotDumpable)?;
    let lower = |resource: Resource, soft: u64, hard: u64| {
        let mut limit = getrlimit(resource);
        let cap = |n: u64, given: Option<u64>| Some(given.map_or(n, |given| given.min(n)));
        limit.maximum = cap(hard, limit.maximum);
        limit.current = cap(soft, limit.maximum);
        setrlimit(resource, limit)
    };
    lower(Resource::Core, 0, 0)?;
    lower(Resource::Cpu, CHILD_CPU_SECS, CHILD_CPU_SECS + 5)?;
    lower(Resource::Data, memory_limit, memory_limit)
}
