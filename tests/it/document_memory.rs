//! The server-wide memory budget for documents held whole until scrubbed (`[limits]
//! document_memory_mb`, docs/design.md §11): a PDF that does not fit while another is arriving is
//! refused with a clear message and the form as typed (429, counted apart), the one within the
//! budget is stored and decrypts, and the budget comes back for the next upload.

use std::ffi::OsStr;
use std::time::Duration;

use crate::support::http::*;
use crate::support::*;

/// A PDF charges 8 MiB for its cleaner and 20 bytes per byte received (`scrub::Format::memory_base`,
/// `memory_per_byte`): with 20 MiB, one 480 000-byte PDF (17.2 MiB) fits, and a second one while the
/// first is held does not.
const BUDGET: &str = "[limits]\ndocument_memory_mb = 20\n";
const PDF_LEN: usize = 480_000;
/// With 10 MiB, a 100 000-byte PDF (9.9 MiB) fits, and a document inflating to 16 MiB does not.
const SMALL_BUDGET: &str = "[limits]\ndocument_memory_mb = 10\n";
const SMALL_PDF_LEN: usize = 100_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_over_the_memory_budget_is_refused_clearly_and_the_budget_comes_back() {
    let env = Env::with_config(BUDGET);
    let mut s = env.start();
    let c = client();
    let pdf = pdf_of_len(PDF_LEN);
    let fields = valid_fields();

    // The first upload stops after 400 000 bytes: the server holds (and has charged) at least one
    // full 256 KiB batch of it, 5 MiB of the budget, while it waits for the rest.
    let token = form_token(&c, &s).await;
    let body = form_bytes(Some(&token), &fields, &[("pertama.pdf", pdf.clone())]);
    let first = PausedRequest::start(s.port, "/lapor", MULTIPART_XYZ, &body, 400_000);
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // A second PDF of the same size meanwhile: over the budget, refused, everything typed kept.
    let token = form_token(&c, &s).await;
    let body = form_bytes(Some(&token), &fields, &[("kedua.pdf", pdf.clone())]);
    let r = raw_post(&s, "/lapor", MULTIPART_XYZ, &body);
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(
        r.headers.get("retry-after").map(|v| v.to_str().unwrap()),
        Some("5"),
        "a busy refusal says when to come back"
    );
    assert!(r.body.contains("Lampiran: kedua.pdf"), "{}", r.body);
    assert!(
        r.body
            .contains("Server sedang membersihkan banyak dokumen lain"),
        "{}",
        r.body
    );
    assert_values_kept(&r.body, &fields);

    // The first one, within the budget, is stored.
    let first = tokio::task::spawn_blocking(move || first.finish())
        .await
        .expect("first upload");
    let first = raw_reply(first);
    assert_receipt_page(&first);

    // Its share came back: the next one fits again.
    let r = submit(&c, &s, &fields, &[("ketiga.pdf", pdf.clone())]).await;
    assert_receipt_page(&r);
    s.stop();
    assert_eq!(env.case_count(), 2, "the refused form stored nothing");

    // Both stored PDFs decrypt to what was sent (a file `lopdf` wrote is its own scrubbed form).
    let (out, o) = env.export("export");
    assert!(o.success(), "{}", o.stderr);
    let att = env.path().join("attachments");
    let o = env.wbs([
        OsStr::new("decrypt"),
        OsStr::new("--identity"),
        env.demo_identity().as_os_str(),
        OsStr::new("--attachments"),
        att.as_os_str(),
        out.as_os_str(),
    ]);
    assert!(o.success(), "{}\n{}", o.stdout, o.stderr);
    let files = files_under(&att);
    assert_eq!(files.len(), 2, "{files:?}");
    for f in files {
        assert_eq!(std::fs::read(&f).expect("decrypted file"), pdf, "{f:?}");
    }
}

/// On WhatsApp a document that does not fit is answered politely ("busy, send it again shortly") and
/// the dialogue goes on: a smaller document right after it is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whatsapp_answers_busy_for_a_document_over_the_budget_and_the_dialogue_goes_on() {
    use crate::support::whatsapp::{self as wa, Chat, Meta};
    let meta = Meta::start().await;
    // 9 MiB: a 100 000-byte PDF (8 MiB and 1.9 MiB at 20 ×) does not fit, a small one does.
    let env = Env::with_config(&format!(
        "{}\n[limits]\ndocument_memory_mb = 9\n",
        wa::config(&meta)
    ));
    let mut s = env.start();
    let mut chat = Chat::new(&meta, &s);
    meta.add_media("601", pdf_of_len(SMALL_PDF_LEN), "application/pdf", false);
    meta.add_media("602", pdf_with("Surat kecil"), "application/pdf", false);
    chat.text("Halo, saya ingin melapor").await;
    chat.expect("rahasia, tetapi tidak anonim").await;
    chat.tap("consent-yes").await;
    chat.expect("1/8").await;
    chat.pick("cat-PUNGLI").await;
    chat.expect("2/8").await;
    chat.tap("kind-public").await;
    chat.expect("3/8").await;
    chat.text("Petugas meminta uang tambahan").await;
    chat.expect("(1 pesan)").await;
    chat.media("document.json", "601", "").await;
    chat.expect("Layanan sedang sibuk; file ini belum disimpan")
        .await;
    chat.media("document.json", "602", "").await;
    chat.expect("bukti.pdf diterima, diperiksa, dan dienkripsi (1 file bukti)")
        .await;
    s.stop();
    assert_eq!(env.blob_files().len(), 1, "{:?}", env.blob_files());
}

/// A Word document whose one media part inflates from a few KiB to 16 MiB of zeros.
fn expanding_docx() -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in [
        ("[Content_Types].xml", b"<Types/>".to_vec()),
        (
            "word/document.xml",
            b"<w:document><w:p><w:t>isi dokumen</w:t></w:p></w:document>".to_vec(),
        ),
        ("word/media/data.bin", vec![0u8; 16 << 20]),
    ] {
        w.start_file(name, deflated).unwrap();
        w.write_all(&bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// What an archive expands into while it is rewritten is charged too, not only its size on the wire:
/// a 16 KiB document inflating to 16 MiB does not fit a 10 MiB budget (busy, the form kept), the
/// budget comes back whole afterwards, and with the default budget the same document is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_is_charged_for_what_it_inflates_to() {
    let docx = expanding_docx();
    assert!(docx.len() < 64 * 1024, "{} bytes", docx.len());
    let fields = valid_fields();
    let c = client();

    let env = Env::with_config(SMALL_BUDGET);
    let mut s = env.start();
    let r = submit(&c, &s, &fields, &[("bom.docx", docx.clone())]).await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("Lampiran: bom.docx"), "{}", r.body);
    assert!(
        r.body
            .contains("Server sedang membersihkan banyak dokumen lain"),
        "{}",
        r.body
    );
    assert_values_kept(&r.body, &fields);
    // Nothing of the refused inflation is still charged: a PDF needing 9.9 of the 10 MiB fits.
    let r = submit(&c, &s, &fields, &[("surat.pdf", pdf_of_len(SMALL_PDF_LEN))]).await;
    assert_receipt_page(&r);
    s.stop();
    assert_eq!(env.case_count(), 1, "the refused form stored nothing");

    let env = Env::new();
    let mut s = env.start();
    let r = submit(&c, &s, &fields, &[("bom.docx", docx)]).await;
    assert_receipt_page(&r);
    s.stop();
    assert_eq!(env.case_count(), 1);
}

/// A follow-up on `/pantau` whose document does not fit is refused the same way as on the form:
/// 429 with `Retry-After`, the message as typed and the file named; the next one that fits is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_over_the_budget_is_refused_clearly_and_keeps_the_message() {
    use crate::pantau::{case_page, login, submit};
    let env = Env::with_config(SMALL_BUDGET);
    let mut s = env.start();
    let c = client();
    let (receipt, _) = submit(&c, &s).await;
    let cookie = login(&c, &s, &receipt).await;
    let page = case_page(&c, &s, &cookie).await;
    let text = format!("Tambahan bukti {}", marker());
    let send = |file: (&'static str, Vec<u8>)| {
        let form = reqwest::multipart::Form::new()
            .text("form_token", token_in(&page).expect("token"))
            .text("lang", "id")
            .text("body", text.clone())
            .part(
                "attachments",
                reqwest::multipart::Part::bytes(file.1).file_name(file.0),
            );
        c.post(s.url("/pantau/pesan"))
            .header("cookie", &cookie)
            .multipart(form)
            .send()
    };
    let r = send(("bom.docx", expanding_docx())).await.expect("sent");
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "5");
    let body = r.text().await.expect("body");
    assert!(
        body.contains("Server sedang membersihkan banyak dokumen lain"),
        "{body}"
    );
    assert!(body.contains("bom.docx"), "the file is named: {body}");
    assert!(body.contains(&text), "the message as typed: {body}");

    let r = send(("surat.pdf", pdf_of_len(SMALL_PDF_LEN)))
        .await
        .expect("sent");
    assert_eq!(r.status(), 303);
    let page = case_page(&c, &s, &cookie).await;
    assert!(page.contains(&text) && page.contains("surat.pdf"), "{page}");
    s.stop();
}

/// A PDF of a few kilobytes whose cross-reference streams inflate to ~2.4 GiB inside `lopdf` (no
/// load hook sees them, so the document budget cannot charge them first) is rewritten in a child
/// process limited to what the budget charged (`scrub::pdf_child`). Within that limit `lopdf` gives
/// up on the streams it cannot hold and rebuilds the table from the objects it finds (the clean file
/// is the one empty page), or runs out and the file is refused as one that cannot be cleaned, the
/// form as typed; either way the server's own memory never holds it, and the next PDF is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_that_inflates_past_its_charge_never_reaches_the_server_s_memory() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let fields = valid_fields();
    let bomb = pdf_with_inflating_cross_references(8);
    assert!(bomb.len() < 8 * 1024, "{} bytes", bomb.len());

    let before = s.peak_rss_mib();
    let r = submit(&c, &s, &fields, &[("laporan.pdf", bomb)]).await;
    let stored = match r.status.as_u16() {
        200 => {
            assert_receipt_page(&r);
            1
        }
        422 => {
            let body = unescape(&r.body);
            assert!(body.contains("Lampiran: laporan.pdf"), "{body}");
            assert!(body.contains("cetak ulang ke PDF"), "{body}");
            assert_values_kept(&r.body, &fields);
            0
        }
        other => panic!("{other}: {}", r.body),
    };
    let peak = s.peak_rss_mib();
    assert!(
        peak < before + 100,
        "the server's peak memory went from {before} MiB to {peak} MiB"
    );

    let r = submit(&c, &s, &fields, &[("bukti.pdf", pdf_of_len(50_000))]).await;
    assert_receipt_page(&r);
    s.stop();
    assert_eq!(env.case_count(), stored + 1);
}
