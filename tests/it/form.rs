//! The public form at `/lapor` over real HTTP, as a browser sends it: a valid report gives a receipt
//! page; each of the four criteria is named when missing; mistakes keep every typed value; the form
//! token is single-use.

use std::fs;

use serde_json::json;

use crate::support::app;
use crate::support::http::*;
use crate::support::*;

fn unset(fields: &mut Fields, key: &str) {
    fields.retain(|(k, _)| k != key);
}

#[tokio::test]
async fn form_valid_with_attachment_gives_receipt() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();

    let page = reply(c.get(s.url("/lapor")).send().await.expect("GET")).await;
    assert_eq!(page.status, 200);
    for name in [
        "form_token",
        "lang",
        "reporter.kind",
        "category",
        "chronology",
        "parties[0].name",
        "parties[0].position",
        "parties[0].unit",
        "incident.when",
        "incident.place",
        "reporter.name",
        "reporter.contact",
        "reporter.anonymous",
        "evidence",
        "attachments",
        "good_faith",
    ] {
        assert!(
            page.body.contains(&format!("name=\"{name}\"")),
            "form lacks {name}"
        );
    }
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    assert!(
        !page.body.contains("<script"),
        "the form needs no JavaScript"
    );
    assert!(page.body.contains("DEMO"), "demo mode shows a banner");

    let r = submit(
        &c,
        &s,
        &valid_fields(),
        &[("bukti-kuitansi.pdf", pdf_with("kuitansi"))],
    )
    .await;
    let (_receipt, _case) = assert_receipt_page(&r);
    assert!(
        r.body.contains("1 lampiran"),
        "the receipt page counts the attachment"
    );
    assert!(!r.body.contains("Laporan anonim"), "not anonymous");

    s.stop();
    assert_eq!(env.case_count(), 1);
    let blobs = env.blob_files();
    assert_eq!(blobs.len(), 1, "one attachment blob: {blobs:?}");
    assert!(blobs[0].ends_with(".age"), "committed blob: {blobs:?}");
    // docs/design.md §6: attachment file times are set to midnight.
    let modified = fs::metadata(env.data.join("blobs").join(&blobs[0]))
        .and_then(|m| m.modified())
        .expect("mtime")
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    assert_eq!(
        modified % 86_400,
        0,
        "blob mtime {modified} is not midnight UTC"
    );
}

#[tokio::test]
async fn form_each_missing_criterion_is_named() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();

    // Criterion 1: no name and not anonymous.
    let mut f = valid_fields();
    set(&mut f, "reporter.name", "");
    set(&mut f, "reporter.contact", "");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    let e = field_error(&r.body, "reporter.name").expect("error beside reporter.name");
    assert!(e.contains("nama samaran") && e.contains("anonim"), "{e}");
    assert!(
        r.body.contains("href=\"#reporter-name\""),
        "the summary links to the field"
    );
    assert_values_kept(&r.body, &f);

    // Criterion 2: no chronology; then one too short.
    let mut f = valid_fields();
    set(&mut f, "chronology", "");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        field_error(&r.body, "chronology").as_deref(),
        Some("Wajib diisi.")
    );
    assert_values_kept(&r.body, &f);
    set(&mut f, "chronology", "Minta uang.");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    let e = field_error(&r.body, "chronology").expect("too short");
    assert!(e.contains("Terlalu singkat") && e.contains("20"), "{e}");
    assert_values_kept(&r.body, &f);
    // Too long: named, and the whole text is kept to be shortened.
    let long = format!(
        "Awal. {} Akhir.",
        "Rincian kejadian yang panjang. ".repeat(700)
    );
    set(&mut f, "chronology", &long);
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    let e = field_error(&r.body, "chronology").expect("too long");
    assert!(e.contains("Terlalu panjang") && e.contains("20000"), "{e}");
    assert_values_kept(&r.body, &f);

    // Criterion 3: nobody named; then a person without position and unit.
    let mut f = valid_fields();
    for p in ["name", "position", "unit"] {
        set(&mut f, &format!("parties[0].{p}"), "");
    }
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("href=\"#parties\""),
        "summary names the parties"
    );
    assert!(
        r.body
            .contains("<p class=\"error\" id=\"parties-error\">Sebutkan sedikitnya satu orang yang dilaporkan"),
        "error beside the parties"
    );
    assert_values_kept(&r.body, &f);
    let mut f = valid_fields();
    set(&mut f, "parties[0].position", "");
    set(&mut f, "parties[0].unit", "  ");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        field_error(&r.body, "parties[0].position").as_deref(),
        Some("Wajib diisi.")
    );
    assert_eq!(
        field_error(&r.body, "parties[0].unit").as_deref(),
        Some("Wajib diisi.")
    );
    assert_eq!(field_error(&r.body, "parties[0].name"), None);
    assert_values_kept(&r.body, &f);

    // Criterion 4: neither time nor place.
    let mut f = valid_fields();
    set(&mut f, "incident.when", "");
    set(&mut f, "incident.place", "");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        field_error(&r.body, "incident.when").as_deref(),
        Some("Wajib diisi.")
    );
    assert_eq!(
        field_error(&r.body, "incident.place").as_deref(),
        Some("Wajib diisi.")
    );
    assert_values_kept(&r.body, &f);

    // Everything missing, in English.
    let mut f: Fields = vec![("lang".into(), "en".into())];
    set(&mut f, "party_rows", "2");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("<html lang=\"en\""));
    assert_eq!(
        field_error(&r.body, "chronology").as_deref(),
        Some("Required.")
    );
    assert_eq!(
        field_error(&r.body, "incident.when").as_deref(),
        Some("Required.")
    );
    assert!(field_error(&r.body, "reporter.name").is_some_and(|e| e.contains("pseudonym")));
    assert!(field_error(&r.body, "good_faith").is_some());
    assert!(field_error(&r.body, "category").is_some());

    // The good-faith declaration is required on the form.
    let mut f = valid_fields();
    unset(&mut f, "good_faith");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    assert!(field_error(&r.body, "good_faith").is_some_and(|e| e.contains("Centang")));

    s.stop();
    assert_eq!(env.case_count(), 0, "no half-report is stored");
    assert!(env.blob_files().is_empty());
}

#[tokio::test]
async fn anonymous_reports_are_accepted_without_criterion_one() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();

    let mut f = valid_fields();
    set(&mut f, "reporter.name", "");
    set(&mut f, "reporter.contact", "");
    set(&mut f, "reporter.anonymous", "1");
    // As a browser sends it when no file is chosen: an empty file part with an empty name.
    let r = submit(&c, &s, &f, &[("", Vec::new())]).await;
    assert_receipt_page(&r);
    assert!(r.body.contains("Laporan anonim"), "{}", r.body);
    assert!(r.body.contains("kriteria 1"), "the page names criterion 1");
    assert!(r.body.contains("mungkin tidak dapat ditindaklanjuti"));
    assert!(
        !r.body.contains("lampiran sudah"),
        "no attachment was stored"
    );

    set(&mut f, "lang", "en");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Anonymous report"), "{}", r.body);
    assert!(r.body.contains("criterion 1"));

    let mut b = valid_api();
    b["reporter"] = json!({"kind": "staff", "anonymous": true});
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["criteria_missing"], json!([1]), "{v}");

    // Anonymous, yet a name typed: asked to choose, and the choice is kept on the page.
    let mut f = valid_fields();
    set(&mut f, "reporter.anonymous", "1");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    assert!(field_error(&r.body, "reporter.name").is_some_and(|e| e.contains("anonim")));
    assert_values_kept(&r.body, &f);
    let mut b = valid_api();
    b["reporter"]["anonymous"] = json!(true);
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["reporter.contact", "reporter.name"]);

    s.stop();
    assert_eq!(env.case_count(), 3);
}

#[tokio::test]
async fn form_invalid_submission_keeps_every_typed_value() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();

    let mut f = valid_fields();
    set(&mut f, "reporter.kind", "public");
    set(&mut f, "category", "GRATIFIKASI");
    set(
        &mut f,
        "chronology",
        "Baris satu <b>tebal</b> & \"kutip\" 'tunggal'\nBaris dua: uang Rp 1.000.000 — ñ 日本 </textarea><script>alert(1)</script>",
    );
    set(&mut f, "parties[0].name", "Budi \"Bos\" <i>Santoso</i>");
    set(&mut f, "parties[1].name", "Ani & Co");
    set(&mut f, "parties[1].position", "Kepala Seksi");
    set(&mut f, "parties[1].unit", "Pelayanan");
    set(&mut f, "parties[2].name", "Cici");
    set(&mut f, "parties[2].position", "Kasir");
    set(&mut f, "parties[2].unit", "Keuangan");
    set(&mut f, "party_rows", "3");
    set(&mut f, "incident.place", "Loket \"2\" > lantai 1");
    set(&mut f, "reporter.name", "Melati' onmouseover='x");
    set(&mut f, "evidence", "Foto & kuitansi <img src=x>");
    unset(&mut f, "good_faith"); // the only problem
    let r = submit(&c, &s, &f, &[("foto bukti.pdf", pdf_with("foto"))]).await;
    assert_eq!(r.status, 422);
    assert_values_kept(&r.body, &f);
    assert!(r.body.contains("class=\"error\""));
    assert!(field_error(&r.body, "good_faith").is_some());
    assert!(
        !r.body.contains("<script>alert(1)"),
        "typed text is escaped"
    );
    assert!(!r.body.contains("<b>tebal"), "typed text is escaped");
    assert!(!r.body.contains("<img src=x>"), "typed text is escaped");
    assert!(
        !r.body.contains("onmouseover='x"),
        "typed text is escaped in attributes"
    );
    assert!(
        input_value(&r.body, "parties[3].name").is_none(),
        "exactly the rows sent"
    );
    // The file must be chosen again, and the page says which.
    assert!(r.body.contains("perlu dipilih lagi"), "{}", r.body);
    assert!(r.body.contains("<li>foto bukti.pdf</li>"));
    // A new token lets the reporter send the corrected form.
    let token = token_in(&r.body).expect("token");
    set(&mut f, "good_faith", "1");
    let r = post_form(&c, &s, multipart(Some(&token), &f, &[])).await;
    assert_receipt_page(&r);

    s.stop();
    assert_eq!(env.case_count(), 1);
    assert!(
        env.blob_files().is_empty(),
        "the refused upload left nothing behind"
    );
}

#[tokio::test]
async fn form_add_party_keeps_values_and_names_files() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let mut f = valid_fields();
    set(&mut f, "action", "add_party");
    let r = submit(&c, &s, &f, &[("surat.pdf", pdf_with("surat"))]).await;
    assert_eq!(r.status, 200);
    assert!(
        receipt_in(&r.body).is_none(),
        "adding a row does not submit"
    );
    assert_values_kept(&r.body, &f);
    assert_eq!(input_value(&r.body, "parties[2].name").as_deref(), Some(""));
    assert_eq!(input_value(&r.body, "party_rows").as_deref(), Some("3"));
    assert!(
        r.body.contains("<li>surat.pdf</li>"),
        "the file must be chosen again"
    );
    s.stop();
    assert_eq!(env.case_count(), 0);
    assert!(env.blob_files().is_empty());
}

#[tokio::test]
async fn missing_or_forged_form_token_keeps_values() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let f = valid_fields();

    for token in [
        None,
        Some("forged"),
        Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    ] {
        let r = post_form(&c, &s, multipart(token, &f, &[])).await;
        assert_eq!(r.status, 422, "token {token:?}");
        assert!(r.body.contains("class=\"notice\""), "a notice explains it");
        assert!(r.body.contains("Isian Anda masih ada"));
        assert_values_kept(&r.body, &f);
        assert!(receipt_in(&r.body).is_none());
    }
    // The page it shows carries a good token.
    let r = post_form(&c, &s, multipart(None, &f, &[])).await;
    let token = token_in(&r.body).expect("new token");
    let r = post_form(&c, &s, multipart(Some(&token), &f, &[])).await;
    assert_receipt_page(&r);
    s.stop();
    assert_eq!(env.case_count(), 1);
}

#[tokio::test]
async fn a_repeated_form_shows_the_same_receipt_and_stores_one_case() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let f = valid_fields();
    let token = form_token(&c, &s).await;
    let files = [("bukti.pdf", pdf_with("bukti"))];

    // A double tap: the same form twice at once. Both answers are the receipt, the same one.
    let (a, b) = tokio::join!(
        post_form(&c, &s, multipart(Some(&token), &f, &files)),
        post_form(&c, &s, multipart(Some(&token), &f, &files)),
    );
    let (receipt_a, case_a) = assert_receipt_page(&a);
    let (receipt_b, case_b) = assert_receipt_page(&b);
    assert_eq!(receipt_a, receipt_b, "a double tap shows one receipt");
    assert_eq!(case_a, case_b);
    assert!(!b.body.contains("sudah terkirim") && !a.body.contains("sudah terkirim"));

    // Reload (the browser sends the form again) after the first answer: the same receipt.
    let r = post_form(&c, &s, multipart(Some(&token), &f, &files)).await;
    let (receipt_r, _) = assert_receipt_page(&r);
    assert_eq!(receipt_r, receipt_a, "a reload shows the receipt again");

    // "I have saved it" closes the window: a later repeat no longer shows the receipt.
    let saved = reply(
        c.post(s.url("/lapor/selesai"))
            .form(&[("saved", "1"), ("form_token", token.as_str())])
            .send()
            .await
            .expect("POST /lapor/selesai"),
    )
    .await;
    assert_eq!(saved.status, 200);
    assert!(!saved.body.contains(&receipt_a));
    let r = post_form(&c, &s, multipart(Some(&token), &f, &files)).await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("sudah terkirim"), "{}", r.body);
    assert!(
        receipt_in(&r.body).is_none(),
        "after 'I have saved it' the receipt is never shown again"
    );

    s.stop();
    assert_eq!(env.case_count(), 1, "only one case is stored");
    let blobs = env.blob_files();
    assert_eq!(blobs.len(), 1, "only one attachment is stored: {blobs:?}");
}

/// The receipt page has no link that leaves it, and its code breaks only between groups.
#[tokio::test]
async fn the_receipt_page_cannot_be_left_by_a_link() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let r = submit(&c, &s, &valid_fields(), &[]).await;
    let (receipt, _) = assert_receipt_page(&r);
    // Only links within the page (the skip link) or to help in a new tab: none that leaves it.
    for (i, _) in r.body.match_indices("<a ") {
        let tag = &r.body[i..i + r.body[i..].find('>').unwrap()];
        assert!(
            tag.contains("href=\"#") || tag.contains("target=\"_blank\""),
            "a link leaves the receipt page: {tag}"
        );
    }
    let forms: Vec<&str> = r
        .body
        .match_indices("<form ")
        .map(|(i, _)| &r.body[i..])
        .collect();
    assert_eq!(forms.len(), 1, "only the 'I have saved it' form");
    assert!(forms[0].starts_with("<form method=\"post\" action=\"/lapor/selesai"));
    // Each group is kept whole; a line may break only after a dash.
    for group in receipt.split('-') {
        assert!(
            r.body.contains(&format!("<span class=\"g\">{group}")),
            "group {group} is unbreakable"
        );
    }
    assert!(r.body.contains("-</span><wbr>"));
    s.stop();
}

/// In-process: the pages are in the language the `lang` query asks for (Indonesian unless it says
/// `en`), the form carries that choice to its POST, and the page offers the other language.
#[tokio::test]
async fn pages_are_in_the_language_the_query_asks_for() {
    let app = app::router();
    for path in ["/", "/lapor", "/pantau"] {
        for (query, lang, other) in [
            ("", "id", "English"),
            ("?lang=id", "id", "English"),
            ("?lang=en", "en", "Bahasa Indonesia"),
            ("?lang=xx", "id", "English"),
        ] {
            let r = app.get(&format!("{path}{query}"), &[]).await;
            assert_eq!(r.status, 200, "{path}{query}");
            let page = r.text();
            assert!(
                page.contains(&format!("<html lang=\"{lang}\">")),
                "{path}{query} is in {lang}"
            );
            assert!(page.contains(other), "{path}{query} offers {other}");
        }
    }
    let page = app.get("/lapor?lang=en", &[]).await.text();
    assert_eq!(input_value(&page, "lang").as_deref(), Some("en"));
    let page = app.get("/lapor", &[]).await.text();
    assert_eq!(input_value(&page, "lang").as_deref(), Some("id"));
}
