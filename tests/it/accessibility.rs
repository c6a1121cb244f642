//! Accessibility by construction: axe-core in real Chromium (JavaScript off for the page) over every
//! reporter page and state, failing on any violation; and the semantic points axe cannot judge.

use crate::support;
use crate::support::browser::Driver;
use crate::support::Env;

/// The JavaScript-off browser a reporter uses, and a second one that runs axe-core over what it shows.
struct Browsers {
    d: Driver,
    axe: Driver,
    origin: String,
    found: Vec<String>,
}

impl Browsers {
    /// Runs axe over the page the reporter's browser shows; what it finds is named by `state`.
    async fn check(&mut self, state: &str) {
        let html = self.d.source().await;
        for v in self.axe.axe_violations(&self.origin, &html).await {
            self.found.push(format!("{state}: {v}"));
        }
    }
}

#[tokio::test]
#[ignore = "needs chromium, chromium-driver and axe-core (installed by .ci/run)"]
async fn axe_finds_no_violation_on_any_reporter_page() {
    let env = Env::new();
    let mut server = env.start();
    let mut b = Browsers {
        d: Driver::start().await,
        axe: Driver::with_scripts().await,
        origin: server.url("/tidak-ada"),
        found: Vec::new(),
    };
    // The harness itself: a page with known faults must fail.
    let bad = b
        .axe
        .axe_violations(
            &b.origin,
            "<!doctype html><html><body><input name=x><img src=/static/logo></body></html>",
        )
        .await;
    assert!(
        bad.iter().any(|v| v.starts_with("label"))
            && bad.iter().any(|v| v.starts_with("image-alt")),
        "axe must find the faults of a broken page: {bad:?}"
    );
    for lang in ["", "?lang=en"] {
        for path in [
            "/",
            "/lapor",
            "/pantau",
            "/bantuan",
            "/privasi",
            "/panduan",
            "/tidak-ada",
        ] {
            b.d.goto(&server.url(&format!("{path}{lang}"))).await;
            b.check(&format!("{path}{lang}")).await;
        }
    }
    // The form with every kind of mistake shown.
    b.d.goto(&server.url("/lapor")).await;
    b.d.click("#kirim").await;
    b.d.wait_for(".errors").await;
    b.check("form with errors").await;
    // The receipt, the anonymous receipt, the thank-you page.
    b.d.goto(&server.url("/lapor")).await;
    b.d.click("input[name='reporter.kind'][value='public']")
        .await;
    b.d.click("#category option[value='PUNGLI']").await;
    b.d.type_into(
        "#chronology",
        "Ada pungutan liar di loket pelayanan setiap pagi.",
    )
    .await;
    b.d.type_into("#parties-0-name", "Budi").await;
    b.d.type_into("#parties-0-position", "Petugas loket").await;
    b.d.type_into("#parties-0-unit", "Pelayanan").await;
    b.d.type_into("#incident-when", "Maret 2026").await;
    b.d.type_into("#incident-place", "Loket 3").await;
    b.d.click("#reporter-anonymous").await;
    b.d.click("input[name='good_faith']").await;
    b.d.click("#kirim").await;
    b.d.wait_for("#resi").await;
    b.check("anonymous receipt").await;
    let receipt = support::receipt_in(&b.d.source().await).unwrap();
    b.d.click("input[name='saved']").await;
    b.d.click("form[action^='/lapor/selesai'] button").await;
    b.d.wait_for("main a.button").await;
    b.check("saved").await;
    // The follow-up: a typo, then the case page with a message.
    b.d.goto(&server.url("/pantau")).await;
    b.d.type_into("#receipt", "1ABC").await;
    b.d.click("form[action='/pantau'] button").await;
    b.d.wait_for(".error").await;
    b.check("login with a typo").await;
    assert_eq!(
        b.d.value("#receipt").await,
        "1ABC",
        "the typo is kept to be corrected"
    );
    b.d.clear("#receipt").await;
    b.d.type_into("#receipt", &receipt).await;
    b.d.click("form[action='/pantau'] button").await;
    b.d.wait_for("#thread-title").await;
    b.d.type_into("#body", "Saya menyimpan salinan kuitansinya.")
        .await;
    b.d.click("#kirim").await;
    b.d.wait_for(".thread li.from-me").await;
    b.check("case page with a message").await;
    b.d.click("form.logout button").await;
    b.d.wait_for("#receipt").await;
    b.check("logged out").await;
    server.stop();
    assert!(
        b.found.is_empty(),
        "axe-core violations:\n{}",
        b.found.join("\n")
    );
}
