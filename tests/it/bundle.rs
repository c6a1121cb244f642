//! Working offline (docs/design.md §3): `wbs desk --bundle EXPORT --outbox OUTBOX` over an export of a
//! stopped server; a reply, a note and a status change made there are kept in the outbox as sealed items
//! (a canary search finds no plaintext in the export or the outbox); `wbs upload OUTBOX` on a connected
//! machine gives the same case as working online — the reporter sees the reply and the status, the CLI
//! verifies every item — and an outbox whose case moved on meanwhile is refused with nothing sent.

use std::ffi::OsStr;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::desk_app::DeskApp;
use crate::support::http::api_submit;
use crate::support::internal::add_investigator;
use crate::support::{client, files_containing, Env};

const REPLY: &str = "CANARY-OFFLINE-REPLY-2e9d: mohon datang ke kantor Senin.";
const NOTE: &str = "CANARY-OFFLINE-NOTE-2e9d: bukti sudah dicek.";
const STATUS_NOTE: &str = "CANARY-OFFLINE-STATUS-2e9d: laporan Anda sedang diverifikasi.";

/// Posts a desk form and expects the redirect back to the case.
async fn act(c: &reqwest::Client, desk: &DeskApp, path: &str, form: &[(&str, &str)]) {
    let r = c.post(desk.url(path)).form(form).send().await.unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(status, StatusCode::SEE_OTHER, "{path}: {body}");
}

#[tokio::test]
async fn offline_work_uploaded_from_the_outbox_is_the_same_case_as_online() {
    let env = Env::new();
    let alice = add_investigator(&env, "alice");
    let mut s = env.start();
    let (case, receipt) = api_submit(&s).await;
    let (moved, _) = api_submit(&s).await;
    s.stop();
    let (export, run) = env.export("export");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let outbox = env.path().join("outbox");

    // Offline: the desk reads the export and keeps what is written in the outbox.
    let mut desk = DeskApp::start_args(&[
        OsStr::new("--bundle"),
        export.as_os_str(),
        OsStr::new("--outbox"),
        outbox.as_os_str(),
        OsStr::new("--identity"),
        alice.file.as_os_str(),
        OsStr::new("--keys"),
        env.keys.as_os_str(),
    ]);
    let c = desk.open().await;
    let inbox = c
        .get(desk.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(inbox.contains(&case) && inbox.contains(&moved), "{inbox}");
    act(
        &c,
        &desk,
        &format!("/case/{case}/reply"),
        &[("text", REPLY)],
    )
    .await;
    act(&c, &desk, &format!("/case/{case}/note"), &[("text", NOTE)]).await;
    act(
        &c,
        &desk,
        &format!("/case/{case}/status"),
        &[
            ("status", "diverifikasi"),
            ("note", STATUS_NOTE),
            ("reason", ""),
        ],
    )
    .await;
    act(&c, &desk, &format!("/case/{moved}/note"), &[("text", NOTE)]).await;
    let page = c
        .get(desk.url(&format!("/case/{case}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(REPLY) && page.contains(NOTE), "{page}");
    assert!(!page.contains("status-mismatch"), "{page}");

    // The plaintext status is only a cache of the newest signed status item: a changed one is warned of.
    let record = outbox.join(&case).join("outbox.json");
    let honest = std::fs::read_to_string(&record).unwrap();
    std::fs::write(
        &record,
        honest.replace("\"diverifikasi\"", "\"ditindaklanjuti\""),
    )
    .unwrap();
    let page = c
        .get(desk.url(&format!("/case/{case}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"status-mismatch\""), "{page}");
    std::fs::write(&record, honest).unwrap();
    desk.stop();

    // Ciphertext and public metadata only, in the export, the outbox and the desk's own directories.
    let canaries: [&[u8]; 3] = [REPLY.as_bytes(), NOTE.as_bytes(), STATUS_NOTE.as_bytes()];
    assert_eq!(files_containing(&export, &canaries), vec![]);
    assert_eq!(files_containing(&outbox, &canaries), vec![]);
    assert_eq!(files_containing(desk.dir.path(), &canaries), vec![]);

    // Meanwhile the other case moved on online.
    let s = env.start();
    let run = env.investigator(&s, "note", &alice.file, &[&moved, "Catatan daring."]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let run = env.investigator(&s, "upload", &alice.file, &[outbox.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains(&format!("case {case}: 3 item(s) uploaded")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "case {moved}: nothing uploaded: the case moved on since the export"
        )),
        "{}",
        run.stdout
    );
    // A second upload finds nothing new for the uploaded case.
    let again = env.investigator(&s, "upload", &alice.file, &[outbox.to_str().unwrap()]);
    assert!(!again.stdout.contains(&case), "{}", again.stdout);

    // Online, the case is as if the work had been done there.
    let run = env.investigator(&s, "show", &alice.file, &[&case]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for text in [REPLY, NOTE, STATUS_NOTE] {
        assert!(run.stdout.contains(text), "{}", run.stdout);
    }
    assert!(!run.stdout.contains("REJECTED"), "{}", run.stdout);
    let run = env.investigator(&s, "show", &alice.file, &[&moved]);
    assert!(!run.stdout.contains(NOTE), "{}", run.stdout);

    let r = client()
        .post(s.url("/api/v1/followup"))
        .json(&json!({ "receipt": receipt }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "diverifikasi", "{v}");
    let bodies: Vec<&str> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(bodies, [REPLY, STATUS_NOTE], "{v}");
}
