//! The investigator tools' configuration and trust: `wbs config` (`desk.toml`) instead of three flags,
//! the installation id pinned at the first login, writes refused for a keys copy that is not the case's
//! team, and new reporter messages marked in `wbs cases`. Shares the world of `cli_mailbox`.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::cli_mailbox::{assert_ok, assert_usage_error, submit, World, CHRONOLOGY};
use crate::support::command::{wbs, wbs_with_config, Run};
use crate::support::internal::add_investigator;
use crate::support::{client, Env, Report, Server};
use serde_json::Value;

/// A second server answering at an address pinned for the first (a relay or an impostor on the same
/// forwarded port) is refused before anything is signed, with one sentence; the pin is not changed.
#[tokio::test]
async fn a_server_with_another_installation_id_at_a_pinned_address_is_refused() {
    let mut w = World::new().await;
    let pins = w.env.path().join("desk").join("known_servers");
    let pinned = fs::read_to_string(&pins).unwrap();
    let port = w.server.desk_port;
    w.server.stop();
    // Server B: its own data directory (another installation id), alice's key, the same desk port.
    let b = Env::new();
    fs::copy(w.env.keys.join("alice.pub"), b.keys.join("alice.pub")).unwrap();
    let mut server_b = b.start_at(Some(port));
    let _ = submit(&server_b).await;
    for sub in ["cases", "status"] {
        let args: &[&str] = if sub == "cases" {
            &[]
        } else {
            &["WBS-0000-0000-0000", "diverifikasi"]
        };
        let r = w.desk(sub, args);
        assert_usage_error(
            &r,
            "another server is answering there (a relay or an impostor), so nothing was signed",
        );
        assert!(
            r.stderr.contains(&format!(
                "http://127.0.0.1:{port} presents installation id "
            )),
            "{}",
            r.stderr
        );
    }
    assert_eq!(
        fs::read_to_string(&pins).unwrap(),
        pinned,
        "the pin is kept"
    );
    // Server A back at its address: accepted again.
    server_b.stop();
    w.server = w.env.start_at(Some(port));
    let r = w.desk("cases", &[]);
    assert_ok(&r);
}

/// `wbs config` saves the server, identity, keys and language (mode 0600); then no flag is needed, and
/// a flag still overrides the file. Unknown fields in the file are refused.
#[tokio::test]
async fn the_configuration_file_replaces_the_three_flags() {
    let w = World::new().await;
    let config = w.config();
    let r = wbs_with_config(
        &config,
        [
            "config",
            "--server",
            &w.server.desk_base,
            "--identity",
            w.alice.to_str().unwrap(),
            "--keys",
            w.env.keys.to_str().unwrap(),
            "--lang",
            "en",
        ],
    );
    assert_ok(&r);
    assert_eq!(
        fs::metadata(&config).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let saved = fs::read_to_string(&config).unwrap();
    assert!(saved.contains("lang = \"en\""), "{saved}");
    let r = wbs_with_config(&config, ["cases"]);
    assert_ok(&r);
    assert!(
        r.stdout.starts_with("CASE "),
        "English from the file: {}",
        r.stdout
    );
    assert!(r.stdout.contains(&w.case_id));
    let r = wbs_with_config(&config, ["cases", "--lang", "id"]);
    assert_ok(&r);
    assert!(
        r.stdout.starts_with("KASUS "),
        "the flag wins: {}",
        r.stdout
    );
    let r = wbs_with_config(&config, ["show", &w.case_id]);
    assert_ok(&r);

    fs::write(&config, format!("{saved}colour = \"blue\"\n")).unwrap();
    let r = wbs_with_config(&config, ["cases"]);
    assert_usage_error(&r, "is not a valid desk configuration");
    // Without a file or flags: one sentence naming what is missing.
    let r = wbs_with_config(&w.env.path().join("none.toml"), ["cases"]);
    assert_usage_error(&r, "no server given: pass --server");
}

/// Replies and notes are refused when --keys is not the set the case was sealed to; without --keys the
/// other investigators' items are summed up in one sentence, not a screen of REJECTED lines; a reporter's
/// new message is marked in `wbs cases` until the case is shown.
#[tokio::test]
async fn a_wrong_keys_copy_is_refused_and_new_reporter_messages_are_marked() {
    let mut w = World::new().await;
    w.server.stop();
    let bob = add_investigator(&w.env, "bob").file;
    w.restart();
    let (case, receipt) = submit_with_receipt(&w.server).await;

    // alice's copy of keys/ lacks bob: nothing is sent.
    let old_keys = w.env.path().join("old-keys");
    fs::create_dir(&old_keys).unwrap();
    fs::copy(w.env.keys.join("alice.pub"), old_keys.join("alice.pub")).unwrap();
    for (sub, text) in [("reply", "halo"), ("note", "catatan")] {
        let r = w.desk_keys(sub, &old_keys, &[&case, text]);
        assert_usage_error(&r, "is not the set of investigators case");
        assert!(r.stderr.contains("nothing was sent"), "{}", r.stderr);
    }
    let r = w.desk("show", &[&case]);
    assert!(r.stdout.contains("all 3 item(s) verified"), "{}", r.stdout);

    // bob replies; alice reads without --keys: one sentence for bob's item.
    let r = w.desk_as("reply", &bob, &[&case, "Balasan dari Bob."]);
    assert_ok(&r);
    let empty = w.env.path().join("no-keys");
    let r = w.desk_keys("show", &empty, &[&case]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("REJECTED"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("1 item(s) signed by investigators cannot be checked because --keys"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("Balasan dari Bob."));

    // The reporter writes: alice's listing marks it, until she shows the case.
    let r = client()
        .post(w.server.url("/api/v1/followup/messages"))
        .json(&serde_json::json!({ "receipt": receipt, "body": "Saya punya salinan kuitansinya." }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let new_mark = |r: &Run, case: &str| {
        r.stdout
            .lines()
            .find(|l| l.starts_with(case))
            .map(|l| l.split_whitespace().nth(6).unwrap_or("").to_owned())
            .unwrap_or_default()
    };
    let r = w.desk("cases", &[]);
    assert_ok(&r);
    assert_eq!(new_mark(&r, &case), "+1", "{}", r.stdout);
    assert!(
        r.stdout
            .ends_with("2 kasus, 0 terlambat, 1 dengan pesan baru dari pelapor\n"),
        "{}",
        r.stdout
    );
    let r = w.desk("show", &[&case]);
    assert_ok(&r);
    let r = w.desk("cases", &[]);
    assert_eq!(new_mark(&r, &case), "-", "{}", r.stdout);
    // bob (his own configuration directory) has not shown it: marked for him.
    let r = wbs([
        OsStr::new("cases"),
        OsStr::new("--server"),
        OsStr::new(&w.server.desk_base),
        OsStr::new("--identity"),
        bob.as_os_str(),
        OsStr::new("--keys"),
        w.env.keys.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(new_mark(&r, &case), "+1", "{}", r.stdout);
}

async fn submit_with_receipt(s: &Server) -> (String, String) {
    let r = client()
        .post(s.url("/api/v1/reports"))
        .json(&Report::valid().chronology(CHRONOLOGY).json())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    (
        v["case_id"].as_str().unwrap().to_owned(),
        v["receipt"].as_str().unwrap().to_owned(),
    )
}
