//! The Graph API client: send messages, look media up and download them. Errors are classified by
//! HTTP status and Graph error code only; nothing of a response body but that code is ever read into a
//! log (Graph messages can echo numbers and content).

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::config::WhatsAppConfig;

/// Attempts for one call, and the first pause between them (doubled each time, with jitter).
pub(crate) const ATTEMPTS: u32 = 5;
const FIRST_PAUSE: Duration = Duration::from_secs(1);
const API_TIMEOUT: Duration = Duration::from_secs(30);
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(300);

/// Why a call failed: what may be logged (a status and a Graph error code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GraphError {
    Api {
        status: u16,
        code: Option<i64>,
    },
    Network,
    /// A 2xx answer that is not what the API documents.
    BadResponse,
    /// A media URL we will not send the token to.
    BadUrl,
}

impl GraphError {
    /// Whether trying again later may help: rate limits, Meta's temporary errors, network faults.
    pub(crate) fn retryable(self) -> bool {
        match self {
            GraphError::Network => true,
            GraphError::Api { status, code } => {
                status == 429
                    || status >= 500
                    || matches!(
                        code,
                        Some(
                            1 | 2
                                | 4
                                | 17
                                | 341
                                | 80007
                                | 130429
                                | 131000
                                | 131016
                                | 131056
                                | 133004
                        )
                    )
            }
            GraphError::BadResponse | GraphError::BadUrl => false,
        }
    }

    /// A stable code for the log.
    pub(crate) fn code(self) -> String {
        match self {
            GraphError::Api {
                code: Some(c),
                status,
            } => format!("graph-{c}-http-{status}"),
            GraphError::Api { code: None, status } => format!("http-{status}"),
            GraphError::Network => "network".to_owned(),
            GraphError::BadResponse => "bad-response".to_owned(),
            GraphError::BadUrl => "bad-media-url".to_owned(),
        }
    }
}

/// What `GET /{media-id}` says.
#[derive(Deserialize)]
pub(crate) struct MediaInfo {
    pub url: String,
    #[serde(default)]
    pub sha256: Option<String>,
    /// A number, or (as Meta sometimes sends it) a string of digits.
    #[serde(default, deserialize_with = "number_or_string")]
    pub file_size: Option<u64>,
}

fn number_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

pub(crate) struct Graph {
    api: reqwest::Client,
    download: reqwest::Client,
    base: String,
    token: Zeroizing<String>,
    phone_number_id: String,
}

async fn error_of(response: reqwest::Response) -> GraphError {
    let status = response.status().as_u16();
    // Only the numeric code is taken from the body.
    let code = response
        .json::<Value>()
        .await
        .ok()
        .and_then(|v| v.pointer("/error/code").and_then(Value::as_i64));
    GraphError::Api { status, code }
}

impl Graph {
    pub fn new(config: &WhatsAppConfig) -> Result<Self, String> {
        let build = |timeout| {
            reqwest::Client::builder()
                .timeout(timeout)
                .connect_timeout(Duration::from_secs(10))
                .user_agent("wbs")
                .build()
                .map_err(|_| "cannot set up the HTTPS client for the Graph API".to_owned())
        };
        Ok(Graph {
            api: build(API_TIMEOUT)?,
            download: build(DOWNLOAD_TIMEOUT)?,
            // Every request names the configured version (docs/whatsapp.md "Graph API version").
            base: format!("{}/{}", config.graph_base_url, config.graph_api_version),
            token: config.access_token.clone(),
            phone_number_id: config.phone_number_id.clone(),
        })
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.token.as_str())
    }

    /// `POST {base}/{phone-number-id}/messages`, once: Meta's id of the message (for its later
    /// delivery status), when the answer names one.
    pub(crate) async fn send(&self, message: &Value) -> Result<Option<String>, GraphError> {
        let url = format!("{}/{}/messages", self.base, self.phone_number_id);
        let r = self
            .api
            .post(url)
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .json(message)
            .send()
            .await
            .map_err(|_| GraphError::Network)?;
        if r.status().is_success() {
            // Only the message id is read from the answer (it also echoes the recipient).
            let id = r
                .json::<Value>()
                .await
                .ok()
                .and_then(|v| {
                    v.pointer("/messages/0/id")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .filter(|id| id.len() <= 256);
            Ok(id)
        } else {
            Err(error_of(r).await)
        }
    }

    /// `GET {base}/{media-id}`, once: the short-lived download URL and Meta's facts about the file.
    pub(crate) async fn media_info(&self, media_id: &str) -> Result<MediaInfo, GraphError> {
        let url = format!("{}/{media_id}", self.base);
        let r = self
            .api
            .get(url)
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .send()
            .await
            .map_err(|_| GraphError::Network)?;
        if !r.status().is_success() {
            return Err(error_of(r).await);
        }
        r.json::<MediaInfo>()
            .await
            .map_err(|_| GraphError::BadResponse)
    }

    /// Starts downloading a media URL (with the token, as Meta requires). Only `https://` URLs are
    /// accepted, or `http://` when the Graph API itself is configured over plain HTTP (a test stand-in).
    pub(crate) async fn download(&self, url: &str) -> Result<reqwest::Response, GraphError> {
        let plain_ok = self.base.starts_with("http://");
        if !(url.starts_with("https://") || (plain_ok && url.starts_with("http://"))) {
            return Err(GraphError::BadUrl);
        }
        let r = self
            .download
            .get(url)
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .send()
            .await
            .map_err(|_| GraphError::Network)?;
        if r.status().is_success() {
            Ok(r)
        } else {
            Err(error_of(r).await)
        }
    }
}

/// The pause before attempt `n + 1` (n ≥ 1): 1 s, 2 s, 4 s, … with up to 25 % jitter.
pub(crate) fn backoff(n: u32) -> Duration {
    let base = FIRST_PAUSE.saturating_mul(1 << n.saturating_sub(1).min(6));
    let jitter = rand::random::<u64>() % (base.as_millis() as u64 / 4 + 1);
    base + Duration::from_millis(jitter)
}

/// Runs `call` until it succeeds, fails for good, or `ATTEMPTS` are used up.
pub(crate) async fn with_retries<T, F, Fut>(mut call: F) -> Result<T, GraphError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, GraphError>>,
{
    let mut attempt = 1;
    loop {
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) if e.retryable() && attempt < ATTEMPTS => {
                tokio::time::sleep(backoff(attempt)).await;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Meta's `sha256` of a file, as hex or base64, compared with our digest of the bytes.
pub(crate) fn digest_matches(meta: &str, ours: &[u8; 32]) -> bool {
    let meta = meta.trim();
    let decoded = data_encoding::HEXLOWER_PERMISSIVE
        .decode(meta.as_bytes())
        .ok()
        .or_else(|| data_encoding::BASE64.decode(meta.as_bytes()).ok())
        .or_else(|| data_encoding::BASE64URL.decode(meta.as_bytes()).ok())
        .or_else(|| data_encoding::BASE64URL_NOPAD.decode(meta.as_bytes()).ok())
        .or_else(|| data_encoding::BASE64_NOPAD.decode(meta.as_bytes()).ok());
    decoded.is_some_and(|d| crate::crypto::ct::eq(&d, ours))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_and_server_errors_are_retried_others_not() {
        let api = |status, code| GraphError::Api { status, code };
        assert!(api(400, Some(131056)).retryable(), "pair rate limit");
        assert!(api(503, None).retryable());
        assert!(GraphError::Network.retryable());
        assert!(
            !api(400, Some(131047)).retryable(),
            "outside the 24-hour window"
        );
        assert!(!api(401, Some(190)).retryable(), "expired token");
        assert_eq!(api(400, Some(131056)).code(), "graph-131056-http-400");
        assert!(backoff(1) >= Duration::from_secs(1) && backoff(3) >= Duration::from_secs(4));
    }

    #[test]
    fn a_file_size_may_be_a_number_or_a_string() {
        let info = |size: &str| {
            serde_json::from_str::<MediaInfo>(&format!(
                r#"{{"url":"https://x","file_size":{size}}}"#
            ))
            .expect("media info")
            .file_size
        };
        assert_eq!(info("1234"), Some(1234));
        assert_eq!(info(r#""1234""#), Some(1234));
        assert_eq!(info("null"), None);
        assert_eq!(info(r#""big""#), None);
    }

    #[test]
    fn meta_digests_are_read_as_hex_or_base64() {
        let d = crate::crypto::sha256(b"foto");
        assert!(digest_matches(&crate::crypto::hex(&d), &d));
        assert!(digest_matches(&data_encoding::BASE64.encode(&d), &d));
        assert!(!digest_matches(&crate::crypto::hex(&[0; 32]), &d));
        assert!(!digest_matches("<sha256>", &d));
    }
}
