//! HTTP/1.1 over a plain socket, for requests no well-behaved client sends and answers the server gives
//! before it has read the whole body.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::server::USER_AGENT;

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

/// A request whose body is sent in two parts, with the connection held open in between: the server
/// has the first part and waits for the rest (an upload still arriving).
pub struct PausedRequest {
    stream: TcpStream,
    rest: Vec<u8>,
}

impl PausedRequest {
    /// Sends the head and the first `first` bytes of `body` (see `raw_request` for `head`).
    pub fn start(port: u16, path: &str, head: &str, body: &[u8], first: usize) -> Self {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        let mut req = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: {USER_AGENT}\r\nContent-Length: {}\r\nConnection: close\r\n{head}\r\n",
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(&body[..first]);
        stream.write_all(&req).expect("first part");
        PausedRequest {
            stream,
            rest: body[first..].to_vec(),
        }
    }

    /// Sends the rest of the body and reads the answer.
    pub fn finish(mut self) -> RawReply {
        self.stream.write_all(&self.rest).expect("rest of the body");
        let mut buf = Vec::new();
        self.stream.read_to_end(&mut buf).expect("answer");
        parse_response(&buf)
    }
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
