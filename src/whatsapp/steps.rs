//! The steps of the intake dialogue: what each accepts, how it is checked, where it leads.

use super::dialogue::{
    parse_party, problems, End, Engine, Input, MediaRequest, MAX_DOCUMENT_BYTES, MAX_IMAGE_BYTES,
};
use super::payload::MediaIn;
use super::reply::Reply;
use super::state::Step;
use super::texts as t;
use crate::intake::answers::{Field, Fragment};
use crate::intake::attachment::clean_name;
use crate::intake::report::{
    category, clean, Party, Problem, ReporterKind, MAX_CHRONOLOGY, MAX_PARTIES, MIN_CHRONOLOGY,
};
use crate::intake::submit::IntakeError;

/// The name a photo or document gets in the report.
fn media_name(m: &MediaIn, n: usize) -> String {
    if m.image {
        let ext = match m.mime_type.split(';').next().unwrap_or("").trim() {
            "image/png" => "png",
            "image/webp" => "webp",
            "image/gif" => "gif",
            _ => "jpg",
        };
        return format!("foto-{n}.{ext}");
    }
    match m.filename.as_deref().filter(|f| !f.trim().is_empty()) {
        Some(f) => clean_name(f),
        None => format!("dokumen-{n}"),
    }
}

impl Engine<'_> {
    /// Moves to the next question (back to the summary after a change) and asks it.
    fn advance(&mut self) {
        let d = &self.d;
        let next = if d.editing {
            match d.step {
                Step::Name if d.anonymous == Some(false) && d.contact.is_none() => Step::Contact,
                _ => Step::Summary,
            }
        } else {
            match d.step {
                Step::Category | Step::CategoryMore => Step::ReporterKind,
                Step::ReporterKind => Step::Chronology,
                Step::Chronology => Step::Party,
                Step::Party | Step::PartyMore => Step::When,
                Step::When => Step::Place,
                Step::Place => Step::Name,
                Step::Name => Step::Evidence,
                Step::Evidence if d.anonymous == Some(true) => Step::Summary,
                Step::Evidence => Step::Contact,
                Step::Contact | Step::Summary | Step::Change => Step::Summary,
            }
        };
        if next == Step::Summary {
            self.d.editing = false;
        }
        self.d.step = next;
        self.ask();
    }

    fn use_buttons(&mut self) {
        self.say(t::use_buttons(self.l));
        self.ask();
    }

    pub(super) fn on_step(&mut self, input: Input<'_>) -> Result<(), IntakeError> {
        match self.d.step {
            Step::Category | Step::CategoryMore => self.category(input),
            Step::ReporterKind => self.kind(input),
            Step::Chronology => self.chronology(input),
            Step::Party | Step::PartyMore => self.party(input),
            Step::When => self.single(input, Field::When),
            Step::Place => self.single(input, Field::Place),
            Step::Name => self.name(input),
            Step::Evidence => self.evidence(input),
            Step::Contact => {
                self.contact(input);
                Ok(())
            }
            Step::Summary => {
                self.summary(input);
                Ok(())
            }
            Step::Change => {
                self.change(input);
                Ok(())
            }
        }
    }

    fn category(&mut self, input: Input<'_>) -> Result<(), IntakeError> {
        let code = match input {
            Input::Choice("cat-more") | Input::Choice("cat-back") => {
                self.d.step = match self.d.step {
                    Step::Category => Step::CategoryMore,
                    _ => Step::Category,
                };
                self.ask();
                return Ok(());
            }
            Input::Choice(id) => id.strip_prefix("cat-").and_then(category).map(|c| c.code),
            Input::Text(text) => super::dialogue::category_from_text(text, self.l),
        };
        let Some(cat) = code.and_then(category) else {
            self.say(t::choose_from_list(self.l));
            self.ask();
            return Ok(());
        };
        self.clear(Field::Category);
        self.add_text(Field::Category, cat.code, cat.label(self.l))?;
        self.advance();
        Ok(())
    }

    fn kind(&mut self, input: Input<'_>) -> Result<(), IntakeError> {
        let code = match input {
            Input::Choice("kind-public") => Some("public"),
            Input::Choice("kind-staff") => Some("staff"),
            Input::Text(text) => match text.trim().to_lowercase().as_str() {
                "1" | "masyarakat" | "public" | "member of public" => Some("public"),
                "2" | "pegawai" | "pegawai dpmptsp" | "staff" | "dpmptsp staff" => Some("staff"),
                _ => None,
            },
            Input::Choice(_) => None,
        };
        let Some(kind) = code.and_then(ReporterKind::from_code) else {
            self.use_buttons();
            return Ok(());
        };
        self.clear(Field::ReporterKind);
        let code = code.unwrap_or("public");
        self.add_text(Field::ReporterKind, code, kind.label(self.l))?;
        self.advance();
        Ok(())
    }

    fn chronology(&mut self, input: Input<'_>) -> Result<(), IntakeError> {
        match input {
            Input::Text(raw) => {
                let text = clean(raw);
                if text.is_empty() {
                    self.ask();
                    return Ok(());
                }
                let mut check = super::dialogue::base_input();
                check.chronology = text.clone();
                let n = text.chars().count() as u64;
                let too_long = problems(&check, "chronology")
                    .iter()
                    .any(|(_, p)| matches!(p, Problem::TooLong(_)));
                if too_long || self.d.chronology_chars + n > MAX_CHRONOLOGY as u64 {
                    self.say(Problem::TooLong(MAX_CHRONOLOGY).message(self.l));
                    self.ask();
                    return Ok(());
                }
                self.add_text(Field::Chronology, &text, &text)?;
                self.d.chronology_chars += n;
                self.ask();
            }
            Input::Choice("next") if self.d.chronology_chars < MIN_CHRONOLOGY as u64 => {
                self.say(Problem::TooShort(MIN_CHRONOLOGY).message(self.l));
                self.ask();
            }
            Input::Choice("next") => self.advance(),
            Input::Choice(_) => self.ask(),
        }
        Ok(())
    }

    fn party(&mut self, input: Input<'_>) -> Result<(), IntakeError> {
        let text = match input {
            Input::Choice("party-add") => {
                self.d.step = Step::Party;
                self.ask();
                return Ok(());
            }
            Input::Choice("next") if !self.d.has(Field::Party) => {
                self.say(Problem::AtLeastOneParty.message(self.l));
                self.d.step = Step::Party;
                self.ask();
                return Ok(());
            }
            Input::Choice("next") => {
                self.advance();
                return Ok(());
            }
            Input::Choice(_) => {
                self.use_buttons();
                return Ok(());
            }
            Input::Text(text) => text,
        };
        if self.d.count(Field::Party) >= MAX_PARTIES {
            self.say(t::party_full(self.l));
            self.advance();
            return Ok(());
        }
        let p = parse_party(text);
        let mut check = super::dialogue::base_input();
        check.parties = vec![p.clone()];
        let errors = problems(&check, "parties");
        if !errors.is_empty() {
            let lines: Vec<String> = errors
                .iter()
                .map(|(field, problem)| match problem {
                    Problem::AtLeastOneParty => problem.message(self.l),
                    _ => format!(
                        "{}: {}",
                        t::part_label(field, self.l),
                        problem.message(self.l)
                    ),
                })
                .collect();
            self.say(format!(
                "{}\n{}",
                lines.join("\n"),
                t::party_unknown_hint(self.l)
            ));
            self.d.step = Step::Party;
            self.ask();
            return Ok(());
        }
        let p = Party {
            name: clean(&p.name),
            position: clean(&p.position),
            unit: clean(&p.unit),
        };
        let summary = format!("{} — {}, {}", p.name, p.position, p.unit);
        let mut f = Fragment::new(&self.d.id, Field::Party, self.ctx.today);
        f.party = Some(p);
        self.add(f, &summary, None)?;
        self.d.step = Step::PartyMore;
        self.ask();
        Ok(())
    }

    /// Time or place: one short text, checked like the form's field.
    fn single(&mut self, input: Input<'_>, field: Field) -> Result<(), IntakeError> {
        let Input::Text(raw) = input else {
            self.ask();
            return Ok(());
        };
        let mut check = super::dialogue::base_input();
        let path = if field == Field::When {
            check.incident_when = raw.to_owned();
            "incident.when"
        } else {
            check.incident_place = raw.to_owned();
            "incident.place"
        };
        if let Some((_, problem)) = problems(&check, path).first() {
            self.say(problem.message(self.l));
            self.ask();
            return Ok(());
        }
        let text = clean(raw);
        self.clear(field);
        self.add_text(field, &text, &text)?;
        self.advance();
        Ok(())
    }

    fn name(&mut self, input: Input<'_>) -> Result<(), IntakeError> {
        match input {
            Input::Choice("anon") => {
                self.clear(Field::Name);
                self.d.anonymous = Some(true);
                self.d.contact = None;
                self.say(t::anonymous_note(self.l));
                self.advance();
            }
            Input::Text(raw) => {
                let mut check = super::dialogue::base_input();
                check.reporter_name = raw.to_owned();
                if let Some((_, problem)) = problems(&check, "reporter.name").first() {
                    self.say(problem.message(self.l));
                    self.ask();
                    return Ok(());
                }
                let name = clean(raw);
                self.clear(Field::Name);
                self.add_text(Field::Name, &name, &name)?;
                self.d.anonymous = Some(false);
                self.advance();
            }
            Input::Choice(_) => self.use_buttons(),
        }
        Ok(())
    }

    fn evidence(&mut self, input: Input<'_>) -> Result<(), IntakeError> {
        match input {
            Input::Text(raw) => {
                let text = clean(raw);
                let mut check = super::dialogue::base_input();
                check.evidence = text.clone();
                if let Some((_, problem)) = problems(&check, "evidence").first() {
                    self.say(problem.message(self.l));
                    self.ask();
                    return Ok(());
                }
                if super::dialogue::notes(&self.d) >= super::dialogue::MAX_NOTES {
                    self.say(t::notes_full(self.l).to_owned());
                    self.ask();
                    return Ok(());
                }
                if !text.is_empty() {
                    self.add_text(Field::Evidence, &text, &text)?;
                }
                let next = [t::next_button(self.l)];
                self.turn
                    .replies
                    .push(Reply::buttons(t::evidence_ack(self.l), &next));
            }
            Input::Choice("next") => self.advance(),
            Input::Choice(_) => self.ask(),
        }
        Ok(())
    }

    fn contact(&mut self, input: Input<'_>) {
        let answer = match input {
            Input::Choice("contact-yes") => Some(true),
            Input::Choice("contact-no") => Some(false),
            Input::Text(text) => match text.trim().to_lowercase().as_str() {
                "ya" | "yes" | "boleh" | "ya, boleh" | "y" => Some(true),
                "tidak" | "no" | "tdk" | "n" | "jangan" => Some(false),
                _ => None,
            },
            Input::Choice(_) => None,
        };
        match answer {
            Some(v) => {
                self.d.contact = Some(v);
                self.advance();
            }
            None => self.use_buttons(),
        }
    }

    fn summary(&mut self, input: Input<'_>) {
        match input {
            Input::Choice("confirm") => self.confirm(),
            Input::Choice("change") => {
                self.d.step = Step::Change;
                self.ask();
            }
            _ => self.use_buttons(),
        }
    }

    /// The first part the report still lacks, with its label.
    fn missing(&self) -> Option<(Step, usize)> {
        let d = &self.d;
        if !d.has(Field::Category) {
            Some((Step::Category, 0))
        } else if !d.has(Field::ReporterKind) {
            Some((Step::ReporterKind, 1))
        } else if d.chronology_chars < MIN_CHRONOLOGY as u64 {
            Some((Step::Chronology, 2))
        } else if !d.has(Field::Party) {
            Some((Step::Party, 3))
        } else if !d.has(Field::When) {
            Some((Step::When, 4))
        } else if !d.has(Field::Place) {
            Some((Step::Place, 5))
        } else if d.anonymous.is_none() || (d.anonymous == Some(false) && !d.has(Field::Name)) {
            Some((Step::Name, 6))
        } else {
            None
        }
    }

    fn confirm(&mut self) {
        if self.d.pending_media > 0 {
            self.say(t::wait_for_files(self.l, self.d.pending_media));
            self.ask();
            return;
        }
        if let Some((step, label)) = self.missing() {
            let labels = t::summary_labels(self.l);
            self.say(format!(
                "{}: {}",
                labels[label],
                Problem::Required.message(self.l)
            ));
            self.d.step = step;
            self.d.editing = true;
            self.ask();
            return;
        }
        self.turn.end = End::Confirm(self.d.clone());
    }

    fn change(&mut self, input: Input<'_>) {
        let Input::Choice(id) = input else {
            self.use_buttons();
            return;
        };
        let step = match id {
            "edit-category" => Step::Category,
            "edit-kind" => Step::ReporterKind,
            "edit-chronology" => {
                self.clear(Field::Chronology);
                self.d.chronology_chars = 0;
                Step::Chronology
            }
            "edit-parties" => {
                self.clear(Field::Party);
                Step::Party
            }
            "edit-when" => Step::When,
            "edit-place" => Step::Place,
            "edit-name" => Step::Name,
            "edit-evidence" => {
                self.clear(Field::Evidence);
                Step::Evidence
            }
            "edit-files" => {
                self.clear(Field::Attachment);
                Step::Evidence
            }
            "edit-contact" if self.d.anonymous == Some(true) => Step::Name,
            "edit-contact" => {
                self.d.contact = None;
                Step::Contact
            }
            _ => {
                self.use_buttons();
                return;
            }
        };
        self.d.step = step;
        self.d.editing = true;
        self.ask();
    }

    /// A photo or document, at any step after consent: the media worker fetches it, seals it with its
    /// caption (as evidence text) and confirms it in the chat.
    pub(super) fn on_media(&mut self, m: &MediaIn) -> Result<(), IntakeError> {
        let count = self.d.count(Field::Attachment) + self.d.pending_media as usize;
        let name = media_name(m, count + 1);
        if count >= self.ctx.max_attachments {
            self.say(t::too_many_files(self.l, self.ctx.max_attachments));
            self.ask();
            return Ok(());
        }
        if self.turn.media.len() >= self.ctx.media_room {
            self.say(t::busy(self.l));
            self.ask();
            return Ok(());
        }
        let left = self
            .ctx
            .max_upload_bytes
            .saturating_sub(self.d.attachment_bytes());
        let cap = if m.image {
            MAX_IMAGE_BYTES
        } else {
            MAX_DOCUMENT_BYTES
        };
        let limit = cap.min(left);
        if limit == 0 {
            self.say(t::file_too_large(self.l, &name, 0));
            self.ask();
            return Ok(());
        }
        // The caption is sealed with the file once it is stored (`media`): a file that fails takes
        // its caption with it, rather than leaving a description of evidence the report lacks.
        self.d.pending_media += 1;
        self.turn.media.push(MediaRequest {
            media: m.clone(),
            name,
            limit,
        });
        Ok(())
    }
}
