//! Passphrase-protected identities (age's scrypt format, docs/design.md §10): `wbs keygen --passphrase`
//! writes a standard age file that the tools open with the passphrase (taken from `WBS_PASSPHRASE` here,
//! as a script would; a person types it in the terminal), refuse with one sentence without it, and that
//! the reference `age` tool opens with the same passphrase.

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::process::Stdio;

use serde_json::Value;

use crate::support::command::{command, Run};
use crate::support::{client, Env, Report};

const PASSPHRASE: &str = "kuda lumping di alun-alun";

fn run_with(passphrase: Option<&str>, args: &[&OsStr]) -> Run {
    let mut cmd = command();
    cmd.args(args);
    match passphrase {
        Some(p) => cmd.env("WBS_PASSPHRASE", p),
        None => cmd.env_remove("WBS_PASSPHRASE"),
    };
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `wbs keygen --passphrase` into ENV/alice.key, its public lines into keys/alice.pub.
fn keygen(env: &Env) -> std::path::PathBuf {
    let key = env.path().join("alice.key");
    let run = run_with(
        Some(PASSPHRASE),
        &[
            "keygen".as_ref(),
            "--passphrase".as_ref(),
            "--out".as_ref(),
            key.as_os_str(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("sealed with your passphrase"),
        "{}",
        run.stderr
    );
    fs::write(env.keys.join("alice.pub"), &run.stdout).unwrap();
    key
}

#[tokio::test]
async fn a_passphrase_protected_identity_works_with_its_passphrase_and_only_with_it() {
    let env = Env::new();
    let key = keygen(&env);
    let bytes = fs::read(&key).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
    assert!(
        !String::from_utf8_lossy(&bytes).contains("AGE-SECRET-KEY-"),
        "the secret key is not in the file in clear"
    );
    let s = env.start();
    let r = client()
        .post(s.url("/api/v1/reports"))
        .json(&Report::valid().json())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let case = v["case_id"].as_str().unwrap().to_owned();
    let args: Vec<&OsStr> = vec![
        "show".as_ref(),
        "--server".as_ref(),
        s.desk_base.as_ref(),
        "--identity".as_ref(),
        key.as_os_str(),
        "--keys".as_ref(),
        env.keys.as_os_str(),
        "--lang".as_ref(),
        "en".as_ref(),
        case.as_ref(),
    ];
    let run = run_with(Some(PASSPHRASE), &args);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("report — verified"), "{}", run.stdout);

    let run = run_with(Some("kuda lumping di alun-alun!"), &args);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("is protected by a passphrase and the passphrase does not open it"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    // No passphrase and no terminal to ask on (stdin closed, no controlling tty under `setsid`).
    let mut cmd = std::process::Command::new("setsid");
    cmd.arg(env!("CARGO_BIN_EXE_wbs"))
        .args(&args)
        .env_remove("WBS_PASSPHRASE")
        .env("WBS_DESK_CONFIG", env.path().join("desk.toml"))
        .stdin(Stdio::null());
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no terminal to ask it on"), "{stderr}");

    // A short passphrase is refused before anything is written.
    let short = env.path().join("short.key");
    let run = run_with(
        Some("pendek"),
        &[
            "keygen".as_ref(),
            "--passphrase".as_ref(),
            "--out".as_ref(),
            short.as_os_str(),
        ],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("shorter than 12"), "{}", run.stderr);
    assert!(!short.exists());
}

#[test]
#[ignore = "needs the age CLI (Debian package age) and script (util-linux)"]
fn the_age_tool_opens_the_identity_file_with_the_passphrase() {
    let env = Env::new();
    let key = keygen(&env);
    let out = env.path().join("opened.txt");
    // age reads a passphrase only from a terminal: `script` gives it one, fed from our pipe.
    let mut child = std::process::Command::new("script")
        .args(["-q", "-e", "-c"])
        .arg(format!("age -d -o {} {}", out.display(), key.display()))
        .arg("/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSPHRASE}\n").as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    let text = fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("AGE-SECRET-KEY-1"),
        "the age tool opened the identity"
    );
    let public = fs::read_to_string(env.keys.join("alice.pub")).unwrap();
    let age_line = public.lines().find(|l| l.starts_with("age1")).unwrap();
    assert!(
        text.contains(age_line),
        "it is the identity of the printed public key"
    );
}
