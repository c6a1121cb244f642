//! Run the real `wbs serve` on a free loopback port in a temporary directory, capture everything it
//! prints, stop it (SIGTERM) or kill it (SIGKILL).

use std::ffi::OsStr;
use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::command::{self, Run};
use super::files::files_under;
use super::internal;

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
        self.start_at(None)
    }

    /// Starts `wbs` with its desk API on `desk_port` (when given), e.g. where another server was.
    pub fn start_at(&self, desk_port: Option<u16>) -> Server {
        self.launch(desk_port, 0)
    }

    /// Starts `wbs` with its clock `days` days ahead (the debug build's `WBS_TEST_DAYS_AHEAD`): what
    /// the server does on a later day, e.g. rotating its daily keys.
    pub fn start_days_ahead(&self, days: u32) -> Server {
        self.launch(None, days)
    }

    fn launch(&self, desk_port: Option<u16>, days_ahead: u32) -> Server {
        let mut last_log = String::new();
        for _ in 0..5 {
            let port = free_port();
            let desk_port = desk_port.unwrap_or_else(free_port);
            let log = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.log)
                .expect("log file");
            let mut cmd = command::command();
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
                .env("WBS_TEST_DAYS_AHEAD", days_ahead.to_string())
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
    pub fn wbs<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        command::wbs_in(self.path(), args)
    }

    /// `wbs SUB --server DESK --identity ID --keys KEYS --lang en ARGS…`: an investigator's command
    /// against the running server `s`, with this env's keys copy, in English.
    pub fn investigator<S: AsRef<OsStr>>(
        &self,
        s: &Server,
        sub: &str,
        identity: &Path,
        args: &[S],
    ) -> Run {
        let mut all: Vec<&OsStr> = vec![
            sub.as_ref(),
            "--server".as_ref(),
            s.desk_base.as_ref(),
            "--identity".as_ref(),
            identity.as_os_str(),
            "--keys".as_ref(),
            self.keys.as_os_str(),
            "--lang".as_ref(),
            "en".as_ref(),
        ];
        all.extend(args.iter().map(AsRef::as_ref));
        command::wbs(all)
    }

    /// `wbs export --data DATA --out OUT`; returns OUT.
    pub fn export(&self, name: &str) -> (PathBuf, Run) {
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
        internal::case_count(&self.data)
    }

    /// The payload size (see `age_payload_len`) of every stored item of every case, by case id (the
    /// server must be stopped).
    pub fn item_sizes(&self) -> Vec<(String, Vec<usize>)> {
        internal::item_sizes(&self.data)
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

    /// The server process's peak resident memory so far (`VmHWM`), in MiB.
    pub fn peak_rss_mib(&self) -> u64 {
        let pid = self.child.as_ref().expect("server running").id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .expect("VmHWM");
        kib / 1024
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

/// An HTTP client that sends the distinctive user agent and never follows redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client")
}
