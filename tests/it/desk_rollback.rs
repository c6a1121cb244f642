//! A rollback against the real server (docs/design.md §3): the desk remembers the newest verified item
//! of each case, so when the server is restored from an older copy of its data — the investigator's own
//! reply gone — the case view and the inbox warn, instead of silently showing the older case.

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
