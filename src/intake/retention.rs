//! Retention (docs/design.md §7, issue 11; UU 27/2022 asks that personal data be kept no longer than
//! its purpose needs). A configurable rule, applied by the server: cases closed (`selesai`) for more
//! than N years, and cases still at their first status (`diterima`: never taken up) after M months, are
//! deleted with their attachment files. A tombstone with the case id, the day and the rule stays, and
//! investigators see it (desk API, `wbs cases`). The rule is off until configured: how long an office
//! must keep its complaint records is its own archive schedule's decision.
//!
//! Unfinished WhatsApp dialogues expire on their own clock (`whatsapp`, 24 h): not here.

use serde::Deserialize;

use super::submit::{Intake, IntakeError};
use crate::protocol::{Day, Status};
use crate::store::{CaseV1, RetentionRule, TombstoneV1};

/// `[retention]` in the configuration. Periods are rounded up (a year is 366 days, a month 31), so a
/// case is never deleted before its full period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicy {
    /// Closed cases are deleted this many years after they were closed.
    pub closed_years: Option<u32>,
    /// Cases never taken up (still `diterima`) are deleted this many months after they were made.
    pub untouched_months: Option<u32>,
}

impl RetentionPolicy {
    pub fn is_off(&self) -> bool {
        self.closed_years.is_none() && self.untouched_months.is_none()
    }

    /// The rule a case has met by `today`, if any.
    pub(crate) fn expired(&self, case: &CaseV1, today: &Day) -> Option<RetentionRule> {
        let past = |since: &Day, days: u32| since.plus_days(i64::from(days)) < *today;
        if let (Some(years), Some(last)) = (self.closed_years, case.statuses.last()) {
            if last.status == Status::Selesai && past(&last.day, years.saturating_mul(366)) {
                return Some(RetentionRule::Closed);
            }
        }
        if let Some(months) = self.untouched_months {
            let untouched = case.statuses.iter().all(|s| s.status == Status::Diterima);
            if untouched && past(&case.created, months.saturating_mul(31)) {
                return Some(RetentionRule::NeverTakenUp);
            }
        }
        None
    }
}

/// What one retention pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub cases: usize,
    pub files: usize,
    /// Attachment files that could not be removed (named in the log by blob id only).
    pub files_left: usize,
}

/// Applies `policy` as of `today`: every expired case is deleted (store first, flushed; then its
/// files) and a tombstone written.
pub fn apply(
    intake: &Intake,
    policy: &RetentionPolicy,
    today: &Day,
) -> Result<Purged, IntakeError> {
    let mut done = Purged::default();
    if policy.is_off() {
        return Ok(done);
    }
    let store = intake.store();
    for id in store.case_ids()? {
        let Some(case) = store.case(&id)? else {
            continue;
        };
        let Some(rule) = policy.expired(&case, today) else {
            continue;
        };
        let tombstone = TombstoneV1 {
            id,
            deleted: today.clone(),
            rule,
        };
        let Some(gone) = store.purge_case(&tombstone)? else {
            continue;
        };
        done.cases += 1;
        for a in &gone.attachments {
            match intake.blobs().remove(&a.id) {
                Ok(()) => done.files += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    done.files_left += 1;
                    tracing::warn!(code = "WBS-RETENTION-FILE", blob = %a.id, error = %e, "an expired attachment file could not be removed");
                }
            }
        }
    }
    Ok(done)
}

/// The tombstones, for the desk API.
pub(crate) fn tombstones(intake: &Intake) -> Result<Vec<TombstoneV1>, IntakeError> {
    Ok(intake.store().tombstones()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{CaseId, Channel};
    use crate::store::StatusChangeV1;

    fn case(created: &str, statuses: &[(Status, &str)]) -> CaseV1 {
        CaseV1 {
            id: CaseId::parse("WBS-AAAA-BBBB-CCCC").expect("id"),
            channel: Channel::Web,
            created: Day::parse(created).expect("day"),
            statuses: statuses
                .iter()
                .map(|(status, day)| StatusChangeV1 {
                    status: *status,
                    day: Day::parse(day).expect("day"),
                })
                .collect(),
            item_count: 3,
            last_digest: String::new(),
            recipients_fingerprint: String::new(),
            attachments: Vec::new(),
        }
    }

    #[test]
    fn each_rule_waits_its_full_period() {
        let policy = RetentionPolicy {
            closed_years: Some(5),
            untouched_months: Some(12),
        };
        let day = |s| Day::parse(s).expect("day");
        let closed = case(
            "2020-01-01",
            &[
                (Status::Diterima, "2020-01-01"),
                (Status::Selesai, "2020-06-01"),
            ],
        );
        assert_eq!(policy.expired(&closed, &day("2025-06-01")), None);
        assert_eq!(
            policy.expired(&closed, &day("2025-06-08")),
            Some(RetentionRule::Closed)
        );
        let untouched = case("2024-01-01", &[(Status::Diterima, "2024-01-01")]);
        assert_eq!(policy.expired(&untouched, &day("2024-12-31")), None);
        assert_eq!(
            policy.expired(&untouched, &day("2025-01-10")),
            Some(RetentionRule::NeverTakenUp)
        );
        let worked_on = case(
            "2010-01-01",
            &[
                (Status::Diterima, "2010-01-01"),
                (Status::Ditindaklanjuti, "2010-02-01"),
            ],
        );
        assert_eq!(policy.expired(&worked_on, &day("2030-01-01")), None);
        assert_eq!(
            RetentionPolicy::default().expired(&closed, &day("2099-01-01")),
            None
        );
    }
}
