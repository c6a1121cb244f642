//! The reporter's case page with many items (docs/design.md §11): the page of the newest messages
//! costs and weighs the same however long the case is, and every older message stays reachable
//! through plain "older messages" links (no JavaScript).
use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::internal::{
    self, next_prev_digest, seal_item, sha256, Append, CaseStore, Day, FollowupBody, ItemBody,
    ItemDraft, MetaStore, Receipt, Role, MESSAGE_MIN,
};
use crate::support::{client, marker, session_cookie, token_in, Env, Report, Server};

/// Messages appended to the case: three pages and a bit.
const MESSAGES: usize = 150;

async fn submit(c: &reqwest::Client, s: &Server) -> (String, String) {
    let report = Report::valid()
        .chronology("Petugas meminta uang tambahan untuk izin usaha.")
        .party("Budi", "Staf", "Perizinan")
        .contact(None)
        .anonymous(None)
        .evidence(None)
        .json();
    let r = c
        .post(s.url("/api/v1/reports"))
        .json(&report)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    (
        v["receipt"].as_str().unwrap().to_owned(),
        v["case_id"].as_str().unwrap().to_owned(),
    )
}

/// Appends `MESSAGES` genuine follow-ups, signed with the receipt's key and chained, straight into
/// the stopped server's store (sealing them through the web would cost one Argon2 login each).
/// Each says `<mark> #<n> ` followed by ~2 KB of text.
fn append_followups(env: &Env, receipt: &str, case_id: &str, mark: &str) {
    let store = internal::open_store(&env.data);
    let salt: [u8; 32] = store
        .meta("installation-salt")
        .unwrap()
        .unwrap()
        .try_into()
        .unwrap();
    let keys = Receipt::parse(receipt).unwrap().derive(&salt).unwrap();
    let case_id = internal::case_id(case_id);
    let case = store.case(&case_id).unwrap().unwrap();
    let recipient = [keys.reporter.recipient().unwrap()];
    let day = Day::today();
    let mut prev = next_prev_digest(&case);
    let mut items = Vec::new();
    for n in 0..MESSAGES {
        let body = ItemBody::Followup(FollowupBody {
            text: format!("{mark} #{n} {}", "bukti tambahan ".repeat(140)),
            attachments: Vec::new(),
        });
        let draft = ItemDraft {
            case_id: &case_id,
            seq: case.item_count + n as u32,
            prev_digest: &prev,
            day: &day,
            role: Role::Reporter,
            body: &body,
        };
        let ct = seal_item(draft, keys.reporter.signing_key(), &recipient, MESSAGE_MIN).unwrap();
        prev = internal::hex(&sha256(&ct));
        items.push(ct);
    }
    store
        .append(
            &case_id,
            case.item_count,
            Append {
                items,
                ..Append::default()
            },
        )
        .unwrap();
}

async fn login(c: &reqwest::Client, s: &Server, receipt: &str) -> String {
    let html = c.get(s.url("/pantau")).send().await.unwrap().text().await;
    let token = token_in(&html.unwrap()).expect("token on the login page");
    let r = c
        .post(s.url("/pantau"))
        .form(&[("receipt", receipt), ("form_token", &token), ("lang", "id")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    session_cookie(&r).expect("a session cookie")
}

async fn page_at(c: &reqwest::Client, s: &Server, cookie: &str, path: &str) -> String {
    let r = c
        .get(s.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

/// The message numbers a page shows.
fn numbers_on(page: &str, mark: &str) -> Vec<usize> {
    page.split(&format!("{mark} #"))
        .skip(1)
        .map(|rest| rest.split(' ').next().unwrap().parse().unwrap())
        .collect()
}

/// The target of the link with this id, as a path to request.
fn link(page: &str, id: &str) -> Option<String> {
    let end = page.find(&format!("\" id=\"{id}\""))?;
    let start = page[..end].rfind("href=\"")? + "href=\"".len();
    Some(page[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

#[tokio::test]
async fn a_long_case_serves_a_bounded_page_and_every_older_message_is_reachable() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let (receipt, case_id) = submit(&c, &s).await;
    s.stop();
    let mark = marker();
    append_followups(&env, &receipt, &case_id, &mark);

    let s = env.start();
    let cookie = login(&c, &s, &receipt).await;
    let first = page_at(&c, &s, &cookie, "/pantau").await;
    let shown = numbers_on(&first, &mark);
    // The newest messages, not the whole case: 150 messages of ~2 KB would be ~320 KB.
    assert!(shown.contains(&(MESSAGES - 1)), "the newest is shown");
    assert!(!shown.contains(&0), "the oldest is on a later page");
    assert!(shown.len() <= 50, "{} messages on one page", shown.len());
    assert!(
        first.len() < 150_000,
        "the page weighs {} bytes",
        first.len()
    );
    assert!(
        first.contains("Pesan sebelumnya"),
        "a link to older messages"
    );
    assert!(
        link(&first, "newer").is_none(),
        "nothing newer than the newest"
    );
    // The reply form is still on the page.
    assert!(first.contains("action=\"/pantau/pesan\""));

    // Following "older messages" reaches every message exactly once, then stops.
    let mut seen: Vec<usize> = shown;
    let mut page = first;
    let mut pages = 1;
    while let Some(older) = link(&page, "older") {
        assert!(!older.contains("sebelum=0"), "{older}");
        page = page_at(&c, &s, &cookie, &older).await;
        pages += 1;
        assert!(pages <= 5, "paging does not end");
        let on_page = numbers_on(&page, &mark);
        assert!(!on_page.is_empty() && on_page.len() <= 50, "{on_page:?}");
        assert!(
            on_page.iter().max() < seen.iter().min(),
            "older pages show older messages"
        );
        let newer = link(&page, "newer").expect("a way back to newer messages");
        assert!(
            numbers_on(&page_at(&c, &s, &cookie, &newer).await, &mark)
                .iter()
                .any(|n| n > on_page.iter().max().unwrap()),
            "the newer link leads to newer messages"
        );
        seen.extend(on_page);
    }
    let distinct: BTreeSet<usize> = seen.iter().copied().collect();
    assert_eq!(distinct.len(), seen.len(), "no message on two pages");
    assert_eq!(distinct, (0..MESSAGES).collect(), "every message reachable");

    // In English the links keep the language.
    let en = page_at(&c, &s, &cookie, "/pantau?lang=en").await;
    let older = link(&en, "older").expect("older link in English");
    assert!(older.contains("lang=en"), "{older}");
    assert!(en.contains("Older messages"));
    // A malformed page number shows the newest page, not an error.
    let odd = page_at(&c, &s, &cookie, "/pantau?sebelum=abc").await;
    assert!(numbers_on(&odd, &mark).contains(&(MESSAGES - 1)));
}

/// The JSON API (`POST /api/v1/followup`) pages the same way: one page per answer, `older` and
/// `newer` cursors, every message reachable once.
#[tokio::test]
async fn the_json_api_answers_one_page_and_its_cursors_reach_every_message_once() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let (receipt, case_id) = submit(&c, &s).await;
    s.stop();
    let mark = marker();
    append_followups(&env, &receipt, &case_id, &mark);
    let s = env.start();

    let ask = |before: Option<Value>| {
        let mut body = serde_json::json!({ "receipt": receipt });
        if let Some(b) = before {
            body["before"] = b;
        }
        let (c, url) = (c.clone(), s.url("/api/v1/followup"));
        async move {
            let r = c.post(url).json(&body).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let bytes = r.bytes().await.unwrap();
            (
                bytes.len(),
                serde_json::from_slice::<Value>(&bytes).unwrap(),
            )
        }
    };
    let numbers = |v: &Value| -> Vec<usize> {
        v["messages"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| numbers_on(m["body"].as_str().unwrap(), &mark))
            .collect()
    };
    let (weight, first) = ask(None).await;
    assert!(weight < 150_000, "the first answer weighs {weight} bytes");
    let shown = numbers(&first);
    assert!(
        shown.contains(&(MESSAGES - 1)) && !shown.contains(&0),
        "{shown:?}"
    );
    assert!(shown.len() <= 50, "{} messages in one answer", shown.len());
    assert!(
        first.get("newer").is_none(),
        "nothing newer than the newest"
    );
    assert_eq!(first["case_id"], case_id.as_str());

    let mut seen = shown;
    let mut page = first;
    let mut pages = 1;
    while let Some(older) = page.get("older") {
        let before = older["before"].clone();
        assert!(before.as_u64().is_some_and(|n| n > 0), "{older}");
        page = ask(Some(before)).await.1;
        pages += 1;
        assert!(pages <= 5, "paging does not end");
        let on_page = numbers(&page);
        assert!(!on_page.is_empty() && on_page.len() <= 50, "{on_page:?}");
        assert!(
            on_page.iter().max() < seen.iter().min(),
            "older answers hold older messages"
        );
        // `newer` leads back: to the newest page (`before: null`) or to one between.
        let newer = page["newer"]["before"].clone();
        let back = ask((!newer.is_null()).then_some(newer)).await.1;
        assert!(
            numbers(&back)
                .iter()
                .any(|n| n > on_page.iter().max().unwrap()),
            "the newer cursor leads to newer messages"
        );
        seen.extend(on_page);
    }
    let distinct: BTreeSet<usize> = seen.iter().copied().collect();
    assert_eq!(distinct.len(), seen.len(), "no message on two pages");
    assert_eq!(distinct, (0..MESSAGES).collect(), "every message reachable");
}
