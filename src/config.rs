//! One configuration struct, from defaults, then the TOML file, then command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::intake::deadline::DeadlinePolicy;

/// What the command line sets on top of the file (every field optional; `cli` fills it in).
#[derive(Debug, Default, Clone)]
pub(crate) struct Overrides {
    pub config_file: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub desk_listen: Option<SocketAddr>,
    pub data: Option<PathBuf>,
    pub keys: Option<PathBuf>,
    pub production: bool,
}

/// The TOML file. Every option is also a flag.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub data: Option<PathBuf>,
    pub keys: Option<PathBuf>,
    pub production: Option<bool>,
    pub max_upload_mb: Option<u64>,
    pub max_attachments: Option<usize>,
    pub sled_cache_mb: Option<u64>,
    pub kdf_concurrency: Option<usize>,
    pub desk_listen: Option<SocketAddr>,
    pub deadlines: Option<DeadlinePolicy>,
    pub session_idle_minutes: Option<u64>,
    pub desk_origins: Option<Vec<String>>,
    pub whatsapp: Option<WhatsAppFile>,
    pub site: Option<SiteFile>,
    /// `[retention]`: when expired cases are deleted (issue 11).
    pub retention: Option<crate::intake::retention::RetentionPolicy>,
    /// The address reporters use (`https://lapor.example.go.id`): with https, the session cookie is
    /// `__Host-` and `Secure` (docs/design.md §5).
    pub public_url: Option<String>,
    pub limits: Option<Limits>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data: PathBuf,
    pub keys: PathBuf,
    pub production: bool,
    /// Total size of a submission's attachments.
    pub max_upload_bytes: u64,
    pub max_attachments: usize,
    pub sled_cache_bytes: u64,
    /// Argon2 derivations at once (each takes 19 MiB and ~10 ms of one core).
    pub kdf_concurrency: usize,
    /// The investigators' sync API: its own listener, loopback by default, never the public one.
    pub desk_listen: SocketAddr,
    pub deadlines: DeadlinePolicy,
    /// A reporter's session ends after this many minutes without use (and after 2 hours in any case).
    pub session_idle_secs: u64,
    /// Extra addresses investigators reach the desk API at (e.g. `http://127.0.0.1:9081` through an SSH
    /// tunnel); the listener's own address is always accepted.
    pub desk_origins: Vec<String>,
    /// The WhatsApp channel, when configured (docs/whatsapp.md).
    pub whatsapp: Option<WhatsAppConfig>,
    /// What the public pages say about the office (`[site]`).
    pub site: SiteConfig,
    /// The public address reporters use, if set (issue 11: decides the session cookie's form).
    pub public_url: Option<String>,
    /// The retention rule (off unless configured).
    pub retention: crate::intake::retention::RetentionPolicy,
    /// Load limits: connections, timeouts, KDF budgets, case and disk bounds (`[limits]`).
    pub limits: Limits,
}

/// The `[limits]` section (docs/design.md §11, docs/admin.md): what keeps one client, one case or a
/// full disk from stopping everyone else. Every field has a default.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Open connections on the public listener; beyond it a connection gets a short 503.
    pub max_connections: usize,
    /// Seconds a connection may take to send a request's headers (or sit idle between requests).
    pub header_timeout_secs: u64,
    /// Seconds a request body may send nothing before it is cut off.
    pub body_idle_secs: u64,
    /// Seconds one request may take in all (a 20 MB upload on a slow link included).
    pub request_timeout_secs: u64,
    /// Seconds open requests get to finish at shutdown.
    pub shutdown_grace_secs: u64,
    /// Argon2 derivations at once for receipt logins (`/pantau`, `/api/v1/followup`); submissions have
    /// their own budget (`kdf_concurrency`), so a login flood slows logins only.
    pub login_kdf_concurrency: usize,
    /// Receipts derived ahead of time and held in memory for new submissions (0: derive inline).
    pub receipt_pool: usize,
    /// Items one case may hold (a new case has 3); the next one is refused with a clear answer.
    pub max_case_items: u32,
    /// Free space (MiB) the data directory's filesystem keeps: below it new reports, messages and
    /// items are refused with a clear answer.
    pub min_free_mb: u64,
    /// Memory (MiB) that PDFs and Office documents may hold at once while they are scrubbed, the
    /// parser's copies counted (docs/design.md §11); a document that does not fit is refused with
    /// "try again in a few minutes".
    pub document_memory_mb: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 4096,
            header_timeout_secs: 10,
            body_idle_secs: 30,
            request_timeout_secs: 900,
            shutdown_grace_secs: 10,
            login_kdf_concurrency: 1,
            receipt_pool: 16,
            max_case_items: 500,
            min_free_mb: 64,
            document_memory_mb: crate::intake::limits::DEFAULT_DOCUMENT_MEMORY >> 20,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data: PathBuf::from("data"),
            keys: PathBuf::from("keys"),
            production: false,
            max_upload_bytes: 20 * 1024 * 1024,
            max_attachments: 10,
            sled_cache_bytes: 64 * 1024 * 1024,
            // One submission slot: the receipt pool absorbs bursts, and each slot is 19 MiB of
            // Argon2 memory under load (docs/design.md §11, peak memory).
            kdf_concurrency: 1,
            desk_listen: SocketAddr::from(([127, 0, 0, 1], 8081)),
            deadlines: DeadlinePolicy::default(),
            session_idle_secs: 15 * 60,
            desk_origins: Vec::new(),
            whatsapp: None,
            site: SiteConfig::default(),
            public_url: None,
            retention: Default::default(),
            limits: Limits::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigError {
    #[error("cannot read the config file {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("the config file {0} is not valid: {1}")]
    Parse(PathBuf, String),
    #[error("the WhatsApp settings are incomplete or invalid: {0}")]
    WhatsApp(String),
    #[error("the [site] settings are invalid: {0}")]
    Site(String),
}

impl Config {
    /// Defaults, then the TOML file named in `args`, then the flags in `args`.
    pub(crate) fn load(args: &Overrides) -> Result<Self, ConfigError> {
        let file = match &args.config_file {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let mut c = Config::default();
        let mb = 1024 * 1024;
        if let Some(v) = file.listen {
            c.listen = v;
        }
        if let Some(v) = file.data {
            c.data = v;
        }
        if let Some(v) = file.keys {
            c.keys = v;
        }
        if let Some(v) = file.production {
            c.production = v;
        }
        if let Some(v) = file.max_upload_mb {
            c.max_upload_bytes = v.saturating_mul(mb);
        }
        if let Some(v) = file.max_attachments {
            c.max_attachments = v;
        }
        if let Some(v) = file.sled_cache_mb {
            c.sled_cache_bytes = v.saturating_mul(mb);
        }
        if let Some(v) = file.kdf_concurrency {
            c.kdf_concurrency = v.max(1);
        }
        if let Some(v) = file.desk_listen {
            c.desk_listen = v;
        }
        if let Some(v) = file.desk_origins {
            c.desk_origins = v
                .into_iter()
                .map(|o| o.trim_end_matches('/').to_owned())
                .collect();
        }
        if let Some(v) = file.session_idle_minutes {
            c.session_idle_secs = v.saturating_mul(60);
        }
        if let Some(v) = file.deadlines {
            c.deadlines = v;
        }
        c.public_url = file.public_url.map(|u| u.trim().to_owned());
        c.retention = file.retention.unwrap_or_default();
        if let Some(v) = file.limits {
            c.limits = v;
        }
        if let Some(v) = args.listen {
            c.listen = v;
        }
        if let Some(v) = args.desk_listen {
            c.desk_listen = v;
        }
        if let Some(v) = &args.data {
            c.data = v.clone();
        }
        if let Some(v) = &args.keys {
            c.keys = v.clone();
        }
        if args.production {
            c.production = true;
        }
        c.site = SiteConfig::resolve(file.site.unwrap_or_default())?;
        c.site.retention = c.retention;
        c.site.acknowledge_working_days = c.deadlines.acknowledge_working_days;
        c.whatsapp = WhatsAppConfig::resolve(file.whatsapp, |k| std::env::var(k).ok())?;
        if let Some(wa) = &mut c.whatsapp {
            wa.acknowledge_working_days = c.deadlines.acknowledge_working_days;
        }
        if c.production
            && c.whatsapp
                .as_ref()
                .is_some_and(|w| !w.graph_base_url.starts_with("https://"))
        {
            return Err(ConfigError::WhatsApp(
                "graph_base_url must be an https:// URL in production".into(),
            ));
        }
        Ok(c)
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read(path.into(), e))?;
    // toml's messages quote the offending line of the config file, never report data: safe to show.
    toml::from_str(&text).map_err(|e| ConfigError::Parse(path.into(), e.message().to_owned()))
}

/// The Graph API's address when none is configured; the version is its own setting
/// (`graph_api_version`, `whatsapp::version`).
pub(crate) const DEFAULT_GRAPH_BASE_URL: &str = "https://graph.facebook.com";

/// The `[whatsapp]` section as written. Secrets are never printed (hand-written `Debug`).
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WhatsAppFile {
    pub verify_token: Option<String>,
    pub app_secret: Option<String>,
    pub access_token: Option<String>,
    pub phone_number_id: Option<String>,
    pub graph_base_url: Option<String>,
    pub graph_api_version: Option<String>,
    pub public_url: Option<String>,
    pub display_number: Option<String>,
    /// Approved message templates for news outside the 24-hour window.
    pub news_template: Option<NewsTemplateFile>,
}

/// `[whatsapp.news_template]`: an approved template (one per language) that says only "there is news
/// on your report" (docs/whatsapp.md "Templates").
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewsTemplateFile {
    /// The template's name as approved in WhatsApp Manager.
    pub name: String,
    /// Its language codes as approved, Bahasa Indonesia first (e.g. `["id", "en"]`).
    pub languages: Vec<String>,
}

impl std::fmt::Debug for WhatsAppFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhatsAppFile")
            .field(
                "verify_token",
                &self.verify_token.as_ref().map(|_| "<secret>"),
            )
            .field("app_secret", &self.app_secret.as_ref().map(|_| "<secret>"))
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "<secret>"),
            )
            .field("phone_number_id", &self.phone_number_id)
            .field("graph_base_url", &self.graph_base_url)
            .field("graph_api_version", &self.graph_api_version)
            .field("public_url", &self.public_url)
            .finish()
    }
}

/// The WhatsApp Business Cloud API channel. Secrets are wiped from memory when dropped and never
/// printed (hand-written `Debug`).
#[derive(Clone)]
pub struct WhatsAppConfig {
    /// The token Meta echoes in the `hub.challenge` handshake.
    pub verify_token: zeroize::Zeroizing<String>,
    /// The app secret that keys `X-Hub-Signature-256`.
    pub app_secret: zeroize::Zeroizing<String>,
    /// The (system user) access token for the Graph API.
    pub access_token: zeroize::Zeroizing<String>,
    /// The business phone number's id (not the number itself).
    pub phone_number_id: String,
    /// `https://graph.facebook.com` unless set (tests point it at a local stand-in).
    pub graph_base_url: String,
    /// The Graph API version every request names (`whatsapp::version::DEFAULT_VERSION` unless set).
    pub graph_api_version: String,
    /// The approved "news on your report" template, when the office has one.
    pub news_template: Option<NewsTemplateFile>,
    /// The public address of the web site, named in chat messages (`/pantau`, `/lapor`).
    pub public_url: Option<String>,
    /// The business number as the office publishes it (e.g. `+62 812-0000-0000`), shown on the home
    /// page. Not a secret; never a reporter's number.
    pub display_number: Option<String>,
    /// The acknowledgement period the chat's receipt message names (`[deadlines]`, copied in by
    /// `Config::load`, so the chat never promises a period the deadlines do not keep).
    pub acknowledge_working_days: u32,
}

impl std::fmt::Debug for WhatsAppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhatsAppConfig")
            .field("verify_token", &"<secret>")
            .field("app_secret", &"<secret>")
            .field("access_token", &"<secret>")
            .field("phone_number_id", &self.phone_number_id)
            .field("graph_base_url", &self.graph_base_url)
            .field("graph_api_version", &self.graph_api_version)
            .field("public_url", &self.public_url)
            .field("display_number", &self.display_number)
            .finish()
    }
}

impl WhatsAppConfig {
    /// The section from the file, each value overridden by its environment variable
    /// (`WBS_WHATSAPP_VERIFY_TOKEN`, `…_APP_SECRET`, `…_ACCESS_TOKEN`, `…_PHONE_NUMBER_ID`,
    /// `…_GRAPH_BASE_URL`, `…_PUBLIC_URL`). `None` when nothing is set: the channel is off.
    pub(crate) fn resolve(
        file: Option<WhatsAppFile>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, ConfigError> {
        let file = file.unwrap_or_default();
        let pick = |name: &str, value: Option<String>| {
            env(&format!("WBS_WHATSAPP_{name}"))
                .or(value)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let verify_token = pick("VERIFY_TOKEN", file.verify_token);
        let app_secret = pick("APP_SECRET", file.app_secret);
        let access_token = pick("ACCESS_TOKEN", file.access_token);
        let phone_number_id = pick("PHONE_NUMBER_ID", file.phone_number_id);
        let graph_base_url = pick("GRAPH_BASE_URL", file.graph_base_url);
        let graph_api_version = pick("GRAPH_API_VERSION", file.graph_api_version);
        let public_url = pick("PUBLIC_URL", file.public_url);
        let display_number = pick("DISPLAY_NUMBER", file.display_number);
        let required = [&verify_token, &app_secret, &access_token, &phone_number_id];
        if required.iter().all(|v| v.is_none()) {
            return Ok(None);
        }
        let (Some(verify_token), Some(app_secret), Some(access_token), Some(phone_number_id)) =
            (verify_token, app_secret, access_token, phone_number_id)
        else {
            return Err(ConfigError::WhatsApp(
                "set all of verify_token, app_secret, access_token and phone_number_id (or none)"
                    .into(),
            ));
        };
        if !phone_number_id.chars().all(|c| c.is_ascii_digit()) {
            return Err(ConfigError::WhatsApp(
                "phone_number_id is the numeric id Meta shows for the business number".into(),
            ));
        }
        let mut base = graph_base_url
            .unwrap_or_else(|| DEFAULT_GRAPH_BASE_URL.to_owned())
            .trim_end_matches('/')
            .to_owned();
        // Older configurations named the version in the URL: it is taken from there when it is not
        // set on its own, so that one place says which version is used.
        let mut in_url = None;
        if let Some((head, last)) = base.rsplit_once('/') {
            if crate::whatsapp::version::is_version(last) {
                in_url = Some(last.to_owned());
                base = head.to_owned();
            }
        }
        let version = match (graph_api_version, in_url) {
            (Some(v), Some(u)) if v != u => {
                return Err(ConfigError::WhatsApp(format!(
                    "graph_base_url names version {u} but graph_api_version is {v}: set the version only in graph_api_version"
                )))
            }
            (Some(v), _) | (None, Some(v)) => v,
            (None, None) => crate::whatsapp::version::DEFAULT_VERSION.to_owned(),
        };
        if !crate::whatsapp::version::is_version(&version) {
            return Err(ConfigError::WhatsApp(
                "graph_api_version is a Graph API version such as v26.0".into(),
            ));
        }
        if let Some(t) = &file.news_template {
            let name_ok = !t.name.is_empty()
                && t.name.len() <= 512
                && t.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            let langs_ok = !t.languages.is_empty()
                && t.languages.iter().all(|l| {
                    !l.is_empty()
                        && l.len() <= 16
                        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                });
            if !name_ok || !langs_ok {
                return Err(ConfigError::WhatsApp(
                    "news_template needs the approved template's name (lower case, digits, _) and its language codes (e.g. [\"id\", \"en\"])".into(),
                ));
            }
        }
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(ConfigError::WhatsApp(
                "graph_base_url must be an https:// URL".into(),
            ));
        }
        Ok(Some(WhatsAppConfig {
            verify_token: zeroize::Zeroizing::new(verify_token),
            app_secret: zeroize::Zeroizing::new(app_secret),
            access_token: zeroize::Zeroizing::new(access_token),
            phone_number_id,
            graph_base_url: base,
            graph_api_version: version,
            news_template: file.news_template,
            public_url: public_url.map(|u| u.trim_end_matches('/').to_owned()),
            display_number,
            acknowledge_working_days: DeadlinePolicy::default().acknowledge_working_days,
        }))
    }
}

#[cfg(test)]
mod whatsapp_tests {
    use super::*;

    fn file() -> WhatsAppFile {
        WhatsAppFile {
            verify_token: Some("vt".into()),
            app_secret: Some("s3cret-app".into()),
            access_token: Some("t0ken".into()),
            phone_number_id: Some("109876543210987".into()),
            ..WhatsAppFile::default()
        }
    }

    #[test]
    fn whatsapp_settings_resolve_with_environment_overrides_and_hide_secrets() {
        assert!(WhatsAppConfig::resolve(None, |_| None)
            .expect("ok")
            .is_none());
        let c = WhatsAppConfig::resolve(Some(file()), |k| {
            (k == "WBS_WHATSAPP_GRAPH_BASE_URL").then(|| "http://127.0.0.1:9/v21.0/".to_owned())
        })
        .expect("ok")
        .expect("on");
        // A version in the URL (older configurations) becomes the version setting.
        assert_eq!(c.graph_base_url, "http://127.0.0.1:9");
        assert_eq!(c.graph_api_version, "v21.0");
        let shown = format!("{c:?} {:?}", file());
        assert!(
            !shown.contains("s3cret-app") && !shown.contains("t0ken") && !shown.contains("\"vt\"")
        );
        let mut partial = file();
        partial.access_token = None;
        assert!(WhatsAppConfig::resolve(Some(partial), |_| None).is_err());
        let d = WhatsAppConfig::resolve(Some(file()), |_| None)
            .expect("ok")
            .expect("on");
        assert_eq!(d.graph_base_url, DEFAULT_GRAPH_BASE_URL);
        assert_eq!(
            d.graph_api_version,
            crate::whatsapp::version::DEFAULT_VERSION
        );
    }

    #[test]
    fn the_graph_version_is_its_own_checked_setting() {
        let mut f = file();
        f.graph_api_version = Some("v25.0".into());
        let c = WhatsAppConfig::resolve(Some(f), |_| None)
            .expect("ok")
            .expect("on");
        assert_eq!(c.graph_api_version, "v25.0");
        let mut bad = file();
        bad.graph_api_version = Some("25".into());
        assert!(WhatsAppConfig::resolve(Some(bad), |_| None).is_err());
        let mut both = file();
        both.graph_api_version = Some("v25.0".into());
        both.graph_base_url = Some("https://graph.facebook.com/v21.0".into());
        assert!(WhatsAppConfig::resolve(Some(both), |_| None).is_err());
        let mut template = file();
        template.news_template = Some(NewsTemplateFile {
            name: "wbs_ada_kabar".into(),
            languages: vec!["id".into(), "en".into()],
        });
        assert!(WhatsAppConfig::resolve(Some(template), |_| None).is_ok());
        let mut bad_template = file();
        bad_template.news_template = Some(NewsTemplateFile {
            name: "Ada kabar!".into(),
            languages: vec!["id".into()],
        });
        assert!(WhatsAppConfig::resolve(Some(bad_template), |_| None).is_err());
    }
}

// ---- `[site]`: the office's identity and what the public pages promise (docs/design.md §13) ----

/// The largest logo accepted: every page, logo included, must stay within 20 KB at first visit.
pub(crate) const MAX_LOGO_BYTES: usize = 2 * 1024;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SiteFile {
    pub office_name: Option<String>,
    pub office_short_name: Option<String>,
    pub contact: Option<String>,
    pub logo: Option<PathBuf>,
    pub onion_address: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// The office's full name, as in the footer and the privacy notice.
    pub office_name: String,
    /// The short name beside "WBS" in the header.
    pub office_short_name: String,
    /// A contact line (address, telephone) shown in the footer, if set.
    pub contact: Option<String>,
    /// The logo (SVG or PNG, at most `MAX_LOGO_BYTES`: an SVG emblem or a small PNG), read at
    /// start-up; else a plain emblem.
    pub logo: Option<Logo>,
    /// The onion address (`xxxx.onion`): announced in an `Onion-Location` header and the help page.
    pub onion_address: Option<String>,
    /// The retention rule the server applies (`[retention]`), which the privacy notice states: one
    /// setting, so the notice cannot promise a period the server does not keep.
    pub retention: crate::intake::retention::RetentionPolicy,
    /// The acknowledgement period the pages name (`[deadlines]`, the one setting the deadlines use).
    pub acknowledge_working_days: u32,
}

#[derive(Debug, Clone)]
pub struct Logo {
    pub bytes: std::sync::Arc<Vec<u8>>,
    pub content_type: &'static str,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            office_name: "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Tarakan"
                .into(),
            office_short_name: "DPMPTSP Kota Tarakan".into(),
            contact: None,
            logo: None,
            onion_address: None,
            retention: Default::default(),
            acknowledge_working_days: DeadlinePolicy::default().acknowledge_working_days,
        }
    }
}

impl SiteConfig {
    fn resolve(file: SiteFile) -> Result<Self, ConfigError> {
        let mut c = SiteConfig::default();
        let bad = |m: &str| ConfigError::Site(m.to_owned());
        if let Some(v) = file.office_name {
            c.office_name = v;
        }
        if let Some(v) = file.office_short_name {
            c.office_short_name = v;
        }
        c.contact = file.contact.filter(|v| !v.trim().is_empty());
        if let Some(onion) = file.onion_address {
            let host = onion
                .trim()
                .trim_start_matches("http://")
                .trim_end_matches('/');
            // A v3 onion address: 56 base32 characters and ".onion".
            let ok = host.len() == 62
                && host.ends_with(".onion")
                && host[..56]
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b));
            if !ok {
                return Err(bad(
                    "onion_address must be a v3 onion address (56 characters + .onion)",
                ));
            }
            c.onion_address = Some(host.to_owned());
        }
        if let Some(path) = file.logo {
            let content_type = match path.extension().and_then(|e| e.to_str()) {
                Some(e) if e.eq_ignore_ascii_case("svg") => "image/svg+xml",
                Some(e) if e.eq_ignore_ascii_case("png") => "image/png",
                _ => return Err(bad("logo must be an .svg or .png file")),
            };
            let bytes = std::fs::read(&path).map_err(|e| ConfigError::Read(path.clone(), e))?;
            if bytes.len() > MAX_LOGO_BYTES {
                return Err(bad(
                    "logo is over 2 KB: every page, logo included, must stay within 20 KB",
                ));
            }
            c.logo = Some(Logo {
                bytes: std::sync::Arc::new(bytes),
                content_type,
            });
        }
        Ok(c)
    }
}
