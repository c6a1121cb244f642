//! What the site says and how it looks, as a reporter meets it: the help pages, the privacy notice and
//! the guide are served and linked; the office's identity and onion address come from `[site]`; the
//! form is accessible by construction; and no page weighs more than 20 KB at first visit.

use crate::support::app;
use crate::support::command;
use crate::support::http::*;
use crate::support::*;

const HELP_SECTIONS: [&str; 7] = [
    "resi-hilang",
    "kode",
    "metadata",
    "berkas",
    "tim",
    "situs-asli",
    "tor",
];

#[tokio::test]
async fn help_privacy_and_guide_are_served_in_both_languages() {
    let app = app::router();
    for lang in ["", "?lang=en"] {
        let help = app.get(&format!("/bantuan{lang}"), &[]).await;
        assert_eq!(help.status, 200);
        let help = help.text();
        for id in HELP_SECTIONS {
            assert!(
                help.contains(&format!("id=\"{id}\"")),
                "help section {id}{lang}"
            );
        }
        for place in ["Inspektorat", "KPK", "Ombudsman", "APIP"] {
            assert!(help.contains(place), "help names {place}{lang}");
        }
        assert!(help.contains("torproject.org"));
        let privacy = app.get(&format!("/privasi{lang}"), &[]).await;
        assert_eq!(privacy.status, 200);
        let privacy = privacy.text();
        // No `[retention]` rule is configured here: the notice says so instead of naming a period
        // the server does not keep.
        let no_rule = if lang.is_empty() {
            "belum menetapkan"
        } else {
            "has not set"
        };
        for fact in ["27/2022", "LPSK", "proxy", "24", no_rule] {
            assert!(
                privacy.contains(fact),
                "the privacy notice states {fact:?}{lang}"
            );
        }
        let guide = app.get(&format!("/panduan{lang}"), &[]).await;
        assert_eq!(guide.status, 200);
        // The guide in the page's language (docs/reporter-guide.md in English).
        let heading = if lang.is_empty() {
            "Perlindungan hukum"
        } else {
            "Legal protection"
        };
        assert!(guide.text().contains(heading), "the guide is served{lang}");
    }
    // The demo server says, where it promises, that the promise does not hold here.
    assert!(app.get("/privasi", &[]).await.text().contains("DEMO:"));
    assert!(app.get("/", &[]).await.text().contains("DEMO:"));
}

#[tokio::test]
async fn help_is_linked_from_the_form_the_receipt_and_pantau() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let form = reply(c.get(s.url("/lapor")).send().await.unwrap())
        .await
        .body;
    assert!(
        form.contains("href=\"/bantuan#metadata\""),
        "form → metadata help"
    );
    assert!(
        form.contains("href=\"/bantuan#berkas\""),
        "form → what the team sees"
    );
    let receipt = submit(&c, &s, &valid_fields(), &[]).await;
    assert!(
        receipt.body.contains("href=\"/bantuan#kode\""),
        "receipt → which code"
    );
    assert!(receipt.body.contains("href=\"/bantuan#resi-hilang\""));
    let login = reply(c.get(s.url("/pantau")).send().await.unwrap())
        .await
        .body;
    assert!(
        login.contains("href=\"/bantuan#resi-hilang\""),
        "pantau → lost receipt"
    );
    s.stop();
}

#[tokio::test]
async fn office_identity_and_onion_address_come_from_the_configuration() {
    // Without [site]: the default office, a plain emblem as logo and favicon, no Onion-Location.
    let app = app::router();
    let home = app.get("/", &[]).await;
    assert!(home.header("onion-location").is_empty());
    assert!(home.text().contains("DPMPTSP Kota Tarakan"));
    assert!(home.text().contains("<img src=\"/static/logo\""));
    let logo = app.get("/static/logo", &[]).await;
    assert_eq!(logo.status, 200);
    assert_eq!(logo.header("content-type"), "image/svg+xml");
    assert_eq!(
        app.get("/favicon.ico", &[]).await.status,
        200,
        "no favicon 404"
    );

    let dir = tempfile::tempdir().unwrap();
    let logo_path = dir.path().join("logo.svg");
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"><title>KANTOR-LOGO</title></svg>";
    std::fs::write(&logo_path, svg).unwrap();
    let onion = format!("{}.onion", "a".repeat(56));
    let env = Env::with_config(&format!(
        "[site]\noffice_name = \"Dinas Contoh Kota Contoh\"\noffice_short_name = \"Dinas Contoh\"\n\
         contact = \"Jl. Contoh No. 1, telepon (0551) 000000\"\nlogo = \"{}\"\nonion_address = \"{onion}\"\n\
         [retention]\nclosed_years = 7\nuntouched_months = 18\n\
         [deadlines]\nacknowledge_working_days = 5\nfeedback_working_days = 20\n",
        logo_path.display()
    ));
    let mut s = env.start();
    let c = client();
    let r = reply(c.get(s.url("/lapor?lang=en")).send().await.unwrap()).await;
    assert_eq!(
        r.headers["onion-location"],
        format!("http://{onion}/lapor?lang=en").as_str()
    );
    assert!(r.body.contains("WBS <span>Dinas Contoh</span>"));
    assert!(r.body.contains("Dinas Contoh Kota Contoh"));
    assert!(r.body.contains("Jl. Contoh No. 1"));
    let logo = c.get(s.url("/static/logo")).send().await.unwrap();
    assert_eq!(logo.text().await.unwrap(), svg);
    let help = reply(c.get(s.url("/bantuan")).send().await.unwrap())
        .await
        .body;
    assert!(
        help.contains(&onion),
        "the help page gives the onion address"
    );
    let privacy = reply(c.get(s.url("/privasi")).send().await.unwrap())
        .await
        .body;
    assert!(
        privacy.contains("dihapus 7 tahun") && privacy.contains("dihapus 18 bulan"),
        "the notice states the retention the server applies"
    );
    assert!(!privacy.contains("belum menetapkan"));
    // The acknowledgement period the pages promise is the one the deadlines keep.
    for path in ["/", "/bantuan"] {
        let page = reply(c.get(s.url(path)).send().await.unwrap()).await.body;
        assert!(
            page.contains("5 hari kerja"),
            "{path} names the configured period"
        );
        assert!(
            !page.contains("3 hari kerja"),
            "{path} names no other period"
        );
    }
    s.stop();
}

#[test]
fn an_oversized_logo_or_a_bad_onion_address_stops_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let logo = dir.path().join("logo.png");
    std::fs::write(&logo, vec![0u8; 2 * 1024 + 1]).unwrap();
    let config = dir.path().join("wbs.toml");
    for (toml, says) in [
        (format!("[site]\nlogo = \"{}\"\n", logo.display()), "20 KB"),
        (
            "[site]\nonion_address = \"example.com\"\n".to_owned(),
            "onion",
        ),
    ] {
        std::fs::write(&config, toml).unwrap();
        let run = command::wbs_in(
            dir.path(),
            [
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--data",
                "data",
                "--keys",
                "keys",
                "--config",
                config.to_str().unwrap(),
            ],
        );
        assert!(!run.success(), "refused: {says}");
        assert!(run.stderr.contains(says), "{}", run.stderr);
    }
}

/// Errors are tied to their fields, the radios are a group, each person field has its own name, and
/// the demo banner is not an alert.
#[tokio::test]
async fn the_form_is_accessible_by_construction() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let form = reply(c.get(s.url("/lapor")).send().await.unwrap())
        .await
        .body;
    assert!(
        !form.contains("role=\"alert\""),
        "the demo banner is polite"
    );
    assert!(form.contains("<p class=\"demo\" role=\"status\">"));
    assert!(
        form.contains("<legend>Anda melapor sebagai *</legend>"),
        "radios in a fieldset"
    );
    assert!(
        !form.contains("aria-invalid"),
        "nothing is wrong before sending"
    );
    for i in 1..=2 {
        assert!(
            form.contains(&format!("Nama<span class=\"vh\"> (Terlapor {i})</span>")),
            "person {i}'s name field says whose"
        );
    }
    let mut f = valid_fields();
    f.retain(|(k, _)| k != "chronology" && k != "parties[0].name");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    for (id, help) in [
        ("chronology", Some("chronology-help")),
        ("parties-0-name", None),
    ] {
        let at = r.body.find(&format!("id=\"{id}\"")).unwrap();
        let tag = &r.body[at..at + r.body[at..].find('>').unwrap()];
        assert!(tag.contains("aria-invalid=\"true\""), "{tag}");
        let described = match help {
            Some(h) => format!("aria-describedby=\"{h} {id}-error\""),
            None => format!("aria-describedby=\"{id}-error\""),
        };
        assert!(tag.contains(&described), "{tag}");
        assert!(
            r.body
                .contains(&format!("<p class=\"error\" id=\"{id}-error\">")),
            "the error {id}-error exists"
        );
    }
    // Leaving the form by the header loses nothing: its links open a new tab and say so, and the
    // language switch submits the form (tests/it/browser.rs checks the values come back).
    for path in ["/lapor", "/pantau", "/bantuan"] {
        assert!(
            form.contains(&format!(
                "<a href=\"{path}\" target=\"_blank\" rel=\"noopener\" aria-describedby=\"tab-baru\">"
            )),
            "{path} opens a new tab from the form"
        );
    }
    assert!(form.contains(
        "<button type=\"submit\" form=\"laporan\" name=\"action\" value=\"switch_lang\""
    ));
    // "Add a person" brings the reporter back to the new row, not to the top.
    assert!(form.contains("formaction=\"/lapor#parties-2-name\""));
    s.stop();
}

/// WCAG 2.2 asks a focus indicator of 3:1 against its surroundings.
#[test]
fn the_focus_ring_has_enough_contrast() {
    let css = include_str!("../../static/style.css");
    let rule = css
        .lines()
        .find(|l| l.starts_with("input:focus"))
        .expect("a focus rule");
    let ink = css
        .split("--ink: ")
        .nth(1)
        .and_then(|r| r.get(..7))
        .expect("--ink");
    assert!(rule.contains("outline: 3px solid var(--ink)"), "{rule}");
    let ratio = contrast(ink, "#ffffff");
    assert!(ratio >= 3.0, "focus ring {ink} on white: {ratio:.2}:1");
    assert!(contrast(ink, "#0b5394") >= 1.0);
}

fn contrast(a: &str, b: &str) -> f64 {
    fn lum(hex: &str) -> f64 {
        let c = |i: usize| {
            let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
    }
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// Every page a reporter can see, with its stylesheet and logo, is at most 20 KB at first visit
/// (a phone on a weak connection; docs/design.md §13). Measured on the bytes the server sends.
#[tokio::test]
async fn every_page_weighs_at_most_20_kb_at_first_visit() {
    const BUDGET: usize = 20 * 1024;
    // The largest logo the configuration accepts (2 KB).
    let dir = tempfile::tempdir().unwrap();
    let logo_path = dir.path().join("logo.png");
    std::fs::write(&logo_path, vec![0u8; 2 * 1024]).unwrap();
    let env = Env::with_config(&format!("[site]\nlogo = \"{}\"\n", logo_path.display()));
    let mut s = env.start();
    let c = client();
    let get = |path: &str| {
        let url = s.url(path);
        let c = c.clone();
        async move { reply(c.get(url).send().await.unwrap()).await }
    };
    let css = get("/static/style.css").await.body.len();
    let logo = c
        .get(s.url("/static/logo"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len();
    assert_eq!(logo, 2 * 1024, "the configured logo is served");
    let mut pages: Vec<(String, usize)> = Vec::new();
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
            let r = get(&format!("{path}{lang}")).await;
            pages.push((format!("{path}{lang}"), r.body.len()));
        }
    }
    let mut f = valid_fields();
    f.retain(|(k, _)| k != "chronology");
    pages.push((
        "form with errors".into(),
        submit(&c, &s, &f, &[]).await.body.len(),
    ));
    let receipt = submit(&c, &s, &valid_fields(), &[]).await;
    pages.push(("receipt".into(), receipt.body.len()));
    let (code, _) = assert_receipt_page(&receipt);
    let token = login_token(&c, &s).await;
    let login = c
        .post(s.url("/pantau"))
        .form(&[("receipt", code.as_str()), ("form_token", token.as_str())])
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&login).expect("session");
    pages.push((
        "case page".into(),
        page_with_cookie(&c, &s, "/pantau", &cookie).await.len(),
    ));
    let mut over = Vec::new();
    for (page, html) in &pages {
        let total = html + css + logo;
        println!("{page}: {html} B HTML + {css} B CSS + {logo} B logo = {total} B");
        if total > BUDGET {
            over.push(format!("{page}: {total} B"));
        }
    }
    s.stop();
    assert!(over.is_empty(), "over 20 KB: {over:?}");
}

async fn login_token(c: &reqwest::Client, s: &Server) -> String {
    let page = reply(c.get(s.url("/pantau")).send().await.unwrap())
        .await
        .body;
    token_in(&page).expect("login form token")
}
