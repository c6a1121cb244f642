//! The WhatsApp channel end to end: the real `wbs serve` against a local stand-in for Meta's Graph API,
//! fed correctly signed webhook events of the real shapes. Handshake; refused posts; a full dialogue
//! with a photo and a document through to the one-time receipt, its replacement on /pantau, and the
//! investigator's decryption; cancel; duplicates and out-of-order delivery; a restart mid-dialogue;
//! and canaries (every answer, the media, the phone number, the profile name) that must never reach
//! the data directory or the server's output.
use crate::support;
use crate::support::internal::{self, DialogueStore};
use crate::support::whatsapp as wa;
use std::path::Path;

use crate::support::whatsapp::{choices, starred, text_of, Chat, Meta};
use crate::support::{client, marker, token_in, Env, Server};
use serde_json::json;
use sha2::Digest;

/// Asserts that none of `needles` is in any file under the data directory or in the server's output.
fn assert_nowhere(env: &Env, needles: &[&str]) {
    let bytes: Vec<&[u8]> = needles.iter().map(|n| n.as_bytes()).collect();
    let hits = support::files_containing(&env.data, &bytes);
    assert!(hits.is_empty(), "found in the data directory: {hits:?}");
    let log = env.log_bytes();
    for n in needles {
        assert!(
            !support::contains(&log, n.as_bytes()),
            "{n} in the server output"
        );
    }
}

/// Logs in on /pantau with `receipt`; returns (status, page, session cookie).
async fn pantau_login(s: &Server, receipt: &str) -> (u16, String, Option<String>) {
    let c = client();
    let html = c
        .get(s.url("/pantau"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = token_in(&html).unwrap();
    let r = c
        .post(s.url("/pantau"))
        .form(&[("receipt", receipt), ("form_token", &token), ("lang", "id")])
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let cookie = support::session_cookie(&r);
    (status, r.text().await.unwrap(), cookie)
}

/// `wbs export` then `wbs decrypt --identity DATA/demo-investigator.key --reveal-identity
/// --attachments DIR`: returns what it printed and DIR.
fn export_and_decrypt(env: &Env, name: &str) -> (String, std::path::PathBuf) {
    let (out, o) = env.export(name);
    assert!(o.success(), "{}", o.stderr);
    let files = env.path().join(format!("{name}-files"));
    let o = env.wbs([
        "decrypt".as_ref(),
        "--identity".as_ref(),
        env.demo_identity().as_os_str(),
        "--reveal-identity".as_ref(),
        "--attachments".as_ref(),
        files.as_os_str(),
        out.as_os_str(),
    ]);
    let stdout = o.stdout.clone();
    assert!(o.success(), "decrypt failed:\n{stdout}\n{}", o.stderr);
    (stdout, files)
}

/// The first line of `text` that contains `label`.
fn line_with<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines().find(|l| l.contains(label)).unwrap_or("")
}

fn read(dir: &Path, case_id: &str, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(case_id).join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_handshake_and_signatures_guard_the_webhook() {
    let meta = Meta::start().await;
    let env = wa::env(&meta);
    let s = env.start();
    let c = client();
    let get = |q: &str| c.get(s.url(&format!("/webhook/whatsapp?{q}"))).send();
    // The home page presents the channel with the number the office publishes.
    let home = c
        .get(s.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("kirim pesan ke <strong>+62 811-5000-0000</strong>"),
        "{home}"
    );
    let ok = get(&format!(
        "hub.mode=subscribe&hub.verify_token={}&hub.challenge=1158201444",
        wa::VERIFY_TOKEN
    ))
    .await
    .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    for q in [
        "hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1".to_owned(),
        format!(
            "hub.mode=unsubscribe&hub.verify_token={}&hub.challenge=1",
            wa::VERIFY_TOKEN
        ),
        "hub.challenge=1".to_owned(),
    ] {
        assert_eq!(get(&q).await.unwrap().status(), 403, "{q}");
    }

    // Unsigned and badly signed events are refused, and nothing of them is processed.
    let mut chat = Chat::new(&meta, &s);
    let body = serde_json::to_vec(&chat.text_event("Halo")).unwrap();
    let post = |sig: Option<String>, body: Vec<u8>| {
        let mut r = c
            .post(s.url("/webhook/whatsapp"))
            .header("content-type", "application/json")
            .body(body);
        if let Some(sig) = sig {
            r = r.header("x-hub-signature-256", sig);
        }
        r.send()
    };
    assert_eq!(post(None, body.clone()).await.unwrap().status(), 401);
    let mut tampered = body.clone();
    let at = tampered.len() - 10;
    tampered[at] ^= 1;
    assert_eq!(
        post(Some(wa::sign(&body)), tampered)
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        post(Some("sha256=00".into()), body.clone())
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        post(Some(wa::sign(&body)[7..].to_owned()), body.clone())
            .await
            .unwrap()
            .status(),
        403
    );
    chat.silence(500).await;

    // Delivery statuses are accepted and answered with nothing.
    let status = chat.event("status_update.json");
    assert_eq!(chat.post(&status).await, 200);
    chat.silence(300).await;

    // The first reply meets a pair rate limit at Meta: it is retried and arrives.
    meta.fail_sends
        .store(1, std::sync::atomic::Ordering::SeqCst);
    let sticker = chat.event("sticker.json");
    assert_eq!(chat.post(&sticker).await, 200);
    let notice = chat.expect("rahasia, tetapi tidak anonim").await;
    assert!(text_of(&notice).contains("formulir web: https://wbs.example/lapor"));
    assert_eq!(choices(&notice), ["consent-yes", "consent-no", "lang-en"]);

    // English on request; stickers, locations and voice notes get a polite explanation: each its own
    // (a location answers only "where"; a voice note is refused with the reason).
    chat.tap("lang-en").await;
    chat.expect("confidential, not anonymous").await;
    chat.tap("consent-yes-en").await;
    let list = chat.expect("Choose the kind of wrongdoing").await;
    assert_eq!(list["interactive"]["type"], "list");
    for (fixture, says) in [
        ("sticker.json", "we cannot accept this kind of message"),
        (
            "location.json",
            "A location is only used for the question \"where",
        ),
        ("audio.json", "your voice can identify you"),
    ] {
        let v = chat.event(fixture);
        assert_eq!(chat.post(&v).await, 200);
        chat.expect(says).await;
    }
    chat.text("STATUS WBS-AAAA-BBBB-CCCC").await;
    chat.expect("was not found").await;
    chat.text("BANTUAN").await;
    chat.expect("CANCEL — cancel the report").await;
    assert_eq!(
        meta.unauthorized.load(std::sync::atomic::Ordering::SeqCst),
        0
    );

    // Outside the 24-hour window (a delivery retried for a day), nothing is sent back.
    let mut stale = Chat::new(&meta, &s);
    stale.ts -= 25 * 3600;
    stale.text("Halo").await;
    stale.silence(1500).await;
    drop(s);

    // Without the [whatsapp] settings the routes do not exist, and the home page says so.
    let plain = Env::new();
    let s = plain.start();
    let home = c
        .get(s.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("belum tersedia di server ini"));
    assert_eq!(
        c.get(s.url("/webhook/whatsapp?hub.mode=subscribe"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let r = c
        .post(s.url("/webhook/whatsapp"))
        .header("x-hub-signature-256", wa::sign(&body))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_nowhere(
        &env,
        &[&chat.wa, &chat.name, wa::APP_SECRET, wa::ACCESS_TOKEN],
    );
}

/// Canaries for one report's answers.
struct Canaries {
    chronology: [String; 2],
    party: String,
    when: String,
    place: String,
    name: String,
    evidence: String,
    caption: String,
    media: String,
}

impl Canaries {
    fn new() -> Self {
        Canaries {
            chronology: [marker(), marker()],
            party: marker(),
            when: marker(),
            place: marker(),
            name: marker(),
            evidence: marker(),
            caption: marker(),
            media: marker(),
        }
    }

    fn all(&self) -> Vec<&str> {
        vec![
            &self.chronology[0],
            &self.chronology[1],
            &self.party,
            &self.when,
            &self.place,
            &self.name,
            &self.evidence,
            &self.caption,
            &self.media,
        ]
    }
}

/// Consent, category and reporter kind.
async fn begin(chat: &mut Chat) {
    chat.text("Halo, saya ingin melapor").await;
    let notice = chat.expect("rahasia, tetapi tidak anonim").await;
    assert!(text_of(&notice).contains("Pesan Anda belum kami simpan"));
    chat.tap("consent-yes").await;
    let list = chat.expect("1/8").await;
    let rows = choices(&list);
    assert!(
        rows.len() <= 10 && rows.contains(&"cat-more".to_owned()),
        "{rows:?}"
    );
    chat.pick("cat-more").await;
    let more = chat.expect("Kategori lainnya").await;
    assert!(choices(&more).contains(&"cat-LAINNYA".to_owned()));
    chat.pick("cat-back").await;
    chat.expect("1/8").await;
    chat.pick("cat-PUNGLI").await;
    chat.expect("2/8").await;
    chat.tap("kind-public").await;
    chat.expect("3/8").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_dialogue_ends_in_a_case_whose_one_time_receipt_is_replaced_on_the_web() {
    let meta = Meta::start().await;
    let env = wa::env(&meta);
    let mut s = env.start();
    let mut chat = Chat::new(&meta, &s);
    let k = Canaries::new();
    let photo = wa::jpeg_with(&k.media);
    let pdf = support::pdf_with(&k.media);
    meta.add_media("1479537139650973", photo.clone(), "image/jpeg", false);
    meta.add_media("1003383421387256", pdf.clone(), "application/pdf", true);

    begin(&mut chat).await;
    // The chronology in two messages, delivered in one batch: one combined acknowledgement.
    let mut batch = chat.event("batch_two_messages.json");
    for (i, c) in k.chronology.iter().enumerate() {
        batch["entry"][0]["changes"][0]["value"]["messages"][i]["text"]["body"] = json!(format!(
            "Petugas loket meminta uang tambahan, bagian {i}: {c}"
        ));
    }
    assert_eq!(chat.post(&batch).await, 200);
    let ack = chat.expect("(2 pesan)").await;
    assert_eq!(choices(&ack), ["next"]);
    assert!(
        !chat.all_texts().contains("(1 pesan)"),
        "one answer to the batch"
    );
    chat.tap("next").await;
    chat.expect("4/8").await;
    // A reported person without position and unit is refused with the form's messages.
    chat.text("Budi").await;
    chat.expect("Jabatan: Wajib diisi.\nUnit kerja: Wajib diisi.")
        .await;
    chat.text(&format!(
        "Budi {}\nStaf Perizinan\nBidang Pelayanan",
        k.party
    ))
    .await;
    chat.expect("Terlapor 1 dicatat").await;
    chat.tap("next").await;
    chat.expect("5/8").await;
    chat.text(&format!("3 Maret 2026 {}", k.when)).await;
    chat.expect("6/8").await;
    chat.text(&format!("Loket 2 {}", k.place)).await;
    chat.expect("7/8").await;
    chat.text(&format!("Melati {}", k.name)).await;
    chat.expect("8/8").await;
    chat.media(
        "image.json",
        "1479537139650973",
        &format!("Foto kuitansi {}", k.caption),
    )
    .await;
    chat.expect("foto-1.jpg diterima, diperiksa, dan dienkripsi (1 file bukti)")
        .await;
    chat.media("document.json", "1003383421387256", "Surat")
        .await;
    chat.expect("bukti.pdf diterima, diperiksa, dan dienkripsi (2 file bukti)")
        .await;
    chat.text(&format!("Kuitansi asli ada pada saya {}", k.evidence))
        .await;
    chat.expect("Keterangan bukti diterima").await;
    chat.tap("next").await;
    chat.expect("Bolehkah tim pengelola WBS menghubungi Anda")
        .await;
    chat.tap("contact-yes").await;
    let summary = chat.expect("Ringkasan laporan Anda").await;
    let mut shown = text_of(&summary);
    if choices(&summary).is_empty() {
        shown.push_str(&text_of(&chat.expect("itikad baik").await));
    }
    for c in [&k.chronology[0], &k.party, &k.when, &k.place, &k.name] {
        assert!(
            shown.contains(c.as_str()),
            "the summary repeats the answers: {shown}"
        );
    }
    assert!(shown.contains("2 file: foto-1.jpg"), "{shown}");
    chat.tap("confirm").await;
    let done = text_of(&chat.expect("tersimpan dan terenkripsi").await);
    let case_id = starred(&done, "Nomor kasus: *");
    let receipt = starred(&done, "Kode resi SEKALI PAKAI: *");
    assert!(
        support::looks_like_case_id(&case_id) && support::looks_like_receipt(&receipt),
        "{done}"
    );
    assert!(done.contains("https://wbs.example/pantau"));

    // STATUS answers with status codes and dates only.
    chat.text("STATUS").await;
    chat.expect("Kirim nomor kasus Anda").await;
    chat.text(&case_id.to_lowercase()).await;
    let status = text_of(&chat.expect(&format!("Status kasus {case_id}")).await);
    assert!(status.contains("Diterima — 20"), "{status}");

    // The API does not take a one-time receipt; /pantau replaces it, once.
    let c = client();
    let r = c
        .post(s.url("/api/v1/followup"))
        .json(&json!({ "receipt": receipt }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Two first logins at once: one replaces the receipt; the other must not end up holding a working
    // session on the old keys.
    let (a, b) = tokio::join!(pantau_login(&s, &receipt), pantau_login(&s, &receipt));
    let (winner, loser) = if support::receipt_in(&a.1).is_some() {
        (a, b)
    } else {
        (b, a)
    };
    assert!(
        support::receipt_in(&loser.1).is_none(),
        "only one new receipt"
    );
    if let Some(stale) = &loser.2 {
        let page = c
            .get(s.url("/pantau"))
            .header("cookie", stale.as_str())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !page.contains("Status: Diterima"),
            "a session on replaced keys opens nothing"
        );
    }
    let (status, page, cookie) = winner;
    assert_eq!(
        status, 200,
        "the new receipt is shown in the answer to the POST"
    );
    let fresh = support::receipt_in(&page).expect("a new receipt on the page");
    assert!(support::looks_like_receipt(&fresh) && fresh != receipt);
    assert_eq!(
        support::case_id_in(&page).as_deref(),
        Some(case_id.as_str())
    );
    let session = cookie.expect("a session");
    let case_page = c
        .get(s.url("/pantau"))
        .header("cookie", session.as_str())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(case_page.contains(&case_id) && case_page.contains("Status: Diterima"));
    assert!(!case_page.contains(&fresh), "the new receipt is shown once");
    // An investigator replies through the case mailbox; the reporter reads it on the web.
    let question = marker();
    let o = env.wbs([
        "reply".as_ref(),
        "--server".as_ref(),
        s.desk_base.as_ref(),
        "--identity".as_ref(),
        env.demo_identity().as_os_str(),
        "--keys".as_ref(),
        env.keys.as_os_str(),
        case_id.as_ref(),
        format!("Kapan tepatnya? {question}").as_ref(),
    ]);
    assert!(o.success(), "{}", o.stderr);
    let thread = c
        .get(s.url("/pantau"))
        .header("cookie", session.as_str())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        thread.contains(&question),
        "the reply is read with the new receipt"
    );
    let (status, page, _) = pantau_login(&s, &receipt).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Kode resi tidak dikenal"),
        "the old receipt no longer works"
    );
    let (status, _, _) = pantau_login(&s, &fresh).await;
    assert_eq!(status, 303, "the new receipt logs in as usual");
    let r = c
        .post(s.url("/api/v1/followup"))
        .json(&json!({ "receipt": receipt }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(
        !chat.all_texts().contains(&fresh),
        "the new receipt never goes to the chat"
    );

    s.stop();
    let mut secrets = k.all();
    secrets.extend([chat.wa.as_str(), chat.name.as_str(), &receipt, &fresh]);
    assert_nowhere(&env, &secrets);
    let (out, files) = export_and_decrypt(&env, "export");
    assert!(line_with(&out, "  Kanal:").contains("whatsapp"), "{out}");
    for c in k.all().into_iter().filter(|c| *c != k.media) {
        assert!(out.contains(c), "{c} in the decrypted report:\n{out}");
    }
    assert!(
        out.contains(&format!("WhatsApp +{}", chat.wa)),
        "contact by consent:\n{out}"
    );
    assert!(!out.contains(&chat.name), "the profile name is never taken");
    assert!(out.contains("Resi diganti"), "{out}");
    assert!(out.contains(&question), "{out}");
    assert!(
        out.contains(&format!("case {case_id}: all 5 item(s) verified")),
        "{out}"
    );
    assert_eq!(read(&files, &case_id, "foto-1.jpg"), photo);
    assert_eq!(read(&files, &case_id, "bukti.pdf"), pdf);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_deletes_what_was_collected() {
    let meta = Meta::start().await;
    let env = wa::env(&meta);
    let mut s = env.start();
    let mut chat = Chat::new(&meta, &s);
    let k = Canaries::new();
    meta.add_media("555", wa::jpeg_with(&k.media), "image/jpeg", false);
    begin(&mut chat).await;
    chat.text(&format!(
        "Petugas meminta uang tambahan {}",
        k.chronology[0]
    ))
    .await;
    chat.expect("(1 pesan)").await;
    chat.media("image.json", "555", &k.caption).await;
    chat.expect("foto-1.jpg diterima").await;
    // Oversized, unaccepted and damaged files are refused clearly, and nothing of them is kept.
    meta.add_media_claiming("556", wa::jpeg_with("x"), "image/jpeg", Some(6 << 20), "");
    chat.media("image.json", "556", "").await;
    chat.expect("foto-2.jpg tidak disimpan: terlalu besar")
        .await;
    let exe = b"MZ\x90\x00 not a document".to_vec();
    let sha = data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(&exe));
    meta.add_media_claiming("557", exe, "application/pdf", None, &sha);
    chat.media("document.json", "557", "").await;
    chat.expect("bukti.pdf tidak disimpan: jenis file tidak diterima")
        .await;
    let other = data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(b"other bytes"));
    meta.add_media_claiming(
        "558",
        support::pdf_with("x"),
        "application/pdf",
        None,
        &other,
    );
    chat.media("document.json", "558", "").await;
    chat.expect("bukti.pdf tidak disimpan: file rusak").await;
    assert_eq!(env.blob_files().len(), 1, "{:?}", env.blob_files());
    chat.text("batal").await;
    chat.expect("Laporan dibatalkan").await;
    assert!(env.blob_files().is_empty(), "the photo is deleted");
    chat.tap("next").await;
    chat.expect("Tidak ada laporan yang sedang berjalan").await;
    // Typing the consent works like tapping it; a new dialogue starts empty.
    chat.text("Setuju").await;
    chat.expect("1/8").await;
    chat.text("CANCEL").await;
    chat.expect("Laporan dibatalkan").await;
    s.stop();
    assert_eq!(env.case_count(), 0);
    let store = internal::open_store(&env.data);
    assert!(DialogueStore::dialogues(&store).unwrap().is_empty());
    drop(store);
    let mut secrets = k.all();
    secrets.extend([chat.wa.as_str(), chat.name.as_str()]);
    assert_nowhere(&env, &secrets);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_late_messages_and_a_restart_keep_every_answer_once() {
    let meta = Meta::start().await;
    let env = wa::env(&meta);
    let mut s = env.start();
    let mut chat = Chat::new(&meta, &s);
    let k = Canaries::new();
    let late = marker();
    begin(&mut chat).await;

    // A duplicate delivery (same message id) is ignored.
    let first = chat.text_event(&format!(
        "Petugas meminta uang tambahan {}",
        k.chronology[0]
    ));
    assert_eq!(chat.post(&first).await, 200);
    chat.expect("(1 pesan)").await;
    assert_eq!(chat.post(&first).await, 200);
    chat.silence(600).await;
    // A message older than one already processed is kept as a note, not taken as an answer.
    let first_ts: u64 = first["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let mut old = chat.text_event(&format!("Yang tertinggal {late}"));
    old["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] =
        json!((first_ts - 2).to_string());
    assert_eq!(chat.post(&old).await, 200);
    chat.expect("tiba terlambat").await;
    // A late photo answers no particular question: it is taken as any file is, never dropped.
    let late_photo = marker();
    meta.add_media("777", wa::jpeg_with(&late_photo), "image/jpeg", false);
    chat.media_at("image.json", "777", "", Some(first_ts - 1))
        .await;
    chat.expect("foto-1.jpg diterima").await;
    chat.tap("next").await;
    chat.expect("4/8").await;
    chat.text(&format!("Budi {}, Staf, Perizinan", k.party))
        .await;
    chat.expect("Terlapor 1 dicatat").await;
    chat.tap("next").await;
    chat.expect("5/8").await;

    // The server restarts in the middle; the reporter carries on.
    s.stop();
    let mut s = env.start();
    chat.reconnect(&s);
    assert_eq!(
        chat.post(&first).await,
        200,
        "still a duplicate after the restart"
    );
    chat.silence(400).await;
    chat.text(&format!("Awal Maret {}", k.when)).await;
    let resumed = text_of(&chat.expect("Percakapan dilanjutkan").await);
    assert!(resumed.contains("6/8"), "{resumed}");
    chat.text(&format!("Loket {}", k.place)).await;
    chat.expect("7/8").await;
    chat.text(&format!("Melati {}", k.name)).await;
    chat.expect("8/8").await;
    chat.text(&k.evidence).await;
    chat.expect("Keterangan bukti diterima").await;
    chat.tap("next").await;
    chat.expect("Bolehkah tim").await;
    chat.tap("contact-no").await;
    let summary = chat.expect("Ringkasan laporan Anda").await;
    let mut shown = text_of(&summary);
    if choices(&summary).is_empty() {
        shown.push_str(&text_of(&chat.expect("itikad baik").await));
    }
    assert!(shown.contains("tidak ditampilkan ulang"), "{shown}");
    assert!(shown.contains("layanan sempat dimulai ulang"), "{shown}");
    for c in [&k.chronology[0], &k.party, &late] {
        assert!(
            !shown.contains(c.as_str()),
            "earlier answers are not repeated: {shown}"
        );
    }
    for c in [&k.when, &k.place, &k.name] {
        assert!(
            shown.contains(c.as_str()),
            "later answers are shown: {shown}"
        );
    }
    chat.tap("confirm").await;
    let done = text_of(&chat.expect("tersimpan dan terenkripsi").await);
    let case_id = starred(&done, "Nomor kasus: *");
    // A second tap on the old button finds no dialogue.
    chat.tap("confirm").await;
    chat.expect("Tidak ada laporan yang sedang berjalan").await;
    s.stop();

    let mut secrets = vec![
        k.chronology[0].as_str(),
        &k.party,
        &k.when,
        &k.place,
        &k.name,
        &k.evidence,
        &late,
    ];
    secrets.extend([chat.wa.as_str(), chat.name.as_str()]);
    assert_nowhere(&env, &secrets);
    let (out, files) = export_and_decrypt(&env, "export");
    let photo_kept = support::files_under(&files)
        .iter()
        .any(|f| support::contains(&std::fs::read(f).unwrap(), late_photo.as_bytes()));
    assert!(photo_kept, "the late photo is an attachment of the report");
    for c in &secrets[..7] {
        assert!(out.contains(c), "{c} in the decrypted report:\n{out}");
    }
    // One item on its own opens the same way.
    let item = env
        .path()
        .join("export")
        .join(&case_id)
        .join("item-0000.age");
    let o = env.wbs([
        "decrypt".as_ref(),
        "--identity".as_ref(),
        env.demo_identity().as_os_str(),
        item.as_os_str(),
    ]);
    let single = &o.stdout;
    assert!(o.success() && single.contains(&k.chronology[0]), "{single}");
    assert_eq!(
        out.matches(k.chronology[0].as_str()).count(),
        1,
        "the duplicate was not stored twice"
    );
    assert!(out.contains("tidak berurutan"), "{out}");
    assert!(
        line_with(&out, "  Kontak:").contains("(tidak diisi)"),
        "no consent, no number:\n{out}"
    );
    assert!(!out.contains(&chat.wa));
    assert!(
        out.contains(&format!("case {case_id}: all 3 item(s) verified")),
        "{out}"
    );
}
