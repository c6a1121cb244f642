//! `wbs desk`, the investigator's local web app, as a process against a real server: its guards (a
//! loopback address only, the one-time link and cookie, `Host`, same-origin POSTs, the CSP), the inbox,
//! the case view and every action an investigator takes there — each checked where it must arrive (the
//! CLI's `wbs show`, the reporter's `POST /api/v1/followup`) — a canary search of every directory the
//! desk could write to, and one browser session in real headless Chromium with JavaScript off.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::browser::Driver;
use crate::support::command::{command, wbs};
use crate::support::http::{assert_receipt_page, submit, valid_fields};
use crate::support::internal::add_investigator;
use crate::support::{client, files_containing, followup_json, Env, Server};

const CHRONOLOGY: &str = "CANARY-DESK-CHRONO-3b7e: petugas loket meminta uang pelicin.";
const NAME: &str = "Melati Pelapor";

/// A running `wbs desk`; killed when dropped.
pub(crate) struct DeskApp {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base: String,
    port: u16,
    /// The one-time link it printed.
    link: String,
    /// Its working directory, `TMPDIR` and `HOME`.
    pub(crate) dir: tempfile::TempDir,
}

impl DeskApp {
    pub(crate) fn start(server: &Server, identity: &Path, keys: &Path) -> DeskApp {
        DeskApp::start_args(&[
            OsStr::new("--server"),
            OsStr::new(&server.desk_base),
            OsStr::new("--identity"),
            identity.as_os_str(),
            OsStr::new("--keys"),
            keys.as_os_str(),
        ])
    }

    /// `wbs desk --listen 127.0.0.1:PORT ARGS…` in a fresh directory of its own.
    pub(crate) fn start_args(args: &[&OsStr]) -> DeskApp {
        DeskApp::start_with(args, None)
    }

    /// As `start_args`, with the desk configuration (pins, `seen` marks) at `config`, kept across runs.
    pub(crate) fn start_with(args: &[&OsStr], config: Option<&Path>) -> DeskApp {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["tmp", "home"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        let mut last = String::new();
        for _ in 0..5 {
            let port = crate::support::free_port();
            let mut child = command()
                .args([
                    OsStr::new("desk"),
                    OsStr::new("--listen"),
                    OsStr::new(&format!("127.0.0.1:{port}")),
                ])
                .args(args)
                .envs(config.map(|c| ("WBS_DESK_CONFIG", c.as_os_str())))
                .current_dir(dir.path())
                .env("TMPDIR", dir.path().join("tmp"))
                .env("HOME", dir.path().join("home"))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let mut line = String::new();
            let mut out = BufReader::new(child.stdout.take().unwrap());
            out.read_line(&mut line).unwrap();
            if line.starts_with("http://") {
                // Keep the pipe open in a thread so the desk never writes into a closed pipe.
                std::thread::spawn(move || {
                    let mut rest = Vec::new();
                    let _ = out.read_to_end(&mut rest);
                });
                return DeskApp {
                    child,
                    base: format!("http://127.0.0.1:{port}"),
                    port,
                    link: line.trim().to_owned(),
                    dir,
                };
            }
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            let _ = child.wait();
            last = err;
            if !last.contains("cannot listen") {
                break;
            }
        }
        panic!("wbs desk did not start: {last}");
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client holding the desk's cookie (the one-time link opened).
    pub(crate) async fn open(&self) -> reqwest::Client {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap();
        let r = c.get(&self.link).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "the link redirects");
        assert_eq!(r.headers()["location"], "/");
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.starts_with("wbs_desk="), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        c
    }

    pub(crate) fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for DeskApp {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A server with one investigator (alice) and one report with an attachment, sent through the form.
struct World {
    env: Env,
    server: Server,
    alice: PathBuf,
    case_id: String,
    receipt: String,
}

/// A well-formed PDF the server's scrubber rewrites to the same bytes (docs/design.md §6).
static ATTACHMENT: std::sync::LazyLock<Vec<u8>> =
    std::sync::LazyLock::new(|| crate::support::pdf_with("CANARY-DESK-FILE-91c0"));

async fn world() -> World {
    let env = Env::new();
    let alice = add_investigator(&env, "alice").file;
    let server = env.start();
    let mut fields = valid_fields();
    crate::support::http::set(&mut fields, "chronology", CHRONOLOGY);
    crate::support::http::set(&mut fields, "reporter.name", NAME);
    let c = client();
    let r = submit(&c, &server, &fields, &[("bukti.pdf", ATTACHMENT.to_vec())]).await;
    let (receipt, case_id) = assert_receipt_page(&r);
    World {
        env,
        server,
        alice,
        case_id,
        receipt,
    }
}

async fn text(r: reqwest::Response) -> (StatusCode, String) {
    let status = r.status();
    (status, r.text().await.unwrap())
}

/// A GET with a `Host` header of our choosing (reqwest always sends the URL's).
fn get_with_host(port: u16, host: &str, cookie: &str) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET / HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn the_desk_refuses_a_non_loopback_address() {
    for listen in ["0.0.0.0:8088", "192.0.2.1:8088", "[::]:8088"] {
        let r = wbs([
            "desk",
            "--listen",
            listen,
            "--server",
            "http://127.0.0.1:1",
            "--identity",
            "nonexistent.key",
        ]);
        assert_eq!(r.code, 2, "{listen}: {}", r.stderr);
        assert_eq!(r.stdout, "");
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(
            r.stderr.contains("is not a loopback address"),
            "{}",
            r.stderr
        );
    }
}

#[tokio::test]
async fn the_desk_guards_its_pages_and_works_a_case_end_to_end() {
    let w = world().await;
    let desk = DeskApp::start(&w.server, &w.alice, &w.env.keys);
    assert!(
        desk.link.starts_with(&format!("{}/?key=", desk.base)),
        "{}",
        desk.link
    );
    let id = w.case_id.clone();

    // Without the cookie: 403 everywhere, with the CSP; a wrong key is no key.
    let anon = client();
    for path in [
        "/",
        &format!("/case/{id}"),
        "/?key=00",
        &format!("/case/{id}/print"),
    ] {
        let r = anon.get(desk.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'"));
    }
    let r = anon
        .post(desk.url(&format!("/case/{id}/reply")))
        .form(&[("text", "no cookie")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The link works once.
    let c = desk.open().await;
    let r = anon.get(&desk.link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a used link is refused");

    // A foreign Host is refused even with the cookie; the desk's own names are served.
    assert_eq!(
        get_with_host(desk.port, &format!("evil.example:{}", desk.port), ""),
        421
    );
    assert_eq!(
        get_with_host(desk.port, &format!("localhost:{}", desk.port), ""),
        403
    );

    // The inbox: the case, its category and criteria, from the verified report.
    let (status, page) = text(c.get(desk.url("/")).send().await.unwrap()).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(&id), "{page}");
    assert!(page.contains("Pungutan liar"), "{page}");
    assert!(page.contains("kronologi"), "{page}");
    assert!(
        !page.contains("CANARY-DESK-CHRONO"),
        "the inbox shows no report text"
    );
    let (_, en) = text(c.get(desk.url("/?lang=en")).send().await.unwrap()).await;
    assert!(en.contains("Illegal levies"), "{en}");
    // Filters and the search over the decrypted text.
    let (_, found) = text(
        c.get(desk.url("/?q=canary-desk-chrono"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(found.contains(&id), "{found}");
    let (_, none) = text(c.get(desk.url("/?q=no-such-words")).send().await.unwrap()).await;
    assert!(!none.contains(&id), "{none}");
    let (_, other) = text(c.get(desk.url("/?category=KORUPSI")).send().await.unwrap()).await;
    assert!(!other.contains(&id), "{other}");
    let (_, closed) = text(c.get(desk.url("/?status=selesai")).send().await.unwrap()).await;
    assert!(!closed.contains(&id), "{closed}");

    // The case: the report, the identity hidden, the attachment listed.
    let (status, page) = text(
        c.get(desk.url(&format!("/case/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("CANARY-DESK-CHRONO-3b7e"), "{page}");
    assert!(!page.contains(NAME), "the identity is hidden");
    assert!(page.contains("bukti.pdf"), "{page}");

    // The attachment: decrypted in memory, always a download.
    let r = c
        .get(desk.url(&format!("/case/{id}/attachment/0")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"bukti.pdf\""
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), ATTACHMENT.as_slice());

    // A cross-site POST is refused, even with the cookie.
    let r = c
        .post(desk.url(&format!("/case/{id}/reply")))
        .header("origin", "http://evil.example")
        .form(&[("text", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c
        .post(desk.url(&format!("/case/{id}/reply")))
        .header("sec-fetch-site", "cross-site")
        .form(&[("text", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Reveal needs a reason; then a signed reveal record comes first, and the identity shows.
    let reveal = desk.url(&format!("/case/{id}/reveal"));
    let r = c
        .post(&reveal)
        .form(&[("text", "  ")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = c
        .post(&reveal)
        .header("origin", desk.base.as_str())
        .header("sec-fetch-site", "same-origin")
        .form(&[("text", "Perlu konfirmasi kronologi dengan pelapor")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = text(
        c.get(desk.url(&format!("/case/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains(NAME), "{page}");
    assert!(page.contains("Perlu konfirmasi kronologi"), "{page}");

    let show = |args: &[&str]| {
        let mut all: Vec<&OsStr> = vec![
            "show".as_ref(),
            "--server".as_ref(),
            w.server.desk_base.as_ref(),
            "--identity".as_ref(),
            w.alice.as_os_str(),
            "--keys".as_ref(),
            w.env.keys.as_os_str(),
        ];
        all.extend(args.iter().map(OsStr::new));
        wbs(all)
    };
    let r = show(&[&id]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("reveal-record — verified, signed by investigator alice.pub"),
        "{}",
        r.stdout
    );
    assert!(r
        .stdout
        .contains("Perlu konfirmasi kronologi dengan pelapor"));

    // A reply reaches the reporter; markup stays text.
    let reply = "Mohon kirim foto kuitansi <b>asli</b>. CANARY-DESK-REPLY-44d1";
    let r = c
        .post(desk.url(&format!("/case/{id}/reply")))
        .form(&[("text", reply)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("/case/{id}?done=reply"));
    let (_, page) = text(
        c.get(desk.url(&format!("/case/{id}?done=reply")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("Balasan terkirim"), "{page}");
    assert!(page.contains("&#60;b&#62;asli&#60;/b&#62;"), "{page}");
    assert!(!page.contains("<b>asli"), "{page}");

    let reporter = client();
    let v: Value = followup_json(&reporter, &w.server, &w.receipt).await;
    let bodies: Vec<&str> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert!(bodies.contains(&reply), "{v}");
    assert!(
        !bodies.iter().any(|b| b.contains("Perlu konfirmasi")),
        "the reveal record is not the reporter's"
    );

    // An internal note stays with the investigators.
    let r = c
        .post(desk.url(&format!("/case/{id}/note")))
        .form(&[("text", "Cek jadwal piket. CANARY-DESK-NOTE-0a9f")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // A status change with a note shows on the reporter's side.
    let r = c
        .post(desk.url(&format!("/case/{id}/status")))
        .form(&[
            ("status", "diverifikasi"),
            ("note", "Laporan Anda diverifikasi."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v = followup_json(&reporter, &w.server, &w.receipt).await;
    assert_eq!(v["status"], "diverifikasi", "{v}");
    let text_of = v.to_string();
    assert!(text_of.contains("Laporan Anda diverifikasi."), "{v}");
    assert!(!text_of.contains("CANARY-DESK-NOTE"), "{v}");
    // And one without a note.
    let r = c
        .post(desk.url(&format!("/case/{id}/status")))
        .form(&[("status", "ditindaklanjuti"), ("note", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v = followup_json(&reporter, &w.server, &w.receipt).await;
    assert_eq!(v["status"], "ditindaklanjuti", "{v}");
    let r = c
        .post(desk.url(&format!("/case/{id}/status")))
        .form(&[("status", "verified")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // A category correction: a signed item; the inbox follows it.
    let r = c
        .post(desk.url(&format!("/case/{id}/category")))
        .form(&[("category", "GRATIFIKASI"), ("reason", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required"
    );
    let r = c
        .post(desk.url(&format!("/case/{id}/category")))
        .form(&[
            ("category", "GRATIFIKASI"),
            ("reason", "Hadiah, bukan pungutan"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = text(
        c.get(desk.url("/?category=GRATIFIKASI"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains(&id) && page.contains("dikoreksi"), "{page}");
    let r = show(&[&id]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("recategorise — verified"), "{}", r.stdout);

    // The print view: the case without internal items, with its own print stylesheet.
    let (status, page) = text(
        c.get(desk.url(&format!("/case/{id}/print")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("CANARY-DESK-CHRONO-3b7e") && page.contains("CANARY-DESK-REPLY-44d1"));
    assert!(!page.contains("CANARY-DESK-NOTE-0a9f"), "{page}");
    // A follow-up from the reporter after the case was last opened here is marked new in the inbox.
    let (_, page) = text(c.get(desk.url("/")).send().await.unwrap()).await;
    assert!(!page.contains("class=\"new\""), "{page}");
    let r = reporter
        .post(w.server.url("/api/v1/followup/messages"))
        .json(&serde_json::json!({"receipt": w.receipt, "body": "Foto kuitansi menyusul."}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let (_, page) = text(c.get(desk.url("/")).send().await.unwrap()).await;
    assert!(page.contains("class=\"new\""), "{page}");
    let (_, _) = text(
        c.get(desk.url(&format!("/case/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (_, page) = text(c.get(desk.url("/")).send().await.unwrap()).await;
    assert!(!page.contains("class=\"new\""), "{page}");

    let css = c
        .get(desk.url("/desk.css"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(css.contains("@media print"));
}

#[tokio::test]
async fn the_desk_writes_no_decrypted_byte_to_disk() {
    let w = world().await;
    let mut desk = DeskApp::start(&w.server, &w.alice, &w.env.keys);
    let c = desk.open().await;
    let id = w.case_id.clone();
    for path in [
        "/".to_owned(),
        format!("/case/{id}"),
        format!("/case/{id}/print"),
    ] {
        let (status, _) = text(c.get(desk.url(&path)).send().await.unwrap()).await;
        assert_eq!(status, 200, "{path}");
    }
    let r = c
        .post(desk.url(&format!("/case/{id}/reveal")))
        .form(&[("text", "CANARY-DESK-REASON-5d21")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = text(
        c.get(desk.url(&format!("/case/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains(NAME));
    let r = c
        .post(desk.url(&format!("/case/{id}/reply")))
        .form(&[("text", "CANARY-DESK-REPLY-7f3a")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let file = c
        .get(desk.url(&format!("/case/{id}/attachment/0")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(file.as_ref(), ATTACHMENT.as_slice());
    desk.stop();

    let canaries: [&[u8]; 5] = [
        b"CANARY-DESK-CHRONO-3b7e",
        b"CANARY-DESK-REASON-5d21",
        b"CANARY-DESK-REPLY-7f3a",
        b"CANARY-DESK-FILE-91c0",
        NAME.as_bytes(),
    ];
    assert_eq!(files_containing(desk.dir.path(), &canaries), vec![]);
    // Nor the investigator's directory (identity, keys) or the server's data.
    assert_eq!(files_containing(w.env.path(), &canaries), vec![]);
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver"]
async fn an_investigator_works_a_case_in_chromium_with_javascript_off() {
    let w = world().await;
    let desk = DeskApp::start(&w.server, &w.alice, &w.env.keys);
    let id = w.case_id.clone();
    let d = Driver::start().await;
    assert!(!d.scripts_enabled().await, "JavaScript must be off");

    d.goto(&desk.link).await;
    d.wait_for("table.inbox").await;
    d.screenshot("desk-inbox").await;
    // The desk's own stylesheet applies under its CSP.
    assert_eq!(
        d.css_value("header.top", "background-color").await,
        "rgba(32, 48, 63, 1)"
    );
    let page = d.source().await;
    assert!(
        page.contains(&id) && page.contains("Pungutan liar"),
        "{page}"
    );
    d.click(&format!("#row-{id} a.open")).await;
    d.wait_for("#case-id").await;
    assert!(!d.source().await.contains(NAME));

    d.type_into("#reveal-reason", "Perlu konfirmasi lewat telepon")
        .await;
    d.click("#reveal").await;
    d.wait_for("#done.done-reveal").await;
    let page = d.source().await;
    assert!(page.contains(NAME), "{page}");
    assert!(
        page.contains("identitas dibuka"),
        "the reveal item is in the thread"
    );
    d.screenshot("desk-case-revealed").await;

    d.type_into(
        "#reply-text",
        "Terima kasih, laporan sedang diperiksa. BROWSER-REPLY",
    )
    .await;
    d.click("#send-reply").await;
    d.wait_for("#done.done-reply").await;
    assert!(d.source().await.contains("BROWSER-REPLY"));

    d.click("#status-code option[value='diverifikasi']").await;
    d.type_into("#status-note", "Diverifikasi. BROWSER-STATUS")
        .await;
    d.click("#set-status").await;
    d.wait_for("#done.done-status").await;

    d.click("#category-code option[value='GRATIFIKASI']").await;
    d.type_into("#category-reason", "Hadiah").await;
    d.click("#set-category").await;
    d.wait_for("#done.done-category").await;
    assert!(d.source().await.contains("dikoreksi"));

    d.click("#print").await;
    d.wait_for("body.print").await;
    d.screenshot("desk-print").await;

    let v = followup_json(&client(), &w.server, &w.receipt).await;
    assert_eq!(v["status"], "diverifikasi", "{v}");
    let all = v.to_string();
    assert!(
        all.contains("BROWSER-REPLY") && all.contains("BROWSER-STATUS"),
        "{v}"
    );

    // The reporter's own page shows the reply and the new status.
    d.goto(&w.server.url("/pantau")).await;
    d.type_into("#receipt", &w.receipt).await;
    d.click("form[action='/pantau'] button").await;
    d.wait_for("#thread-title").await;
    let page = d.source().await;
    d.screenshot("desk-pantau-after").await;
    assert!(
        page.contains("BROWSER-REPLY") && page.contains("BROWSER-STATUS"),
        "{page}"
    );
    assert!(page.contains("Status: Diverifikasi"), "{page}");
}
