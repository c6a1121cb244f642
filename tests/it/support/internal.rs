//! Every crate-internal API the integration tests use, named once. Test modules import these from
//! here, never from `wbs::…` directly, so a renamed or moved path in `src/` is fixed in this one file.
//! The few composite steps (prepare a data directory, seal an attachment, submit in-process, read the
//! store of a stopped server) are functions here for the same reason.

use std::path::Path;

use rand::rngs::OsRng;

pub use wbs::config::Config;
pub use wbs::crypto::desk_auth::LoginMessage;
pub use wbs::crypto::envelope::Envelope;
pub use wbs::crypto::keys::{InvestigatorIdentity, InvestigatorPublic};
pub use wbs::crypto::receipt::Receipt;
pub use wbs::crypto::{hex, seal, sha256, unhex};
pub use wbs::intake::attachment::{AttachmentSink, SealedAttachment};
pub use wbs::intake::mailbox::{
    next_prev_digest, recipient_from_hex, seal_item, ItemDraft, MESSAGE_MIN,
};
pub use wbs::intake::report::{validate, Party, ReportInput};
pub use wbs::intake::submit::Channel;
pub use wbs::protocol::day::unix_now;
pub use wbs::protocol::item::{FollowupBody, IdentityBody, ItemBody, MessageBody};
pub use wbs::protocol::{wire, CaseId, Day, ItemKind, Role, Status};
pub use wbs::server::Prepared;
pub use wbs::store::{
    Append, CaseStore, CaseV1, DialogueStore, MetaStore, RetentionRule, RetentionStore, SledStore,
    StatusChangeV1, TombstoneV1,
};

/// `server::prepare` on this data directory and keys directory, everything else default (an empty or
/// missing keys directory is demo mode).
pub fn prepare(data: &Path, keys: &Path) -> Prepared {
    wbs::server::prepare(Config {
        data: data.to_path_buf(),
        keys: keys.to_path_buf(),
        ..Config::default()
    })
    .expect("prepare the data directory")
}

/// The in-process app: `server::prepare` + `server::app`, exactly what `wbs serve` puts behind its
/// public listener.
pub fn router(prepared: Prepared) -> axum::Router {
    wbs::server::app(prepared)
}

/// An attachment sealed the way an upload is (limit 1 MiB).
pub fn seal_attachment(prepared: &Prepared, name: &str, bytes: &[u8]) -> SealedAttachment {
    let intake = &prepared.intake;
    let mut sink = AttachmentSink::new(intake, name, 1 << 20);
    sink.write(bytes);
    sink.finish().map_err(|(_, p)| format!("{p:?}")).unwrap()
}

/// Validates `input` and submits it in-process (no web layer), dated `today`; returns the case id.
pub fn submit_in_process(
    prepared: &Prepared,
    input: &ReportInput,
    attachments: Vec<SealedAttachment>,
    channel: Channel,
    today: &Day,
) -> String {
    prepared
        .intake
        .submit_blocking(
            validate(input).unwrap(),
            attachments,
            channel,
            today,
            &mut OsRng,
        )
        .unwrap()
        .case_id
        .to_string()
}

/// The store under a stopped server's data directory (`reopen`: a handle this test process dropped a
/// moment ago may still hold sled's file lock while its flusher thread winds down).
pub fn open_store(data: &Path) -> SledStore {
    SledStore::reopen(&data.join("store"), 8 * 1024 * 1024).expect("open store")
}

/// How many cases the store holds (the server must be stopped).
pub fn case_count(data: &Path) -> usize {
    open_store(data).case_ids().expect("case ids").len()
}

/// The payload size (see `age_payload_len`) of every stored item of every case, by case id (the
/// server must be stopped).
pub fn item_sizes(data: &Path) -> Vec<(String, Vec<usize>)> {
    let store = open_store(data);
    let mut out = Vec::new();
    for id in store.case_ids().expect("case ids") {
        let sizes = store
            .items(&id)
            .expect("items")
            .iter()
            .map(|item| super::files::age_payload_len(item))
            .collect();
        out.push((id.to_string(), sizes));
    }
    out
}

/// A case id the test already holds as text (from a page or an API answer).
pub fn case_id(s: &str) -> CaseId {
    CaseId::parse(s).expect("a case id")
}

/// Whether `r` parses as a receipt (its check symbol is right).
pub fn receipt_parses(r: &str) -> bool {
    Receipt::parse(r).is_ok()
}

/// An investigator whose public key file is in an env's `keys/`.
pub struct Investigator {
    pub identity: InvestigatorIdentity,
    /// The identity file (mode 0600), outside `keys/`.
    pub file: std::path::PathBuf,
    /// The public key file in `keys/`.
    pub pub_file: std::path::PathBuf,
}

/// Makes an investigator `name`: writes the identity file (0600) into the env's directory and the
/// public file into its `keys/`.
pub fn add_investigator(env: &super::Env, name: &str) -> Investigator {
    use std::fs;
    use std::os::unix::fs::PermissionsExt;
    let identity = InvestigatorIdentity::generate(&mut OsRng);
    let file = env.path().join(format!("{name}.identity"));
    fs::write(&file, identity.to_file_text("2026-01-01").as_bytes()).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
    let pub_file = env.keys.join(format!("{name}.pub"));
    fs::write(&pub_file, identity.public(name).to_file_text("2026-01-01")).unwrap();
    Investigator {
        identity,
        file,
        pub_file,
    }
}
