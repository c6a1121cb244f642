//! Dates as people write them: `1 Desember 2026` / `1 December 2026`, never ISO on a reporter's page,
//! with no-break spaces so that a date never wraps across lines (docs/design.md §13).

use crate::intake::Lang;
use crate::protocol::day::Day;

const BULAN: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `2026-12-01` → `1 Desember 2026` (Indonesian) or `1 December 2026`; a malformed day is shown as is.
pub(crate) fn long_date(day: &Day, l: Lang) -> String {
    let s = day.as_str();
    let mut parts = s.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return s.to_owned();
    };
    let (Ok(m), Ok(d)) = (m.parse::<usize>(), d.parse::<u32>()) else {
        return s.to_owned();
    };
    let names = if l == Lang::En { &MONTHS } else { &BULAN };
    match names.get(m.wrapping_sub(1)) {
        Some(month) => format!("{d}\u{a0}{month}\u{a0}{y}"),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_out_and_do_not_wrap() {
        let day = Day::parse("2026-12-01").unwrap();
        assert_eq!(long_date(&day, Lang::Id), "1\u{a0}Desember\u{a0}2026");
        assert_eq!(long_date(&day, Lang::En), "1\u{a0}December\u{a0}2026");
        let day = Day::parse("2027-01-31").unwrap();
        assert_eq!(long_date(&day, Lang::Id), "31\u{a0}Januari\u{a0}2027");
    }
}
