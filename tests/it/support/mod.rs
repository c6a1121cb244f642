//! Shared helpers for the integration tests: run the real `wbs` binary on a free loopback port in a
//! temporary directory, capture everything it prints, stop it (SIGTERM) or kill it (SIGKILL), and read
//! the pages it serves.

pub mod http;
pub mod whatsapp;

use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_wbs");

/// A distinctive user agent: it must never show up in anything the server prints or stores.
pub const USER_AGENT: &str = "canary-agent/1.0";

/// One test's world: a temporary directory with `data/`, `keys/` (empty: demo mode) and the file that
/// collects the server's stdout and stderr across every start.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub data: PathBuf,
    pub keys: PathBuf,
    pub log: PathBuf,
    pub config: Option<PathBuf>,
}

impl Env {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let keys = dir.path().join("keys");
        fs::create_dir_all(&keys).expect("keys dir");
        let log = dir.path().join("server.log");
        Env {
            dir,
            data,
            keys,
            log,
            config: None,
        }
    }

    /// An environment whose server reads this TOML configuration (`--config`).
    pub fn with_config(toml: &str) -> Self {
        let mut env = Env::new();
        let path = env.dir.path().join("wbs.toml");
        fs::write(&path, toml).expect("config");
        env.config = Some(path);
        env
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The demo investigator identity the server made on its first start.
    pub fn demo_identity(&self) -> PathBuf {
        self.data.join("demo-investigator.key")
    }

    /// Starts `wbs` on a free port and waits until `/healthz` answers.
    pub fn start(&self) -> Server {
        let mut last_log = String::new();
        for _ in 0..5 {
            let port = free_port();
            let desk_port = free_port();
            let log = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.log)
                .expect("log file");
            let mut cmd = Command::new(BIN);
            cmd.arg("--listen")
                .arg(format!("127.0.0.1:{port}"))
                .arg("--desk-listen")
                .arg(format!("127.0.0.1:{desk_port}"))
                .arg("--data")
                .arg(&self.data)
                .arg("--keys")
                .arg(&self.keys)
                .current_dir(self.path())
                .env_remove("RUST_LOG")
                .stdin(Stdio::null())
                .stdout(Stdio::from(log.try_clone().expect("log clone")))
                .stderr(Stdio::from(log));
            if let Some(c) = &self.config {
                cmd.arg("--config").arg(c);
            }
            let child = cmd.spawn().expect("spawn wbs");
            let mut server = Server {
                child: Some(child),
                port,
                base: format!("http://127.0.0.1:{port}"),
                desk_port,
                desk_base: format!("http://127.0.0.1:{desk_port}"),
            };
            match server.wait_ready(Duration::from_secs(60)) {
                Ok(()) => return server,
                Err(()) => {
                    server.kill();
                    last_log = self.log_text();
                    // Another process took the port between our probe and the bind: try another.
                    if last_log.contains("cannot listen") {
                        continue;
                    }
                    panic!("wbs did not start; it printed:\n{last_log}");
                }
            }
        }
        panic!("wbs could not find a free port; it printed:\n{last_log}");
    }

    pub fn log_bytes(&self) -> Vec<u8> {
        fs::read(&self.log).unwrap_or_default()
    }

    pub fn log_text(&self) -> String {
        String::from_utf8_lossy(&self.log_bytes()).into_owned()
    }

    /// Runs `wbs` with these arguments (the server must be stopped for `export`), in this env's dir.
    pub fn wbs<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Command::new(BIN)
            .args(args)
            .current_dir(self.path())
            .stdin(Stdio::null())
            .output()
            .expect("run wbs")
    }

    /// `wbs export --data DATA --out OUT`; returns OUT.
    pub fn export(&self, name: &str) -> (PathBuf, Output) {
        let out = self.path().join(name);
        let output = self.wbs([
            OsStr::new("export"),
            OsStr::new("--data"),
            self.data.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
        ]);
        (out, output)
    }

    /// Every regular file under the data directory (recursively).
    pub fn data_files(&self) -> Vec<PathBuf> {
        files_under(&self.data)
    }

    /// Files in `DATA/blobs` (committed `.age` blobs and any temporary upload left behind).
    pub fn blob_files(&self) -> Vec<String> {
        match fs::read_dir(self.data.join("blobs")) {
            Ok(entries) => entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// How many cases the store holds (read with the library; the server must be stopped).
    pub fn case_count(&self) -> usize {
        use wbs::store::Store;
        let store = wbs::store::SledStore::open(&self.data.join("store"), 8 * 1024 * 1024)
            .expect("open store");
        store.case_ids().expect("case ids").len()
    }
}

impl Env {
    /// The payload size (see `age_payload_len`) of every stored item of every case, by case id (the
    /// server must be stopped).
    pub fn item_sizes(&self) -> Vec<(String, Vec<usize>)> {
        use wbs::store::Store;
        let store = wbs::store::SledStore::open(&self.data.join("store"), 8 * 1024 * 1024)
            .expect("open store");
        let mut out = Vec::new();
        for id in store.case_ids().expect("case ids") {
            let sizes = store
                .items(&id)
                .expect("items")
                .iter()
                .map(|item| age_payload_len(item))
                .collect();
            out.push((id, sizes));
        }
        out
    }
}

impl Default for Env {
    fn default() -> Self {
        Env::new()
    }
}

/// A running `wbs serve`. Dropping it kills the process if it still runs.
pub struct Server {
    child: Option<Child>,
    pub port: u16,
    pub base: String,
    /// The investigators' sync API (`--desk-listen`), on its own port.
    pub desk_port: u16,
    pub desk_base: String,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A URL on the desk listener.
    pub fn desk_url(&self, path: &str) -> String {
        format!("{}{path}", self.desk_base)
    }

    fn wait_ready(&mut self, timeout: Duration) -> Result<(), ()> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(_)) = child.try_wait() {
                    return Err(());
                }
            }
            if health(self.port) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(())
    }

    /// SIGTERM, then wait for a clean exit. Panics if the server does not stop or fails.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()
            .expect("kill -TERM");
        assert!(status.success(), "kill -TERM failed");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match child.try_wait().expect("try_wait") {
                Some(status) => {
                    assert!(status.success(), "wbs exited with {status} after SIGTERM");
                    return;
                }
                None if Instant::now() > deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("wbs did not stop within 30 s of SIGTERM");
                }
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    /// SIGKILL (what `Child::kill` sends on Unix), and reap it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 0");
    l.local_addr().expect("addr").port()
}

/// Whether `GET /healthz` answers 200 (plain std: no async runtime needed).
fn health(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let req = format!(
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: {USER_AGENT}\r\nConnection: close\r\n\r\n"
    );
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    buf.starts_with(b"HTTP/1.1 200")
}

/// Every regular file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.filter_map(|e| e.ok()) {
            let p = e.path();
            let Ok(meta) = fs::symlink_metadata(&p) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(p);
            } else if meta.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// The files under `dir` whose bytes contain any of `needles`, as `(file, needle)`.
pub fn files_containing(dir: &Path, needles: &[&[u8]]) -> Vec<(PathBuf, String)> {
    let mut hits = Vec::new();
    for f in files_under(dir) {
        let mut bytes = Vec::new();
        File::open(&f)
            .and_then(|mut h| h.read_to_end(&mut bytes))
            .expect("read file");
        for n in needles {
            if contains(&bytes, n) {
                hits.push((f.clone(), String::from_utf8_lossy(n).into_owned()));
            }
        }
    }
    hits
}

/// The length of an age file's payload (after the header, whose size varies: age adds a random
/// "grease" stanza to every header).
pub fn age_payload_len(file: &[u8]) -> usize {
    assert!(
        file.starts_with(b"age-encryption.org/v1\n"),
        "not an age file"
    );
    let mac = file
        .windows(5)
        .position(|w| w == b"\n--- ")
        .expect("age header end");
    let end = mac
        + 1
        + file[mac + 1..]
            .iter()
            .position(|&b| b == b'\n')
            .expect("mac line")
        + 1;
    file.len() - end
}

/// A fresh random marker such as `CANARY-3f9a…`.
pub fn marker() -> String {
    format!(
        "CANARY-{:016x}{:08x}",
        rand::random::<u64>(),
        rand::random::<u32>()
    )
}

/// An HTTP client that sends the distinctive user agent and never follows redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client")
}

/// A fresh form token from `GET /lapor`.
pub async fn form_token(client: &reqwest::Client, server: &Server) -> String {
    let r = client
        .get(server.url("/lapor"))
        .send()
        .await
        .expect("GET /lapor");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("body");
    token_in(&html).expect("form_token in /lapor")
}

/// The form token in a rendered form.
pub fn token_in(html: &str) -> Option<String> {
    input_value(html, "form_token")
}

/// The (unescaped) `value` of the `<input name="NAME" …>` in `html`.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let v = tag.find(" value=\"")? + " value=\"".len();
    let len = tag[v..].find('"')?;
    Some(unescape(&tag[v..v + len]))
}

/// The (unescaped) text of the `<textarea name="NAME">` in `html`.
pub fn textarea_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let open_end = at + html[at..].find('>')? + 1;
    let close = open_end + html[open_end..].find("</textarea>")?;
    Some(unescape(&html[open_end..close]))
}

/// The error shown beside the field named `name` (the `<p class="error">` in its field block).
pub fn field_error(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let end = at + html[at..].find("</div>")?;
    let block = &html[at..end];
    let e = block.find("<p class=\"error\">")? + "<p class=\"error\">".len();
    let len = block[e..].find("</p>")?;
    Some(unescape(&block[e..e + len]))
}

/// Whether the checkbox/radio `name` with `value` is rendered checked.
pub fn is_checked(html: &str, name: &str, value: &str) -> bool {
    let needle = format!("name=\"{name}\" value=\"{value}\"");
    html.find(&needle).is_some_and(|at| {
        let end = at + html[at..].find('>').unwrap_or(0);
        html[at..end].contains(" checked")
    })
}

/// Whether `<option value="VALUE" selected>` is in `html`.
pub fn is_selected(html: &str, value: &str) -> bool {
    html.contains(&format!("<option value=\"{value}\" selected>"))
}

/// Decodes the entities an HTML escaper produces.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest.find(';').filter(|&j| j <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The receipt code shown on a receipt page.
pub fn receipt_in(html: &str) -> Option<String> {
    let start = html.find("<p class=\"code\" id=\"resi\"><strong>")?
        + "<p class=\"code\" id=\"resi\"><strong>".len();
    let len = html[start..].find("</strong>")?;
    Some(html[start..start + len].to_owned())
}

/// The case id shown on a receipt page.
pub fn case_id_in(html: &str) -> Option<String> {
    let start = html.find("Nomor kasus: <strong>")? + "Nomor kasus: <strong>".len();
    let len = html[start..].find("</strong>")?;
    Some(html[start..start + len].to_owned())
}

/// `1ABC-DEFG-HJKM-NPQR-STVW`: five groups of four Crockford symbols, epoch 1 first.
pub fn looks_like_receipt(r: &str) -> bool {
    const CROCKFORD: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let groups: Vec<&str> = r.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .all(|g| g.len() == 4 && g.chars().all(|c| CROCKFORD.contains(c)))
        && r.starts_with('1')
        // and its check symbol is right
        && wbs::crypto::receipt::Receipt::parse(r).is_ok()
}

/// `WBS-XXXX-XXXX-XXXX`.
pub fn looks_like_case_id(id: &str) -> bool {
    const CROCKFORD: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut parts = id.split('-');
    parts.next() == Some("WBS")
        && parts.clone().count() == 3
        && parts.all(|g| g.len() == 4 && g.chars().all(|c| CROCKFORD.contains(c)))
}

/// A small but genuine-looking PDF whose bytes carry `text`.
pub fn pdf_with(text: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% {text}\nBT ({text}) Tj ET\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    .into_bytes()
}

/// A PDF of exactly `len` bytes.
pub fn pdf_of_len(len: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.4\n".to_vec();
    v.resize(len, b'x');
    v
}

/// A response read straight off the socket.
pub struct RawReply {
    pub status: u16,
    /// Header names in lower case, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawReply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one HTTP/1.1 request over a plain socket, writing the whole request before reading, and reads
/// the answer even when the server answered early and closed before taking the whole body (a client
/// such as reqwest gives up with "broken pipe" then; a browser reads the early answer).
/// `head` holds the extra header lines, each ending in `\r\n`; Host, Content-Length and
/// `Connection: close` are added.
pub fn raw_request(port: u16, method: &str, path: &str, head: &str, body: &[u8]) -> RawReply {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: {USER_AGENT}\r\nContent-Length: {}\r\nConnection: close\r\n{head}\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    // An early answer closes the connection: the rest of the write then fails, which is fine here.
    let _ = s.write_all(&req);
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                assert!(!buf.is_empty(), "no answer from the server: {e}");
                break;
            }
        }
    }
    parse_response(&buf)
}

fn parse_response(buf: &[u8]) -> RawReply {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("incomplete response: {:?}", String::from_utf8_lossy(buf)));
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = buf[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    if chunked {
        body = dechunk(&body);
    } else if let Some(len) = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        assert!(
            body.len() >= len,
            "truncated body: {} of {len} bytes",
            body.len()
        );
        body.truncate(len);
    }
    RawReply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = data.windows(2).position(|w| w == b"\r\n") else {
            panic!("truncated chunked body");
        };
        let size_text = String::from_utf8_lossy(&data[..eol]).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .expect("chunk size");
        data = &data[eol + 2..];
        if size == 0 {
            return out;
        }
        assert!(data.len() >= size + 2, "truncated chunk");
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// A `multipart/form-data` body with boundary `XyZ` (send with
/// `Content-Type: multipart/form-data; boundary=XyZ`). Names and values are raw bytes, so tests can send
/// what no well-behaved client would.
pub fn multipart_bytes(fields: &[(&[u8], &[u8])], files: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(b"--XyZ\r\nContent-Disposition: form-data; name=\"");
        body.extend_from_slice(name);
        body.extend_from_slice(b"\"\r\n\r\n");
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    for (file_name, bytes) in files {
        body.extend_from_slice(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"",
        );
        body.extend_from_slice(file_name);
        body.extend_from_slice(b"\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--XyZ--\r\n");
    body
}

pub const MULTIPART_XYZ: &str = "Content-Type: multipart/form-data; boundary=XyZ\r\n";

/// The reporter's session cookie (`wbs_sesi=…`) a response sets, if any (a clearing one is not).
pub fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("wbs_sesi=") && !v.starts_with("wbs_sesi=;"))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

/// The page at `path`, fetched with the reporter's session cookie.
pub async fn page_with_cookie(c: &reqwest::Client, s: &Server, path: &str, cookie: &str) -> String {
    c.get(s.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .expect("GET with the session cookie")
        .text()
        .await
        .expect("page")
}

/// `POST /api/v1/followup {"receipt"}`, answered as JSON.
pub async fn followup_json(c: &reqwest::Client, s: &Server, receipt: &str) -> serde_json::Value {
    c.post(s.url("/api/v1/followup"))
        .json(&serde_json::json!({ "receipt": receipt }))
        .send()
        .await
        .expect("POST /api/v1/followup")
        .json()
        .await
        .expect("a JSON answer")
}
