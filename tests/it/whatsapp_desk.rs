//! A WhatsApp case at the investigators' end, against the real `wbs serve` and the Graph stand-in: the
//! "news on your report" notice from the desk's button and from `wbs news` (docs/whatsapp.md §8) goes
//! out as the office's template with nothing of the report in it, only for a WhatsApp reporter who
//! agreed to contact; and a new investigator reads the chat's sealed answers once a teammate re-sealed
//! the case (`wbs reshare`, docs/design.md §10).

use std::time::Duration;

use serde_json::Value;

use crate::desk_app::DeskApp;
use crate::support::internal::{add_investigator, Investigator};
use crate::support::whatsapp::{self as wa, starred, text_of, Chat, Meta};
use crate::support::{client, marker, Env, Report, Server};

/// What the reporter said, to look for where it must not be.
struct Said {
    chronology: String,
    place: String,
    name: String,
}

/// A complete chat report whose reporter agreed to be contacted. Returns the case id.
async fn chat_report(chat: &mut Chat, said: &Said) -> String {
    chat.text("Halo, saya ingin melapor").await;
    chat.expect("rahasia, tetapi tidak anonim").await;
    chat.tap("consent-yes").await;
    chat.expect("1/8").await;
    chat.pick("cat-PUNGLI").await;
    chat.expect("2/8").await;
    chat.tap("kind-public").await;
    chat.expect("3/8").await;
    chat.text(&format!(
        "Petugas loket meminta uang tambahan {}",
        said.chronology
    ))
    .await;
    chat.expect("(1 pesan)").await;
    chat.tap("next").await;
    chat.expect("4/8").await;
    chat.text("Pak Budi\nPetugas loket 2\ntidak tahu").await;
    chat.expect("Terlapor 1 dicatat").await;
    chat.tap("next").await;
    chat.expect("5/8").await;
    chat.text("tidak tahu").await;
    chat.expect("6/8").await;
    chat.text(&format!("Loket 2 {}", said.place)).await;
    chat.expect("7/8").await;
    chat.text(&format!("Melati {}", said.name)).await;
    chat.expect("8/8").await;
    chat.tap("next").await;
    chat.expect("Bolehkah tim pengelola WBS").await;
    chat.tap("contact-yes").await;
    let summary = chat.expect("Ringkasan laporan Anda").await;
    if crate::support::whatsapp::choices(&summary).is_empty() {
        chat.expect("itikad baik").await;
    }
    chat.tap("confirm").await;
    let done = text_of(&chat.expect("tersimpan dan terenkripsi").await);
    starred(&done, "Nomor kasus: *")
}

fn said() -> Said {
    Said {
        chronology: marker(),
        place: marker(),
        name: marker(),
    }
}

/// The office, with a news template and two investigators, and a finished chat report.
async fn office(meta: &std::sync::Arc<Meta>) -> (Env, Server, Chat, Investigator, Said, String) {
    let env = Env::with_config(&format!(
        "{}[whatsapp.news_template]\nname = \"wbs_ada_kabar\"\nlanguages = [\"id\", \"en\"]\n",
        wa::config(meta)
    ));
    let alice = add_investigator(&env, "alice");
    let s = env.start();
    let mut chat = Chat::new(meta, &s);
    let said = said();
    let case = chat_report(&mut chat, &said).await;
    (env, s, chat, alice, said, case)
}

/// Nothing the reporter said, nor the case number, is in the message.
fn assert_no_content(m: &Value, said: &Said, case: &str) {
    let all = serde_json::to_string(m).unwrap();
    for secret in [said.chronology.as_str(), &said.place, &said.name, case] {
        assert!(!all.contains(secret), "{all}");
    }
    assert_eq!(m["type"], "template", "{m}");
    assert_eq!(m["template"]["name"], "wbs_ada_kabar", "{m}");
    assert!(
        m["template"].get("components").is_none(),
        "no variables: {m}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_and_wbs_news_send_the_template_with_no_content_only_to_a_reporter_who_agreed() {
    let meta = Meta::start().await;
    let (env, mut s, mut chat, alice, said, case) = office(&meta).await;

    // The desk offers the notice on the WhatsApp case, saying it carries no content.
    let mut app = DeskApp::start(&s, &alice.file, &env.keys);
    let c = app.open().await;
    let page = |path: String| {
        let c = c.clone();
        let url = app.url(&path);
        async move { c.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let shown = page(format!("/case/{case}?lang=en")).await;
    assert!(shown.contains("id=\"send-news\""), "{shown}");
    assert!(shown.contains("The message carries no content"), "{shown}");
    assert!(!shown.contains(&chat.wa), "the number is not shown");
    let r = c
        .post(app.url(&format!("/case/{case}/news")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("done=news"), "{location}");
    let news = chat.expect("").await;
    assert_no_content(&news, &said, &case);
    assert_eq!(news["to"], chat.wa.as_str(), "{news}");
    assert_eq!(
        news["template"]["language"]["code"], "id",
        "the chat's language"
    );

    // The same from the command line; the number is not printed.
    let run = env.investigator(&s, "news", &alice.file, &[&case]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("carries no content of the report"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(&chat.wa), "{}", run.stdout);
    let news = chat.expect("").await;
    assert_no_content(&news, &said, &case);

    // A web report has no WhatsApp address: no button, and the command refuses with the reason.
    let r = client()
        .post(s.url("/api/v1/reports"))
        .json(&Report::valid().json())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let web = v["case_id"].as_str().unwrap().to_owned();
    let shown = page(format!("/case/{web}?lang=en")).await;
    assert!(
        shown.contains(&web) && !shown.contains("id=\"send-news\""),
        "{shown}"
    );
    let run = env.investigator(&s, "news", &alice.file, &[&web]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("did not come by WhatsApp"),
        "{}",
        run.stderr
    );
    chat.silence(500).await;
    app.stop();
    s.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_investigator_reads_an_old_chat_report_once_a_teammate_re_sealed_it() {
    let meta = Meta::start().await;
    let (env, mut s, _chat, alice, said, case) = office(&meta).await;
    let carol = add_investigator(&env, "carol");
    // Longer than the team's one-second look at keys/.
    std::thread::sleep(Duration::from_millis(1300));

    let run = env.investigator(&s, "show", &carol.file, &[&case]);
    assert_ne!(run.code, 0);
    assert!(!run.stdout.contains(&said.chronology), "{}", run.stdout);

    let run = env.investigator(&s, "reshare", &alice.file, &[&case]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);

    // The answers the reporter gave in the chat, sealed one at a time to the old team, now read for
    // Carol; the identity block (sealed answers too) opens on a recorded reveal.
    let run = env.investigator(&s, "show", &carol.file, &[&case]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(&said.chronology), "{}", run.stdout);
    assert!(run.stdout.contains(&said.place), "{}", run.stdout);
    assert!(!run.stdout.contains("REJECTED"), "{}", run.stdout);
    let run = env.investigator(
        &s,
        "show",
        &carol.file,
        &[&case, "--reveal-identity", "--reason", "tindak lanjut"],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(&said.name), "{}", run.stdout);

    // Alice still reads it from the original items.
    let run = env.investigator(&s, "show", &alice.file, &[&case]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(&said.chronology), "{}", run.stdout);
    s.stop();
}
