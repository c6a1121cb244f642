//! The WhatsApp channel as Meta runs it in 2026 (issue 12), against the Graph stand-in with real payload
//! shapes: a reporter with a username (no number, only a business-scoped user id) completes a report
//! and gets every answer, the receipt included, at the address Meta requires (`recipient`); a
//! `user_changed_user_id` notice mid-dialogue keeps the dialogue; "Status …" at the chronology step is
//! stored as chronology; an edited message is answered; a failed delivery of the receipt reaches the
//! investigators' view of the case; every request names the configured Graph API version, and a
//! version near the end of Meta's support is warned about at start.
use serde_json::{json, Value};

use crate::desk_api::{get_json, login, post_json};
use crate::support::internal::add_investigator;
use crate::support::whatsapp::{self as wa, choices, starred, text_of, Chat, Meta};
use crate::support::{self, client, marker, Env};

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

fn first_message(v: &mut Value) -> &mut Value {
    &mut v["entry"][0]["changes"][0]["value"]["messages"][0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_username_reporter_completes_a_report_through_an_id_change_and_a_lost_receipt_is_shown() {
    let meta = Meta::start().await;
    let env = Env::with_config(&format!(
        "{}[whatsapp.news_template]\nname = \"wbs_ada_kabar\"\nlanguages = [\"id\", \"en\"]\n",
        wa::config(&meta)
    ));
    let alice = add_investigator(&env, "alice");
    let mut s = env.start();
    let mut chat = Chat::username(&meta, &s);
    let old_id = chat.user_id.clone().unwrap();
    let (chronology, place, name, caption) = (marker(), marker(), marker(), marker());

    chat.text("Halo, saya ingin melapor").await;
    chat.expect("rahasia, tetapi tidak anonim").await;
    chat.tap("consent-yes").await;
    chat.expect("1/8").await;
    chat.pick("cat-PUNGLI").await;
    chat.expect("2/8").await;
    chat.tap("kind-public").await;
    chat.expect("3/8").await;

    // An answer that begins like a command is the answer, and the reporter is told so.
    let answer = format!(
        "Status izin usaha saya sudah 3 bulan tidak diproses, petugas minta uang {chronology}"
    );
    chat.text(&answer).await;
    let ack = text_of(&chat.expect("(1 pesan)").await);
    assert!(ack.contains("disimpan sebagai jawaban"), "{ack}");
    assert!(
        !chat.all_texts().contains("Kirim nomor kasus"),
        "not taken as STATUS"
    );

    // Meta gives the user a new id: the dialogue follows it.
    let new_id = wa::new_user_id();
    let mut change = chat.event("system_user_changed_user_id.json");
    first_message(&mut change)["system"]["user_id"] = json!(new_id);
    first_message(&mut change)["system"]["previous_user_id"] = json!(old_id);
    first_message(&mut change)["system"]["body"] = json!("User changed user id");
    assert_eq!(chat.post(&change).await, 200);
    chat.change_user_id(&new_id);

    // An edited message does not reach us: the reporter is told to send the correction anew.
    let edit = chat.event("unsupported_edit.json");
    assert_eq!(chat.post(&edit).await, 200);
    let edit_answer = chat.expect("Kirim koreksinya sebagai pesan baru").await;
    chat.tap("next").await;
    chat.expect("4/8").await;

    // One line without position and unit: refused, saying that "tidak tahu" is accepted.
    chat.text("Pak Budi petugas loket 2").await;
    chat.expect("Tulis *tidak tahu* di barisnya").await;
    chat.text("Pak Budi\nPetugas loket 2\ntidak tahu").await;
    chat.expect("Terlapor 1 dicatat").await;
    chat.tap("next").await;
    chat.expect("5/8").await;
    // A "Lanjut" tapped on an earlier question's message is stale: it moves nothing.
    let old = edit_answer["_wamid"].as_str().map(str::to_owned);
    chat.tap_on("next", old).await;
    chat.expect("Tombol itu dari pertanyaan sebelumnya").await;
    chat.text("tidak tahu").await;
    chat.expect("6/8").await;

    // A named location pin answers "where"; its coordinates are not kept.
    let mut pin = chat.event("location.json");
    first_message(&mut pin)["location"]["name"] = json!(format!("Loket 2 {place}"));
    assert_eq!(chat.post(&pin).await, 200);
    chat.expect("7/8").await;
    chat.text(&format!("Melati {name}")).await;
    chat.expect("8/8").await;
    // A file that fails (its bytes do not match Meta's digest) takes its caption with it.
    let other =
        data_encoding::HEXLOWER.encode(&<sha2::Sha256 as sha2::Digest>::digest(b"other bytes"));
    meta.add_media_claiming("901", wa::jpeg_with("y"), "image/jpeg", None, &other);
    chat.media("image.json", "901", &format!("Foto kuitansi {caption}"))
        .await;
    chat.expect("foto-1.jpg tidak disimpan: file rusak").await;
    // A voice note is refused with the reason.
    let voice = chat.event("audio.json");
    assert_eq!(chat.post(&voice).await, 200);
    chat.expect("suara Anda dapat mengenali Anda").await;
    chat.tap("next").await;
    let contact = text_of(&chat.expect("Bolehkah tim pengelola WBS").await);
    assert!(contact.contains("24 jam"), "{contact}");
    chat.tap("contact-yes").await;
    let summary = chat.expect("Ringkasan laporan Anda").await;
    let mut shown = text_of(&summary);
    if choices(&summary).is_empty() {
        shown.push_str(&text_of(&chat.expect("itikad baik").await));
    }
    for c in [&chronology, &place, &name] {
        assert!(shown.contains(c.as_str()), "{shown}");
    }
    chat.tap("confirm").await;
    let done = chat.expect("tersimpan dan terenkripsi").await;
    let done_text = text_of(&done);
    assert!(done_text.contains("hapus chat ini"), "{done_text}");
    let case_id = starred(&done_text, "Nomor kasus: *");

    // Every message went to the user id, none to a number; every request named the version.
    let sent = meta.sent.lock().unwrap().clone();
    assert!(sent.len() > 10);
    assert!(
        sent.iter().all(|m| m.get("to").is_none()
            && (m["recipient"] == new_id.as_str() || m["recipient"] == old_id.as_str())),
        "{sent:#?}"
    );
    assert!(sent.iter().any(|m| m["recipient"] == new_id.as_str()));
    let versions = meta.versions.lock().unwrap().clone();
    assert!(!versions.is_empty() && versions.iter().all(|v| v == wa::GRAPH_VERSION));

    // Meta reports the receipt as undelivered: investigators see it on the case.
    let mut status = chat.event("status_failed.json");
    status["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] = done["_wamid"].clone();
    assert_eq!(chat.post(&status).await, 200);
    let c = client();
    let token = login(&c, &s, &alice.identity).await;
    let path = format!("/api/v1/desk/cases/{case_id}");
    let mut undelivered = Value::Null;
    for _ in 0..100 {
        let (code, v) = get_json(&c, &s, &token, &path).await;
        assert_eq!(code, 200, "{v}");
        undelivered = v["chat_undelivered"].clone();
        if !undelivered.is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(undelivered["code"], "delivery-131026", "{undelivered}");
    assert_eq!(undelivered["day"], support::internal::Day::today().as_str());

    // Outside the 24-hour window nothing free-form goes out; the office's approved template does, on
    // an investigator's request naming the address from the identity block, and it carries nothing of
    // the report.
    let mut late = Chat::new(&meta, &s);
    late.ts -= 25 * 3600;
    late.text("Halo").await;
    late.silence(1000).await;
    let news_path = "/api/v1/desk/whatsapp/news";
    let to = json!({ "to": format!("WhatsApp +{}", late.wa), "lang": "id" });
    let (code, v) = post_json(&c, &s, &token, news_path, &to).await;
    assert_eq!(code, 202, "{v}");
    let news = late.expect("").await;
    assert_eq!(news["type"], "template");
    assert_eq!(news["template"]["name"], "wbs_ada_kabar");
    assert_eq!(news["template"]["language"]["code"], "id");
    let to_user = json!({ "to": format!("WhatsApp user id {new_id}"), "lang": "en" });
    let (code, _) = post_json(&c, &s, &token, news_path, &to_user).await;
    assert_eq!(code, 202);
    let news = chat.expect("").await;
    assert_eq!(news["template"]["language"]["code"], "en");
    assert_eq!(news["recipient"], new_id.as_str());
    let all = serde_json::to_string(&news).unwrap();
    for secret in [&chronology, &place, &name, &case_id] {
        assert!(!all.contains(secret.as_str()), "{all}");
    }
    let bad = json!({ "to": "Budi" });
    assert_eq!(post_json(&c, &s, &token, news_path, &bad).await.0, 400);
    let anonymous = client()
        .post(s.desk_url(news_path))
        .json(&to)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401, "investigators only");
    s.stop();
    assert!(
        !env.log_text().contains("Graph API version"),
        "the default version is current"
    );

    // The report holds the chronology as written and the user id as the contact (sealed).
    let (out, o) = env.export("wa2026");
    assert!(o.success(), "{}", o.stderr);
    let o = env.wbs([
        "decrypt".as_ref(),
        "--identity".as_ref(),
        alice.file.as_os_str(),
        "--reveal-identity".as_ref(),
        out.as_os_str(),
    ]);
    assert!(o.success(), "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains(&answer), "{}", o.stdout);
    assert!(
        !o.stdout.contains(&caption),
        "the failed file's caption is not in the report"
    );
    assert!(
        o.stdout.contains(&format!("WhatsApp user id {new_id}")),
        "{}",
        o.stdout
    );
    assert_nowhere(
        &env,
        &[
            &old_id,
            &new_id,
            &chat.wa,
            &chronology,
            &place,
            &name,
            &caption,
        ],
    );
    // The daily keys that could test a number live only in their in-place file, never in sled
    // (whose log would keep a deleted one).
    let keys = std::fs::read(env.data.join("whatsapp-sender-keys")).unwrap();
    assert_eq!(keys.len(), 84, "two fixed slots");
    let today_key = &keys[10..42];
    assert_ne!(today_key, &[0u8; 32]);
    let hits = support::files_containing(&env.data, &[today_key]);
    assert!(
        hits.iter()
            .all(|(path, _)| path.ends_with("whatsapp-sender-keys")),
        "{hits:?}"
    );
    assert!(!hits.is_empty(), "the search finds the key where it is");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_name_the_configured_version_and_an_ending_version_is_warned_about() {
    let meta = Meta::start().await;
    let config = wa::config(&meta).replace(
        &format!("graph_api_version = \"{}\"", wa::GRAPH_VERSION),
        "graph_api_version = \"v21.0\"",
    );
    assert!(config.contains("v21.0"));
    let env = Env::with_config(&config);
    let mut s = env.start();
    let mut chat = Chat::new(&meta, &s);
    chat.text("Halo").await;
    chat.expect("rahasia, tetapi tidak anonim").await;
    s.stop();
    let versions = meta.versions.lock().unwrap().clone();
    assert!(!versions.is_empty() && versions.iter().all(|v| v == "v21.0"));
    // Meta supports v21.0 until 2027-01-21: within 90 days of this test's writing, and after.
    let log = env.log_text();
    assert!(
        log.contains("Graph API version v21.0 ends on 2027-01-21")
            || log.contains("Graph API version v21.0 ended on 2027-01-21"),
        "{log}"
    );
}
