//! `wbs decrypt --identity FILE [--keys DIR] [--reveal-identity] [--attachments OUT] PATH…`
//!
//! PATH is an export (has `index.json`), a case directory (has `case.json`) or one `.age` item. A case is
//! verified as a whole (`intake::verify::verify_case`): an item that fails is printed as REJECTED with the
//! reason, never with its content. Exit status: 0 when everything verified, 1 when anything was rejected,
//! 2 (through `Err`) on usage and I/O errors.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use zeroize::Zeroizing;

use super::export::{item_file_name, CaseFile, IndexEntry};
use super::render::{self, l, label, Out};
use super::{attachments, single};
use crate::crypto::keys::{
    read_key_dir, recipients_fingerprint, InvestigatorIdentity, InvestigatorPublic,
};
use crate::crypto::{hex, seal, sha256};
use crate::intake::attachment::ManifestEntry;
use crate::intake::verify::{verify_case, CheckedItem};
use crate::protocol::item::ItemBody;
use crate::protocol::{CaseId, ItemKind};

/// The flags of `wbs decrypt`.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub identity: PathBuf,
    pub keys: PathBuf,
    pub reveal_identity: bool,
    pub attachments: Option<PathBuf>,
    pub paths: Vec<PathBuf>,
}

/// What every step needs.
pub(super) struct Ctx {
    pub identity: InvestigatorIdentity,
    pub investigators: Vec<InvestigatorPublic>,
    /// The fingerprint of the keys in `--keys`, when there are any.
    pub known_set: Option<String>,
    pub reveal: bool,
    pub attachments_out: Option<PathBuf>,
    /// `--keys`, for messages.
    pub keys_dir: PathBuf,
}

impl Ctx {
    pub(crate) fn identities(&self) -> [&dyn age::Identity; 1] {
        [self.identity.age_identity() as &dyn age::Identity]
    }
}

enum Target {
    Export(PathBuf),
    Case(PathBuf),
    File(PathBuf),
}

impl Ctx {
    /// Reads the identity and `--keys`. Items this identity signed are its own: they are accepted even
    /// when `--keys` lacks its public file.
    pub(super) fn load(
        identity: &Path,
        keys: &Path,
        reveal: bool,
        attachments_out: Option<PathBuf>,
    ) -> Result<Ctx, String> {
        let identity = load_identity(identity)?;
        let mut investigators =
            read_key_dir(keys).map_err(|e| format!("--keys {}: {e}", keys.display()))?;
        let known_set = (!investigators.is_empty()).then(|| recipients_fingerprint(&investigators));
        let own = identity.public("this identity (--identity)");
        if !investigators.iter().any(|i| i.signing == own.signing) {
            investigators.push(own);
        }
        Ok(Ctx {
            identity,
            investigators,
            known_set,
            reveal,
            attachments_out,
            keys_dir: keys.to_path_buf(),
        })
    }
}

pub fn run(opts: &Options) -> Result<ExitCode, String> {
    if opts.reveal_identity {
        // One line, on stderr: the output itself stays the case.
        eprintln!(
            "wbs: note: an export cannot record this reveal (no signed reveal-record is added to the case); when you can reach the server, use `wbs show --reveal-identity --reason \"…\"` so the team sees it"
        );
    }
    let ctx = Ctx::load(
        &opts.identity,
        &opts.keys,
        opts.reveal_identity,
        opts.attachments.clone(),
    )?;
    let targets = opts
        .paths
        .iter()
        .map(|p| classify(p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut problems = 0;
    for target in targets {
        problems += match target {
            Target::Export(root) => export_root(&ctx, &root)?,
            Target::Case(dir) => case(&ctx, &dir)?,
            Target::File(file) => single::file(&ctx, &file)?,
        };
    }
    if problems == 0 {
        Ok(ExitCode::SUCCESS)
    } else {
        let _ = writeln!(
            io::stderr(),
            "wbs: {problems} problem(s) found: rejected parts were not shown as genuine"
        );
        Ok(ExitCode::from(1))
    }
}

pub(super) fn load_identity(path: &Path) -> Result<InvestigatorIdentity, String> {
    let bytes = fs::read(path)
        .map(Zeroizing::new)
        .map_err(|e| format!("cannot read the identity file {}: {e}", path.display()))?;
    let text = if crate::crypto::keys::is_passphrase_protected(&bytes) {
        let passphrase = super::passphrase::read(&format!("Passphrase for {}: ", path.display()))?;
        crate::crypto::keys::open_with_passphrase(&bytes, &passphrase).map_err(|e| {
            format!(
                "{} is protected by a passphrase and {e}: type the passphrase given to wbs keygen --passphrase",
                path.display()
            )
        })?
    } else {
        Zeroizing::new(String::from_utf8(bytes.to_vec()).map_err(|_| {
            format!(
                "{} is not a usable age identity file: pass the file that `wbs keygen` wrote",
                path.display()
            )
        })?)
    };
    let identity = InvestigatorIdentity::parse(&text).map_err(|e| {
        format!(
            "{} is not a usable age identity file ({e}): pass the file that `wbs keygen` wrote",
            path.display()
        )
    })?;
    if let Ok(meta) = fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            let _ = writeln!(
                io::stderr(),
                "wbs: warning: the identity file {} can be read by other users (mode {mode:o}); run `chmod 600` on it",
                path.display()
            );
        }
    }
    Ok(identity)
}

fn classify(path: &Path) -> Result<Target, String> {
    if path.is_dir() {
        if path.join("index.json").is_file() {
            return Ok(Target::Export(path.to_path_buf()));
        }
        if path.join("case.json").is_file() {
            return Ok(Target::Case(path.to_path_buf()));
        }
        return Err(format!(
            "{} holds neither index.json (an export) nor case.json (a case directory)",
            path.display()
        ));
    }
    if path.is_file() {
        return Ok(Target::File(path.to_path_buf()));
    }
    Err(format!("{} does not exist", path.display()))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let bytes = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|_| {
        format!(
            "{} is not in the format `wbs export` writes (see docs/format.md)",
            path.display()
        )
    })
}

fn export_root(ctx: &Ctx, root: &Path) -> Result<usize, String> {
    let index: Vec<IndexEntry> = read_json(&root.join("index.json"))?;
    let mut problems = 0;
    let mut listed = Vec::new();
    for entry in &index {
        // A `CaseId` is safe as a directory name: it was parsed when index.json was read.
        let dir = root.join(entry.case_id.as_str());
        if !dir.join("case.json").is_file() {
            let mut out = Out::default();
            out.line(format!(
                "case {}: REJECTED — listed in index.json, but its directory or case.json is missing",
                entry.case_id
            ));
            out.flush()?;
            problems += 1;
            continue;
        }
        listed.push(entry.case_id.clone());
        // One unreadable case.json must not hide the other cases.
        problems += match case(ctx, &dir) {
            Ok(n) => n,
            Err(e) => {
                let mut out = Out::default();
                out.line(format!("case {}: REJECTED — {e}", entry.case_id));
                out.flush()?;
                1
            }
        };
    }
    let mut unlisted: Vec<String> = fs::read_dir(root)
        .map_err(|e| format!("cannot read {}: {e}", root.display()))?
        .filter_map(Result::ok)
        .filter(|e| e.path().join("case.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !listed.iter().any(|id: &CaseId| id == name.as_str()))
        .collect();
    unlisted.sort();
    let mut out = Out::default();
    for name in unlisted {
        out.line(format!(
            "note: {} is not listed in index.json and was not read; pass its directory to read it",
            render::clean(&name)
        ));
    }
    out.line(format!("{} case(s) in {}", index.len(), root.display()));
    out.flush()?;
    Ok(problems)
}

/// Verifies and prints one case directory. Returns the number of problems.
fn case(ctx: &Ctx, dir: &Path) -> Result<usize, String> {
    let meta: CaseFile = read_json(&dir.join("case.json"))?;
    // A case directory is named after its case: a copy of another case in its place is not it.
    let named = dir
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| CaseId::parse(n).ok());
    if named.as_ref().is_some_and(|n| *n != meta.case_id) {
        return Err(format!(
            "{} holds another case: its case.json names {}, not the case the directory is named after — it was replaced or copied; take the case from a fresh export",
            dir.display(),
            meta.case_id
        ));
    }
    let mut out = Out::default();
    let mut problems = 0;
    out.line(format!("==== case {} ====", meta.case_id));
    out.field(&label(l().text("cli-channel")), meta.channel.code());
    out.field(&label(l().text("cli-created")), meta.created.as_str());
    out.line(format!("  {}", label(l().text("cli-status-history"))));
    for s in &meta.statuses {
        out.line(format!(
            "      {}  {}",
            s.day,
            render::status_label(s.status)
        ));
    }

    let (files, missing, notes) = read_items(dir, &meta)?;
    problems += notes.len();
    for n in notes {
        out.line(n);
    }
    let checked = verify_case(&meta.case_id, &files, &ctx.identities(), &ctx.investigators);
    let resealed = attachments::resealed_blobs(&checked);
    let (item_problems, manifest) = items(ctx, &meta, &files, checked, &missing, &mut out);
    problems += item_problems;
    out.flush()?;
    problems += attachments::Source::export_dir(dir, |source| {
        attachments::check(ctx, source, &meta, &manifest, &resealed)
    })?;
    let mut out = Out::default();
    if problems == 0 {
        out.line(format!(
            "case {}: all {} item(s) verified",
            meta.case_id,
            files.len()
        ));
    } else {
        out.line(format!(
            "case {}: {problems} problem(s) — do not trust the rejected parts",
            meta.case_id
        ));
    }
    out.line("");
    out.flush()?;
    Ok(problems)
}

/// What the reader needs to be told once, instead of one REJECTED line per item.
pub(super) enum Summary {
    /// Nothing of the case opens with this identity, and nothing of it is damaged.
    WrongIdentity,
    /// Items that open and are signed by investigators, while `--keys` names none.
    NoKeys(usize),
}

pub(super) const WRONG_IDENTITY: &str = "this identity cannot open this case: it is not one of the keys the case was sealed to — use your own identity file (--identity), or ask a colleague the case was sealed to";

/// The one-sentence summaries that replace a screen of REJECTED lines, if any applies.
fn summary(ctx: &Ctx, files: &[Vec<u8>], checked: &[CheckedItem]) -> Option<Summary> {
    use crate::intake::verify::ItemProblem;
    let identities = ctx.identities();
    let none_open = !checked.is_empty()
        && checked.iter().all(|c| {
            matches!(c.outcome, Err(ItemProblem::CannotDecrypt))
                && files.get(c.seq).is_some_and(|f| {
                    !f.is_empty()
                        && seal::open(f, &identities).err() == Some(seal::OpenError::NoIdentity)
                })
        });
    if none_open {
        return Some(Summary::WrongIdentity);
    }
    if ctx.known_set.is_some() {
        return None;
    }
    // Without --keys, items signed by other investigators cannot be checked: say so once.
    let unknown = checked
        .iter()
        .filter(|c| matches!(c.outcome, Err(ItemProblem::UnknownSigner)))
        .filter(|c| signed_by_investigator(ctx, files.get(c.seq)))
        .count();
    (unknown > 0).then_some(Summary::NoKeys(unknown))
}

/// Whether the item opens, is signed as an investigator's, and is of a kind an investigator may write
/// where it stands: only then can a missing `--keys` explain its rejection (anything else is shown).
fn signed_by_investigator(ctx: &Ctx, file: Option<&Vec<u8>>) -> bool {
    use crate::protocol::Role;
    file.and_then(|f| seal::open(f, &ctx.identities()).ok())
        .and_then(|signed| crate::crypto::envelope::Envelope::open(&signed).ok())
        .is_some_and(|e| {
            e.author.role == Role::Investigator
                && crate::intake::verify::may_write(Role::Investigator, e.kind, e.seq as usize)
        })
}

/// The case's category: the verified report's, or the newest verified correction's.
/// The status the newest genuine signed `status-note` sets, if there is one. Readers compare it with the
/// server's plaintext status, which is only a cache of it (docs/design.md §8).
pub(super) fn signed_status(checked: &[CheckedItem]) -> Option<crate::protocol::Status> {
    checked.iter().rev().find_map(|c| match &c.outcome {
        Ok(crate::intake::verify::GenuineItem {
            body: ItemBody::StatusNote(b),
            ..
        }) => Some(b.status),
        _ => None,
    })
}

pub(super) fn current_category(checked: &[CheckedItem]) -> Option<String> {
    checked
        .iter()
        .rev()
        .filter_map(|c| c.outcome.as_ref().ok())
        .find_map(|g| match &g.body {
            ItemBody::Report(r) => r.report.as_ref().map(|r| r.category.clone()),
            ItemBody::Recategorise(r) => Some(r.category.clone()),
            _ => None,
        })
}

/// Why an item that does not open does not: altered, or not sealed to this identity.
fn cannot_open(ctx: &Ctx, file: Option<&Vec<u8>>) -> &'static str {
    match file.map(|f| seal::open(f, &ctx.identities())) {
        Some(Err(seal::OpenError::Damaged)) => {
            "altered: the encrypted file does not check (it was changed after it was sealed)"
        }
        _ => "cannot be decrypted with this identity (it was not sealed to it)",
    }
}

/// Prints each checked item: its content when genuine, `REJECTED — why` otherwise. Returns the number
/// of problems and the entries of the genuine manifests and follow-ups.
pub(super) fn items(
    ctx: &Ctx,
    meta: &CaseFile,
    files: &[Vec<u8>],
    checked: Vec<CheckedItem>,
    missing: &[usize],
    out: &mut Out,
) -> (usize, Vec<ManifestEntry>) {
    use crate::intake::verify::ItemProblem;
    let mut problems = 0;
    let mut manifest = Vec::new();
    let mut announced: Option<u64> = None;
    let mut manifests = 0;
    // Entries of the report's manifests (follow-ups name their own attachments).
    let mut listed = 0;
    let total = checked.len();
    let summary = summary(ctx, files, &checked);
    match summary {
        Some(Summary::WrongIdentity) => {
            out.line(WRONG_IDENTITY);
            return (1, manifest);
        }
        Some(Summary::NoKeys(n)) => {
            out.line(format!(
                "{n} item(s) signed by investigators cannot be checked because --keys {} holds no investigator public keys: pass a copy of the server's keys/ directory (they are not shown)",
                ctx.keys_dir.display()
            ));
            problems += n;
        }
        None => {}
    }
    let no_keys = matches!(summary, Some(Summary::NoKeys(_)));
    if let Some(code) = current_category(&checked) {
        out.field(
            &label(l().text("cli-current-category")),
            &render::category_label(&code),
        );
    }
    for c in checked {
        let genuine = match c.outcome {
            _ if missing.contains(&c.seq) => {
                out.line(format!("item {}: REJECTED — the file is missing", c.seq));
                problems += 1;
                continue;
            }
            Err(ItemProblem::UnknownSigner)
                if no_keys && signed_by_investigator(ctx, files.get(c.seq)) =>
            {
                continue; // counted in the summary line
            }
            Err(ItemProblem::CannotDecrypt) => {
                let why = cannot_open(ctx, files.get(c.seq));
                out.line(format!("item {}: REJECTED — {why}", c.seq));
                problems += 1;
                continue;
            }
            Err(problem) => {
                out.line(format!("item {}: REJECTED — {problem}", c.seq));
                problems += 1;
                continue;
            }
            Ok(g) => g,
        };
        let env = &genuine.envelope;
        let body = &genuine.body;
        let mut signer = match &genuine.investigator {
            Some(name) => format!("investigator {}", render::clean(name)),
            None => "the reporter".to_owned(),
        };
        if let Some(by) = &genuine.reshared_by {
            signer.push_str(&format!(
                " (re-sealed for this team by {})",
                render::clean(by)
            ));
        }
        let mut item_out = Out::default();
        item_out.line(format!(
            "item {}: {} — verified, signed by {signer}, {}",
            c.seq,
            render::kind_name(env.kind),
            env.day
        ));
        match render::body(&mut item_out, body, ctx.reveal) {
            Ok(entries) => {
                out.append(item_out);
                if env.kind == ItemKind::Manifest {
                    manifests += 1;
                    listed += entries.len();
                }
                manifest.extend(entries);
            }
            Err(why) => {
                out.line(format!("item {}: REJECTED — {why}", c.seq));
                problems += 1;
            }
        }
        if let ItemBody::Report(report) = body {
            announced = Some(report.attachments);
            if report.channel != meta.channel {
                out.line(format!(
                    "note: the signed report names the channel {}, case.json names {}",
                    report.channel, meta.channel
                ));
                problems += 1;
            }
            if let Some(note) = recipients_note(ctx, &report.recipients_digest) {
                out.line(note);
            }
        }
    }
    // Every case starts with a report, the identity block and the manifest (docs/format.md).
    if total < 3 {
        out.line(format!(
            "note: the case has {total} item(s), fewer than the report, identity block and manifest every case starts with: items were removed"
        ));
        problems += 1;
    }
    if manifests > 0 && announced.is_some_and(|n| n != listed as u64) {
        out.line(
            "note: the report announces a different number of attachments than its manifest lists",
        );
        problems += 1;
    }
    (problems, manifest)
}

type Items = (Vec<Vec<u8>>, Vec<usize>, Vec<String>);

/// Reads the item files in the order case.json lists them. Returns the ciphertexts, the positions whose
/// file is missing, and notes on disagreements with case.json (each counts as a problem).
fn read_items(dir: &Path, meta: &CaseFile) -> Result<Items, String> {
    let mut files = Vec::with_capacity(meta.items.len());
    let mut missing = Vec::new();
    let mut notes = Vec::new();
    for (pos, entry) in meta.items.iter().enumerate() {
        let expected = u32::try_from(pos).ok().map(item_file_name);
        if expected.as_deref() != Some(entry.file.as_str()) || entry.seq as usize != pos {
            notes.push(format!(
                "note: case.json lists {} as item {} at position {pos}; reading {} instead",
                render::clean(&entry.file),
                entry.seq,
                expected.as_deref().unwrap_or("?")
            ));
        }
        let name = expected.unwrap_or_default();
        match fs::read(dir.join(&name)) {
            Ok(bytes) => {
                if hex(&sha256(&bytes)) != entry.ciphertext_sha256 {
                    notes.push(format!(
                        "note: {name} differs from the digest recorded in case.json (changed after export)"
                    ));
                }
                files.push(bytes);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                missing.push(pos);
                files.push(Vec::new());
            }
            Err(e) => return Err(format!("cannot read {}: {e}", dir.join(&name).display())),
        }
    }
    Ok((files, missing, notes))
}

/// docs/design.md §5: warn when a report was sealed to a recipient set other than the one in `--keys`.
fn recipients_note(ctx: &Ctx, sealed: &str) -> Option<String> {
    let known = ctx.known_set.as_ref()?;
    (sealed != known).then(|| {
        "note: this report was sealed to a set of investigator keys other than the one in --keys; \
         if your team does not know of a key change, someone may have added a key on the server"
            .to_owned()
    })
}
