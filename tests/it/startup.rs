//! Start-up of the real `wbs serve`: the refusals (a private key among the public ones, a malformed
//! key file, production without enough investigators or with a demo data directory, an invalid
//! config file), and a demo-mode start that stops cleanly on SIGTERM.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::command::{command, wbs};
use crate::support::internal;

/// Runs `wbs serve` on a free port and expects it to refuse at once.
fn serve_refusal(data: &Path, keys: &Path, extra: &[&str]) -> String {
    let mut child = command()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .arg("--data")
        .arg(data)
        .arg("--keys")
        .arg(keys)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("wbs serve did not refuse to start");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one sentence: {stderr}");
    stderr
}

fn keygen_into(keys: &Path, name: &str) {
    let secret = keys.parent().unwrap().join(format!("{name}.identity"));
    let run = wbs([OsStr::new("keygen"), "--out".as_ref(), secret.as_os_str()]);
    assert_eq!(run.code, 0);
    fs::create_dir_all(keys).unwrap();
    fs::write(keys.join(format!("{name}.pub")), run.stdout).unwrap();
}

#[test]
fn serve_refuses_a_private_key_in_the_keys_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys");
    keygen_into(&keys, "alice");
    fs::copy(tmp.path().join("alice.identity"), keys.join("oops.txt")).unwrap();
    let stderr = serve_refusal(&tmp.path().join("data"), &keys, &[]);
    assert!(stderr.contains("contains a private key"), "{stderr}");
}

#[test]
fn serve_refuses_a_malformed_key_file() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys");
    fs::create_dir_all(&keys).unwrap();
    fs::write(keys.join("bob.pub"), "hello\n").unwrap();
    let stderr = serve_refusal(&tmp.path().join("data"), &keys, &[]);
    assert!(
        stderr.contains("is not a valid investigator key file"),
        "{stderr}"
    );
}

#[test]
fn production_refuses_demo_mode_and_a_single_investigator() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys");
    let stderr = serve_refusal(&tmp.path().join("data"), &keys, &["--production"]);
    assert!(
        stderr.contains("--production refuses demo mode"),
        "{stderr}"
    );
    keygen_into(&keys, "alice");
    let stderr = serve_refusal(&tmp.path().join("data"), &keys, &["--production"]);
    assert!(
        stderr.contains("at least two investigator key files"),
        "{stderr}"
    );
}

#[test]
fn production_refuses_a_data_directory_made_in_demo_mode() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    drop(internal::prepare(&data, &tmp.path().join("none")));
    let keys = tmp.path().join("keys");
    keygen_into(&keys, "alice");
    keygen_into(&keys, "recovery");
    let stderr = serve_refusal(&data, &keys, &["--production"]);
    assert!(stderr.contains("created in demo mode"), "{stderr}");
}

#[test]
fn serve_refuses_an_invalid_config_file() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("wbs.toml");
    fs::write(&config, "listen = \"127.0.0.1:0\"\ncolour = \"blue\"\n").unwrap();
    let config = config.to_str().unwrap().to_owned();
    let stderr = serve_refusal(
        &tmp.path().join("data"),
        &tmp.path().join("keys"),
        &["--config", &config],
    );
    assert!(stderr.contains("is not valid"), "{stderr}");
}

#[test]
fn serve_starts_in_demo_mode_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut child = command()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(["--desk-listen", "127.0.0.1:0"])
        .arg("--data")
        .arg(&data)
        .arg("--keys")
        .arg(tmp.path().join("keys"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut log = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !log.contains("serving on") {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => log.push_str(&(line + "\n")),
            Err(_) => {
                let _ = child.kill();
                panic!("wbs serve did not start:\n{log}");
            }
        }
    }
    assert!(log.contains("DEMO MODE"), "{log}");
    let key = data.join("demo-investigator.key");
    assert_eq!(
        fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // "serving on" is logged just before the signal handlers are installed: give them a moment.
    std::thread::sleep(Duration::from_millis(500));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("wbs serve did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}
