//! The one report fixture: a complete, valid report that each test adjusts with a few setters and
//! sends the way its channel needs it: as the web form's fields ([`Report::form_fields`]), as the
//! JSON API's body ([`Report::json`]) or as the library's `ReportInput` ([`Report::input`]).
//!
//! Optional parts (`reporter.name`, `contact`, `anonymous`, `evidence`, the form's `lang` and
//! `party_rows`) are sent only when set, so a test can send exactly what a client would.

use serde_json::{json, Map, Value};

use super::internal::{Party, ReportInput};

/// Form fields in the order a browser sends them (without the form token or files).
pub type Fields = Vec<(String, String)>;

/// A report, channel-neutral.
#[derive(Clone, Debug)]
pub struct Report {
    pub lang: Option<String>,
    pub kind: String,
    pub category: String,
    pub chronology: String,
    /// `(name, position, unit)` of each reported person.
    pub parties: Vec<(String, String, String)>,
    /// The form's `party_rows`: this many rows are sent (blank ones after the parties).
    pub party_rows: Option<usize>,
    pub when: String,
    pub place: String,
    pub name: Option<String>,
    pub contact: Option<String>,
    pub anonymous: Option<bool>,
    pub evidence: Option<String>,
    /// The good-faith declaration (the form's checkbox; `ReportInput::good_faith`).
    pub good_faith: bool,
}

impl Report {
    /// The valid report: a named member of the public reports an illegal levy, with one party and
    /// evidence.
    pub fn valid() -> Self {
        Report {
            lang: None,
            kind: "public".into(),
            category: "PUNGLI".into(),
            chronology: "Petugas loket meminta uang Rp500.000 agar izin usaha cepat terbit.".into(),
            parties: vec![(
                "Budi Santoso".into(),
                "Staf Perizinan".into(),
                "Bidang Perizinan".into(),
            )],
            party_rows: None,
            when: "3 Maret 2026".into(),
            place: "Loket 2".into(),
            name: Some("Melati".into()),
            contact: Some("melati@example.org".into()),
            anonymous: Some(false),
            evidence: Some("Kuitansi tanpa kop".into()),
            good_faith: true,
        }
    }

    /// The valid report as the web form sends it when a member of staff fills in every field (one
    /// party and a blank second row, the page's default).
    pub fn valid_form() -> Self {
        Report::valid()
            .lang("id")
            .kind("staff")
            .party_rows(2)
            .when("3 Maret 2026 sekitar pukul 10.00")
            .place("Loket 2, lantai 1")
            .anonymous(None)
    }

    pub fn lang(mut self, lang: &str) -> Self {
        self.lang = Some(lang.into());
        self
    }

    pub fn kind(mut self, kind: &str) -> Self {
        self.kind = kind.into();
        self
    }

    pub fn category(mut self, category: &str) -> Self {
        self.category = category.into();
        self
    }

    pub fn chronology(mut self, chronology: &str) -> Self {
        self.chronology = chronology.into();
        self
    }

    /// Replaces the parties with this one.
    pub fn party(mut self, name: &str, position: &str, unit: &str) -> Self {
        self.parties = vec![(name.into(), position.into(), unit.into())];
        self
    }

    pub fn party_rows(mut self, rows: usize) -> Self {
        self.party_rows = Some(rows);
        self
    }

    pub fn when(mut self, when: &str) -> Self {
        self.when = when.into();
        self
    }

    pub fn place(mut self, place: &str) -> Self {
        self.place = place.into();
        self
    }

    pub fn name(mut self, name: Option<&str>) -> Self {
        self.name = name.map(Into::into);
        self
    }

    pub fn contact(mut self, contact: Option<&str>) -> Self {
        self.contact = contact.map(Into::into);
        self
    }

    pub fn anonymous(mut self, anonymous: Option<bool>) -> Self {
        self.anonymous = anonymous;
        self
    }

    pub fn evidence(mut self, evidence: Option<&str>) -> Self {
        self.evidence = evidence.map(Into::into);
        self
    }

    /// The body of `POST /api/v1/reports`.
    pub fn json(&self) -> Value {
        let mut reporter = Map::new();
        reporter.insert("kind".into(), json!(self.kind));
        if let Some(n) = &self.name {
            reporter.insert("name".into(), json!(n));
        }
        if let Some(c) = &self.contact {
            reporter.insert("contact".into(), json!(c));
        }
        if let Some(a) = self.anonymous {
            reporter.insert("anonymous".into(), json!(a));
        }
        let parties: Vec<Value> = self
            .parties
            .iter()
            .map(|(name, position, unit)| json!({"name": name, "position": position, "unit": unit}))
            .collect();
        let mut v = json!({
            "reporter": reporter,
            "category": self.category,
            "chronology": self.chronology,
            "parties": parties,
            "incident": {"when": self.when, "place": self.place},
        });
        if let Some(e) = &self.evidence {
            v["evidence"] = json!(e);
        }
        v
    }

    /// The fields of the form at `/lapor`, in the page's order (without the token or files).
    pub fn form_fields(&self) -> Fields {
        let mut f: Vec<(String, String)> = Vec::new();
        let mut push = |k: &str, v: &str| f.push((k.to_owned(), v.to_owned()));
        if let Some(l) = &self.lang {
            push("lang", l);
        }
        push("reporter.kind", &self.kind);
        push("category", &self.category);
        push("chronology", &self.chronology);
        let rows = self.party_rows.unwrap_or(self.parties.len());
        let blank = (String::new(), String::new(), String::new());
        for i in 0..rows {
            let (name, position, unit) = self.parties.get(i).unwrap_or(&blank);
            push(&format!("parties[{i}].name"), name);
            push(&format!("parties[{i}].position"), position);
            push(&format!("parties[{i}].unit"), unit);
        }
        if let Some(n) = self.party_rows {
            push("party_rows", &n.to_string());
        }
        push("incident.when", &self.when);
        push("incident.place", &self.place);
        if let Some(n) = &self.name {
            push("reporter.name", n);
        }
        if let Some(c) = &self.contact {
            push("reporter.contact", c);
        }
        if self.anonymous == Some(true) {
            push("reporter.anonymous", "1");
        }
        if let Some(e) = &self.evidence {
            push("evidence", e);
        }
        if self.good_faith {
            push("good_faith", "1");
        }
        f
    }

    /// The library's input, for in-process submissions.
    pub fn input(&self) -> ReportInput {
        ReportInput {
            reporter_kind: self.kind.clone(),
            category: self.category.clone(),
            chronology: self.chronology.clone(),
            parties: self
                .parties
                .iter()
                .map(|(name, position, unit)| Party {
                    name: name.clone(),
                    position: position.clone(),
                    unit: unit.clone(),
                })
                .collect(),
            incident_when: self.when.clone(),
            incident_place: self.place.clone(),
            reporter_name: self.name.clone().unwrap_or_default(),
            reporter_contact: self.contact.clone().unwrap_or_default(),
            anonymous: self.anonymous.unwrap_or(false),
            evidence: self.evidence.clone().unwrap_or_default(),
            good_faith: Some(self.good_faith),
        }
    }
}
