//! Bounded cases and disk (docs/design.md §11): a case at its item cap refuses the next item with a
//! clear answer; a data directory below its free-space floor refuses new reports with a clear answer
//! and loses none already acknowledged.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use super::support::http::{api, multipart, valid_api, valid_fields};
use super::support::*;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

/// A report through the JSON API: its receipt.
async fn report(c: &reqwest::Client, s: &Server) -> String {
    let (status, v) = api(c, s, &valid_api()).await;
    assert_eq!(status, 201, "{v}");
    v["receipt"].as_str().expect("receipt").to_owned()
}

async fn post_json(c: &reqwest::Client, url: String, body: Value) -> (u16, Value) {
    let r = c
        .post(url)
        .header("accept-language", "en")
        .json(&body)
        .send()
        .await
        .expect("POST");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn add_message(c: &reqwest::Client, s: &Server, receipt: &str, text: &str) -> (u16, Value) {
    let body = json!({ "receipt": receipt, "body": text });
    post_json(c, s.url("/api/v1/followup/messages"), body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_at_its_item_cap_refuses_the_next_item_clearly() {
    // A new case has three items (report, identity, manifest): room for one message.
    let env = Env::with_config("[limits]\nmax_case_items = 4\n");
    let mut s = env.start();
    let c = client();
    let receipt = report(&c, &s).await;
    let (status, v) = add_message(&c, &s, &receipt, "Pesan pertama.").await;
    assert_eq!(status, 201, "{v}");
    let (status, v) = add_message(&c, &s, &receipt, "Pesan kedua.").await;
    assert_eq!(status, 409, "{v}");
    assert!(
        v.to_string().contains("reached its limit of messages"),
        "{v}"
    );
    // The case still reads, with the message that fitted.
    let (status, v) = post_json(&c, s.url("/api/v1/followup"), json!({ "receipt": receipt })).await;
    assert_eq!(status, 200, "{v}");
    assert!(v.to_string().contains("Pesan pertama."));
    assert!(!v.to_string().contains("Pesan kedua."));
    s.stop();
    let sizes = env.item_sizes();
    assert_eq!(sizes.len(), 1);
    assert_eq!(sizes[0].1.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn below_the_free_space_floor_new_reports_are_refused_and_none_is_lost() {
    let mut env = Env::new();
    let c = client();
    let mut s = env.start();
    let kept = report(&c, &s).await;
    s.stop();
    // A floor no disk meets: the data directory is "nearly full".
    let config = env.path().join("full.toml");
    std::fs::write(&config, "[limits]\nmin_free_mb = 1000000000\n").expect("config");
    env.config = Some(config);
    let mut s = env.start();
    let token = form_token(&c, &s).await;
    let r = c
        .post(s.url("/lapor"))
        .multipart(multipart(Some(&token), &valid_fields(), &[]))
        .send()
        .await
        .expect("POST /lapor");
    assert_eq!(r.status(), 507);
    let page = r.text().await.expect("page");
    assert!(
        page.contains("Ruang penyimpanan server hampir habis"),
        "{page}"
    );
    assert!(receipt_in(&page).is_none(), "a receipt was shown");
    let (status, v) = post_json(&c, s.url("/api/v1/reports"), valid_api()).await;
    assert_eq!(status, 507, "{v}");
    assert!(v.to_string().contains("almost out of storage space"), "{v}");
    // Reading what was stored still works.
    let (status, _) = post_json(&c, s.url("/api/v1/followup"), json!({ "receipt": kept })).await;
    assert_eq!(status, 200);
    s.stop();
    assert_eq!(env.case_count(), 1);
    assert!(!env.log_text().contains("WBS-STORE"), "logged as a fault");
}

/// A small tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs<'a>(&'a Path);

impl<'a> Tmpfs<'a> {
    fn mount(dir: &'a Path, size_mb: u32) -> Self {
        std::fs::create_dir_all(dir).expect("mount point");
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size_mb}m"), "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "cannot mount a tmpfs at {}", dir.display());
        Tmpfs(dir)
    }
}

impl Drop for Tmpfs<'_> {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.0).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root: mounts a small tmpfs"]
async fn a_nearly_full_filesystem_refuses_new_reports_and_keeps_every_acknowledged_one() {
    let env = Env::with_config("[limits]\nmin_free_mb = 8\n");
    let _mount = Tmpfs::mount(&env.data, 24);
    let c = client();
    let mut s = env.start();
    let mut acknowledged = Vec::new();
    let mut refused = None;
    for i in 0..40 {
        let token = form_token(&c, &s).await;
        let file = pdf_of_len(1024 * 1024 + i);
        let r = c
            .post(s.url("/lapor"))
            .multipart(multipart(
                Some(&token),
                &valid_fields(),
                &[("bukti.pdf", file)],
            ))
            .send()
            .await
            .expect("POST /lapor");
        let status = r.status().as_u16();
        let page = r.text().await.expect("page");
        match receipt_in(&page) {
            Some(receipt) => acknowledged.push(receipt),
            None => {
                refused = Some((status, page));
                break;
            }
        }
    }
    let (status, page) = refused.expect("the small filesystem never refused a report");
    assert!(matches!(status, 507 | 422), "status {status}");
    assert!(
        page.contains("Ruang penyimpanan server hampir habis")
            || page.contains("tidak dapat disimpan")
            || page.contains("could not be stored"),
        "no clear answer:\n{page}"
    );
    assert!(!acknowledged.is_empty());
    s.stop();
    assert_eq!(env.case_count(), acknowledged.len());
    // Every acknowledged receipt still opens its case.
    let s = env.start();
    for receipt in &acknowledged {
        let (status, v) =
            post_json(&c, s.url("/api/v1/followup"), json!({ "receipt": receipt })).await;
        assert_eq!(status, 200, "{v}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root: mounts a small tmpfs"]
async fn a_full_filesystem_without_a_floor_loses_no_acknowledged_report() {
    // No floor: the writes themselves run out of space.
    let env = Env::with_config("[limits]\nmin_free_mb = 0\n");
    let mount = Tmpfs::mount(&env.data, 16);
    let c = client();
    let mut s = env.start();
    let mut acknowledged = Vec::new();
    let mut refused = 0;
    for i in 0..40 {
        let token = form_token(&c, &s).await;
        let file = pdf_of_len(1024 * 1024 + i);
        let r = c
            .post(s.url("/lapor"))
            .multipart(multipart(
                Some(&token),
                &valid_fields(),
                &[("bukti.pdf", file)],
            ))
            .send()
            .await
            .expect("POST /lapor");
        let status = r.status().as_u16();
        let page = r.text().await.expect("page");
        match receipt_in(&page) {
            Some(receipt) => acknowledged.push(receipt),
            None => {
                // A clear refusal (a page naming the problem), never a crash.
                assert!(
                    matches!(status, 422 | 503 | 507),
                    "status {status}:\n{page}"
                );
                refused += 1;
            }
        }
        if refused >= 3 {
            break;
        }
    }
    assert!(refused > 0, "the small filesystem never filled");
    s.stop();
    // Room again (the operator frees space), then every acknowledged report is there.
    let ok = Command::new("mount")
        .args(["-o", "remount,size=64m"])
        .arg(mount.0)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "remount");
    let s = env.start();
    for receipt in &acknowledged {
        let (status, v) =
            post_json(&c, s.url("/api/v1/followup"), json!({ "receipt": receipt })).await;
        assert_eq!(status, 200, "{v}");
    }
    drop(s);
    assert!(env.case_count() >= acknowledged.len());
    // No temporary upload outlived the restart's sweep.
    assert!(env.blob_files().iter().all(|f| !f.starts_with(".tmp-")));
}
