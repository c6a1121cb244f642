//! Everything the bot writes (the messages are in `locales/*/whatsapp.ftl`, Bahasa Indonesia first and
//! English second). Interactive bodies stay under 1024 characters, button titles under 20, list row
//! titles under 24 (tested below).

use crate::intake::report::{category, MAX_PARTIES, MIN_CHRONOLOGY};
use crate::intake::Lang;

/// Where the web pages are, for messages (`public_url` in the configuration), or a description.
pub(crate) fn site(public_url: Option<&str>, path: &str, l: Lang) -> String {
    match public_url {
        Some(u) => format!("{u}{path}"),
        None => l.text("wa-site").to_owned(),
    }
}

pub(crate) fn notice(l: Lang, form: &str) -> String {
    l.text_with("wa-notice", &[("form", &form)])
}

pub(crate) fn consent_buttons(l: Lang) -> [(&'static str, &'static str); 3] {
    let (yes, no, other) = (
        l.text("wa-consent-yes"),
        l.text("wa-consent-no"),
        l.text("wa-other-language"),
    );
    match l {
        Lang::Id => [("consent-yes", yes), ("consent-no", no), ("lang-en", other)],
        Lang::En => [
            ("consent-yes-en", yes),
            ("consent-no", no),
            ("lang-id", other),
        ],
    }
}

pub(crate) fn not_stored_yet(l: Lang) -> &'static str {
    l.text("wa-not-stored-yet")
}

pub(crate) fn no_report_running(l: Lang) -> &'static str {
    l.text("wa-no-report-running")
}

pub(crate) fn declined(l: Lang, form: &str) -> String {
    l.text_with("wa-declined", &[("form", &form)])
}

pub(crate) fn consent_thanks(l: Lang) -> &'static str {
    l.text("wa-consent-thanks")
}

pub(crate) fn category_prompt(l: Lang) -> &'static str {
    l.text("wa-category-prompt")
}

pub(crate) fn category_more_prompt(l: Lang) -> &'static str {
    l.text("wa-category-more-prompt")
}

pub(crate) fn category_button(l: Lang) -> &'static str {
    l.text("wa-category-button")
}

pub(crate) fn category_section(l: Lang) -> &'static str {
    l.text("wa-category-section")
}

pub(crate) fn more(l: Lang) -> (&'static str, &'static str) {
    (l.text("wa-more-title"), l.text("wa-more-description"))
}

pub(crate) fn back(l: Lang) -> (&'static str, &'static str) {
    (l.text("wa-back-title"), l.text("wa-back-description"))
}

/// Short category titles (≤ 24 characters) for list rows; the full label is the row's description.
pub(crate) fn category_title(code: &str, l: Lang) -> &'static str {
    match category(code) {
        Some(c) => c.title(l),
        None => l.text("category-lainnya-short"),
    }
}

pub(crate) fn choose_from_list(l: Lang) -> &'static str {
    l.text("wa-choose-from-list")
}

pub(crate) fn kind_prompt(l: Lang) -> &'static str {
    l.text("wa-kind-prompt")
}

pub(crate) fn kind_buttons(l: Lang) -> [(&'static str, &'static str); 2] {
    [
        ("kind-public", l.text("wa-kind-public")),
        ("kind-staff", l.text("reporter-kind-staff")),
    ]
}

pub(crate) fn chronology_prompt(l: Lang) -> String {
    l.text_with("wa-chronology-prompt", &[("min", &MIN_CHRONOLOGY)])
}

pub(crate) fn chronology_ack(l: Lang, parts: usize) -> String {
    l.text_with("wa-chronology-ack", &[("parts", &parts)])
}

pub(crate) fn next_button(l: Lang) -> (&'static str, &'static str) {
    ("next", l.text("wa-next-button"))
}

pub(crate) fn party_prompt(l: Lang, n: usize) -> String {
    l.text_with("wa-party-prompt", &[("n", &n)])
}

pub(crate) fn party_ack(l: Lang, n: usize) -> String {
    l.text_with("wa-party-ack", &[("n", &n)])
}

pub(crate) fn party_buttons(l: Lang) -> [(&'static str, &'static str); 2] {
    [
        ("party-add", l.text("wa-add-person")),
        ("next", l.text("wa-next-button")),
    ]
}

pub(crate) fn party_full(l: Lang) -> String {
    l.text_with("wa-party-full", &[("max", &MAX_PARTIES)])
}

pub(crate) fn part_label(path: &str, l: Lang) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "name" => l.text("form-name"),
        "position" => l.text("form-position"),
        "unit" => l.text("form-unit"),
        _ => l.text("wa-part-entry"),
    }
}

pub(crate) fn when_prompt(l: Lang) -> &'static str {
    l.text("wa-when-prompt")
}

pub(crate) fn place_prompt(l: Lang) -> &'static str {
    l.text("wa-place-prompt")
}

pub(crate) fn name_prompt(l: Lang) -> &'static str {
    l.text("wa-name-prompt")
}

pub(crate) fn anon_button(l: Lang) -> (&'static str, &'static str) {
    ("anon", l.text("wa-anon-button"))
}

pub(crate) fn anonymous_note(l: Lang) -> &'static str {
    l.text("wa-anonymous-note")
}

pub(crate) fn evidence_prompt(l: Lang, max_files: usize, max_mb: u64) -> String {
    l.text_with(
        "wa-evidence-prompt",
        &[("max_files", &max_files), ("max_mb", &max_mb)],
    )
}

pub(crate) fn evidence_ack(l: Lang) -> &'static str {
    l.text("wa-evidence-ack")
}

pub(crate) fn contact_prompt(l: Lang) -> &'static str {
    l.text("wa-contact-prompt")
}

pub(crate) fn contact_buttons(l: Lang) -> [(&'static str, &'static str); 2] {
    [
        ("contact-yes", l.text("wa-contact-yes")),
        ("contact-no", l.text("wa-no")),
    ]
}

pub(crate) fn use_buttons(l: Lang) -> &'static str {
    l.text("wa-use-buttons")
}

pub(crate) fn not_repeated(l: Lang) -> &'static str {
    l.text("wa-not-repeated")
}

pub(crate) fn summary_labels(l: Lang) -> [&'static str; 9] {
    [
        l.text("wa-summary-category"),
        l.text("wa-summary-reporter"),
        l.text("wa-summary-chronology"),
        l.text("wa-summary-parties"),
        l.text("wa-summary-when"),
        l.text("wa-summary-place"),
        l.text("wa-summary-name"),
        l.text("wa-summary-evidence"),
        l.text("wa-summary-contact"),
    ]
}

pub(crate) fn summary_head(l: Lang) -> &'static str {
    l.text("wa-summary-head")
}

pub(crate) fn summary_foot(l: Lang) -> &'static str {
    l.text("wa-summary-foot")
}

pub(crate) fn summary_restarted(l: Lang) -> &'static str {
    l.text("wa-summary-restarted")
}

pub(crate) fn summary_buttons(l: Lang) -> [(&'static str, &'static str); 3] {
    [
        ("confirm", l.text("form-send-report-button")),
        ("change", l.text("wa-change")),
        ("cancel", l.text("wa-cancel")),
    ]
}

pub(crate) fn yes_no(l: Lang, v: bool) -> &'static str {
    match v {
        true => l.text("wa-yes"),
        false => l.text("wa-no"),
    }
}

pub(crate) fn change_prompt(l: Lang) -> &'static str {
    l.text("wa-change-prompt")
}

pub(crate) fn change_button(l: Lang) -> &'static str {
    l.text("wa-change-button")
}

pub(crate) fn files_label(l: Lang) -> &'static str {
    l.text("wa-files-label")
}

pub(crate) fn wait_for_files(l: Lang, n: u32) -> String {
    l.text_with("wa-wait-for-files", &[("n", &n)])
}

pub(crate) fn stored(
    l: Lang,
    case_id: &str,
    receipt: &str,
    pantau: &str,
    acknowledge_days: u32,
) -> String {
    l.text_with(
        "wa-stored",
        &[
            ("case_id", &case_id),
            ("receipt", &receipt),
            ("pantau", &pantau),
            ("days", &acknowledge_days),
        ],
    )
}

pub(crate) fn store_failed(l: Lang) -> &'static str {
    l.text("wa-store-failed")
}

pub(crate) fn cancelled(l: Lang) -> &'static str {
    l.text("wa-cancelled")
}

pub(crate) fn help(l: Lang) -> &'static str {
    l.text("wa-help")
}

pub(crate) fn status_ask(l: Lang) -> &'static str {
    l.text("wa-status-ask")
}

pub(crate) fn status_unknown(l: Lang) -> &'static str {
    l.text("wa-status-unknown")
}

pub(crate) fn status_head(l: Lang, case_id: &str) -> String {
    l.text_with("wa-status-head", &[("case_id", &case_id)])
}

pub(crate) fn status_foot(l: Lang) -> &'static str {
    l.text("wa-status-foot")
}

pub(crate) fn unsupported(l: Lang) -> &'static str {
    l.text("wa-unsupported")
}

pub(crate) fn party_unknown_hint(l: Lang) -> &'static str {
    l.text("wa-party-unknown-hint")
}

pub(crate) fn history_warning(l: Lang) -> &'static str {
    l.text("wa-history-warning")
}

pub(crate) fn stale_button(l: Lang) -> &'static str {
    l.text("wa-stale-button")
}

pub(crate) fn edited(l: Lang) -> &'static str {
    l.text("wa-edited")
}

pub(crate) fn audio_video(l: Lang) -> &'static str {
    l.text("wa-audio-video")
}

pub(crate) fn place_elsewhere(l: Lang) -> &'static str {
    l.text("wa-place-elsewhere")
}

pub(crate) fn place_unnamed(l: Lang) -> &'static str {
    l.text("wa-place-unnamed")
}

pub(crate) fn command_taken_as_answer(l: Lang, command: &str) -> String {
    l.text_with("wa-command-as-answer", &[("command", &command)])
}

pub(crate) fn resumed(l: Lang) -> &'static str {
    l.text("wa-resumed")
}

pub(crate) fn lost_files(l: Lang, n: u32) -> String {
    l.text_with("wa-lost-files", &[("n", &n)])
}

pub(crate) fn late_note(l: Lang) -> &'static str {
    l.text("wa-late-note")
}

pub(crate) fn notes_full(l: Lang) -> &'static str {
    l.text("wa-notes-full")
}

pub(crate) fn before_consent(l: Lang) -> &'static str {
    l.text("wa-before-consent")
}

pub(crate) fn file_stored(l: Lang, name: &str, count: usize) -> String {
    l.text_with("wa-file-stored", &[("name", &name), ("count", &count)])
}

pub(crate) fn file_too_large(l: Lang, name: &str, max_mb: u64) -> String {
    l.text_with("wa-file-too-large", &[("name", &name), ("max_mb", &max_mb)])
}

pub(crate) fn file_wrong_type(l: Lang, name: &str) -> String {
    l.text_with("wa-file-wrong-type", &[("name", &name)])
}

pub(crate) fn file_damaged(l: Lang, name: &str) -> String {
    l.text_with("wa-file-damaged", &[("name", &name)])
}

pub(crate) fn file_failed(l: Lang, name: &str) -> String {
    l.text_with("wa-file-failed", &[("name", &name)])
}

pub(crate) fn too_many_files(l: Lang, max: usize) -> String {
    l.text_with("wa-too-many-files", &[("max", &max)])
}

pub(crate) fn busy(l: Lang) -> &'static str {
    l.text("wa-busy")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::report::CATEGORIES;
    use crate::whatsapp::reply::*;

    #[test]
    fn texts_fit_the_cloud_api_limits() {
        for l in [Lang::Id, Lang::En] {
            let url = "https://wbs.dpmptsp.tarakankota.go.id/lapor";
            for body in [
                notice(l, url),
                chronology_prompt(l),
                party_prompt(l, 10),
                evidence_prompt(l, 10, 20),
                contact_prompt(l).to_owned(),
                change_prompt(l).to_owned(),
            ] {
                assert!(body.chars().count() <= MAX_INTERACTIVE_BODY, "{body}");
            }
            let buttons = consent_buttons(l)
                .into_iter()
                .chain(kind_buttons(l))
                .chain(party_buttons(l))
                .chain(contact_buttons(l))
                .chain(summary_buttons(l))
                .chain([next_button(l), anon_button(l)]);
            for (_, title) in buttons {
                assert!(title.chars().count() <= MAX_BUTTON_TITLE, "{title}");
            }
            for c in CATEGORIES {
                assert!(category_title(c.code, l).chars().count() <= MAX_ROW_TITLE);
                assert!(c.label(l).chars().count() <= MAX_ROW_DESCRIPTION);
            }
            for t in [category_button(l), change_button(l)] {
                assert!(t.chars().count() <= MAX_LIST_BUTTON);
            }
            assert!(files_label(l).chars().count() <= MAX_ROW_TITLE);
            assert!(more(l).0.chars().count() <= MAX_ROW_TITLE);
            let stored = stored(l, "WBS-AAAA-BBBB-CCCC", "1AAA-BBBB-CCCC-DDDD-EEEE", url, 3);
            assert!(stored.chars().count() <= MAX_TEXT);
        }
    }
}
