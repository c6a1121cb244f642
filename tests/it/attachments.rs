//! Attachments: limits named on the form (also for fields the browser sends after the file), types
//! refused, photo metadata removed before sealing, and stored sizes padded.

use std::ffi::OsStr;
use std::fs;

use serde_json::json;

use crate::support::http::*;
use crate::support::*;

/// docs/design.md §6: only padded sizes are stored, so a short and a long report, or two files of nearly the
/// same size, look the same on disk (up to the random size of age's header, which says nothing).
#[tokio::test]
async fn stored_sizes_are_padded() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();

    let mut short = valid_api();
    short["chronology"] = json!("Minta uang untuk izin usaha.");
    short["reporter"]["name"] = json!("A");
    short["reporter"]["contact"] = json!("");
    let mut long = valid_api();
    long["chronology"] = json!("Petugas meminta uang tambahan. ".repeat(60));
    long["reporter"]["name"] = json!("N".repeat(120));
    long["reporter"]["contact"] = json!("c".repeat(200));
    for b in [&short, &long] {
        let (st, v) = api(&c, &s, b).await;
        assert_eq!(st, 201, "{v}");
    }
    for len in [1000, 1010] {
        let r = submit(&c, &s, &valid_fields(), &[("bukti.pdf", pdf_of_len(len))]).await;
        assert_receipt_page(&r);
    }
    s.stop();

    let sizes = env.item_sizes();
    assert_eq!(sizes.len(), 4);
    let first = &sizes[0].1;
    assert_eq!(first.len(), 3, "report, identity, manifest");
    for (id, sz) in &sizes {
        assert_eq!(sz, first, "case {id} stores other sizes: {sizes:?}");
    }
    let blob_sizes: Vec<u64> = files_under(&env.data.join("blobs"))
        .iter()
        .map(|f| age_payload_len(&fs::read(f).expect("blob")) as u64)
        .collect();
    assert_eq!(blob_sizes.len(), 2);
    assert_eq!(
        blob_sizes[0], blob_sizes[1],
        "1000 and 1010 bytes share a bucket"
    );
}

#[tokio::test]
async fn form_attachments_over_the_limit_are_named() {
    let env = Env::with_config("max_upload_mb = 1\n");
    let mut s = env.start();
    let c = client();
    let f = valid_fields();

    // One file over the 1 MB total.
    let r = submit(&c, &s, &f, &[("rekaman-besar.pdf", pdf_of_len(1_500_000))]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("rekaman-besar.pdf"), "the file is named");
    assert!(
        r.body.contains("melebihi batas ukuran lampiran (1 MB"),
        "{}",
        r.body
    );
    assert_values_kept(&r.body, &f);

    // Two files that fit alone but not together: the second one is named.
    let r = submit(
        &c,
        &s,
        &f,
        &[
            ("pertama.pdf", pdf_of_len(600_000)),
            ("kedua.pdf", pdf_of_len(600_000)),
        ],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Lampiran: kedua.pdf"), "{}", r.body);
    assert!(
        r.body.contains("<li>pertama.pdf</li>"),
        "every file must be chosen again"
    );
    assert_values_kept(&r.body, &f);

    // A body over the whole request limit (attachments + 1 MiB of room): still a page, naming it.
    let token = form_token(&c, &s).await;
    let body = form_bytes(
        Some(&token),
        &f,
        &[("video.pdf", pdf_of_len(3 * 1024 * 1024))],
    );
    let r = raw_post(&s, "/lapor", MULTIPART_XYZ, &body);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Lampiran: video.pdf"), "{}", r.body);
    assert_values_kept(&r.body, &f);

    s.stop();
    assert_eq!(env.case_count(), 0);
    assert!(
        env.blob_files().is_empty(),
        "refused uploads leave nothing: {:?}",
        env.blob_files()
    );
}

/// The form as a browser sends it: in the page's order, where the file input comes before the
/// good-faith declaration.
/// The body a browser sends for the form served at `/lapor`: fields in the order their inputs appear
/// in the page's HTML, with the files where the `attachments` input is.
fn browser_order_bytes(
    form_html: &str,
    token: &str,
    fields: &Fields,
    files: &[(&str, Vec<u8>)],
) -> Vec<u8> {
    let pos = |name: &str| {
        form_html
            .find(&format!("name=\"{name}\""))
            .unwrap_or_else(|| panic!("the form has no input named {name}"))
    };
    let files_at = pos("attachments");
    let (after, before): (Fields, Fields) =
        fields.iter().cloned().partition(|(k, _)| pos(k) > files_at);
    let mut head = form_bytes(Some(token), &before, files);
    head.truncate(head.len() - b"--XyZ--\r\n".len());
    let tail: Vec<(&[u8], &[u8])> = after
        .iter()
        .map(|(k, v)| (k.as_bytes(), v.as_bytes()))
        .collect();
    head.extend_from_slice(&multipart_bytes(&tail, &[]));
    head
}

/// A reporter picks a file far over the limit: the page names it and keeps everything typed, including
/// what the browser sends after the file (the good-faith declaration).
#[tokio::test]
async fn form_over_the_request_limit_keeps_fields_sent_after_the_file() {
    let env = Env::with_config("max_upload_mb = 1\n");
    let mut s = env.start();
    let c = client();
    let f = valid_fields();

    // Within the request limit: the file is refused by the attachment budget and the body read to its end.
    let form_html = c
        .get(s.url("/lapor"))
        .send()
        .await
        .expect("GET /lapor")
        .text()
        .await
        .expect("html");
    let token = form_token(&c, &s).await;
    let body = browser_order_bytes(
        &form_html,
        &token,
        &f,
        &[("video.pdf", pdf_of_len(1_500_000))],
    );
    let r = raw_post(&s, "/lapor", MULTIPART_XYZ, &body);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Lampiran: video.pdf"), "{}", r.body);
    assert_values_kept(&r.body, &f);
    assert_eq!(field_error(&r.body, "good_faith"), None);

    // Over the request limit (1 MB of attachments + 1 MiB of room).
    let token = form_token(&c, &s).await;
    let body = browser_order_bytes(
        &form_html,
        &token,
        &f,
        &[("video.pdf", pdf_of_len(3 * 1024 * 1024))],
    );
    let r = raw_post(&s, "/lapor", MULTIPART_XYZ, &body);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Lampiran: video.pdf"), "{}", r.body);
    assert_eq!(
        field_error(&r.body, "good_faith"),
        None,
        "the reporter ticked the declaration; the page must not say otherwise"
    );
    assert_values_kept(&r.body, &f);

    s.stop();
    assert_eq!(env.case_count(), 0);
}

#[tokio::test]
async fn disallowed_attachment_types_are_named() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let f = valid_fields();

    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    exe.extend_from_slice(&[0u8; 2000]);
    let cases: [(&str, Vec<u8>); 5] = [
        ("<img src=x onerror=alert(1)>.exe", exe.clone()),
        ("program.exe", exe.clone()),
        ("laporan.pdf", exe.clone()), // a lying extension
        (
            "arsip.zip",
            b"PK\x03\x04\x14\x00\x00\x00rest-of-zip".to_vec(),
        ),
        (
            "halaman.html",
            b"<html><script>alert(1)</script></html>".to_vec(),
        ),
    ];
    for (name, bytes) in cases {
        let r = submit(&c, &s, &f, &[("foto.png", tiny_png()), (name, bytes)]).await;
        assert_eq!(r.status, 422, "{name}");
        assert!(
            unescape(&r.body).contains(&format!("Lampiran: {name}")),
            "{name} is named:\n{}",
            r.body
        );
        assert!(!r.body.contains("<img src=x"), "file names are escaped");
        assert!(r.body.contains("jenis berkas tidak diterima"), "{name}");
        assert!(
            r.body.contains("<li>foto.png</li>"),
            "the good file must be chosen again too"
        );
        assert_values_kept(&r.body, &f);
    }

    // More files than allowed (default 10): the extra one is named.
    let names: Vec<String> = (1..=11).map(|i| format!("halaman-{i:02}.pdf")).collect();
    let files: Vec<(&str, Vec<u8>)> = names.iter().map(|n| (n.as_str(), pdf_with(n))).collect();
    let r = submit(&c, &s, &f, &files).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Lampiran: halaman-11.pdf"), "{}", r.body);
    assert!(r.body.contains("terlalu banyak berkas (paling banyak 10)"));
    assert!(!r.body.contains("Lampiran: halaman-10.pdf"));
    assert_values_kept(&r.body, &f);

    s.stop();
    assert_eq!(env.case_count(), 0);
    assert!(env.blob_files().is_empty(), "{:?}", env.blob_files());
}

/// Photo metadata (EXIF with the GPS position, XMP, comments) is removed before the photo is sealed;
/// the picture itself arrives unchanged, and the investigator is told.
#[tokio::test]
async fn photo_metadata_is_removed_before_sealing() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let gps = marker();
    let pixels = marker();
    let segment = |m: u8, body: &[u8]| {
        let mut v = vec![0xFF, m];
        v.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        v.extend_from_slice(body);
        v
    };
    let mut photo = vec![0xFF, 0xD8];
    photo.extend(segment(0xE0, b"JFIF\0\x01\x02\0\0\x01\0\x01\0\0"));
    photo.extend(segment(0xE1, format!("Exif\0\0GPS {gps}").as_bytes()));
    photo.extend(segment(0xFE, format!("comment {gps}").as_bytes()));
    photo.extend(segment(0xDA, &[1, 1, 0, 0, 0x3F, 0]));
    photo.extend_from_slice(format!("scan data {pixels}").as_bytes());
    photo.extend_from_slice(&[0xFF, 0xD9]);
    let r = submit(&c, &s, &valid_fields(), &[("kamera.jpg", photo.clone())]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    s.stop();
    assert!(files_containing(&env.data, &[gps.as_bytes(), pixels.as_bytes()]).is_empty());

    let (out, o) = env.export("export");
    assert!(o.success());
    let att = env.path().join("attachments");
    let o = env.wbs([
        OsStr::new("decrypt"),
        OsStr::new("--identity"),
        env.demo_identity().as_os_str(),
        OsStr::new("--attachments"),
        att.as_os_str(),
        out.as_os_str(),
    ]);
    let text = &o.stdout;
    assert!(o.success(), "{text}\n{}", o.stderr);
    assert!(
        text.contains("metadata foto dihapus saat diterima"),
        "{text}"
    );
    let files = files_under(&att);
    assert_eq!(files.len(), 1);
    let stored = std::fs::read(&files[0]).unwrap();
    assert!(contains(&stored, pixels.as_bytes()), "the picture is kept");
    assert!(!contains(&stored, gps.as_bytes()), "its metadata is not");
    assert!(stored.starts_with(&[0xFF, 0xD8]) && stored.ends_with(&[0xFF, 0xD9]));
}
