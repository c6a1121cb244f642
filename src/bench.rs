//! `wbs bench`: starts the real server (this binary, `serve`) on loopback in a temporary directory,
//! drives the no-JavaScript three-request flow (GET the form, POST it, "I have saved it") with N
//! concurrent clients, measures the limits in the same run, and prints one `name = value` line per
//! figure. docs/performance.md explains each figure and how to compare another drop box.

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::rngs::OsRng;

use crate::crypto::keys::InvestigatorIdentity;
use crate::crypto::receipt::Receipt;

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct BenchOptions {
    /// CI-sized: fewer submissions and a smaller attachment.
    pub quick: bool,
    pub clients: usize,
    /// The server's submission KDF slots (`kdf_concurrency`), when not the default: each slot is one
    /// Argon2 working memory (19 MiB) and one core's worth of sustained submissions.
    pub kdf_slots: Option<usize>,
}

const BOUNDARY: &str = "wbsbenchXyZ";

type Blocking = reqwest::blocking::Client;

/// The server under test: killed when dropped.
struct Served {
    child: Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn start(
    dir: &Path,
    attachment_mb: u64,
    kdf_slots: Option<usize>,
) -> Result<(Served, u64), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let config = dir.join("bench.toml");
    let mut toml = format!("max_upload_mb = {}\n", attachment_mb + 1);
    if let Some(n) = kdf_slots {
        toml.push_str(&format!("kdf_concurrency = {n}\n"));
    }
    fs::write(&config, toml).map_err(|e| e.to_string())?;
    fs::create_dir_all(dir.join("keys")).map_err(|e| e.to_string())?;
    let port = free_port()?;
    let started = Instant::now();
    let child = Command::new(exe)
        .arg("serve")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--desk-listen")
        .arg(format!("127.0.0.1:{}", free_port()?))
        .arg("--data")
        .arg(dir.join("data"))
        .arg("--keys")
        .arg(dir.join("keys"))
        .arg("--config")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let served = Served {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = Blocking::new();
    loop {
        if client
            .get(format!("{}/healthz", served.base))
            .send()
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok((served, started.elapsed().as_millis() as u64));
        }
        if started.elapsed() > Duration::from_secs(30) {
            return Err("the server did not answer within 30 s".into());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The form's text fields: a complete, valid report (anonymous, one reported person).
fn fields(token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("form_token", token.to_owned()),
        ("lang", "id".into()),
        ("reporter.kind", "public".into()),
        ("category", "PUNGLI".into()),
        (
            "chronology",
            "Petugas loket meminta uang tambahan agar izin usaha cepat terbit. ".repeat(8),
        ),
        ("parties[0].name", "Budi".into()),
        ("parties[0].position", "Staf".into()),
        ("parties[0].unit", "Perizinan".into()),
        ("incident.when", "3 Maret 2026".into()),
        ("incident.place", "Loket 2".into()),
        ("reporter.anonymous", "1".into()),
        ("good_faith", "1".into()),
    ]
}

fn multipart(token: &str, file: Option<&[u8]>) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in fields(token) {
        let _ = write!(
            body,
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        );
    }
    if let Some(bytes) = file {
        let _ = write!(
            body,
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"bukti.doc\"\r\nContent-Type: application/msword\r\n\r\n"
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    let _ = write!(body, "--{BOUNDARY}--\r\n");
    body
}

fn token(client: &Blocking, base: &str) -> Result<String, String> {
    let html = client
        .get(format!("{base}/lapor"))
        .send()
        .and_then(|r| r.text())
        .map_err(|e| e.to_string())?;
    let at = html
        .find("name=\"form_token\" value=\"")
        .ok_or("no form token on /lapor")?
        + "name=\"form_token\" value=\"".len();
    let len = html[at..].find('"').ok_or("no form token on /lapor")?;
    Ok(html[at..at + len].to_owned())
}

/// POSTs a form; the time it took, if a receipt came back.
fn post(client: &Blocking, base: &str, body: Vec<u8>) -> Result<Duration, String> {
    let started = Instant::now();
    let r = client
        .post(format!("{base}/lapor"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .map_err(|e| e.to_string())?;
    let status = r.status();
    let page = r.text().map_err(|e| e.to_string())?;
    if !status.is_success() || !page.contains("id=\"resi\"") {
        return Err(format!("a submission was not accepted ({status})"));
    }
    Ok(started.elapsed())
}

/// One reporter: form, POST, "I have saved it".
fn flow(client: &Blocking, base: &str) -> Result<Duration, String> {
    let t = token(client, base)?;
    let took = post(client, base, multipart(&t, None))?;
    client
        .post(format!("{base}/lapor/selesai"))
        .send()
        .map_err(|e| e.to_string())?;
    Ok(took)
}

fn p99(mut v: Vec<Duration>) -> f64 {
    v.sort();
    let i = ((v.len() as f64 * 0.99).ceil() as usize).clamp(1, v.len().max(1)) - 1;
    v.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// The server's CPU time so far (user + system), from /proc.
fn cpu_ms(pid: u32) -> Result<f64, String> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| e.to_string())?;
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command name; 100 ticks/s.
    Ok((ticks(11) + ticks(12)) * 10.0)
}

/// A line of /proc/PID/status in MiB (`VmRSS`, `VmHWM`).
fn status_mb(pid: u32, key: &str) -> Result<f64, String> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| e.to_string())?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|l| l.trim_start_matches(':').split_whitespace().next())
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or_else(|| format!("no {key} in /proc/{pid}/status"))?;
    Ok(kb / 1024.0)
}

fn argon2_ms(runs: usize) -> Result<f64, String> {
    let salt = [9u8; 32];
    let mut v = Vec::new();
    for _ in 0..runs {
        let r = Receipt::generate(&mut OsRng);
        let t = Instant::now();
        r.derive(&salt).map_err(|e| e.to_string())?;
        v.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    v.sort_by(f64::total_cmp);
    Ok(v[v.len() / 2])
}

/// The same bytes through the age crate alone, to a file in the same directory, synced.
fn age_raw_s(dir: &Path, bytes: &[u8]) -> Result<f64, String> {
    let id = InvestigatorIdentity::generate(&mut OsRng);
    let recipient = id.public("bench").recipient;
    let started = Instant::now();
    let file = fs::File::create(dir.join("raw.age")).map_err(|e| e.to_string())?;
    let enc = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
        .map_err(|e| e.to_string())?;
    let mut w = enc.wrap_output(file).map_err(|e| e.to_string())?;
    w.write_all(bytes).map_err(|e| e.to_string())?;
    let file = w.finish().map_err(|e| e.to_string())?;
    file.sync_all().map_err(|e| e.to_string())?;
    Ok(started.elapsed().as_secs_f64())
}

/// Runs the bench and prints its figures.
pub fn run(opts: BenchOptions) -> Result<(), String> {
    let dir = tempfile_dir()?;
    let result = run_in(&dir, opts);
    let _ = fs::remove_dir_all(&dir);
    result
}

fn tempfile_dir() -> Result<std::path::PathBuf, String> {
    let mut n = [0u8; 8];
    rand::RngCore::fill_bytes(&mut OsRng, &mut n);
    let dir = std::env::temp_dir().join(format!("wbs-bench-{}", crate::crypto::hex(&n)));
    std::fs::DirBuilder::new()
        .recursive(true)
        .create(&dir)
        .map_err(|e| e.to_string())?;
    Ok(dir)
}

fn run_in(dir: &Path, opts: BenchOptions) -> Result<(), String> {
    let (submissions, attachment_mb) = if opts.quick { (64, 20) } else { (1000, 200) };
    let clients = opts.clients.max(1);
    let (served, start_ms) = start(dir, attachment_mb, opts.kdf_slots)?;
    let pid = served.child.id();
    let base = served.base.clone();
    let client = Blocking::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .map_err(|e| e.to_string())?;
    // Let the receipt pool fill, then take the idle figure.
    std::thread::sleep(Duration::from_secs(2));
    let idle_rss_mb = status_mb(pid, "VmRSS")?;
    let argon2_ms = argon2_ms(if opts.quick { 5 } else { 21 })?;

    // The sustained flow: N clients until `submissions` are done.
    let left = Mutex::new(submissions);
    let latencies = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let cpu_before = cpu_ms(pid)?;
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..clients {
            s.spawn(|| loop {
                match left.lock() {
                    Ok(mut n) if *n > 0 => *n -= 1,
                    _ => break,
                }
                match flow(&client, &base) {
                    Ok(d) => latencies.lock().map(|mut l| l.push(d)).unwrap_or(()),
                    Err(e) => errors.lock().map(|mut l| l.push(e)).unwrap_or(()),
                }
            });
        }
    });
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_ms(pid)? - cpu_before;
    if let Some(e) = errors.lock().ok().and_then(|e| e.first().cloned()) {
        return Err(e);
    }
    let latencies = latencies.into_inner().unwrap_or_default();
    let done = latencies.len().max(1) as f64;
    let cpu_per = cpu / done;

    // A burst: 16 simultaneous POSTs with a full pool.
    std::thread::sleep(Duration::from_secs(2));
    let tokens: Vec<String> = (0..16)
        .map(|_| token(&client, &base))
        .collect::<Result<_, _>>()?;
    let burst = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for t in &tokens {
            let (client, base, burst) = (&client, &base, &burst);
            s.spawn(move || {
                let took = post(client, base, multipart(t, None));
                if let Ok(mut b) = burst.lock() {
                    b.push(took);
                }
            });
        }
    });
    let burst: Vec<Duration> = burst
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .collect::<Result<_, _>>()?;
    let peak_rss_mb = status_mb(pid, "VmHWM")?;

    // One large attachment, end to end, against the age crate alone on the same bytes: a legacy Word
    // file, which streams through unchanged (a PDF would be held whole and rewritten, §6).
    let mut file = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    file.resize((attachment_mb * 1024 * 1024) as usize, b'x');
    let t = token(&client, &base)?;
    let attachment_s = post(&client, &base, multipart(&t, Some(&file)))?.as_secs_f64();
    let age_s = age_raw_s(dir, &file)?;
    let per_200mb = 200.0 / attachment_mb as f64;

    let (newest_ms, oldest_ms) = pantau_pages_ms(&dir.join("pantau"))?;

    let figures: [(&str, String); 15] = [
        ("submit_per_s", format!("{:.1}", done / wall)),
        ("submit_p99_ms", format!("{:.1}", p99(latencies))),
        ("server_cpu_ms_per_submit", format!("{cpu_per:.1}")),
        ("argon2_ms", format!("{argon2_ms:.1}")),
        (
            "efficiency",
            format!("{:.2}", argon2_ms / cpu_per.max(0.001)),
        ),
        ("burst_p99_ms", format!("{:.1}", p99(burst))),
        ("idle_rss_mb", format!("{idle_rss_mb:.1}")),
        ("peak_rss_mb", format!("{peak_rss_mb:.1}")),
        ("attachment_mb", attachment_mb.to_string()),
        // Seconds per 200 MB (measured on `attachment_mb`; the same figure at 200 MB without --quick).
        (
            "attachment_200mb_s",
            format!("{:.2}", attachment_s * per_200mb),
        ),
        ("age_raw_200mb_s", format!("{:.2}", age_s * per_200mb)),
        (
            "attachment_ratio",
            format!("{:.2}", age_s / attachment_s.max(0.001)),
        ),
        ("start_ms", start_ms.to_string()),
        ("pantau_newest_page_ms", format!("{newest_ms:.1}")),
        ("pantau_oldest_page_ms", format!("{oldest_ms:.1}")),
    ];
    println!("clients = {clients}");
    for (name, value) in figures {
        println!("{name} = {value}");
    }
    Ok(())
}

/// Items of the case the two `pantau_*_page_ms` figures read.
const PANTAU_ITEMS: u32 = 500;

/// The median time to read, decrypt and verify the newest and the oldest page of the reporter's thread
/// of a `PANTAU_ITEMS`-item case whose receipt was replaced halfway (docs/design.md §11), in this
/// process on a store of its own: the same function `/pantau` and the JSON API call, without HTTP.
fn pantau_pages_ms(dir: &Path) -> Result<(f64, f64), String> {
    use crate::intake::mailbox::{next_prev_digest, seal_item, ItemDraft, MESSAGE_MIN};
    use crate::intake::submit::{Channel, Intake};
    use crate::protocol::item::{FollowupBody, ItemBody};
    use crate::protocol::{Day, Role};
    use crate::store::{Append, CaseStore};
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let store = crate::store::SledStore::open(&dir.join("store"), 16 << 20).map_err(|x| e(&x))?;
    let store = std::sync::Arc::new(store);
    let blobs = crate::store::BlobStore::open(&dir.join("blobs")).map_err(|x| e(&x))?;
    let investigator = InvestigatorIdentity::generate(&mut OsRng).public("bench");
    let intake = Intake::new(store.clone(), blobs, vec![investigator.clone()], [7; 32], 1);
    let report = crate::intake::report::validate(&crate::intake::report::ReportInput {
        reporter_kind: "public".into(),
        category: "PUNGLI".into(),
        chronology: "Petugas meminta uang tambahan untuk izin usaha.".into(),
        parties: vec![crate::intake::report::Party {
            name: "Budi".into(),
            position: "Staf".into(),
            unit: "Perizinan".into(),
        }],
        incident_when: "Maret".into(),
        incident_place: "Loket".into(),
        reporter_name: "Melati".into(),
        good_faith: Some(true),
        ..Default::default()
    })
    .map_err(|errors| {
        let fields: Vec<&str> = errors.iter().map(|f| f.field.as_str()).collect();
        format!("bench report does not validate: {}", fields.join(", "))
    })?;
    let today = Day::today();
    let done = intake
        .submit_blocking(report, Vec::new(), Channel::Web, &today, &mut OsRng)
        .map_err(|x| e(&x))?;
    let mut keys = done.receipt.derive(&[7; 32]).map_err(|x| e(&x))?;
    // Follow-ups up to `until`, signed and sealed with the receipt's keys of the moment.
    let fill = |keys: &crate::crypto::receipt::ReceiptKeys, until: u32| -> Result<(), String> {
        let case = store.case(&done.case_id).map_err(|x| e(&x))?;
        let case = case.ok_or("bench case missing")?;
        let to = [
            investigator.recipient.clone(),
            keys.reporter.recipient().ok_or("no recipient")?,
        ];
        let mut prev = next_prev_digest(&case);
        let mut items = Vec::new();
        for seq in case.item_count..until {
            let body = ItemBody::Followup(FollowupBody {
                text: format!("pesan {seq} {}", "bukti tambahan ".repeat(60)),
                attachments: Vec::new(),
            });
            let draft = ItemDraft {
                case_id: &done.case_id,
                seq,
                prev_digest: &prev,
                day: &today,
                role: Role::Reporter,
                body: &body,
            };
            let ct = seal_item(draft, keys.reporter.signing_key(), &to, MESSAGE_MIN)
                .map_err(|x| e(&x))?;
            prev = crate::crypto::hex(&crate::crypto::sha256(&ct));
            items.push(ct);
        }
        let append = Append {
            items,
            ..Append::default()
        };
        store
            .append(&done.case_id, case.item_count, append)
            .map_err(|x| e(&x))?;
        Ok(())
    };
    fill(&keys, PANTAU_ITEMS / 2)?;
    keys = crate::intake::rekey::rekey_blocking(&intake, &done.case_id, &keys)
        .map_err(|x| e(&x))?
        .keys;
    fill(&keys, PANTAU_ITEMS)?;
    let median_ms = |before: Option<u32>| -> Result<f64, String> {
        let mut runs = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            let page = intake
                .reporter_page(&done.case_id, &keys, before)
                .map_err(|x| e(&x))?
                .ok_or("bench case does not open")?;
            runs.push(started.elapsed().as_secs_f64() * 1000.0);
            if page.messages.is_empty() {
                return Err("bench page is empty".into());
            }
        }
        runs.sort_by(f64::total_cmp);
        Ok(runs[runs.len() / 2])
    };
    // The oldest page is the one before the first page boundary (`page_window`).
    Ok((median_ms(None)?, median_ms(Some(50))?))
}
