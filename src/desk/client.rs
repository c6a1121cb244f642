//! The investigator's HTTP client of the desk API (docs/format.md, "Desk API"). It logs in by signing
//! the server's nonce with the identity's signing key (nothing is decrypted to log in), then carries the
//! bearer token. Everything the server sends is treated as untrusted: items are verified by the caller,
//! and text from the server is cleaned before it is printed. Every error is one sentence.

use std::time::Duration;

use reqwest::blocking::{Client, RequestBuilder};
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::config::{check_pin, Pin};
use super::render::clean;
use super::DeskOptions;
use crate::crypto::desk_auth::LoginMessage;
use crate::crypto::hex;
use crate::crypto::keys::InvestigatorIdentity;
use crate::protocol::wire::{
    CaseDetail, CaseList, CaseSummary, Challenge, DeskError, LoginRequest, LoginToken, SetStatus,
    UploadItem,
};
use crate::protocol::{CaseId, Status};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);

/// What became of an upload.
pub(super) enum Posted {
    Stored,
    /// Another item took the sequence number: re-read the case and seal again.
    Conflict,
}

/// A logged-in connection to the desk API.
pub(super) struct Desk {
    http: Client,
    origin: String,
    token: String,
    /// Offline: an export and its outbox instead of the server (`desk::bundle`).
    bundle: Option<super::bundle::Bundle>,
}

/// `http://host:port` from `--server`, exactly as the login signature names it.
pub(super) fn origin_of(server: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "--server {} is not a desk API address such as http://127.0.0.1:8081",
            clean(server)
        )
    };
    let url = Url::parse(server.trim()).map_err(|_| bad())?;
    if url.scheme() != "http" {
        return Err(format!(
            "--server {} must start with http://: the desk API speaks plain HTTP on loopback or a private address (reach it through an SSH tunnel)",
            clean(server)
        ));
    }
    if url.host_str().is_none() || url.path() != "/" || url.query().is_some() {
        return Err(bad());
    }
    Ok(url.origin().ascii_serialization())
}

impl Desk {
    /// Asks for a challenge, checks the server's installation id against the one pinned at the first
    /// login (pinning it then), signs the challenge and logs in.
    pub(crate) fn connect(
        opts: &DeskOptions,
        identity: &InvestigatorIdentity,
    ) -> Result<Desk, String> {
        let http_only = || {
            Client::builder()
                .build()
                .map_err(|_| "cannot set up the HTTP client".to_owned())
        };
        if let Some(bundle) = &opts.bundle {
            return Ok(Desk {
                http: http_only()?,
                origin: bundle.origin(),
                token: String::new(),
                bundle: Some(bundle.clone()),
            });
        }
        let origin = origin_of(&opts.server)?;
        let http = Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|_| "cannot set up the HTTP client".to_owned())?;
        let mut desk = Desk {
            http,
            origin,
            token: String::new(),
            bundle: None,
        };
        let (status, body) = desk.send(desk.http.post(desk.url("/api/v1/desk/challenge")))?;
        if status != StatusCode::OK {
            return Err(format!(
                "{} answered, but not as the WBS desk API (HTTP {}): point --server at the server's desk listener (desk_listen, default 127.0.0.1:8081), not at the public site",
                desk.origin,
                status.as_u16()
            ));
        }
        let c: Challenge = desk.parse(&body)?;
        let nonce_ok = !c.nonce.is_empty()
            && c.nonce.len() <= 128
            && c.nonce
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !nonce_ok {
            return Err(format!(
                "{} sent a malformed login challenge: it is not a WBS desk API",
                desk.origin
            ));
        }
        // Before anything is signed: a login signed here must be for the installation pinned here.
        if let Pin::New = check_pin(&opts.state_dir, &desk.origin, &c.installation)? {
            eprintln!(
                "wbs: first login to {}: its installation id is {} — compare with the id your administrator gave you; it is now pinned in {}",
                desk.origin,
                c.installation,
                opts.state_dir.join("known_servers").display()
            );
        }
        let signing = identity.signing_key();
        let body = LoginRequest {
            key: hex(signing.verifying_key().as_bytes()),
            signature: LoginMessage {
                installation: c.installation.as_str(),
                origin: &desk.origin,
                nonce: &c.nonce,
                expires: c.expires,
            }
            .sign(signing),
            nonce: c.nonce,
            expires: c.expires,
        };
        let (status, reply) =
            desk.send(desk.http.post(desk.url("/api/v1/desk/login")).json(&body))?;
        match status {
            StatusCode::OK => {}
            StatusCode::UNAUTHORIZED => {
                return Err(format!(
                    "the server refused the login: the public key of this identity (ed25519:{}) must be in the server's keys/ directory",
                    hex(signing.verifying_key().as_bytes())
                ))
            }
            s => return Err(desk.refusal(s, &reply, "the login")),
        }
        let login: LoginToken = desk.parse(&reply)?;
        desk.token = login.token;
        Ok(desk)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    fn send(&self, request: RequestBuilder) -> Result<(StatusCode, Vec<u8>), String> {
        let request = if self.token.is_empty() {
            request
        } else {
            request.bearer_auth(&self.token)
        };
        let response = request.send().map_err(|e| self.transport(&e))?;
        let status = response.status();
        let body = response.bytes().map_err(|e| self.transport(&e))?;
        Ok((status, body.to_vec()))
    }

    fn transport(&self, e: &reqwest::Error) -> String {
        if e.is_timeout() {
            format!("the desk API at {} did not answer in time", self.origin)
        } else if e.is_connect() {
            format!(
                "cannot connect to the desk API at {}: check that the server runs and that --server (or your SSH tunnel) points at its desk listener",
                self.origin
            )
        } else {
            format!(
                "the connection to the desk API at {} failed before an answer arrived",
                self.origin
            )
        }
    }

    fn parse<T: DeserializeOwned>(&self, body: &[u8]) -> Result<T, String> {
        serde_json::from_slice(body).map_err(|_| {
            format!(
                "{} sent an answer that is not in the desk API's format (docs/format.md)",
                self.origin
            )
        })
    }

    /// One sentence for a refused request.
    fn refusal(&self, status: StatusCode, body: &[u8], what: &str) -> String {
        let code = serde_json::from_slice::<DeskError>(body)
            .ok()
            .map(|e| clean(&e.error))
            .map(|c| c.chars().take(40).collect::<String>())
            .unwrap_or_else(|| "no error code".to_owned());
        match status.as_u16() {
            401 => "the server no longer accepts this login (it expired, or this identity's key was removed from the server's keys/ directory): run the command again".to_owned(),
            404 => format!("the server has no {what}"),
            413 => format!("the server refused {what} as too large"),
            422 if code == "transition-not-allowed" => format!("the server refused {what}: the office's process does not allow this change from the case's current status (see `wbs show`)"),
            503 => format!("the server is busy or could not store {what} (HTTP 503): try again shortly"),
            n => format!("the server refused {what} (HTTP {n}, {code})"),
        }
    }

    fn get(&self, path: &str, what: &str) -> Result<Option<Vec<u8>>, String> {
        let (status, body) = self.send(self.http.get(self.url(path)))?;
        match status {
            StatusCode::OK => Ok(Some(body)),
            StatusCode::NOT_FOUND => Ok(None),
            s => Err(self.refusal(s, &body, what)),
        }
    }

    pub(crate) fn cases(&self) -> Result<Vec<CaseSummary>, String> {
        Ok(self.case_list()?.cases)
    }

    /// The case list with the tombstones of cases deleted under the retention rule.
    pub(crate) fn case_list(&self) -> Result<CaseList, String> {
        if let Some(b) = &self.bundle {
            return Ok(CaseList {
                cases: b.cases()?,
                deleted: Vec::new(),
            });
        }
        let body = self
            .get("/api/v1/desk/cases", "case list")?
            .ok_or_else(|| self.refusal(StatusCode::NOT_FOUND, &[], "case list"))?;
        self.parse::<CaseList>(&body)
    }

    /// The case's metadata.
    pub(crate) fn case(&self, case_id: &CaseId) -> Result<CaseDetail, String> {
        if let Some(b) = &self.bundle {
            return b.case(case_id);
        }
        let what = format!("case {case_id}");
        let body = self
            .get(&format!("/api/v1/desk/cases/{case_id}"), &what)?
            .ok_or_else(|| format!("the server has no case {case_id}"))?;
        let detail: CaseDetail = self.parse(&body)?;
        if detail.case_id != *case_id || detail.items.len() != detail.item_count as usize {
            return Err(format!(
                "the server's description of case {case_id} does not hold together: do not trust this server"
            ));
        }
        Ok(detail)
    }

    pub(crate) fn item(&self, case_id: &CaseId, seq: u32) -> Result<Vec<u8>, String> {
        if let Some(b) = &self.bundle {
            return b.item(case_id, seq);
        }
        let what = format!("item {seq} of case {case_id}");
        self.get(&format!("/api/v1/desk/cases/{case_id}/items/{seq}"), &what)?
            .ok_or_else(|| {
                format!("the server lists item {seq} of case {case_id} but does not send it")
            })
    }

    /// An attachment's ciphertext, or `None` when the server does not have it.
    pub(crate) fn attachment(
        &self,
        case_id: &CaseId,
        blob: &str,
    ) -> Result<Option<Vec<u8>>, String> {
        if let Some(b) = &self.bundle {
            return b.attachment(case_id, blob);
        }
        self.get(
            &format!("/api/v1/desk/cases/{case_id}/attachments/{blob}"),
            "attachment",
        )
    }

    fn post(&self, path: &str, body: &impl Serialize, what: &str) -> Result<Posted, String> {
        let (status, reply) = self.send(self.http.post(self.url(path)).json(body))?;
        match status {
            StatusCode::CREATED => Ok(Posted::Stored),
            StatusCode::CONFLICT => Ok(Posted::Conflict),
            s => Err(self.refusal(s, &reply, what)),
        }
    }

    /// Asks the server to send the WhatsApp "news on your report" template to `to` (docs/whatsapp.md
    /// §8). The request names no case.
    pub(crate) fn post_news(&self, to: &str, lang: crate::protocol::Lang) -> Result<(), String> {
        if self.bundle.is_some() {
            return Err(
                "a WhatsApp notice needs the server: an offline bundle cannot send one".to_owned(),
            );
        }
        let body = serde_json::json!({ "to": to, "lang": lang.code() });
        let (status, reply) = self.send(
            self.http
                .post(self.url("/api/v1/desk/whatsapp/news"))
                .json(&body),
        )?;
        match status {
            StatusCode::ACCEPTED => Ok(()),
            StatusCode::CONFLICT => Err("the server has no WhatsApp news template configured ([whatsapp.news_template], docs/whatsapp.md §8): nothing was sent".to_owned()),
            StatusCode::NOT_FOUND => Err("the WhatsApp channel is off on this server: nothing was sent".to_owned()),
            s => Err(self.refusal(s, &reply, "the WhatsApp notice")),
        }
    }

    /// Whether this desk reads an offline bundle (which cannot take new files).
    pub(crate) fn offline(&self) -> bool {
        self.bundle.is_some()
    }

    /// Uploads an attachment file re-sealed for a changed team; the server's answer is its new id.
    pub(crate) fn post_resealed(
        &self,
        case_id: &CaseId,
        ciphertext: &[u8],
    ) -> Result<String, String> {
        if self.bundle.is_some() {
            return Err(
                "re-sealing attachments needs the server: an offline bundle cannot take new files"
                    .to_owned(),
            );
        }
        let what = format!("a re-sealed attachment of case {case_id}");
        let (status, reply) = self.send(
            self.http
                .post(self.url(&format!("/api/v1/desk/cases/{case_id}/attachments")))
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(ciphertext.to_vec()),
        )?;
        if status != StatusCode::CREATED {
            return Err(self.refusal(status, &reply, &what));
        }
        serde_json::from_slice::<crate::protocol::wire::ResealedUpload>(&reply)
            .map(|r| r.blob)
            .map_err(|_| format!("the desk API answered {what} with something other than its id"))
    }

    /// Uploads a sealed item at `seq`.
    pub(crate) fn post_item(
        &self,
        case_id: &CaseId,
        seq: u32,
        ciphertext: &[u8],
    ) -> Result<Posted, String> {
        if let Some(b) = &self.bundle {
            return b.post(case_id, seq, ciphertext, None);
        }
        let body = UploadItem {
            seq,
            ciphertext: data_encoding::BASE64.encode(ciphertext),
        };
        self.post(
            &format!("/api/v1/desk/cases/{case_id}/items"),
            &body,
            &format!("the item for case {case_id}"),
        )
    }

    /// Sets the status with its sealed status item at `seq` (every status change is a signed item).
    pub(crate) fn post_status(
        &self,
        case_id: &CaseId,
        status: Status,
        seq: u32,
        item: &[u8],
    ) -> Result<Posted, String> {
        if let Some(b) = &self.bundle {
            return b.post(case_id, seq, item, Some(status));
        }
        let body = SetStatus {
            status,
            seq: Some(seq),
            note: Some(data_encoding::BASE64.encode(item)),
        };
        self.post(
            &format!("/api/v1/desk/cases/{case_id}/status"),
            &body,
            &format!("the status change of case {case_id}"),
        )
    }

    /// `http://host:port` of this server, as pinned and as the `seen` file names it.
    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_is_scheme_host_and_port() {
        assert_eq!(
            origin_of("http://127.0.0.1:8081").as_deref(),
            Ok("http://127.0.0.1:8081")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8081/").as_deref(),
            Ok("http://127.0.0.1:8081")
        );
        assert_eq!(
            origin_of("http://[::1]:9000").as_deref(),
            Ok("http://[::1]:9000")
        );
        assert!(origin_of("https://wbs.example").is_err());
        assert!(origin_of("http://127.0.0.1:8081/api").is_err());
        assert!(origin_of("127.0.0.1:8081").is_err());
    }
}
