//! The intake dialogue: one message in, the sender's record and the replies out. Bahasa Indonesia
//! first (English on request); consent before anything is kept; then category, reporter kind,
//! chronology, reported persons, time, place, name or pseudonym, evidence, contact consent, and a
//! summary to confirm, change or cancel. Every answer is checked like the web form's (the same
//! `report::validate`) and sealed to the investigators before it is acknowledged.

use zeroize::Zeroizing;

use super::payload::{InKind, Inbound, MediaIn};
use super::prompts::{find_case_id, prompt, status_answer, PromptInfo};
use super::reply::{cut, Reply};
use super::state::{seal_summary, AnswerV1, DialogueV1, State, Step};
use super::texts as t;
use crate::intake::answers::{seal_fragment, Field, Fragment};
use crate::intake::report::{
    self, clean, Party, Problem, ReportInput, CATEGORIES, MAX_EVIDENCE, MIN_CHRONOLOGY,
};
use crate::intake::submit::{Intake, IntakeError};
use crate::intake::Lang;
use crate::protocol::day::Day;
use crate::store::AttachmentRefV1;

/// Meta's limits on media the Cloud API delivers (docs/design.md §15).
pub(crate) const MAX_IMAGE_BYTES: u64 = 5 * 1024 * 1024;
/// Free-text notes (evidence descriptions and late messages) one dialogue may collect: each is up to
/// `MAX_EVIDENCE` characters and every message rewrites the record, so the count must be bounded.
pub(crate) const MAX_NOTES: usize = 10;

/// How many free-text notes a dialogue holds.
pub(crate) fn notes(d: &DialogueV1) -> usize {
    d.answers
        .iter()
        .filter(|a| matches!(a.field, Field::Evidence | Field::LateNote))
        .count()
}
pub(crate) const MAX_DOCUMENT_BYTES: u64 = 100 * 1024 * 1024;

/// What a turn needs from outside.
pub(crate) struct Ctx<'a> {
    pub intake: &'a Intake,
    pub state: &'a State,
    pub recipients: &'a [age::x25519::Recipient],
    pub today: &'a Day,
    pub now: u64,
    pub max_attachments: usize,
    pub max_upload_bytes: u64,
    /// Free places in the media queue right now.
    pub media_room: usize,
    pub form_url: String,
    /// The message is a tap on buttons of an earlier message than the last one sent.
    pub stale_choice: bool,
}

/// A photo or document to fetch for this dialogue.
pub(crate) struct MediaRequest {
    pub media: MediaIn,
    pub name: String,
    /// Bytes it may have: Meta's limit for its kind, within what is left of the report's budget.
    pub limit: u64,
}

/// What becomes of the sender's record.
pub(crate) enum End {
    /// Nothing to store (no dialogue, or a message that changes nothing).
    Unchanged,
    Keep(DialogueV1),
    /// Cancelled: delete the record and its blobs, wipe its key.
    Delete(DialogueV1),
    /// Confirmed: make the case from it.
    Confirm(DialogueV1),
}

/// One turn's effects. Nothing here has happened yet: the caller stores first, then sends.
pub(crate) struct Turn {
    pub end: End,
    pub replies: Vec<Reply>,
    pub media: Vec<MediaRequest>,
    /// Blobs to delete once the record no longer names them.
    pub drop_blobs: Vec<String>,
}

impl Turn {
    fn only(replies: Vec<Reply>) -> Self {
        Turn {
            end: End::Unchanged,
            replies,
            media: Vec::new(),
            drop_blobs: Vec::new(),
        }
    }
}

enum Command {
    Cancel,
    Help,
    Status(String),
    Language(Lang),
}

fn normalized(text: &str) -> String {
    text.trim()
        .trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .to_uppercase()
}

/// A command, only when the whole message is one: "BATAL", "STATUS" or "STATUS WBS-…" — never the
/// first word of an answer ("Status izin usaha saya …" answers the question it was written for).
fn command(text: &str) -> Option<Command> {
    let norm = normalized(text);
    let mut words = norm.split_whitespace();
    let first = words.next().unwrap_or("");
    let rest: Vec<&str> = words.collect();
    match norm.as_str() {
        "BATAL" | "CANCEL" | "BATALKAN" => return Some(Command::Cancel),
        "BANTUAN" | "HELP" | "TOLONG" => return Some(Command::Help),
        "ENGLISH" | "INGGRIS" | "BAHASA INGGRIS" => return Some(Command::Language(Lang::En)),
        "INDONESIA" | "BAHASA" | "BAHASA INDONESIA" | "INDONESIAN" => {
            return Some(Command::Language(Lang::Id))
        }
        _ => {}
    }
    // "STATUS" alone, or followed by nothing but a case id (which may be written with spaces).
    let status = rest.is_empty()
        || (rest[0].starts_with("WBS")
            && rest.len() <= 4
            && find_case_id(&rest.join(" ")).is_some());
    (first == "STATUS" && status).then(|| Command::Status(rest.join(" ")))
}

/// The command an answer begins like without being one ("Status izin …", "Batal datang …"): the
/// answer is kept, and the reporter is told how to send the command instead.
fn command_like(text: &str) -> Option<&'static str> {
    let norm = normalized(text);
    let first = norm.split_whitespace().next().unwrap_or("");
    match first {
        "STATUS" => Some("STATUS"),
        "BATAL" | "BATALKAN" => Some("BATAL"),
        "CANCEL" => Some("CANCEL"),
        "BANTUAN" => Some("BANTUAN"),
        "HELP" => Some("HELP"),
        _ => None,
    }
}

/// Consent typed instead of tapped: the button id it stands for.
fn typed_consent(text: &str) -> Option<&'static str> {
    let norm = text
        .trim()
        .trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .to_uppercase();
    match norm.as_str() {
        "SETUJU" | "SAYA SETUJU" | "YA SETUJU" => Some("consent-yes"),
        "I AGREE" | "AGREE" => Some("consent-yes-en"),
        _ => None,
    }
}

/// A complete, valid report input: one field is replaced to check it alone with `report::validate`.
pub(super) fn base_input() -> ReportInput {
    ReportInput {
        reporter_kind: "public".into(),
        category: "LAINNYA".into(),
        chronology: "x".repeat(MIN_CHRONOLOGY),
        parties: vec![Party {
            name: "x".into(),
            position: "x".into(),
            unit: "x".into(),
        }],
        incident_when: "x".into(),
        incident_place: "x".into(),
        reporter_name: "x".into(),
        good_faith: Some(true),
        ..ReportInput::default()
    }
}

/// The problems `report::validate` finds in the fields under `prefix`.
pub(super) fn problems(input: &ReportInput, prefix: &str) -> Vec<(String, Problem)> {
    match report::validate(input) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .filter(|e| e.field.starts_with(prefix))
            .map(|e| (e.field, e.problem))
            .collect(),
    }
}

/// Reads "name / position / unit" from one message: lines, or commas / semicolons on one line.
pub(crate) fn parse_party(text: &str) -> Party {
    const LABELS: &[&str] = &[
        "nama",
        "name",
        "jabatan",
        "position",
        "unit kerja",
        "unit",
        "bagian",
    ];
    // Labels are ASCII: compare them against the original text, never against a lower-cased copy,
    // whose byte offsets differ from the original's for some characters (K, İ, …).
    let strip = |s: &str| {
        let s = s.trim();
        for label in LABELS {
            let head = s
                .get(..label.len())
                .filter(|h| h.eq_ignore_ascii_case(label));
            if let Some(rest) = head.and_then(|_| s.get(label.len()..)) {
                if let Some(r) = rest.trim_start().strip_prefix(':') {
                    return r.trim().to_owned();
                }
            }
        }
        s.to_owned()
    };
    let mut parts: Vec<String> = text.lines().map(strip).filter(|p| !p.is_empty()).collect();
    if parts.len() == 1 {
        parts = parts[0]
            .split([',', ';'])
            .map(strip)
            .filter(|p| !p.is_empty())
            .collect();
    }
    let mut it = parts.into_iter();
    Party {
        name: it.next().unwrap_or_default(),
        position: it.next().unwrap_or_default(),
        unit: it.collect::<Vec<_>>().join(", "),
    }
}

pub(super) fn category_from_text(text: &str, l: Lang) -> Option<&'static str> {
    let s = text.trim().trim_end_matches('.');
    if let Ok(n) = s.parse::<usize>() {
        return CATEGORIES.get(n.checked_sub(1)?).map(|c| c.code);
    }
    CATEGORIES
        .iter()
        .find(|c| {
            c.code.eq_ignore_ascii_case(s)
                || c.label(Lang::Id).eq_ignore_ascii_case(s)
                || c.label(Lang::En).eq_ignore_ascii_case(s)
                || t::category_title(c.code, l).eq_ignore_ascii_case(s)
        })
        .map(|c| c.code)
}

/// Handles one message from a sender whose record (if any) is `record`.
pub(crate) fn handle(
    ctx: &Ctx<'_>,
    record: Option<DialogueV1>,
    msg: &Inbound,
    info: &PromptInfo,
) -> Result<Turn, IntakeError> {
    let wa = msg.from.as_str();
    if let InKind::Text(text) = &msg.kind {
        if ctx.state.take_status_wait(wa, ctx.now) {
            if let Some(id) = find_case_id(text) {
                let l = record.as_ref().map_or(Lang::Id, DialogueV1::lang);
                let mut replies = vec![status_answer(ctx.intake, &id, l)?];
                if let Some(d) = &record {
                    let (key, _) = ctx.state.summary_key(&d.id, ctx.now);
                    replies.extend(prompt(d, info, &key));
                }
                return Ok(Turn::only(replies));
            }
        }
    }
    match record {
        None => fresh(ctx, msg, info),
        // A late text may answer a question already moved past, so it becomes a note; a late file
        // answers no particular question and is taken as any file is.
        Some(d) if msg.ts < d.last_ts && !(is_media(msg) && msg.ts >= d.consent_ts) => {
            late(ctx, d, msg, info)
        }
        Some(d) => {
            let (key, made) = ctx.state.summary_key(&d.id, ctx.now);
            let mut e = Engine {
                ctx,
                info,
                wa,
                l: d.lang(),
                d,
                key,
                turn: Turn::only(Vec::new()),
            };
            if made {
                e.resumed();
            }
            e.d.last_ts = e.d.last_ts.max(msg.ts);
            e.d.updated = ctx.now;
            e.on_message(msg)?;
            Ok(e.finish())
        }
    }
}

fn is_media(msg: &Inbound) -> bool {
    matches!(msg.kind, InKind::Media(_))
}

fn notice(ctx: &Ctx<'_>, l: Lang) -> Reply {
    Reply::buttons(t::notice(l, &ctx.form_url), &t::consent_buttons(l))
}

/// A sender without a dialogue: the privacy notice until they agree; nothing is kept before that.
fn fresh(ctx: &Ctx<'_>, msg: &Inbound, info: &PromptInfo) -> Result<Turn, IntakeError> {
    let l = Lang::Id;
    let wa = msg.from.as_str();
    let replies = match &msg.kind {
        InKind::Choice(id) if id == "consent-yes" || id == "consent-yes-en" => {
            let l = if id == "consent-yes-en" {
                Lang::En
            } else {
                Lang::Id
            };
            let d = DialogueV1::new(l, msg.ts, ctx.now);
            let (key, _) = ctx.state.summary_key(&d.id, ctx.now);
            let mut replies = vec![Reply::text(t::consent_thanks(l))];
            replies.extend(prompt(&d, info, &key));
            return Ok(Turn {
                end: End::Keep(d),
                replies,
                media: Vec::new(),
                drop_blobs: Vec::new(),
            });
        }
        InKind::Choice(id) if id == "consent-no" => {
            vec![Reply::text(t::declined(l, &ctx.form_url))]
        }
        InKind::Choice(id) if id == "lang-en" => vec![notice(ctx, Lang::En)],
        InKind::Choice(id) if id == "lang-id" => vec![notice(ctx, Lang::Id)],
        InKind::Choice(_) => vec![Reply::text(t::no_report_running(l)), notice(ctx, l)],
        InKind::Text(text) if typed_consent(text).is_some() => {
            let id = typed_consent(text).unwrap_or("consent-yes");
            let tap = Inbound {
                id: msg.id.clone(),
                from: msg.from.clone(),
                to: msg.to.clone(),
                context: None,
                ts: msg.ts,
                kind: InKind::Choice(id.to_owned()),
            };
            return fresh(ctx, &tap, info);
        }
        InKind::Text(text) => match command(text).or_else(|| {
            // Without a dialogue nothing can be swallowed: "status laporan WBS-…" still answers.
            (command_like(text) == Some("STATUS"))
                .then(|| find_case_id(text).map(|id| Command::Status(id.as_str().to_owned())))
                .flatten()
        }) {
            Some(Command::Language(l)) => vec![notice(ctx, l)],
            Some(Command::Cancel) => vec![Reply::text(t::no_report_running(l))],
            Some(Command::Help) => vec![Reply::text(t::help(l)), notice(ctx, l)],
            Some(Command::Status(rest)) => match find_case_id(&rest) {
                Some(id) => vec![status_answer(ctx.intake, &id, l)?],
                None => {
                    ctx.state.wait_for_case_id(wa, ctx.now);
                    vec![Reply::text(t::status_ask(l))]
                }
            },
            None => vec![Reply::text(t::not_stored_yet(l)), notice(ctx, l)],
        },
        InKind::Media(_)
        | InKind::Unsupported
        | InKind::Place(_)
        | InKind::Edited
        | InKind::AudioVideo => {
            vec![Reply::text(t::not_stored_yet(l)), notice(ctx, l)]
        }
        InKind::Ignored | InKind::UserIdChanged(_) => Vec::new(),
    };
    Ok(Turn::only(replies))
}

/// A message older than one already processed (delivery out of order). Text is kept, sealed, as a
/// note to the report, never taken as the answer to a later question; anything else is ignored.
fn late(
    ctx: &Ctx<'_>,
    mut d: DialogueV1,
    msg: &Inbound,
    info: &PromptInfo,
) -> Result<Turn, IntakeError> {
    let InKind::Text(text) = &msg.kind else {
        return Ok(Turn::only(Vec::new()));
    };
    let text = clean(text);
    if text.is_empty() || command(&text).is_some() {
        return Ok(Turn::only(Vec::new()));
    }
    if msg.ts < d.consent_ts {
        // Written before the reporter agreed: not kept.
        return Ok(Turn::only(vec![Reply::text(t::before_consent(d.lang()))]));
    }
    if notes(&d) >= MAX_NOTES {
        return Ok(Turn::only(vec![Reply::text(t::notes_full(d.lang()))]));
    }
    let (key, _) = ctx.state.summary_key(&d.id, ctx.now);
    let mut f = Fragment::new(&d.id, Field::LateNote, ctx.today);
    f.text = cut(&text, MAX_EVIDENCE);
    let sealed = seal_fragment(&f, ctx.recipients).map_err(|_| IntakeError::Seal)?;
    d.answers.push(AnswerV1 {
        field: Field::LateNote,
        sealed: data_encoding::BASE64.encode(&sealed),
        summary: seal_summary(&key, &d.id, &cut(&text, 80)),
        blob: None,
    });
    d.updated = ctx.now;
    let l = d.lang();
    let mut replies = vec![Reply::text(t::late_note(l))];
    // Every turn ends with the question that is open, so its buttons stay the last ones shown.
    replies.extend(prompt(&d, info, &key));
    let mut turn = Turn::only(replies);
    turn.end = End::Keep(d);
    Ok(turn)
}

pub(super) enum Input<'a> {
    Text(&'a str),
    Choice(&'a str),
}

/// One turn on an existing dialogue (the steps are in `steps.rs`).
pub(super) struct Engine<'a> {
    pub(super) ctx: &'a Ctx<'a>,
    pub(super) info: &'a PromptInfo,
    /// The sender (memory only).
    pub(super) wa: &'a str,
    pub(super) l: Lang,
    pub(super) d: DialogueV1,
    pub(super) key: Zeroizing<[u8; 32]>,
    pub(super) turn: Turn,
}

impl Engine<'_> {
    pub(super) fn say(&mut self, text: impl Into<String>) {
        self.turn.replies.push(Reply::Text(text.into()));
    }

    pub(super) fn ask(&mut self) {
        let p = prompt(&self.d, self.info, &self.key);
        self.turn.replies.extend(p);
    }

    fn finish(mut self) -> Turn {
        if matches!(self.turn.end, End::Unchanged) {
            self.turn.end = End::Keep(self.d);
        }
        self.turn
    }

    /// The process restarted since this dialogue began: its summary key is new, and photos that were
    /// being fetched are lost.
    fn resumed(&mut self) {
        self.say(t::resumed(self.l));
        if self.d.pending_media > 0 {
            self.say(t::lost_files(self.l, self.d.pending_media));
            self.d.pending_media = 0;
        }
    }

    /// Seals an answer twice (investigators; in-memory summary key) and adds it to the record.
    pub(super) fn add(
        &mut self,
        fragment: Fragment,
        summary: &str,
        blob: Option<AttachmentRefV1>,
    ) -> Result<(), IntakeError> {
        let sealed =
            seal_fragment(&fragment, self.ctx.recipients).map_err(|_| IntakeError::Seal)?;
        self.d.answers.push(AnswerV1 {
            field: fragment.field,
            sealed: data_encoding::BASE64.encode(&sealed),
            summary: seal_summary(&self.key, &self.d.id, summary),
            blob,
        });
        Ok(())
    }

    pub(super) fn add_text(
        &mut self,
        field: Field,
        text: &str,
        summary: &str,
    ) -> Result<(), IntakeError> {
        let mut f = Fragment::new(&self.d.id, field, self.ctx.today);
        f.text = text.to_owned();
        self.add(f, summary, None)
    }

    /// Deletes a field's answers (and, for attachments, schedules their blobs for deletion).
    pub(super) fn clear(&mut self, field: Field) {
        let drop = &mut self.turn.drop_blobs;
        self.d.answers.retain(|a| {
            if a.field != field {
                return true;
            }
            drop.extend(a.blob.as_ref().map(|b| b.id.clone()));
            false
        });
    }

    fn on_message(&mut self, msg: &Inbound) -> Result<(), IntakeError> {
        match &msg.kind {
            InKind::Text(text) => {
                if let Some(c) = command(text) {
                    return self.on_command(c);
                }
                let at = self.turn.replies.len();
                self.on_step(Input::Text(text))?;
                if let Some(word) = command_like(text) {
                    let note = Reply::Text(t::command_taken_as_answer(self.l, word));
                    self.turn.replies.insert(at, note);
                }
                Ok(())
            }
            InKind::Choice(_) if self.ctx.stale_choice => {
                self.say(t::stale_button(self.l));
                self.ask();
                Ok(())
            }
            InKind::Choice(id) => match id.as_str() {
                "cancel" => self.on_command(Command::Cancel),
                "lang-en" => self.on_command(Command::Language(Lang::En)),
                "lang-id" => self.on_command(Command::Language(Lang::Id)),
                "consent-yes" | "consent-yes-en" => {
                    self.ask();
                    Ok(())
                }
                other => self.on_step(Input::Choice(other)),
            },
            InKind::Media(m) => self.on_media(m),
            InKind::Place(place) => {
                if self.d.step != Step::Place {
                    self.say(t::place_elsewhere(self.l));
                    self.ask();
                    return Ok(());
                }
                if place.trim().is_empty() {
                    // A bare pin: its coordinates are not kept (docs/design.md §9), so ask for words.
                    self.say(t::place_unnamed(self.l));
                    self.ask();
                    return Ok(());
                }
                self.on_step(Input::Text(place))
            }
            InKind::Edited => {
                self.say(t::edited(self.l));
                self.ask();
                Ok(())
            }
            InKind::AudioVideo => {
                self.say(t::audio_video(self.l));
                self.ask();
                Ok(())
            }
            InKind::Unsupported => {
                self.say(t::unsupported(self.l));
                self.ask();
                Ok(())
            }
            // A user-id change is handled before the dialogue runs (`process`).
            InKind::Ignored | InKind::UserIdChanged(_) => Ok(()),
        }
    }

    fn on_command(&mut self, c: Command) -> Result<(), IntakeError> {
        match c {
            Command::Cancel => {
                self.say(t::cancelled(self.l));
                let blobs: Vec<String> = self.d.blobs().map(|b| b.id.clone()).collect();
                self.turn.drop_blobs.extend(blobs);
                self.ctx.state.forget(&self.d.id);
                self.turn.end = End::Delete(self.d.clone());
            }
            Command::Help => {
                self.say(t::help(self.l));
                self.ask();
            }
            Command::Status(rest) => match find_case_id(&rest) {
                Some(id) => {
                    let r = status_answer(self.ctx.intake, &id, self.l)?;
                    self.turn.replies.push(r);
                    self.ask();
                }
                None => {
                    self.ctx.state.wait_for_case_id(self.wa, self.ctx.now);
                    self.say(t::status_ask(self.l));
                }
            },
            Command::Language(l) => {
                self.l = l;
                self.d.lang = l;
                self.ask();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{command, command_like, parse_party, Command};

    #[test]
    fn commands_are_whole_messages_only() {
        assert!(matches!(command(" batal. "), Some(Command::Cancel)));
        assert!(matches!(command("STATUS"), Some(Command::Status(r)) if r.is_empty()));
        assert!(command("Status izin usaha saya sudah 3 bulan tidak diproses").is_none());
        assert!(command("Batal datang karena diminta uang").is_none());
        assert!(command("Bantuan sosial tidak cair").is_none());
        assert_eq!(
            command_like("Status izin usaha saya sudah 3 bulan"),
            Some("STATUS")
        );
        assert_eq!(command_like("Petugas loket"), None);
    }

    #[test]
    fn party_labels_survive_text_whose_case_changes_byte_length() {
        // The Kelvin sign and dotted capital I change byte length when lower-cased.
        for text in [
            "nama:\u{212A}",
            "Nama:\u{130}\u{130}\u{130}\u{130}\u{130}\u{130}",
            "\u{212A}ama: x",
            "jabatan\u{130}: y",
        ] {
            let _ = parse_party(text);
        }
        let p = parse_party("Nama: Budi\nJabatan: Staf\nUnit kerja: Loket");
        assert_eq!(
            (p.name.as_str(), p.position.as_str(), p.unit.as_str()),
            ("Budi", "Staf", "Loket")
        );
    }
}
