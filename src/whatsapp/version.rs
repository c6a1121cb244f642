//! The Graph API version (docs/whatsapp.md "Graph API version"): its own setting, checked at start
//! against the versions Meta publishes with their end of support (compiled in; Meta's changelog at
//! <https://developers.facebook.com/docs/graph-api/changelog/versions/>, as of 2026-08). A version that
//! Meta stops within 90 days, or already stopped, or that the table does not know, is warned about.

use crate::protocol::day::Day;

/// The version requests use when none is configured: the current one.
pub(crate) const DEFAULT_VERSION: &str = "v26.0";
/// How long before the end of support the start-up warning begins.
pub(crate) const WARN_DAYS: i64 = 90;

/// `(version, last day Meta supports it)`; `None`: no end announced yet.
const SUPPORT: &[(&str, Option<&str>)] = &[
    ("v26.0", None),
    ("v25.0", Some("2028-07-29")),
    ("v24.0", Some("2028-02-18")),
    ("v23.0", Some("2027-10-08")),
    ("v22.0", Some("2027-05-20")),
    ("v21.0", Some("2027-01-21")),
    ("v20.0", Some("2026-09-24")),
    ("v19.0", Some("2026-05-21")),
];

/// Whether `v` has the shape of a Graph API version (`v26.0`).
pub(crate) fn is_version(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('v') else {
        return false;
    };
    let mut parts = rest.split('.');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

/// What to warn about for `version` on `today`, if anything.
pub(crate) fn warning(version: &str, today: &Day) -> Option<String> {
    let Some((_, end)) = SUPPORT.iter().find(|(v, _)| *v == version) else {
        return Some(format!(
            "Graph API version {version} is not in this release's support table: check Meta's changelog that it is still supported (the default is {DEFAULT_VERSION})"
        ));
    };
    let end = Day::parse((*end)?)?;
    if end.as_str() < today.as_str() {
        return Some(format!(
            "Meta's support for Graph API version {version} ended on {}: set [whatsapp] graph_api_version to a current version (e.g. {DEFAULT_VERSION})",
            end.as_str()
        ));
    }
    let soon = today.plus_days(WARN_DAYS);
    (end.as_str() <= soon.as_str()).then(|| {
        format!(
            "Meta's support for Graph API version {version} ends on {}: set [whatsapp] graph_api_version to a current version (e.g. {DEFAULT_VERSION}) before then",
            end.as_str()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse(s).expect("day")
    }

    #[test]
    fn the_warning_starts_ninety_days_before_the_end_of_support() {
        assert!(warning(DEFAULT_VERSION, &day("2026-12-01")).is_none());
        assert!(warning("v25.0", &day("2026-12-01")).is_none());
        let w = warning("v21.0", &day("2026-12-01")).expect("ends 2027-01-21");
        assert!(
            w.contains("2027-01-21") && w.contains(DEFAULT_VERSION),
            "{w}"
        );
        assert!(
            warning("v21.0", &day("2026-10-23")).is_some(),
            "90 days before"
        );
        assert!(
            warning("v21.0", &day("2026-10-22")).is_none(),
            "91 days before"
        );
        assert!(warning("v20.0", &day("2026-12-01"))
            .expect("ended")
            .contains("ended"));
        assert!(warning("v99.0", &day("2026-12-01"))
            .expect("unknown")
            .contains("not in"));
    }

    #[test]
    fn versions_have_their_shape() {
        assert!(is_version("v26.0") && is_version("v9.1"));
        for bad in ["26.0", "v26", "v26.0/", "v2a.0", "v26.0.1", "", "v.0"] {
            assert!(!is_version(bad), "{bad}");
        }
    }
}
