//! Deadlines (docs/design.md §8), counted in working days (Monday–Friday, minus configured holidays) from the
//! day a case was received. Which deadline applies depends on the current status.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::Lang;
use crate::protocol::{Day, Status};
use crate::store::CaseV1;

/// Working days allowed for each stage. Defaults follow the office's rules: acknowledge within 3
/// working days; first substantive feedback within 20 working days (about 30 calendar days, under the
/// 3-month cap); settle within 40 working days (about 60 calendar days).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeadlinePolicy {
    pub acknowledge_working_days: u32,
    pub feedback_working_days: u32,
    pub settle_working_days: u32,
    /// Public holidays and collective leave days (`YYYY-MM-DD`), which are not working days.
    pub holidays: BTreeSet<Day>,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        DeadlinePolicy {
            acknowledge_working_days: 3,
            feedback_working_days: 20,
            settle_working_days: 40,
            holidays: BTreeSet::new(),
        }
    }
}

/// Which deadline applies: the case must be verified (or more information requested), taken up,
/// or closed.
pub(crate) use crate::protocol::wire::Stage;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Deadline {
    pub stage: Stage,
    pub due: Day,
    pub overdue: bool,
}

impl Deadline {
    /// "diverifikasi paling lambat …" — what should happen by when, for the reporter.
    pub(crate) fn describe(&self, lang: Lang) -> String {
        let what = match self.stage {
            Stage::Acknowledge => lang.text("deadline-acknowledge"),
            Stage::Feedback => lang.text("deadline-feedback"),
            Stage::Settle => lang.text("deadline-settle"),
        };
        format!("{what} {}", self.due)
    }
}

impl DeadlinePolicy {
    pub(crate) fn is_working_day(&self, day: &Day) -> bool {
        day.weekday() < 5 && !self.holidays.contains(day)
    }

    /// The `n`-th working day after `start`.
    pub(crate) fn add_working_days(&self, start: &Day, n: u32) -> Day {
        let mut day = start.clone();
        let mut left = n;
        // Bounded: even a year of holidays cannot make this loop long.
        for _ in 0..(n as usize * 7 + 400) {
            if left == 0 {
                break;
            }
            day = day.plus_days(1);
            if self.is_working_day(&day) {
                left -= 1;
            }
        }
        day
    }

    /// The deadline that applies to a case now, if any (none once it is closed).
    pub(crate) fn next(&self, case: &CaseV1, today: &Day) -> Option<Deadline> {
        let created = &case.created;
        let (stage, days) = match case.status() {
            Status::Diterima => (Stage::Acknowledge, self.acknowledge_working_days),
            Status::Diverifikasi | Status::PerluDilengkapi => {
                (Stage::Feedback, self.feedback_working_days)
            }
            Status::Ditindaklanjuti | Status::Diteruskan => {
                (Stage::Settle, self.settle_working_days)
            }
            Status::Selesai => return None,
        };
        let due = self.add_working_days(created, days);
        Some(Deadline {
            stage,
            overdue: today > &due,
            due,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StatusChangeV1;

    fn case(created: &str, status: &str) -> CaseV1 {
        CaseV1 {
            id: crate::protocol::CaseId::parse("WBS-CCCC-CCCC-CCCC").expect("id"),
            channel: crate::protocol::Channel::Web,
            created: day(created),
            statuses: vec![StatusChangeV1 {
                status: Status::from_code(status).expect("status"),
                day: day(created),
            }],
            item_count: 3,
            last_digest: String::new(),
            recipients_fingerprint: String::new(),
            attachments: vec![],
        }
    }

    fn day(s: &str) -> Day {
        Day::parse(s).expect("day")
    }

    #[test]
    fn weekends_and_holidays_are_skipped() {
        let mut p = DeadlinePolicy::default();
        // Friday 2026-11-27 + 3 working days = Wednesday 2026-12-02.
        assert_eq!(p.add_working_days(&day("2026-11-27"), 3), day("2026-12-02"));
        p.holidays.insert(day("2026-12-01"));
        assert_eq!(p.add_working_days(&day("2026-11-27"), 3), day("2026-12-03"));
    }

    #[test]
    fn the_deadline_follows_the_status_and_becomes_overdue() {
        let p = DeadlinePolicy::default();
        let d = p
            .next(&case("2026-11-27", "diterima"), &day("2026-12-02"))
            .expect("deadline");
        assert_eq!((d.stage, d.overdue), (Stage::Acknowledge, false));
        let d = p
            .next(&case("2026-11-27", "diterima"), &day("2026-12-03"))
            .expect("deadline");
        assert!(d.overdue);
        assert_eq!(
            p.next(&case("2026-11-27", "diverifikasi"), &day("2026-12-03"))
                .map(|d| d.stage),
            Some(Stage::Feedback)
        );
        assert!(p
            .next(&case("2026-11-27", "selesai"), &day("2027-12-03"))
            .is_none());
    }
}
