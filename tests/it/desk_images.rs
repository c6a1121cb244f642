//! Images in the desk's case view (docs/design.md §3): a JPEG, PNG or WebP attachment is shown inline,
//! served from memory with the content type its bytes show, and any metadata it still carries is
//! flagged. The server scrubs JPEG, PNG, WebP and GIF on arrival (issue 11), so a photo sent today
//! reaches the desk clean and unflagged; the desk's own check (unit-tested in `desk::image`) is what
//! warns for an image stored before that, or one a scrubber missed. Other files stay downloads, and
//! nothing decrypted reaches the desk's disk.

use reqwest::StatusCode;

use crate::desk_app::DeskApp;
use crate::support::files_containing;
use crate::support::http::{assert_receipt_page, submit, valid_fields};
use crate::support::internal::add_investigator;
use crate::support::{client, Env};

const CANARY: &[u8] = b"CANARY-DESK-IMAGE-EXIF-88a1";

fn webp_with_exif() -> Vec<u8> {
    let mut exif = b"MM\0*".to_vec();
    exif.extend_from_slice(CANARY);
    let mut body = b"WEBP".to_vec();
    body.extend(b"VP8L");
    body.extend(5u32.to_le_bytes());
    body.extend([0x2f, 0, 0, 0, 0, 0]);
    body.extend(b"EXIF");
    body.extend((exif.len() as u32).to_le_bytes());
    body.extend(&exif);
    if exif.len() % 2 == 1 {
        body.push(0);
    }
    let mut riff = b"RIFF".to_vec();
    riff.extend((body.len() as u32).to_le_bytes());
    riff.extend(body);
    riff
}

fn png_with_text() -> Vec<u8> {
    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0; 4]);
        c
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
    png.extend(chunk(b"tEXt", b"Author\0Melati"));
    png.extend(chunk(b"IDAT", &[0; 8]));
    png.extend(chunk(b"IEND", &[]));
    png
}

#[tokio::test]
async fn images_show_inline_from_memory_with_remaining_metadata_flagged() {
    let env = Env::new();
    let alice = add_investigator(&env, "alice").file;
    let server = env.start();
    let webp = webp_with_exif();
    let files = [
        ("foto.webp", webp.clone()),
        ("bersih.png", png_with_text()),
        ("surat.pdf", crate::support::pdf_with("surat")),
    ];
    let r = submit(&client(), &server, &valid_fields(), &files).await;
    let (_, id) = assert_receipt_page(&r);

    let mut desk = DeskApp::start(&server, &alice, &env.keys);
    let c = desk.open().await;
    let page = c
        .get(desk.url(&format!("/case/{id}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("<img src=\"/case/{id}/image/0")),
        "{page}"
    );
    assert!(
        page.contains(&format!("<img src=\"/case/{id}/image/1")),
        "{page}"
    );
    assert!(
        !page.contains(&format!("/case/{id}/image/2")),
        "a PDF is not inline"
    );
    let warnings: Vec<&str> = page
        .lines()
        .filter(|l| l.contains("still carries metadata"))
        .collect();
    assert_eq!(
        warnings,
        Vec::<&str>::new(),
        "the server removed the WebP's EXIF and the PNG's text: nothing to flag"
    );

    let r = c
        .get(desk.url(&format!("/case/{id}/image/0")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/webp");
    assert_eq!(r.headers()["content-disposition"], "inline");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let served = r.bytes().await.unwrap();
    assert!(served.starts_with(b"RIFF") && &served[8..12] == b"WEBP");
    assert!(
        !served.windows(CANARY.len()).any(|w| w == CANARY),
        "the stored WebP no longer carries its EXIF"
    );
    let r = c
        .get(desk.url(&format!("/case/{id}/image/2")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "a PDF is never served inline"
    );
    desk.stop();
    assert_eq!(files_containing(desk.dir.path(), &[CANARY]), vec![]);
}
