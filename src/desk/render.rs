//! Plain-text rendering of verified items for the investigator's terminal. Everything the reporter typed
//! is cleaned of control and bidirectional-override characters first, so a report cannot rewrite the
//! terminal or disguise what it says.

use std::io::Write;

use zeroize::Zeroizing;

use crate::intake::report::category;
use crate::intake::Lang;
use crate::protocol::item::{
    FollowupBody, IdentityBody, ItemBody, ManifestBody, RecategoriseBody, RekeyBody, ReportBody,
    ReshareBody, RevealBody, StatusNoteBody,
};
use crate::protocol::report::{Criteria, ManifestEntry};
use crate::protocol::{ItemKind, Status};

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
        self.line(format!("  {label:<30} {first}"));
        for l in lines {
            self.line(format!("  {:<30} {l}", ""));
        }
    }

    /// A labelled block of free text, indented under its label.
    pub(crate) fn block(&mut self, label: &str, value: &str) {
        self.line(format!("  {label}"));
        let value = clean(value);
        if value.trim().is_empty() {
            self.line("      (empty)");
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

/// A label in both languages, English first, as the investigator's tools print them:
/// `Category / Kategori:` (messages `cli-…` in `locales/*/cli.ftl`).
pub(super) fn both(id: &'static str) -> String {
    format!("{} / {}:", Lang::En.text(id), Lang::Id.text(id))
}

pub(super) fn status_label(s: Status) -> String {
    format!(
        "{} ({} / {})",
        s.code(),
        s.label(Lang::Id),
        s.label(Lang::En)
    )
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
            out.block(&both("cli-reply"), &b.text);
            Ok(Vec::new())
        }
        ItemBody::InternalNote(b) => {
            out.block(&both("cli-internal-note"), &b.text);
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
            reveal_record(out, b);
            Ok(Vec::new())
        }
        ItemBody::Recategorise(b) => {
            recategorise(out, b);
            Ok(Vec::new())
        }
        ItemBody::Reshare(b) => {
            reshare(out, b);
            Ok(Vec::new())
        }
    }
}

fn report(out: &mut Out, body: &ReportBody) -> Result<(), &'static str> {
    let r = body.report.as_ref().ok_or(UNREADABLE)?;
    let cat = match category(&r.category) {
        Some(c) => format!("{} — {} ({})", c.code, c.label(Lang::Id), c.label(Lang::En)),
        None => format!("{} (unknown category)", r.category),
    };
    out.field(&both("cli-category"), &cat);
    out.field(
        &both("cli-reporter"),
        &format!(
            "{} ({})",
            r.reporter_kind.label(Lang::Id),
            r.reporter_kind.label(Lang::En)
        ),
    );
    out.field(&both("cli-criteria"), &criteria(&r.criteria));
    out.block(&both("cli-chronology"), &r.chronology);
    out.line(format!("  {}", both("cli-parties")));
    if r.parties.is_empty() {
        out.line("      (none)");
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
    out.field(&both("cli-time"), &r.incident_when);
    out.field(&both("cli-place"), &r.incident_place);
    if r.evidence.trim().is_empty() {
        out.field(&both("cli-evidence"), "(none described)");
    } else {
        out.block(&both("cli-evidence"), &r.evidence);
    }
    let good_faith = match r.good_faith {
        Some(true) => "declared (dinyatakan)",
        Some(false) => "NOT declared",
        None => "not asked (API)",
    };
    out.field(&both("cli-good-faith"), good_faith);
    out.field(
        &both("cli-attachments"),
        &format!("{} (see the manifest)", body.attachments),
    );
    Ok(())
}

fn criteria(c: &Criteria) -> String {
    let all = [
        (1, c.identity),
        (2, c.chronology),
        (3, c.parties),
        (4, c.time_and_place),
    ];
    let met: Vec<String> = all
        .iter()
        .filter(|(_, ok)| *ok)
        .map(|(n, _)| n.to_string())
        .collect();
    let mut text = if met.is_empty() {
        "met none".to_owned()
    } else {
        format!("met {}", met.join(", "))
    };
    for (n, ok) in all {
        if !ok {
            let why = if n == 1 { " (anonymous)" } else { "" };
            text.push_str(&format!("; missing criterion {n}{why}"));
        }
    }
    text
}

fn identity(out: &mut Out, id: &IdentityBody, reveal: bool) {
    let label = both("cli-identity");
    if !reveal {
        out.field(&label, "[hidden: use --reveal-identity]");
    } else if id.anonymous {
        let anonymous = format!(
            "{} ({})",
            Lang::En.text("cli-anonymous"),
            Lang::Id.text("cli-anonymous")
        );
        out.field(&label, &anonymous);
    } else {
        out.field(&both("cli-name"), &id.name);
        let contact = if id.contact.trim().is_empty() {
            "(none given)"
        } else {
            &id.contact
        };
        out.field(&both("cli-contact"), contact);
    }
}

fn manifest(out: &mut Out, body: &ManifestBody) -> Vec<ManifestEntry> {
    if body.attachments.is_empty() {
        out.field(&both("cli-attachments"), "none");
    } else {
        out.line(format!("  {}", both("cli-attachments")));
    }
    entries(out, &body.attachments);
    body.attachments.clone()
}

fn entries(out: &mut Out, entries: &[ManifestEntry]) {
    for (i, e) in entries.iter().enumerate() {
        let stripped = if e.original_sha256.is_some() {
            " (photo metadata removed on arrival)"
        } else {
            ""
        };
        out.line(format!(
            "      {}. {} — {}, {} bytes{stripped}",
            i + 1,
            clean(&e.name),
            clean(&e.media_type),
            e.size
        ));
    }
}

/// A reporter's follow-up: text and the files that came with it.
fn followup(out: &mut Out, body: &FollowupBody) -> Vec<ManifestEntry> {
    out.block(&both("cli-followup"), &body.text);
    if !body.attachments.is_empty() {
        out.line(format!("  {}", both("cli-attachments")));
    }
    entries(out, &body.attachments);
    body.attachments.clone()
}

/// A note to the reporter that came with a status change.
fn status_note(out: &mut Out, body: &StatusNoteBody) {
    out.field("Status:", &status_label(body.status));
    out.block(&both("cli-status-note"), &body.text);
}

/// A one-time (chat) receipt replaced at the reporter's first web login. The previous reporter secret
/// it carries (for the reporter's own use) is not printed.
fn rekey(out: &mut Out, body: &RekeyBody) {
    out.field(
        &both("cli-receipt-replaced"),
        "the one-time receipt from the chat was replaced at the reporter's first web login",
    );
    out.field(
        &both("cli-new-key"),
        &format!("ed25519 {}", body.reporter_keys.ed25519),
    );
}

fn reveal_record(out: &mut Out, body: &RevealBody) {
    out.block(&both("cli-identity-revealed"), &body.reason);
}

fn recategorise(out: &mut Out, body: &RecategoriseBody) {
    out.field(&both("cli-new-category"), &body.category);
    out.block(&both("cli-reason"), &body.reason);
}

fn reshare(out: &mut Out, body: &ReshareBody) {
    out.field(
        &both("cli-resealed"),
        &format!("{} for team {}", body.items.len(), body.recipients_digest),
    );
}
