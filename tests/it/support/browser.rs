//! Real headless Chromium with JavaScript disabled (Tor Browser "Safest"), driven through ChromeDriver
//! with `fantoccini`. Each driver runs its own `chromedriver` on a free port with its own profile, so
//! tests can run in parallel. They need Debian's `chromium` and `chromium-driver`.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use super::server::free_port;

/// The WebDriver key code of Enter.
pub const ENTER: &str = "\u{E007}";

/// One chromedriver process and its browser session.
pub struct Driver {
    process: Child,
    client: Client,
    _profile: tempfile::TempDir,
}

impl Driver {
    pub async fn start() -> Driver {
        Self::launch(false).await
    }

    /// A browser with JavaScript on, only to run axe-core over pages another (JavaScript-off)
    /// browser showed: Chromium does not run an injected script's promises while scripts are off.
    pub async fn with_scripts() -> Driver {
        Self::launch(true).await
    }

    async fn launch(scripts: bool) -> Driver {
        let port = free_port();
        let process = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver)");
        let base = format!("http://127.0.0.1:{port}");
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--window-size=412,900",
                         format!("--user-data-dir={}", profile.path().display())],
                "prefs": {"profile.managed_default_content_settings.javascript": if scripts { 1 } else { 2 }}
            }
        });
        let caps: Capabilities = serde_json::from_value(caps).unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&base)
            .await
            .unwrap_or_else(|e| panic!("no session: {e}"));
        Driver {
            process,
            client,
            _profile: profile,
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("webdriver goto {url}: {e}"));
    }

    /// Reload, as the reporter's reload button does (a POST answer is sent again).
    pub async fn refresh(&self) {
        self.client
            .refresh()
            .await
            .unwrap_or_else(|e| panic!("webdriver refresh: {e}"));
    }

    pub async fn back(&self) {
        self.client
            .back()
            .await
            .unwrap_or_else(|e| panic!("webdriver back: {e}"));
    }

    /// The value of a form field as the browser holds it now.
    pub async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .unwrap_or_else(|e| panic!("webdriver value {css}: {e}"))
            .unwrap_or_default()
    }

    /// Forgets every cookie, as when the session cookie expired.
    pub async fn forget_cookies(&self) {
        self.client
            .delete_all_cookies()
            .await
            .unwrap_or_else(|e| panic!("webdriver delete cookies: {e}"));
    }

    /// axe-core's violations on `html` (a page another browser showed, as served), one line each:
    /// rule, impact, first targets. The page is written into a page of the same server (`origin`,
    /// so its stylesheet and logo load) and checked as rendered, at this browser's 412 px width.
    /// axe-core is installed by .ci/run from npm; `WBS_AXE` may name another `axe.min.js`.
    pub async fn axe_violations(&self, origin_page: &str, html: &str) -> Vec<String> {
        let path = std::env::var("WBS_AXE").unwrap_or_else(|_| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/target/axe/node_modules/axe-core/axe.min.js"
            )
            .to_owned()
        });
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("axe-core at {path} (run .ci/run or set WBS_AXE): {e}"));
        self.goto(origin_page).await;
        let write = "document.open(); document.write(arguments[0]); document.close();";
        self.client
            .execute(write, vec![serde_json::Value::String(html.to_owned())])
            .await
            .unwrap_or_else(|e| panic!("webdriver write page: {e}"));
        let script = format!(
            "{source}\nconst done = arguments[arguments.length - 1];\n\
             const go = () => axe.run(document, {{ resultTypes: ['violations'] }}).then(r => done(r.violations.map(v => \
             v.id + ' (' + v.impact + '): ' + v.help + ' — ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))).catch(e => done(['axe failed: ' + e]));\n\
             if (document.readyState === 'complete') go(); else window.addEventListener('load', go);"
        );
        let value = self
            .client
            .execute_async(&script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("webdriver axe: {e}"));
        serde_json::from_value(value).unwrap_or_else(|e| panic!("axe result: {e}"))
    }

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("webdriver find {css}: {e}"))
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("webdriver find all {css}: {e}"))
            .len()
    }

    /// Waits until an element matching `css` is on the page (a submitted form's answer has arrived).
    pub async fn wait_for(&self, css: &str) {
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

    /// Empties a field (a typo kept in it, to be typed again).
    pub async fn clear(&self, css: &str) {
        self.find(css)
            .await
            .clear()
            .await
            .unwrap_or_else(|e| panic!("webdriver clear {css}: {e}"));
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        self.find(css)
            .await
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("webdriver type into {css}: {e}"));
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("webdriver click {css}: {e}"));
    }

    pub async fn source(&self) -> String {
        self.client
            .source()
            .await
            .unwrap_or_else(|e| panic!("webdriver source: {e}"))
    }

    pub async fn scripts_enabled(&self) -> bool {
        // With JavaScript disabled by content setting, a <noscript> element renders as a real element.
        self.goto("data:text/html,<noscript><p id=n>off</p></noscript>")
            .await;
        self.count("#n").await == 0
    }

    /// The computed value of a CSS property of the first element matching `css` (read by WebDriver,
    /// so it works with JavaScript off): shows whether a stylesheet was applied.
    pub async fn css_value(&self, css: &str, property: &str) -> String {
        self.find(css)
            .await
            .css_value(property)
            .await
            .unwrap_or_else(|e| panic!("webdriver css value {css} {property}: {e}"))
    }

    /// Saves a screenshot under target/browser-shots/ for people to look at (not asserted).
    pub async fn screenshot(&self, name: &str) {
        if let Ok(png) = self.client.screenshot().await {
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
