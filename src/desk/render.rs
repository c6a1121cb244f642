//! Plain-text rendering of verified items for the investigator's terminal. Everything the reporter typed
//! is cleaned of control and bidirectional-override characters first, so a report cannot rewrite the
//! terminal or disguise what it says.

use std::io::Write;
use std::sync::OnceLock;

use zeroize::Zeroizing;

use crate::intake::report::category;
use crate::intake::Lang;
use crate::protocol::item::{
    FollowupBody, IdentityBody, ItemBody, ManifestBody, RekeyBody, ReportBody, StatusNoteBody,
};
use crate::protocol::report::{Criteria, ManifestEntry};
use crate::protocol::wire::DeskDeadline;
use crate::protocol::{ItemKind, Status};

/// The width of a field's label column.
const WIDTH: usize = 20;

/// The one language of this run (docs/investigator.md): Indonesian unless `--lang en` or the
/// configuration says otherwise. Set once by `DeskOptions`, before anything is printed.
static LANG: OnceLock<Lang> = OnceLock::new();

pub(super) fn set_lang(lang: Lang) {
    let _ = LANG.set(lang);
}

/// The language of this run.
pub(super) fn l() -> Lang {
    LANG.get().copied().unwrap_or_default()
}

/// `Kategori:` — a label of this run's language.
pub(super) fn label(text: &str) -> String {
    format!("{text}:")
}

/// Output collected per case and written at once. Holds plaintext: wiped when dropped.
#[derive(Default)]
pub(super) struct Out {
    buf: Zeroizing<String>,
}

impl Out {
    pub(crate) fn line(&mut self, text: impl AsRef<str>) {
        self.buf.push_str(text.as_ref());
        self.buf.push('\n');
    }

    /// A labelled value; reporter text is cleaned and continuation lines are indented.
    pub(crate) fn field(&mut self, label: &str, value: &str) {
        let value = clean(value);
        let mut lines = value.lines();
        let first = lines.next().unwrap_or("");
        self.line(format!("  {label:<WIDTH$} {first}"));
        for l in lines {
            self.line(format!("  {:<WIDTH$} {l}", ""));
        }
    }

    /// A labelled block of free text, indented under its label.
    pub(crate) fn block(&mut self, label: &str, value: &str) {
        self.line(format!("  {label}"));
        let value = clean(value);
        if value.trim().is_empty() {
            self.line(format!("      {}", l().text("cli-empty")));
        }
        for l in value.lines() {
            self.line(format!("      {l}"));
        }
    }

    /// Moves another buffer's lines to the end of this one.
    pub(crate) fn append(&mut self, mut other: Out) {
        self.buf.push_str(&other.buf);
        other.buf.clear();
    }

    pub(crate) fn flush(&mut self) -> Result<(), String> {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(self.buf.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|e| format!("cannot write to standard output: {e}"))?;
        self.buf.clear();
        Ok(())
    }
}

/// Drops control characters (except newline and tab) and bidirectional overrides.
pub(super) fn clean(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            (c == '\n' || c == '\t' || !c.is_control())
                && !matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

pub(super) fn kind_name(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Report => "report",
        ItemKind::Identity => "identity",
        ItemKind::Manifest => "manifest",
        ItemKind::Followup => "followup",
        ItemKind::Reply => "reply",
        ItemKind::InternalNote => "internal-note",
        ItemKind::StatusNote => "status-note",
        ItemKind::RevealRecord => "reveal-record",
        ItemKind::Rekey => "rekey",
        ItemKind::Recategorise => "recategorise",
        ItemKind::Reshare => "reshare",
    }
}

/// `diverifikasi (Verified)`: the stable code and its label in this run's language.
pub(super) fn status_label(s: Status) -> String {
    format!("{} ({})", s.code(), s.label(l()))
}

/// The deadline that applies now, with the reporter's names for it (`deadline-*`), and the overdue
/// mark; `-` for a closed case.
pub(super) fn deadline_text(deadline: Option<&DeskDeadline>) -> String {
    deadline_text_in(l(), deadline)
}

/// The deadline as the reporter's follow-up page names it (`deadline-*`, `intake::deadline`): one
/// name for each deadline on both sides.
pub(crate) fn reporters_words(d: &DeskDeadline, lang: Lang) -> String {
    crate::intake::deadline::Deadline {
        stage: d.stage,
        due: d.due.clone(),
        overdue: d.overdue,
    }
    .describe(lang)
}

/// [`deadline_text`] in `lang`: the same words as the desk's and the reporter's page.
pub(crate) fn deadline_text_in(lang: Lang, deadline: Option<&DeskDeadline>) -> String {
    let Some(d) = deadline else {
        return "-".to_owned();
    };
    let mut s = reporters_words(d, lang);
    if d.overdue {
        s.push_str("  ");
        s.push_str(lang.text("cli-overdue"));
    }
    s
}

/// `PUNGLI — Pungutan liar / pemerasan`, or the code and "unknown category".
pub(super) fn category_label(code: &str) -> String {
    match category(code) {
        Some(c) => format!("{} — {}", c.code, c.label(l())),
        None => format!("{} ({})", clean(code), l().text("cli-unknown-category")),
    }
}

/// Why a genuine item's content cannot be shown.
pub(super) const UNREADABLE: &str = "signed, but its content is not in the expected form";

/// Prints the body of a verified (or, for a single file, signature-checked) item. Returns the
/// manifest entries of a manifest or follow-up item.
pub(super) fn body(
    out: &mut Out,
    body: &ItemBody,
    reveal: bool,
) -> Result<Vec<ManifestEntry>, &'static str> {
    match body {
        ItemBody::Report(b) => report(out, b).map(|()| Vec::new()),
        ItemBody::Identity(b) => {
            identity(out, b, reveal);
            Ok(Vec::new())
        }
        ItemBody::Manifest(b) => Ok(manifest(out, b)),
        ItemBody::Followup(b) => Ok(followup(out, b)),
        ItemBody::Reply(b) => {
            out.block(&label(l().text("cli-reply")), &b.text);
            Ok(Vec::new())
        }
        ItemBody::InternalNote(b) => {
            out.block(&label(l().text("cli-internal-note")), &b.text);
            Ok(Vec::new())
        }
        ItemBody::StatusNote(b) => {
            status_note(out, b);
            Ok(Vec::new())
        }
        ItemBody::Rekey(b) => {
            rekey(out, b);
            Ok(Vec::new())
        }
        ItemBody::RevealRecord(b) => {
            out.block(&label(l().text("cli-identity-revealed")), &b.reason);
            Ok(Vec::new())
        }
        ItemBody::Recategorise(b) => {
            out.field(
                &label(l().text("cli-new-category")),
                &category_label(&b.category),
            );
            out.block(&label(l().text("cli-reason")), &b.reason);
            Ok(Vec::new())
        }
        ItemBody::Reshare(b) => {
            out.field(
                &label(l().text("cli-resealed")),
                &format!("{} → {}", b.items.len(), b.recipients_digest),
            );
            Ok(Vec::new())
        }
    }
}

fn report(out: &mut Out, body: &ReportBody) -> Result<(), &'static str> {
    let r = body.report.as_ref().ok_or(UNREADABLE)?;
    let lang = l();
    out.field(
        &label(lang.text("cli-category")),
        &category_label(&r.category),
    );
    out.field(
        &label(lang.text("cli-reporter")),
        r.reporter_kind.label(lang),
    );
    out.field(&label(lang.text("cli-criteria")), &criteria(&r.criteria));
    out.block(&label(lang.text("cli-chronology")), &r.chronology);
    out.line(format!("  {}", label(lang.text("cli-parties"))));
    if r.parties.is_empty() {
        out.line(format!("      {}", lang.text("cli-none")));
    }
    for (i, p) in r.parties.iter().enumerate() {
        out.line(format!(
            "      {}. {} — {}, {}",
            i + 1,
            clean(&p.name),
            clean(&p.position),
            clean(&p.unit)
        ));
    }
    out.field(&label(lang.text("cli-time")), &r.incident_when);
    out.field(&label(lang.text("cli-place")), &r.incident_place);
    if r.evidence.trim().is_empty() {
        out.field(
            &label(lang.text("cli-evidence")),
            lang.text("cli-none-described"),
        );
    } else {
        out.block(&label(lang.text("cli-evidence")), &r.evidence);
    }
    let good_faith = match r.good_faith {
        Some(true) => lang.text("cli-good-faith-yes"),
        Some(false) => lang.text("cli-good-faith-no"),
        None => lang.text("cli-good-faith-api"),
    };
    out.field(&label(lang.text("cli-good-faith")), good_faith);
    out.field(
        &label(lang.text("cli-attachments")),
        &format!("{} ({})", body.attachments, lang.text("cli-see-manifest")),
    );
    Ok(())
}

/// The four criteria as words: those met, then those missing (`identitas, kronologi, terlapor,
/// waktu & tempat`; `kronologi, terlapor, waktu & tempat; kurang: identitas (anonim)`).
pub(super) fn criteria(c: &Criteria) -> String {
    let lang = l();
    let all = [
        (lang.text("cli-criterion-identity"), c.identity),
        (lang.text("cli-criterion-chronology"), c.chronology),
        (lang.text("cli-criterion-parties"), c.parties),
        (lang.text("cli-criterion-time-place"), c.time_and_place),
    ];
    let met: Vec<&str> = all.iter().filter(|(_, ok)| *ok).map(|(n, _)| *n).collect();
    let mut text = if met.is_empty() {
        lang.text("cli-criteria-none").to_owned()
    } else {
        met.join(", ")
    };
    let missing: Vec<String> = all
        .iter()
        .enumerate()
        .filter(|(_, (_, ok))| !ok)
        .map(|(i, (n, _))| {
            if i == 0 {
                format!("{n} ({})", lang.text("cli-anonymous"))
            } else {
                (*n).to_owned()
            }
        })
        .collect();
    if !missing.is_empty() {
        text.push_str(&format!(
            "; {}: {}",
            lang.text("cli-criteria-missing"),
            missing.join(", ")
        ));
    }
    text
}

/// The short form for `wbs cases`: `lengkap 4`, or the missing ones (`kurang: identitas`).
pub(super) fn criteria_short(c: &Criteria) -> String {
    let lang = l();
    let missing: Vec<&str> = [
        (lang.text("cli-criterion-identity"), c.identity),
        (lang.text("cli-criterion-chronology"), c.chronology),
        (lang.text("cli-criterion-parties"), c.parties),
        (lang.text("cli-criterion-time-place"), c.time_and_place),
    ]
    .iter()
    .filter(|(_, ok)| !ok)
    .map(|(n, _)| *n)
    .collect();
    if missing.is_empty() {
        lang.text("cli-criteria-all").to_owned()
    } else {
        format!(
            "{}: {}",
            lang.text("cli-criteria-missing"),
            missing.join(", ")
        )
    }
}

fn identity(out: &mut Out, id: &IdentityBody, reveal: bool) {
    let lang = l();
    let name = label(lang.text("cli-identity"));
    if !reveal {
        out.field(&name, lang.text("cli-hidden"));
    } else if id.anonymous {
        out.field(&name, lang.text("cli-anonymous"));
    } else {
        out.field(&label(lang.text("cli-name")), &id.name);
        let contact = if id.contact.trim().is_empty() {
            lang.text("cli-none-given")
        } else {
            &id.contact
        };
        out.field(&label(lang.text("cli-contact")), contact);
    }
}

fn manifest(out: &mut Out, body: &ManifestBody) -> Vec<ManifestEntry> {
    let name = label(l().text("cli-attachments"));
    if body.attachments.is_empty() {
        out.field(&name, l().text("cli-none"));
    } else {
        out.line(format!("  {name}"));
    }
    entries(out, &body.attachments);
    body.attachments.clone()
}

fn entries(out: &mut Out, entries: &[ManifestEntry]) {
    for (i, e) in entries.iter().enumerate() {
        let stripped = if e.original_sha256.is_some() {
            format!(" ({})", l().text("cli-photo-stripped"))
        } else if !crate::intake::scrub::scrubbed_type(&e.media_type) {
            format!(" ({})", l().text("scrub-not-cleaned"))
        } else {
            String::new()
        };
        out.line(format!(
            "      {}. {} — {}, {} {}{stripped}",
            i + 1,
            clean(&e.name),
            clean(&e.media_type),
            e.size,
            l().text("cli-bytes")
        ));
    }
}

/// A reporter's follow-up: text and the files that came with it.
fn followup(out: &mut Out, body: &FollowupBody) -> Vec<ManifestEntry> {
    out.block(&label(l().text("cli-followup")), &body.text);
    if !body.attachments.is_empty() {
        out.line(format!("  {}", label(l().text("cli-attachments"))));
    }
    entries(out, &body.attachments);
    body.attachments.clone()
}

/// A status change, signed by its author: the new status, the reason (investigators only) and the note
/// to the reporter, each when there is one.
fn status_note(out: &mut Out, body: &StatusNoteBody) {
    out.field(&label(l().text("cli-status")), &status_label(body.status));
    if !body.reason.trim().is_empty() {
        out.block(&label(l().text("cli-reason")), &body.reason);
    }
    if !body.text.trim().is_empty() {
        out.block(&label(l().text("cli-status-note")), &body.text);
    }
}

/// A one-time (chat) receipt replaced at the reporter's first web login. The previous reporter secret
/// it carries (for the reporter's own use) is not printed.
fn rekey(out: &mut Out, body: &RekeyBody) {
    out.field(
        &label(l().text("cli-receipt-replaced")),
        l().text("cli-receipt-replaced-text"),
    );
    out.field(
        &label(l().text("cli-new-key")),
        &format!("ed25519 {}", body.reporter_keys.ed25519),
    );
}
