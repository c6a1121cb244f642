//! `wbs backup` of a running server (docs/admin.md, "Backups"): taken while reports keep arriving,
//! restored into a new directory, it runs as a server whose old receipts still open their cases (the
//! installation salt came along), and its export decrypts to every case acknowledged before it.

use std::ffi::OsStr;
use std::time::Duration;

use serde_json::json;

use super::support::http::{submit, valid_fields};
use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_of_a_running_server_restores_with_every_case() {
    let env = Env::new();
    let s = env.start();
    let c = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let mut before = Vec::new();
    for i in 0..3 {
        let files = if i == 0 {
            vec![("bukti.pdf", pdf_with("lampiran cadangan"))]
        } else {
            Vec::new()
        };
        let r = submit(&c, &s, &valid_fields(), &files).await;
        let receipt = receipt_in(&r.body).expect("receipt");
        let case_id = case_id_in(&r.body).expect("case id");
        before.push((receipt, case_id));
    }

    // Reports keep arriving while the backup runs.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = tokio::spawn({
        let (c, stop, url) = (c.clone(), stop.clone(), s.url("/api/v1/reports"));
        let body = super::support::http::valid_api();
        async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let r = c.post(&url).json(&body).send().await.expect("POST");
                assert_eq!(r.status(), 201);
                n += 1;
            }
            n
        }
    });
    let out = env.path().join("backup");
    let (data, desk) = (env.data.clone(), s.desk_base.clone());
    let outd = out.clone();
    let run = tokio::task::spawn_blocking(move || {
        command::wbs([
            OsStr::new("backup"),
            OsStr::new("--data"),
            data.as_os_str(),
            OsStr::new("--out"),
            outd.as_os_str(),
            OsStr::new("--desk"),
            OsStr::new(&desk),
        ])
    })
    .await
    .expect("backup run");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let during = writer.await.expect("writer");
    assert!(
        run.success(),
        "wbs backup failed: {}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(run.stdout.contains("cases"), "{}", run.stdout);
    drop(s);

    // Restore: the copy is a data directory of its own.
    let mut restored = Env::new();
    restored.data = out.join("data");
    let r = restored.start();
    for (receipt, case_id) in &before {
        let v: serde_json::Value = c
            .post(r.url("/api/v1/followup"))
            .json(&json!({ "receipt": receipt }))
            .send()
            .await
            .expect("POST followup")
            .json()
            .await
            .expect("json");
        assert_eq!(v["case_id"].as_str(), Some(case_id.as_str()), "{v}");
    }
    drop(r);
    let count = restored.case_count();
    assert!(
        count >= before.len() && count <= before.len() + during,
        "{count} cases restored"
    );

    // Export and decrypt: every case acknowledged before the backup is there and opens.
    let (export, o) = restored.export("export");
    assert!(o.success(), "export: {}", o.stderr);
    let o = restored.wbs([
        OsStr::new("decrypt"),
        OsStr::new("--identity"),
        restored.demo_identity().as_os_str(),
        OsStr::new("--keys"),
        restored.keys.as_os_str(),
        export.as_os_str(),
    ]);
    assert!(o.success(), "decrypt: {}\n{}", o.stdout, o.stderr);
    for (_, case_id) in &before {
        assert!(o.stdout.contains(case_id.as_str()), "{case_id} missing");
    }
    assert!(o.stdout.contains("Petugas loket"), "{}", o.stdout);
}

#[test]
fn a_backup_needs_the_server_s_token() {
    let env = Env::new();
    let s = env.start();
    let r = reqwest::blocking::Client::new()
        .post(s.desk_url("/admin/backup"))
        .bearer_auth("0".repeat(64))
        .json(&json!({ "out": env.path().join("stolen") }))
        .send()
        .expect("POST");
    assert_eq!(r.status(), 401);
    assert!(!env.path().join("stolen").exists());
}
