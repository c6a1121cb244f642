//! A report and the office's four criteria (docs/design.md §8). Validation runs on plaintext in memory and
//! names every problem by its field path (the same paths in the form and the JSON API).

use super::Lang;
pub(crate) use crate::protocol::item::IdentityBody;
pub use crate::protocol::report::{Criteria, Party, ReportContent, ReporterKind};

pub(crate) const MAX_PARTIES: usize = 10;
pub(crate) const MAX_NAME: usize = 120;
pub(crate) const MAX_CONTACT: usize = 200;
pub(crate) const MAX_SHORT: usize = 200;
pub(crate) const MIN_CHRONOLOGY: usize = 20;
pub(crate) const MAX_CHRONOLOGY: usize = 20_000;
pub(crate) const MAX_EVIDENCE: usize = 5_000;

/// A report category: a stable code, and the message ids of its label and of its short title (for
/// WhatsApp list rows, at most 24 characters) in `locales/*/categories.ftl`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Category {
    pub code: &'static str,
    pub label_id: &'static str,
    pub title_id: &'static str,
}

impl Category {
    pub(crate) fn label(&self, lang: Lang) -> &'static str {
        lang.text(self.label_id)
    }

    /// The short title for WhatsApp list rows.
    pub(crate) fn title(&self, lang: Lang) -> &'static str {
        lang.text(self.title_id)
    }
}

pub(crate) const CATEGORIES: &[Category] = &[
    Category {
        code: "KORUPSI",
        label_id: "category-korupsi",
        title_id: "category-korupsi-short",
    },
    Category {
        code: "SUAP",
        label_id: "category-suap",
        title_id: "category-suap-short",
    },
    Category {
        code: "GRATIFIKASI",
        label_id: "category-gratifikasi",
        title_id: "category-gratifikasi-short",
    },
    Category {
        code: "PUNGLI",
        label_id: "category-pungli",
        title_id: "category-pungli-short",
    },
    Category {
        code: "BENTURAN_KEPENTINGAN",
        label_id: "category-benturan-kepentingan",
        title_id: "category-benturan-kepentingan-short",
    },
    Category {
        code: "PENYALAHGUNAAN_WEWENANG",
        label_id: "category-penyalahgunaan-wewenang",
        title_id: "category-penyalahgunaan-wewenang-short",
    },
    Category {
        code: "PENGGELAPAN",
        label_id: "category-penggelapan",
        title_id: "category-penggelapan-short",
    },
    Category {
        code: "KECURANGAN",
        label_id: "category-kecurangan",
        title_id: "category-kecurangan-short",
    },
    Category {
        code: "PENGADAAN",
        label_id: "category-pengadaan",
        title_id: "category-pengadaan-short",
    },
    Category {
        code: "DISIPLIN_ASN",
        label_id: "category-disiplin-asn",
        title_id: "category-disiplin-asn-short",
    },
    Category {
        code: "KODE_ETIK",
        label_id: "category-kode-etik",
        title_id: "category-kode-etik-short",
    },
    Category {
        code: "MALADMINISTRASI",
        label_id: "category-maladministrasi",
        title_id: "category-maladministrasi-short",
    },
    Category {
        code: "LAINNYA",
        label_id: "category-lainnya",
        title_id: "category-lainnya-short",
    },
];

pub(crate) fn category(code: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.code == code)
}

impl ReporterKind {
    pub(crate) fn label(self, lang: Lang) -> &'static str {
        match self {
            ReporterKind::Staff => lang.text("reporter-kind-staff"),
            ReporterKind::Public => lang.text("reporter-kind-public"),
        }
    }
}

impl Party {
    fn is_blank(&self) -> bool {
        self.name.trim().is_empty()
            && self.position.trim().is_empty()
            && self.unit.trim().is_empty()
    }
}

/// What arrives from a channel, before validation. Every value is kept as typed so that a form can be
/// shown again with nothing lost.
#[derive(Clone, Default)]
pub struct ReportInput {
    pub reporter_kind: String,
    pub category: String,
    pub chronology: String,
    pub parties: Vec<Party>,
    pub incident_when: String,
    pub incident_place: String,
    pub reporter_name: String,
    pub reporter_contact: String,
    pub anonymous: bool,
    pub evidence: String,
    /// `None` when the channel does not ask for the declaration (the JSON API).
    pub good_faith: Option<bool>,
}

/// A report that passed validation: its content (sealed as the `report` item) and the identity block
/// (sealed as its own item).
#[derive(Clone, PartialEq, Eq)]
pub struct ValidReport {
    pub content: ReportContent,
    pub identity: Option<IdentityBody>,
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooShort(usize),
    TooLong(usize),
    UnknownChoice,
    NameOrAnonymous,
    AnonymousWithIdentity,
    AtLeastOneParty,
    TooMany(usize),
    MustDeclare,
}

impl Problem {
    pub(crate) fn message(self, lang: Lang) -> String {
        match self {
            Problem::Required => lang.text("problem-required").into(),
            Problem::TooShort(n) => lang.text_with("problem-too-short", &[("n", &n)]),
            Problem::TooLong(n) => lang.text_with("problem-too-long", &[("n", &n)]),
            Problem::UnknownChoice => lang.text("problem-unknown-choice").into(),
            Problem::NameOrAnonymous => lang.text("problem-name-or-anonymous").into(),
            Problem::AnonymousWithIdentity => lang.text("problem-anonymous-with-identity").into(),
            Problem::AtLeastOneParty => lang.text("problem-at-least-one-party").into(),
            Problem::TooMany(n) => lang.text_with("problem-too-many", &[("n", &n)]),
            Problem::MustDeclare => lang.text("problem-must-declare").into(),
        }
    }
}

/// Drops carriage returns and control characters other than newline and tab; trims the ends.
pub(crate) fn clean(s: &str) -> String {
    s.chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned()
}

struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    fn add(&mut self, field: impl Into<String>, problem: Problem) {
        self.errors.push(FieldError {
            field: field.into(),
            problem,
        });
    }

    /// A cleaned value; records `Required` / `TooLong` / `TooShort` as needed.
    fn text(&mut self, field: &str, raw: &str, required: bool, min: usize, max: usize) -> String {
        let v = clean(raw);
        let len = v.chars().count();
        if v.is_empty() {
            if required {
                self.add(field, Problem::Required);
            }
        } else if len > max {
            self.add(field, Problem::TooLong(max));
        } else if len < min {
            self.add(field, Problem::TooShort(min));
        }
        v
    }
}

/// Checks the four criteria and every limit. On success the report is ready to seal.
pub fn validate(input: &ReportInput) -> Result<ValidReport, Vec<FieldError>> {
    let mut c = Checker { errors: Vec::new() };

    let kind = ReporterKind::from_code(input.reporter_kind.trim());
    if input.reporter_kind.trim().is_empty() {
        c.add("reporter.kind", Problem::Required);
    } else if kind.is_none() {
        c.add("reporter.kind", Problem::UnknownChoice);
    }

    let cat = input.category.trim();
    if cat.is_empty() {
        c.add("category", Problem::Required);
    } else if category(cat).is_none() {
        c.add("category", Problem::UnknownChoice);
    }

    // Criterion 2: what happened.
    let chronology = c.text(
        "chronology",
        &input.chronology,
        true,
        MIN_CHRONOLOGY,
        MAX_CHRONOLOGY,
    );

    // Criterion 3: who, with position and unit. Wholly blank rows (spare form rows) are ignored.
    let mut parties = Vec::new();
    let filled: Vec<(usize, &Party)> = input
        .parties
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.is_blank())
        .collect();
    if filled.is_empty() {
        c.add("parties", Problem::AtLeastOneParty);
    } else if filled.len() > MAX_PARTIES {
        c.add("parties", Problem::TooMany(MAX_PARTIES));
    }
    for (i, p) in filled {
        parties.push(Party {
            name: c.text(&format!("parties[{i}].name"), &p.name, true, 1, MAX_SHORT),
            position: c.text(
                &format!("parties[{i}].position"),
                &p.position,
                true,
                1,
                MAX_SHORT,
            ),
            unit: c.text(&format!("parties[{i}].unit"), &p.unit, true, 1, MAX_SHORT),
        });
    }

    // Criterion 4: when and where.
    let when = c.text("incident.when", &input.incident_when, true, 1, MAX_SHORT);
    let place = c.text("incident.place", &input.incident_place, true, 1, MAX_SHORT);

    // Criterion 1: who reports, unless they choose anonymity.
    let name = clean(&input.reporter_name);
    let contact = clean(&input.reporter_contact);
    if input.anonymous {
        if !name.is_empty() {
            c.add("reporter.name", Problem::AnonymousWithIdentity);
        }
        if !contact.is_empty() {
            c.add("reporter.contact", Problem::AnonymousWithIdentity);
        }
    } else {
        if name.is_empty() {
            c.add("reporter.name", Problem::NameOrAnonymous);
        } else if name.chars().count() > MAX_NAME {
            c.add("reporter.name", Problem::TooLong(MAX_NAME));
        }
        if contact.chars().count() > MAX_CONTACT {
            c.add("reporter.contact", Problem::TooLong(MAX_CONTACT));
        }
    }

    let evidence = c.text("evidence", &input.evidence, false, 0, MAX_EVIDENCE);
    if input.good_faith == Some(false) {
        c.add("good_faith", Problem::MustDeclare);
    }

    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    let (Some(kind), Some(cat)) = (kind, category(cat)) else {
        return Err(c.errors);
    };
    let content = ReportContent {
        reporter_kind: kind,
        category: cat.code.to_owned(),
        chronology,
        parties,
        incident_when: when,
        incident_place: place,
        evidence,
        good_faith: input.good_faith,
        criteria: Criteria {
            identity: !input.anonymous,
            chronology: true,
            parties: true,
            time_and_place: true,
        },
    };
    Ok(ValidReport {
        content,
        identity: Some(IdentityBody {
            anonymous: input.anonymous,
            name: if input.anonymous { String::new() } else { name },
            contact: if input.anonymous {
                String::new()
            } else {
                contact
            },
            answers: None,
        }),
    })
}

/// Holds what a reporter wrote: its `Debug` never shows it.
impl std::fmt::Debug for ReportInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReportInput(<redacted>)")
    }
}

/// Holds what a reporter wrote: its `Debug` never shows it.
impl std::fmt::Debug for ValidReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ValidReport(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn complete() -> ReportInput {
        ReportInput {
            reporter_kind: "public".into(),
            category: "PUNGLI".into(),
            chronology: "Petugas meminta uang tambahan untuk mempercepat izin.".into(),
            parties: vec![
                Party {
                    name: "Budi".into(),
                    position: "Staf".into(),
                    unit: "Perizinan".into(),
                },
                Party::default(),
            ],
            incident_when: "3 Maret 2026".into(),
            incident_place: "Loket 2".into(),
            reporter_name: "Melati".into(),
            reporter_contact: String::new(),
            anonymous: false,
            evidence: String::new(),
            good_faith: Some(true),
        }
    }

    fn fields(input: &ReportInput) -> Vec<String> {
        validate(input)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_complete_report_meets_all_criteria() {
        let r = validate(&complete()).expect("valid");
        assert_eq!(r.content.parties.len(), 1);
        assert!(r.content.criteria.identity);
    }

    #[test]
    fn anonymous_reports_are_accepted_without_criterion_one() {
        let mut i = complete();
        i.reporter_name.clear();
        i.anonymous = true;
        let r = validate(&i).expect("valid");
        assert!(!r.content.criteria.identity);
    }

    #[test]
    fn each_missing_criterion_is_named() {
        let mut i = complete();
        i.reporter_name.clear();
        assert_eq!(fields(&i), ["reporter.name"]);
        let mut i = complete();
        i.chronology = " ".into();
        assert_eq!(fields(&i), ["chronology"]);
        let mut i = complete();
        i.parties = vec![Party {
            name: "Budi".into(),
            ..Party::default()
        }];
        assert_eq!(fields(&i), ["parties[0].position", "parties[0].unit"]);
        let mut i = complete();
        i.parties.clear();
        assert_eq!(fields(&i), ["parties"]);
        let mut i = complete();
        i.incident_place.clear();
        assert_eq!(fields(&i), ["incident.place"]);
    }
}
