//! Calendar days. Plaintext dates in WBS have day precision only (docs/design.md §6), in UTC.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A UTC day as `YYYY-MM-DD`. Always a real calendar day: parsing refuses anything else, so a stored
/// or received day is never silently read as 1970.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(String);

impl serde::Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Day::parse(&s).ok_or_else(|| serde::de::Error::custom("not a day (YYYY-MM-DD)"))
    }
}

impl Day {
    pub fn from_unix(secs: u64) -> Self {
        let days = (secs / 86_400) as i64;
        let (y, m, d) = civil_from_days(days);
        Day(format!("{y:04}-{m:02}-{d:02}"))
    }

    pub fn today() -> Self {
        Self::from_unix(unix_now())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Midnight UTC of this day, for file times that must not narrow when something happened.
    pub fn midnight(&self) -> SystemTime {
        let days = self.parse_days().unwrap_or(0);
        UNIX_EPOCH + Duration::from_secs((days.max(0) as u64) * 86_400)
    }

    /// Parses `YYYY-MM-DD`, rejecting anything else (including impossible dates).
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let d = Day(s.to_owned());
        let days = d.parse_days()?;
        (Day::from_days(days) == d).then_some(d)
    }

    fn from_days(days: i64) -> Self {
        let (y, m, d) = civil_from_days(days);
        Day(format!("{y:04}-{m:02}-{d:02}"))
    }

    /// The day `n` days later (or earlier, for negative `n`).
    pub fn plus_days(&self, n: i64) -> Self {
        Day::from_days(self.parse_days().unwrap_or(0) + n)
    }

    /// Monday = 0 … Sunday = 6.
    pub fn weekday(&self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        ((self.parse_days().unwrap_or(0) + 3).rem_euclid(7)) as u32
    }

    fn parse_days(&self) -> Option<i64> {
        let mut it = self.0.split('-');
        let y: i64 = it.next()?.parse().ok()?;
        let m: u32 = it.next()?.parse().ok()?;
        let d: u32 = it.next()?.parse().ok()?;
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            return None;
        }
        Some(days_from_civil(y, m, d))
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        .saturating_add(test_days_ahead() * 86_400)
}

/// Debug builds only (the integration tests run them): `WBS_TEST_DAYS_AHEAD=N` moves the server's
/// clock N days forward, so that a test can see what a copy of the disk holds after the daily
/// WhatsApp keys rotated (docs/design.md §9). Release builds never read it.
#[cfg(debug_assertions)]
fn test_days_ahead() -> u64 {
    static DAYS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *DAYS.get_or_init(|| {
        std::env::var("WBS_TEST_DAYS_AHEAD")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|d| *d <= 30)
            .unwrap_or(0)
    })
}

#[cfg(not(debug_assertions))]
fn test_days_ahead() -> u64 {
    0
}

// Howard Hinnant's algorithms for the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_takes_real_days_only() {
        assert!(serde_json::from_str::<Day>("\"2026-02-28\"").is_ok());
        assert!(serde_json::from_str::<Day>("\"2026-02-30\"").is_err());
        assert!(serde_json::from_str::<Day>("\"yesterday\"").is_err());
        let d = Day::from_unix(1_796_083_200);
        assert_eq!(
            serde_json::to_string(&d).ok().as_deref(),
            Some("\"2026-12-01\"")
        );
    }

    #[test]
    fn known_days() {
        assert_eq!(Day::from_unix(0).as_str(), "1970-01-01");
        assert_eq!(Day::from_unix(1_796_083_200).as_str(), "2026-12-01");
        assert_eq!(Day::from_unix(951_782_400).as_str(), "2000-02-29");
        let d = Day::from_unix(1_796_083_200 + 5000);
        assert_eq!(
            d.midnight(),
            UNIX_EPOCH + Duration::from_secs(1_796_083_200)
        );
    }
}
