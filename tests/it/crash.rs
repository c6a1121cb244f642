//! Durability with a real process: an acknowledged report survives SIGKILL, and an interrupted upload
//! leaves nothing behind, neither when the reporter goes away nor when the server dies.

use std::ffi::OsStr;
use std::fs;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::http::*;
use crate::support::*;

/// Waits up to 20 s for `cond`.
fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !cond() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts a form upload of `body` over a raw socket and sends only its first `sent` bytes.
fn partial_upload(s: &Server, body: &[u8], sent: usize) -> std::net::TcpStream {
    use std::io::Write;
    let mut sock = std::net::TcpStream::connect(("127.0.0.1", s.port)).expect("connect");
    let head = format!(
        "POST /lapor HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{MULTIPART_XYZ}Content-Length: {}\r\n\r\n",
        s.port,
        body.len()
    );
    sock.write_all(head.as_bytes()).expect("head");
    sock.write_all(&body[..sent]).expect("part of the body");
    sock.flush().expect("flush");
    sock
}

/// docs/design.md §4 and §7: an upload that never completes leaves no file behind, neither when the reporter
/// goes away nor when the server dies; what is on disk meanwhile is ciphertext.
#[tokio::test]
async fn interrupted_uploads_leave_nothing_behind() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let m = marker();
    // A legacy Word file streams to disk as it arrives (a PDF is held whole until scrubbed).
    let mut pdf = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    while pdf.len() < 2_000_000 {
        pdf.extend_from_slice(format!("{m} rahasia\n").as_bytes());
    }
    let tmp_files = |env: &Env| -> Vec<String> {
        env.blob_files()
            .into_iter()
            .filter(|n| n.starts_with(".tmp-"))
            .collect()
    };

    // The reporter's connection drops in the middle of a file.
    let token = form_token(&c, &s).await;
    let body = form_bytes(
        Some(&token),
        &valid_fields(),
        &[("rekaman.doc", pdf.clone())],
    );
    let sock = partial_upload(&s, &body, body.len() / 2);
    wait_for("the upload's temporary file", || {
        !tmp_files(&env).is_empty()
    });
    wait_for("part of the upload on disk", || {
        files_under(&env.data.join("blobs"))
            .iter()
            .any(|f| fs::metadata(f).map(|m| m.len()).unwrap_or(0) > 100_000)
    });
    let hits = files_containing(&env.data, &[m.as_bytes()]);
    assert!(hits.is_empty(), "plaintext of an upload on disk: {hits:?}");
    drop(sock);
    wait_for("the temporary file to go", || env.blob_files().is_empty());

    // The server dies in the middle of a file: the next start sweeps it.
    let token = form_token(&c, &s).await;
    let body = form_bytes(Some(&token), &valid_fields(), &[("rekaman.doc", pdf)]);
    let sock = partial_upload(&s, &body, body.len() / 2);
    wait_for("the upload's temporary file", || {
        !tmp_files(&env).is_empty()
    });
    s.kill();
    drop(sock);
    let mut s = env.start();
    assert!(
        env.blob_files().is_empty(),
        "orphans swept at start-up: {:?}",
        env.blob_files()
    );
    s.stop();
    assert_eq!(env.case_count(), 0);
}

#[tokio::test]
async fn report_acknowledged_before_sigkill_survives() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let m = marker();
    let mut b = valid_api();
    b["chronology"] = json!(format!("Laporan sebelum mati mendadak {m}."));

    let r = c
        .post(s.url("/api/v1/reports"))
        .json(&b)
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status(), 201);
    s.kill(); // SIGKILL as soon as the status line arrived
    let v: Value = r.json().await.unwrap_or(Value::Null);
    let case_id = v["case_id"]
        .as_str()
        .expect("case id in the 201")
        .to_owned();

    // The server comes back on the same data and keeps working.
    let mut s = env.start();
    let r = reply(c.get(s.url("/lapor")).send().await.expect("GET")).await;
    assert_eq!(r.status, 200);
    let (st, v) = api(&c, &s, &valid_api()).await;
    assert_eq!(st, 201, "{v}");
    let second = v["case_id"].as_str().expect("case").to_owned();
    s.stop();

    let (out, o) = env.export("export");
    assert!(o.success(), "wbs export failed: {}{}", o.stdout, o.stderr);
    let index: Value =
        serde_json::from_slice(&fs::read(out.join("index.json")).expect("index.json"))
            .expect("json");
    let ids: Vec<&str> = index
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|e| e["case_id"].as_str())
        .collect();
    assert!(
        ids.contains(&case_id.as_str()),
        "{case_id} survived the kill: {index}"
    );
    assert!(ids.contains(&second.as_str()), "{index}");

    let o = env.wbs([
        OsStr::new("decrypt"),
        OsStr::new("--identity"),
        env.demo_identity().as_os_str(),
        OsStr::new("--keys"),
        env.keys.as_os_str(),
        out.join(&case_id).as_os_str(),
    ]);
    assert!(o.success(), "{}{}", o.stdout, o.stderr);
    assert!(o
        .stdout
        .contains(&format!("Laporan sebelum mati mendadak {m}.")));
}
