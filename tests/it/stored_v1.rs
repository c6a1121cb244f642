//! Data written before the protocol module (tests/data/stored-v1, by commit 96a3662) still opens,
//! decrypts and verifies with today's code: the stored records, the sealed items and the export.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{client, Env};
use serde_json::{json, Value};

const CASE: &str = "WBS-DE6A-92KK-X6P2";
const RECEIPT: &str = "18JG-TNZ3-3S9R-ZRPH-T0Y5";
const ANONYMOUS_CASE: &str = "WBS-J6R9-1FFE-YM66";

fn stored() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/stored-v1")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn an_old_export_decrypts_and_verifies_item_by_item() {
    let env = Env::new();
    let export = env.path().join("export");
    copy_dir(&stored().join("export"), &export);
    let identity = stored().join("data/demo-investigator.key");
    let out = env.wbs([
        "decrypt".as_ref(),
        "--identity".as_ref(),
        identity.as_os_str(),
        "--keys".as_ref(),
        env.keys.as_os_str(),
        "--reveal-identity".as_ref(),
        export.as_os_str(),
    ]);
    let stdout = &out.stdout;
    assert_eq!(out.code, 0, "{stdout}\n{}", out.stderr);
    assert!(
        stdout.contains(&format!("case {CASE}: all 8 item(s) verified")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("case {ANONYMOUS_CASE}: all 3 item(s) verified")),
        "{stdout}"
    );
    for text in [
        "Data lama (format v1)",
        "  Nama:                Melati",
        "Terima kasih. Kapan tepatnya kejadian itu?",
        "perlu-dilengkapi (Perlu dilengkapi)",
        "Cocokkan dengan jadwal piket loket 2.",
        "Namanya Budi, loket 2.",
        "kurang: identitas (anonim)",
    ] {
        assert!(stdout.contains(text), "{text:?} missing from\n{stdout}");
    }
    assert!(!stdout.contains("REJECTED"), "{stdout}");
}

#[tokio::test]
async fn an_old_data_directory_serves_the_reporter_the_same_verified_thread() {
    let env = Env::new();
    copy_dir(&stored().join("data"), &env.data);
    let mut s = env.start();
    let c = client();
    let r = c
        .post(s.url("/api/v1/followup"))
        .json(&json!({ "receipt": RECEIPT }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["case_id"], CASE);
    assert_eq!(v["status"], "diverifikasi");
    let statuses: Vec<&str> = v["status_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["diterima", "perlu-dilengkapi", "diverifikasi"]);
    let bodies: Vec<&str> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            "Tambahan: kejadian terulang minggu lalu.",
            "Terima kasih. Kapan tepatnya kejadian itu?",
            "Mohon lengkapi nama petugas.",
            "Namanya Budi, loket 2.",
        ]
    );
    assert_eq!(v["unverified_hidden"], 0);
    // And the old case takes new items.
    let r = c
        .post(s.url("/api/v1/followup/messages"))
        .json(&json!({ "receipt": RECEIPT, "body": "Pesan baru setelah pembaruan." }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    s.stop();
    assert_eq!(crate::support::internal::case_count(&env.data), 2);
}
