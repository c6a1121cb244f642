//! A rollback against the real server (docs/design.md §3): the desk remembers the newest verified item
//! of each case, so when the server is restored from an older copy of its data — the investigator's own
//! reply gone — the case view and the inbox warn, instead of silently showing the older case. And the
//! "new" marks of the inbox outlast a run of the desk (the `seen` file it shares with `wbs cases`).

use std::fs;
use std::path::Path;

use reqwest::StatusCode;

use crate::desk_app::DeskApp;
use crate::support::http::{assert_receipt_page, submit, valid_fields};
use crate::support::internal::add_investigator;
use crate::support::{client, Env};

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

#[tokio::test]
async fn the_desk_warns_when_the_server_is_rolled_back_under_it() {
    let env = Env::new();
    let alice = add_investigator(&env, "alice").file;
    let mut server = env.start();
    let r = submit(&client(), &server, &valid_fields(), &[]).await;
    let (_, id) = assert_receipt_page(&r);
    // The data as it was before the reply, kept by whoever rolls the server back.
    server.stop();
    let old = env.path().join("data-before-reply");
    copy_dir(&env.data, &old);
    let server = env.start();
    let desk_port = server.desk_port;

    let mut desk = DeskApp::start(&server, &alice, &env.keys);
    let c = desk.open().await;
    let r = c
        .post(desk.url(&format!("/case/{id}/reply")))
        .form(&[("text", "Mohon kirim bukti tambahan.")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = c
        .get(desk.url(&format!("/case/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("id=\"rollback\""), "{page}");

    // The server is restored from the older copy, on the same address, while the desk runs.
    let mut server = server;
    server.stop();
    fs::remove_dir_all(&env.data).unwrap();
    copy_dir(&old, &env.data);
    let _server = env.start_at(Some(desk_port));
    let page = c
        .get(desk.url(&format!("/case/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"rollback\""), "{page}");
    assert!(!page.contains("Mohon kirim bukti tambahan."), "{page}");
    desk.stop();
}

#[tokio::test]
async fn new_marks_outlast_a_run_of_the_desk() {
    use std::ffi::OsStr;
    let env = Env::new();
    let alice = add_investigator(&env, "alice").file;
    let server = env.start();
    let r = client()
        .post(server.url("/api/v1/reports"))
        .json(&crate::support::Report::valid().json())
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    let id = v["case_id"].as_str().unwrap().to_owned();
    let receipt = v["receipt"].as_str().unwrap().to_owned();
    let follow = || async {
        let r = client()
            .post(server.url("/api/v1/followup/messages"))
            .json(&serde_json::json!({ "receipt": receipt, "body": "Saya punya salinan kuitansinya." }))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    };
    let config = env.path().join("desk-config").join("desk.toml");
    let args = [
        OsStr::new("--server"),
        OsStr::new(&server.desk_base),
        OsStr::new("--identity"),
        alice.as_os_str(),
        OsStr::new("--keys"),
        env.keys.as_os_str(),
    ];
    let inbox_is_new = |page: &str| page.contains("class=\"new\"");

    follow().await;
    let mut desk = DeskApp::start_with(&args, Some(&config));
    let c = desk.open().await;
    let page = c
        .get(desk.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(inbox_is_new(&page), "{page}");
    let r = c
        .get(desk.url(&format!("/case/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    desk.stop();

    // A new run: the case was read, so nothing is new.
    let mut desk = DeskApp::start_with(&args, Some(&config));
    let c = desk.open().await;
    let page = c
        .get(desk.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!inbox_is_new(&page), "{page}");
    desk.stop();

    // The reporter writes again: new in the next run.
    follow().await;
    let mut desk = DeskApp::start_with(&args, Some(&config));
    let c = desk.open().await;
    let page = c
        .get(desk.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(inbox_is_new(&page), "{page}");
    desk.stop();
    let seen = fs::read_to_string(config.with_file_name("seen")).unwrap();
    assert!(seen.contains(&id), "{seen}");
}
