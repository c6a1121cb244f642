//! Staying up under hostile load (docs/design.md §11): held and trickling connections, a connection
//! cap with a clear refusal, stalled bodies, crafted photos, receipt-guessing floods. Each test runs
//! the real binary and checks what another reporter would notice: their page or their receipt.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::support::http::{submit, valid_fields};
use super::support::internal::Receipt;
use super::support::*;

/// Raises this process's open-files limit (the server inherits it), so the test can hold thousands
/// of sockets. CI runs as root, which may raise the hard limit too when a machine's is low.
fn room_for_sockets(n: u64) {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut l = getrlimit(Resource::Nofile);
    let want = n * 3 + 256;
    if l.current.is_some_and(|c| c < want) {
        if l.maximum.is_some_and(|m| m < want) {
            let mut raised = l;
            raised.current = Some(want);
            raised.maximum = Some(want);
            if setrlimit(Resource::Nofile, raised).is_ok() {
                return;
            }
        }
        l.current = Some(l.maximum.map_or(want, |m| m.min(want)));
        let _ = setrlimit(Resource::Nofile, l);
    }
    let now = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
    assert!(
        now >= want,
        "this test holds {n} connections and needs {want} open files, but the limit is {now}: \
         raise the hard limit (`ulimit -Hn`; .ci/run does as root)"
    );
}

fn connect(s: &Server) -> TcpStream {
    let c = TcpStream::connect(("127.0.0.1", s.port)).expect("connect");
    c.set_read_timeout(Some(Duration::from_secs(10))).ok();
    c
}

/// Reads until the server closes the connection (or the read timeout); returns what it sent.
fn read_to_close(c: &mut TcpStream) -> (String, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match c.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&out).into_owned(), true),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return (String::from_utf8_lossy(&out).into_owned(), true)
            }
            Err(_) => return (String::from_utf8_lossy(&out).into_owned(), false),
        }
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_get_and_a_submission_succeed_while_2000_connections_are_held() {
    room_for_sockets(2000);
    // Long enough that none of the held connections is closed while the test runs.
    let env = Env::with_config("[limits]\nheader_timeout_secs = 120\n");
    let s = env.start();
    let mut idle = Vec::new();
    for _ in 0..1000 {
        idle.push(connect(&s));
    }
    // Byte-at-a-time: a request line started and never finished.
    let mut trickling = Vec::new();
    for _ in 0..1000 {
        let mut c = connect(&s);
        c.write_all(b"G").expect("first byte");
        trickling.push(c);
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let trickle = std::thread::spawn({
        let stop = stop.clone();
        move || {
            let bytes = b"ET / HTTP/1.1\r\nHost: x\r\nX-Slow: ";
            for b in bytes.iter().cycle() {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                for c in &mut trickling {
                    let _ = c.write_all(&[*b]);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            trickling
        }
    });

    let c = client();
    let started = Instant::now();
    let page = c.get(s.url("/")).send().await.expect("GET /");
    assert_eq!(page.status(), 200);
    let r = submit(&c, &s, &valid_fields(), &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(receipt_in(&r.body).is_some(), "no receipt shown");
    assert!(started.elapsed() < Duration::from_secs(30));

    // The held connections were still open all along: the server did not shed them to answer.
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let trickling = trickle.join().expect("trickle thread");
    let mut probe = idle.pop().expect("an idle connection");
    probe
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("write on a held connection");
    let (answer, _) = read_to_close(&mut probe);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop((idle, trickling));
}

#[test]
fn idle_and_trickling_connections_are_closed_after_the_header_timeout() {
    let env = Env::with_config("[limits]\nheader_timeout_secs = 1\n");
    let s = env.start();
    let mut idle = connect(&s);
    let started = Instant::now();
    let (said, closed) = read_to_close(&mut idle);
    assert!(closed, "an idle connection was kept open");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(said.is_empty() || said.contains("408"), "{said}");

    // Sending a header line every 300 ms does not keep a connection: the headers must be complete
    // within the timeout.
    let mut slow = connect(&s);
    slow.write_all(b"GET / HTTP/1.1\r\n").expect("request line");
    let started = Instant::now();
    let mut closed = false;
    for i in 0..20 {
        std::thread::sleep(Duration::from_millis(300));
        if slow.write_all(format!("X-{i}: 1\r\n").as_bytes()).is_err() {
            closed = true;
            break;
        }
    }
    if !closed {
        closed = read_to_close(&mut slow).1;
    }
    assert!(closed, "a trickling connection was kept open");
    assert!(started.elapsed() < Duration::from_secs(8));
}

#[test]
fn connections_beyond_the_cap_get_a_clear_busy_answer() {
    let env = Env::with_config("[limits]\nmax_connections = 8\nheader_timeout_secs = 60\n");
    let s = env.start();
    // Wait until the readiness probe's own connection is gone.
    std::thread::sleep(Duration::from_millis(300));
    let held: Vec<_> = (0..8).map(|_| connect(&s)).collect();
    std::thread::sleep(Duration::from_millis(300));
    let mut extra = connect(&s);
    let (answer, closed) = read_to_close(&mut extra);
    assert!(closed);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("Retry-After: 5"), "{answer}");
    assert!(answer.contains("Server sedang sibuk"), "{answer}");
    assert!(answer.contains("The server is busy"), "{answer}");
    drop(held);
    // Room again: a normal request is served.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut c = connect(&s);
        c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("write");
        let (answer, _) = read_to_close(&mut c);
        if answer.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(Instant::now() < deadline, "still refused: {answer}");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Refusals are counted and logged at most once a minute, never one line per connection.
    assert!(env.log_text().matches("WBS-BUSY").count() <= 1);
}

#[test]
fn a_stalled_upload_without_a_token_writes_no_file_and_is_cut_off() {
    let env = Env::with_config("[limits]\nbody_idle_secs = 2\n");
    let s = env.start();
    let mut c = connect(&s);
    let head = "POST /lapor HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 20000000\r\n\r\n";
    c.write_all(head.as_bytes()).expect("head");
    c.write_all(
        b"--XyZ\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.7\n",
    )
    .expect("part head");
    // Far more than the sniffing needs: a sink would have made its temporary file by now.
    c.write_all(&vec![b'a'; 1024 * 1024]).expect("file bytes");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(env.blob_files(), Vec::<String>::new(), "a file was written");
    // Then nothing more: the server stops waiting.
    let started = Instant::now();
    let (_, closed) = read_to_close(&mut c);
    assert!(closed, "the stalled upload was kept open");
    assert!(started.elapsed() < Duration::from_secs(8));
    assert_eq!(env.blob_files(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_upload_with_a_token_loses_its_temporary_file_when_cut_off() {
    let env = Env::with_config("[limits]\nbody_idle_secs = 2\n");
    let s = env.start();
    let token = form_token(&client(), &s).await;
    let port = s.port;
    let env_blobs = env.data.join("blobs");
    tokio::task::spawn_blocking(move || {
        let mut c = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        c.set_read_timeout(Some(Duration::from_secs(10))).ok();
        let head = "POST /lapor HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 20000000\r\n\r\n";
        c.write_all(head.as_bytes()).expect("head");
        let part = format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"form_token\"\r\n\r\n{token}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.7\n"
        );
        c.write_all(part.as_bytes()).expect("parts");
        c.write_all(&vec![b'a'; 1024 * 1024]).expect("file bytes");
        // With a fresh token the upload is being written: its temporary file exists.
        let deadline = Instant::now() + Duration::from_secs(5);
        let files = |d: &std::path::Path| std::fs::read_dir(d).map(|r| r.count()).unwrap_or(0);
        while files(&env_blobs) == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(files(&env_blobs), 1, "the upload was not being written");
        // Then the client stalls: cut off after the body-progress timeout, the file goes with it.
        let started = Instant::now();
        let (_, closed) = read_to_close(&mut c);
        assert!(closed, "the stalled upload was kept open");
        assert!(started.elapsed() < Duration::from_secs(8));
        let deadline = Instant::now() + Duration::from_secs(2);
        while files(&env_blobs) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(files(&env_blobs), 0, "a temporary file outlived the upload");
    })
    .await
    .expect("stalled upload");
}

/// A JPEG start followed by fill bytes: the shape that made metadata removal slow.
fn crafted_jpeg(len: usize) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF];
    v.resize(len, 0x41);
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn crafted_photos_do_not_delay_a_get_by_more_than_a_second() {
    let env = Env::new();
    let s = env.start();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let c = client();
    let mut uploads = Vec::new();
    for _ in 0..cores + 1 {
        let (c, url) = (c.clone(), s.url("/lapor"));
        let token = form_token(&c, &s).await;
        let form = super::support::http::multipart(
            Some(&token),
            &valid_fields(),
            &[("foto.jpg", crafted_jpeg(8 * 1024 * 1024))],
        );
        uploads.push(tokio::spawn(async move {
            c.post(url).multipart(form).send().await
        }));
    }
    // Give the uploads time to arrive and keep the server busy, then measure (briefly: the server is
    // killed at the end, so the busy spell does not outlast the test).
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut worst = Duration::ZERO;
    for _ in 0..8 {
        let started = Instant::now();
        let r = c.get(s.url("/")).send().await.expect("GET /");
        assert_eq!(r.status(), 200);
        worst = worst.max(started.elapsed());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(worst < Duration::from_secs(1), "a GET took {worst:?}");
    for u in uploads {
        u.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_receipt_guessing_flood_does_not_starve_new_reports() {
    let env = Env::new();
    let s = env.start();
    let c = client();
    // More guessing clients than the login queue holds (16 per login slot), each a well-formed
    // receipt (valid check symbol), so each costs a derivation.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut guessers = Vec::new();
    for _ in 0..40 {
        let (c, url, stop) = (c.clone(), s.url("/api/v1/followup"), stop.clone());
        guessers.push(tokio::spawn(async move {
            let mut answered = 0u32;
            for _ in 0..200 {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let receipt = Receipt::generate(&mut rand::rngs::OsRng);
                let r = c
                    .post(&url)
                    .json(&serde_json::json!({ "receipt": receipt.expose() }))
                    .send()
                    .await;
                if let Ok(r) = r {
                    assert!(matches!(r.status().as_u16(), 404 | 503), "{}", r.status());
                    answered += 1;
                }
            }
            answered
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for i in 0..5 {
        let r = submit(&c, &s, &valid_fields(), &[]).await;
        assert_eq!(r.status, 200, "submission {i} during the flood: {}", r.body);
        assert!(receipt_in(&r.body).is_some());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut total = 0;
    for g in guessers {
        total += g.await.expect("guesser");
    }
    assert!(total > 40, "the flood did not run ({total} answers)");
}
