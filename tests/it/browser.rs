//! Browser tests: real headless Chromium, JavaScript disabled (Tor Browser "Safest"), driven through
//! ChromeDriver's W3C WebDriver HTTP API. They need Debian's `chromium` and `chromium-driver`.
use crate::support;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::Env;
use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const ENTER: &str = "\u{E007}";

struct Driver {
    process: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

impl Driver {
    async fn start() -> Driver {
        let port = support::free_port();
        let process = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver)");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--window-size=412,900",
                         format!("--user-data-dir={}", profile.path().display())],
                "prefs": {"profile.managed_default_content_settings.javascript": 2}
            }
        }}});
        let created: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_owned();
        Driver {
            process,
            base,
            session,
            http,
            _profile: profile,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let req = self.http.request(method.clone(), url);
        let req = if method == reqwest::Method::GET {
            req
        } else {
            req.json(&body)
        };
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        if let Some(err) = v["value"].get("error") {
            panic!("webdriver {path}: {err} {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", json!({ "url": url }))
            .await;
    }

    async fn find(&self, css: &str) -> String {
        let v = self
            .call(
                reqwest::Method::POST,
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        v[ELEMENT].as_str().unwrap().to_owned()
    }

    async fn count(&self, css: &str) -> usize {
        let v = self
            .call(
                reqwest::Method::POST,
                "/elements",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        v.as_array().map_or(0, Vec::len)
    }

    /// Waits until an element matching `css` is on the page (a submitted form's answer has arrived).
    async fn wait_for(&self, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.count(css).await == 0 {
            assert!(
                Instant::now() < deadline,
                "{css} never appeared:\n{}",
                self.source().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            json!({}),
        )
        .await;
    }

    async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", json!(null))
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn scripts_enabled(&self) -> bool {
        // With JavaScript disabled by content setting, a <noscript> element renders as a real element.
        self.goto("data:text/html,<noscript><p id=n>off</p></noscript>")
            .await;
        self.count("#n").await == 0
    }

    /// Saves a screenshot under target/browser-shots/ for people to look at (not asserted).
    async fn screenshot(&self, name: &str) {
        let v = self
            .call(reqwest::Method::GET, "/screenshot", json!(null))
            .await;
        if let Some(png) = v
            .as_str()
            .and_then(|b| data_encoding::BASE64.decode(b.as_bytes()).ok())
        {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-shots");
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

async fn fill_required(d: &Driver, marker: &str) {
    d.click("input[name='reporter.kind'][value='staff']").await;
    d.click("#category option[value='GRATIFIKASI']").await;
    d.type_into(
        "#chronology",
        &format!("Kepala seksi menerima hadiah dari pemohon izin {marker}."),
    )
    .await;
    d.type_into("#parties-0-name", "Pak Anton").await;
    d.type_into("#parties-0-position", "Kepala Seksi").await;
    d.type_into("#parties-0-unit", "Bidang Perizinan").await;
    d.type_into("#incident-when", "Januari 2026").await;
    d.type_into("#incident-place", "Kantor DPMPTSP").await;
    d.type_into("#reporter-name", "Mawar").await;
    d.click("input[name='good_faith']").await;
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (Debian packages)"]
async fn a_report_can_be_sent_with_javascript_off() {
    let env = Env::new();
    let mut server = env.start();
    let d = Driver::start().await;
    assert!(
        !d.scripts_enabled().await,
        "JavaScript must be off in this browser"
    );

    d.goto(&server.url("/")).await;
    d.screenshot("home").await;
    d.click("a.button").await;
    fill_required(&d, "BROWSER-MARKER").await;
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("bukti.png");
    std::fs::write(
        &photo,
        b"\x89PNG\r\n\x1a\nnot really an image, but PNG by its magic bytes",
    )
    .unwrap();
    d.type_into("#attachments", photo.to_str().unwrap()).await;
    d.screenshot("form-filled").await;
    d.click("#kirim").await;
    d.wait_for("#resi").await;

    let page = d.source().await;
    d.screenshot("receipt").await;
    let receipt = support::receipt_in(&page).unwrap_or_else(|| panic!("no receipt in:\n{page}"));
    assert!(support::looks_like_receipt(&receipt), "{receipt}");
    assert!(
        page.contains("1 lampiran"),
        "the attachment is acknowledged"
    );

    // The explicit "I have saved it" step: the box must be ticked, then the receipt is gone.
    d.click("input[name='saved']").await;
    d.click("form[action^='/lapor/selesai'] button").await;
    d.wait_for("main a.button").await;
    let thanks = d.source().await;
    assert!(thanks.contains("Terima kasih"), "{thanks}");
    assert!(!thanks.contains(&receipt));
    server.stop();
    assert_eq!(env.case_count(), 1);
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (Debian packages)"]
async fn mistakes_keep_what_was_typed_and_enter_does_not_add_a_row() {
    let env = Env::new();
    let mut server = env.start();
    let d = Driver::start().await;
    d.goto(&server.url("/lapor")).await;

    // Enter in a text field submits the report (the default action), not "add a person".
    d.type_into(
        "#chronology",
        "Ada pungutan liar di loket pelayanan setiap pagi.",
    )
    .await;
    d.type_into("#incident-place", &format!("Loket 3{ENTER}"))
        .await;
    d.wait_for(".errors").await;
    let page = d.source().await;
    d.screenshot("errors").await;
    assert_eq!(d.count(".party").await, 2, "Enter must not add a row");
    assert!(
        page.contains("Periksa kembali isian berikut"),
        "errors are summarised"
    );
    assert!(page.contains("Ada pungutan liar di loket pelayanan setiap pagi."));
    assert!(page.contains("value=\"Loket 3\""));
    assert!(
        d.count(".invalid").await >= 3,
        "fields with problems are marked"
    );

    // "Add a person" adds a row and keeps everything.
    d.click("button[value='add_party']").await;
    d.wait_for("#parties-2-name").await;
    assert_eq!(d.count(".party").await, 3);
    assert!(d
        .source()
        .await
        .contains("Ada pungutan liar di loket pelayanan setiap pagi."));

    // Completing the rest sends it.
    d.click("input[name='reporter.kind'][value='public']").await;
    d.click("#category option[value='PUNGLI']").await;
    d.type_into("#parties-0-name", "Budi").await;
    d.type_into("#parties-0-position", "Petugas loket").await;
    d.type_into("#parties-0-unit", "Pelayanan").await;
    d.type_into("#incident-when", "setiap pagi, Maret 2026")
        .await;
    d.click("#reporter-anonymous").await;
    d.click("input[name='good_faith']").await;
    d.click("#kirim").await;
    d.wait_for("#resi").await;
    let done = d.source().await;
    assert!(support::receipt_in(&done).is_some(), "{done}");
    assert!(
        done.contains("Laporan anonim"),
        "the anonymous consequence is explained"
    );
    server.stop();
    assert_eq!(env.case_count(), 1);
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (Debian packages)"]
async fn english_pages_are_complete() {
    let env = Env::new();
    let mut server = env.start();
    let d = Driver::start().await;
    d.goto(&server.url("/lapor?lang=en")).await;
    d.click("#kirim").await;
    d.wait_for(".errors").await;
    let page = d.source().await;
    assert!(page.contains("Please check the following"), "{page}");
    assert!(page.contains("Required."));
    assert!(page.contains("lang=\"en\""));
    server.stop();
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (Debian packages)"]
async fn a_reporter_follows_up_with_javascript_off() {
    let env = Env::new();
    let mut server = env.start();
    let d = Driver::start().await;
    d.goto(&server.url("/lapor")).await;
    fill_required(&d, "FOLLOW-UP").await;
    d.click("#kirim").await;
    d.wait_for("#resi").await;
    let page = d.source().await;
    let receipt = support::receipt_in(&page).unwrap();

    d.goto(&server.url("/pantau")).await;
    // Typed as a person might: lower case, with spaces.
    d.type_into("#receipt", &receipt.to_lowercase().replace('-', " "))
        .await;
    d.click("form[action='/pantau'] button").await;
    d.wait_for("#thread-title").await;
    let case = d.source().await;
    assert!(case.contains("Status: Diterima"), "{case}");
    assert!(case.contains("Diverifikasi paling lambat"));
    d.type_into("#body", "Saya menyimpan salinan kuitansinya.")
        .await;
    d.click("#kirim").await;
    d.wait_for(".thread li.from-me").await;
    d.screenshot("pantau").await;
    assert!(d
        .source()
        .await
        .contains("Saya menyimpan salinan kuitansinya."));

    // Logging out ends the session: reloading shows the receipt form again.
    d.click("form.logout button").await;
    d.wait_for("#receipt").await;
    d.goto(&server.url("/pantau")).await;
    d.wait_for("#receipt").await;
    assert!(!d
        .source()
        .await
        .contains("Saya menyimpan salinan kuitansinya."));
    server.stop();
}
