//! Browser tests: real headless Chromium, JavaScript disabled (Tor Browser "Safest"), driven through
//! ChromeDriver with `fantoccini` (see `support::browser`). They need Debian's `chromium` and
//! `chromium-driver`.
use crate::support;

use crate::support::browser::{Driver, ENTER};
use crate::support::Env;

async fn fill_required(d: &Driver, marker: &str) {
    d.click("input[name='reporter.kind'][value='staff']").await;
    d.click("#category option[value='GRATIFIKASI']").await;
    d.type_into(
        "#chronology",
        &format!("Kepala seksi menerima hadiah dari pemohon izin {marker}."),
    )
    .await;
    d.type_into("#parties-0-name", "Pak Anton").await;
    d.type_into("#parties-0-position", "Kepala Seksi").await;
    d.type_into("#parties-0-unit", "Bidang Perizinan").await;
    d.type_into("#incident-when", "Januari 2026").await;
    d.type_into("#incident-place", "Kantor DPMPTSP").await;
    d.type_into("#reporter-name", "Mawar").await;
    d.click("input[name='good_faith']").await;
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (Debian packages)"]
async fn a_report_can_be_sent_with_javascript_off() {
    let env = Env::new();
    let mut server = env.start();
    let d = Driver::start().await;
    assert!(
        !d.scripts_enabled().await,
        "JavaScript must be off in this browser"
    );

    d.goto(&server.url("/")).await;
    d.screenshot("home").await;
    d.click("a.button").await;
    fill_required(&d, "BROWSER-MARKER").await;
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("bukti.png");
    std::fs::write(&photo, support::tiny_png()).unwrap();
    d.type_into("#attachments", photo.to_str().unwrap()).await;
    d.screenshot("form-filled").await;
    d.click("#kirim").await;
    d.wait_for("#resi").await;

    let page = d.source().await;
    d.screenshot("receipt").await;
    let receipt = support::receipt_in(&page).unwrap_or_else(|| panic!("no receipt in:\n{page}"));
    assert!(support::looks_like_receipt(&receipt), "{receipt}");
    assert!(
        page.contains("1 lampiran"),
        "the attachment is acknowledged"
    );

    // The explicit "I have saved it" step: the box must be ticked, then the receipt is gone.
    d.click("input[name='saved']").await;
    d.click("form[action^='/lapor/selesai'] button").await;
    d.wait_for("main a.button").await;
    let thanks = d.source().await;
    assert!(thanks.contains("Terima kasih"), "{thanks}");
    assert!(!thanks.contains(&receipt));
    server.stop();
    assert_eq!(env.case_count(), 1);
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (Debian packages)"]
async fn mistakes_keep_what_was_typed_and_enter_does_not_add_a_row() {
    let env = Env::new();
    let mut server = env.start();
    let d = Driver::start().await;
    d.goto(&server.url("/lapor")).await;

    // Enter in a text field submits the report (the default action), not "add a person".
    d.type_into(
        "#chronology",
        "Ada pungutan liar di loket pelayanan setiap pagi.",
    )
    .await;
    d.type_into("#incident-place", &format!("Loket 3{ENTER}"))
        .await;
    d.wait_for(".errors").await;
    let page = d.source().await;
    d.screenshot("errors").await;
    assert_eq!(d.count(".party").await, 2, "Enter must not add a row");
    assert!(
        page.contains("Periksa kembali isian berikut"),
        "errors are summarised"
    );
    assert!(page.contains("Ada pungutan liar di loket pelayanan setiap pagi."));
    assert!(page.contains("value=\"Loket 3\""));
    assert!(
        d.count(".invalid").await >= 3,
        "fields with problems are marked"
    );

    // "Add a person" adds a row and keeps everything.
    d.click("button[value='add_party']").await;
    d.wait_for("#parties-2-name").await;
    assert_eq!(d.count(".party").await, 3);
    assert!(d
        .source()
        .await
        .contains("Ada pungutan liar di loket pelayanan setiap pagi."));

    // Completing the rest sends it.
    d.click("input[name='reporter.kind'][value='public']").await;
    d.click("#category option[value='PUNGLI']").await;
    d.type_into("#parties-0-name", "Budi").await;
    d.type_into("#parties-0-position", "Petugas loket").await;
    d.type_into("#parties-0-unit", "Pelayanan").await;
    d.type_into("#incident-when", "setiap pagi, Maret 2026")
        .await;
    d.click("#reporter-anonymous").await;
    d.click("input[name='good_faith']").await;
    d.click("#kirim").await;
    d.wait_for("#resi").await;
    let done = d.source().await;
    assert!(support::receipt_in(&done).is_some(), "{done}");
    assert!(
        done.contains("Laporan anonim"),
        "the anonymous consequence is explained"
    );
    server.stop();
    assert_eq!(env.case_count(), 1);
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (Debian packages)"]
async fn english_pages_are_complete() {
    let env = Env::new();
    let mut server = env.start();
    let d = Driver::start().await;
    d.goto(&server.url("/lapor?lang=en")).await;
    d.click("#kirim").await;
    d.wait_for(".errors").await;
    let page = d.source().await;
    assert!(page.contains("Please check the following"), "{page}");
    assert!(page.contains("Required."));
    assert!(page.contains("lang=\"en\""));
    server.stop();
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (Debian packages)"]
async fn a_reporter_follows_up_with_javascript_off() {
    let env = Env::new();
    let mut server = env.start();
    let d = Driver::start().await;
    d.goto(&server.url("/lapor")).await;
    fill_required(&d, "FOLLOW-UP").await;
    d.click("#kirim").await;
    d.wait_for("#resi").await;
    let page = d.source().await;
    let receipt = support::receipt_in(&page).unwrap();

    d.goto(&server.url("/pantau")).await;
    // Typed as a person might: lower case, with spaces.
    d.type_into("#receipt", &receipt.to_lowercase().replace('-', " "))
        .await;
    d.click("form[action='/pantau'] button").await;
    d.wait_for("#thread-title").await;
    let case = d.source().await;
    assert!(case.contains("Status: Diterima"), "{case}");
    assert!(case.contains("Diverifikasi paling lambat"));
    d.type_into("#body", "Saya menyimpan salinan kuitansinya.")
        .await;
    d.click("#kirim").await;
    d.wait_for(".thread li.from-me").await;
    d.screenshot("pantau").await;
    assert!(d
        .source()
        .await
        .contains("Saya menyimpan salinan kuitansinya."));

    // Logging out ends the session: reloading shows the receipt form again.
    d.click("form.logout button").await;
    d.wait_for("#receipt").await;
    d.goto(&server.url("/pantau")).await;
    d.wait_for("#receipt").await;
    assert!(!d
        .source()
        .await
        .contains("Saya menyimpan salinan kuitansinya."));
    server.stop();
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (Debian packages)"]
async fn reload_and_back_show_the_same_receipt() {
    let env = Env::new();
    let mut server = env.start();
    let d = Driver::start().await;
    d.goto(&server.url("/lapor")).await;
    fill_required(&d, "RELOAD").await;
    d.click("#kirim").await;
    d.wait_for("#resi").await;
    let receipt = support::receipt_in(&d.source().await).unwrap();

    // Reload sends the form again: the same receipt, not "already sent".
    d.refresh().await;
    d.wait_for("#resi").await;
    let again = d.source().await;
    assert_eq!(
        support::receipt_in(&again).as_deref(),
        Some(receipt.as_str()),
        "{again}"
    );

    // Leaving by the address bar, then Back and reload: the receipt again.
    d.goto(&server.url("/")).await;
    d.back().await;
    d.refresh().await;
    d.wait_for("#resi").await;
    let back = d.source().await;
    assert_eq!(
        support::receipt_in(&back).as_deref(),
        Some(receipt.as_str()),
        "{back}"
    );
    assert!(!back.contains("sudah terkirim"));
    server.stop();
    assert_eq!(env.case_count(), 1, "reloads store no second case");
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (Debian packages)"]
async fn the_language_switch_keeps_what_was_typed() {
    let env = Env::new();
    let mut server = env.start();
    let d = Driver::start().await;
    d.goto(&server.url("/lapor")).await;
    fill_required(&d, "SWITCH").await;
    d.click("button[value='switch_lang']").await;
    d.wait_for("html[lang='en']").await;
    let page = d.source().await;
    assert!(page.contains("Send report"), "{page}");
    assert!(d.value("#chronology").await.contains("SWITCH"));
    assert_eq!(d.value("#parties-0-name").await, "Pak Anton");
    assert_eq!(d.value("#reporter-name").await, "Mawar");
    // And back to Indonesian, still everything.
    d.click("button[value='switch_lang']").await;
    d.wait_for("html[lang='id']").await;
    assert!(d.value("#chronology").await.contains("SWITCH"));
    d.click("#kirim").await;
    d.wait_for("#resi").await;
    server.stop();
    assert_eq!(env.case_count(), 1);
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (Debian packages)"]
async fn a_followup_typed_across_a_session_end_is_sent_after_login() {
    let env = Env::new();
    let mut server = env.start();
    let d = Driver::start().await;
    d.goto(&server.url("/lapor")).await;
    fill_required(&d, "EXPIRY").await;
    d.click("#kirim").await;
    d.wait_for("#resi").await;
    let receipt = support::receipt_in(&d.source().await).unwrap();
    d.goto(&server.url("/pantau")).await;
    d.type_into("#receipt", &receipt).await;
    d.click("form[action='/pantau'] button").await;
    d.wait_for("#thread-title").await;
    assert!(
        d.source().await.contains("15 menit"),
        "the case page states the idle limit"
    );

    // The reporter writes for a long time; meanwhile the session ends (its cookie is gone).
    d.type_into("#body", "Kuitansi kedua ada di laci meja loket 3.")
        .await;
    d.forget_cookies().await;
    d.click("#kirim").await;
    d.wait_for("#receipt").await;
    let login = d.source().await;
    assert!(login.contains("memori server"), "{login}");
    assert!(
        !login.contains("Kuitansi kedua"),
        "the text is not put in the login page"
    );

    // Logging in again brings the text back, and it is sent.
    d.type_into("#receipt", &receipt).await;
    d.click("form[action='/pantau'] button").await;
    d.wait_for("#thread-title").await;
    assert_eq!(
        d.value("#body").await,
        "Kuitansi kedua ada di laci meja loket 3."
    );
    d.click("#kirim").await;
    d.wait_for(".thread li.from-me").await;
    assert!(d
        .source()
        .await
        .contains("Kuitansi kedua ada di laci meja loket 3."));
    server.stop();
}
