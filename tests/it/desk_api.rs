//! The investigators' sync API over real HTTP (`/api/v1/desk/…` on the desk listener): login by signed
//! challenge and its refusals, bearer tokens and their revocation, the case listing with statuses and
//! deadlines, ciphertext fetches, and uploads with their conflicts and refusals.

use crate::support;
use std::fs;

use crate::support::internal::LoginMessage;
use crate::support::internal::{
    self, add_investigator, hex, seal_item, sha256, unix_now, CaseStore, CaseV1, Day,
    InvestigatorIdentity, ItemBody, ItemDraft, MessageBody, Role, Status, StatusChangeV1,
    MESSAGE_MIN,
};
use crate::support::Report;
use crate::support::{client, Env, Server};
use rand::rngs::OsRng;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn key_hex(id: &InvestigatorIdentity) -> String {
    hex(id.signing_key().verifying_key().as_bytes())
}

/// Submits a valid report through the public API; returns its case id.
async fn submit(c: &reqwest::Client, s: &Server) -> String {
    let body = Report::valid().json();
    let r = c
        .post(s.url("/api/v1/reports"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    v["case_id"].as_str().unwrap().to_owned()
}

/// A fresh challenge: its nonce, its expiry and the installation id the login must sign.
async fn challenge(c: &reqwest::Client, s: &Server) -> (String, u64, String) {
    let r = c
        .post(s.desk_url("/api/v1/desk/challenge"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let nonce = v["nonce"].as_str().unwrap().to_owned();
    assert_eq!(
        data_encoding::BASE64URL_NOPAD
            .decode(nonce.as_bytes())
            .unwrap()
            .len(),
        56,
        "16 random bytes, the expiry and a MAC (docs/format.md)"
    );
    let expires = v["expires"].as_u64().unwrap();
    let now = unix_now();
    assert!(expires > now && expires <= now + 61, "{expires} vs {now}");
    let installation = v["installation"].as_str().unwrap().to_owned();
    assert_eq!(installation.len(), 32, "16 random bytes in hex");
    (nonce, expires, installation)
}

async fn post_login(c: &reqwest::Client, s: &Server, body: &Value) -> (StatusCode, Value) {
    let r = c
        .post(s.desk_url("/api/v1/desk/login"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn login_body(
    id: &InvestigatorIdentity,
    installation: &str,
    origin: &str,
    nonce: &str,
    expires: u64,
) -> Value {
    let signature = LoginMessage {
        installation,
        origin,
        nonce,
        expires,
    }
    .sign(id.signing_key());
    json!({
        "key": key_hex(id),
        "nonce": nonce,
        "expires": expires,
        "signature": signature,
    })
}

pub(crate) async fn login(c: &reqwest::Client, s: &Server, id: &InvestigatorIdentity) -> String {
    let (nonce, expires, installation) = challenge(c, s).await;
    let (status, v) = post_login(
        c,
        s,
        &login_body(id, &installation, &s.desk_base, &nonce, expires),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let expires = v["expires"].as_u64().unwrap();
    let now = unix_now();
    assert!(expires > now + 14 * 60 && expires <= now + 15 * 60 + 1);
    v["token"].as_str().unwrap().to_owned()
}

fn assert_auth_refused(status: StatusCode, v: &Value) {
    assert_eq!(status, 401, "{v}");
    assert_eq!(v, &json!({"error": "auth"}));
}

async fn get(c: &reqwest::Client, s: &Server, token: &str, path: &str) -> (StatusCode, Vec<u8>) {
    let r = c
        .get(s.desk_url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.bytes().await.unwrap().to_vec())
}

pub(crate) async fn get_json(
    c: &reqwest::Client,
    s: &Server,
    token: &str,
    path: &str,
) -> (StatusCode, Value) {
    let (status, body) = get(c, s, token, path).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

pub(crate) async fn post_json(
    c: &reqwest::Client,
    s: &Server,
    token: &str,
    path: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let r = c
        .post(s.desk_url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn logins_are_refused_for_unknown_keys_replays_expiry_bad_signatures_and_other_origins() {
    let env = Env::new();
    let alice = add_investigator(&env, "alice");
    let s = env.start();
    let c = client();

    // A key that is not in keys/, with a valid signature over a fresh challenge.
    let stranger = InvestigatorIdentity::generate(&mut OsRng);
    let (nonce, expires, installation) = challenge(&c, &s).await;
    let (status, v) = post_login(
        &c,
        &s,
        &login_body(&stranger, &installation, &s.desk_base, &nonce, expires),
    )
    .await;
    assert_auth_refused(status, &v);

    // A good login works once; the same challenge replayed is refused.
    let (nonce, expires, installation) = challenge(&c, &s).await;
    let body = login_body(
        &alice.identity,
        &installation,
        &s.desk_base,
        &nonce,
        expires,
    );
    let (status, v) = post_login(&c, &s, &body).await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = post_login(&c, &s, &body).await;
    assert_auth_refused(status, &v);

    // A challenge the server never issued, already expired, correctly signed.
    let past = unix_now() - 120;
    let made_up = data_encoding::BASE64URL_NOPAD.encode(&[7u8; 32]);
    let (status, v) = post_login(
        &c,
        &s,
        &login_body(&alice.identity, &installation, &s.desk_base, &made_up, past),
    )
    .await;
    assert_auth_refused(status, &v);
    // An issued challenge presented with another (past) expiry, correctly signed over it.
    let (nonce, expires, installation) = challenge(&c, &s).await;
    let (status, v) = post_login(
        &c,
        &s,
        &login_body(
            &alice.identity,
            &installation,
            &s.desk_base,
            &nonce,
            expires - 120,
        ),
    )
    .await;
    assert_auth_refused(status, &v);
    // Challenges are stateless (a flood of them costs the server nothing), so a failed attempt does
    // not use one up; the first successful login does, and its replay is refused.
    let good = login_body(
        &alice.identity,
        &installation,
        &s.desk_base,
        &nonce,
        expires,
    );
    let (status, v) = post_login(&c, &s, &good).await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = post_login(&c, &s, &good).await;
    assert_auth_refused(status, &v);

    // A signature by another key, and a signature over another origin.
    let (nonce, expires, installation) = challenge(&c, &s).await;
    let mut body = login_body(&stranger, &installation, &s.desk_base, &nonce, expires);
    body["key"] = key_hex(&alice.identity).into();
    let (status, v) = post_login(&c, &s, &body).await;
    assert_auth_refused(status, &v);
    let (nonce, expires, installation) = challenge(&c, &s).await;
    let body = login_body(
        &alice.identity,
        &installation,
        "http://wbs.example",
        &nonce,
        expires,
    );
    let (status, v) = post_login(&c, &s, &body).await;
    assert_auth_refused(status, &v);
    // A relay (a malicious server the investigator was lured to) forwards a login signed for its own
    // origin, claiming that origin in `Host`: the server checks its own configured origins, not `Host`.
    let (nonce, expires, installation) = challenge(&c, &s).await;
    let body = login_body(
        &alice.identity,
        &installation,
        "http://wbs.example",
        &nonce,
        expires,
    );
    let r = c
        .post(s.desk_url("/api/v1/desk/login"))
        .header("host", "wbs.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    assert_auth_refused(status, &r.json().await.unwrap_or(Value::Null));
    // A login signed for another installation at the same address (a relay from a hostile server
    // that shares the origin, e.g. `127.0.0.1:8081` or a tunnel port) is refused.
    let (nonce, expires, _) = challenge(&c, &s).await;
    let elsewhere = "ffffffffffffffffffffffffffffffff";
    let body = login_body(&alice.identity, elsewhere, &s.desk_base, &nonce, expires);
    let (status, v) = post_login(&c, &s, &body).await;
    assert_auth_refused(status, &v);
    // The listener's own address also works as `localhost`.
    let (nonce, expires, installation) = challenge(&c, &s).await;
    let local = format!("http://localhost:{}", s.desk_port);
    let body = login_body(&alice.identity, &installation, &local, &nonce, expires);
    let (status, _) = post_login(&c, &s, &body).await;
    assert_eq!(status, StatusCode::OK);

    // Malformed bodies are bad requests, not crashes.
    let r = c
        .post(s.desk_url("/api/v1/desk/login"))
        .header("content-type", "application/json")
        .body("{\"key\":")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"error": "bad-request"})
    );

    // Nothing about any of this was logged.
    let log = env.log_text();
    assert!(!log.contains("desk/login"), "{log}");
    assert!(!log.contains(&key_hex(&alice.identity)), "{log}");
}

#[tokio::test]
async fn tokens_are_required_checked_and_dropped_with_their_key() {
    let env = Env::new();
    let alice = add_investigator(&env, "alice");
    let bob = add_investigator(&env, "bob");
    let s = env.start();
    let c = client();
    let token = login(&c, &s, &alice.identity).await;
    let bob_token = login(&c, &s, &bob.identity).await;

    let (status, _) = get_json(&c, &s, &token, "/api/v1/desk/cases").await;
    assert_eq!(status, 200);

    // No token, a forged one (one byte flipped), a made-up one.
    let r = c
        .get(s.desk_url("/api/v1/desk/cases"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"error": "auth"}));
    let mut forged = token.clone().into_bytes();
    forged[5] = if forged[5] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    let (status, v) = get_json(&c, &s, &forged, "/api/v1/desk/cases").await;
    assert_auth_refused(status, &v);
    let (status, v) = get_json(&c, &s, "not-a-token", "/api/v1/desk/cases").await;
    assert_auth_refused(status, &v);

    // Alice's key leaves keys/: her token stops working (keys/ is re-read at most once a second),
    // Bob's goes on.
    fs::remove_file(&alice.pub_file).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (status, v) = get_json(&c, &s, &token, "/api/v1/desk/cases").await;
    assert_auth_refused(status, &v);
    let (status, _) = get_json(&c, &s, &bob_token, "/api/v1/desk/cases").await;
    assert_eq!(status, 200);
    // Putting the key back does not revive the dropped token.
    fs::write(
        &alice.pub_file,
        alice.identity.public("alice").to_file_text("x"),
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (status, v) = get_json(&c, &s, &token, "/api/v1/desk/cases").await;
    assert_auth_refused(status, &v);
}

#[tokio::test]
async fn desk_routes_exist_only_on_the_desk_listener() {
    let env = Env::new();
    add_investigator(&env, "alice");
    let s = env.start();
    let c = client();
    for path in [
        "/api/v1/desk/challenge",
        "/api/v1/desk/login",
        "/api/v1/desk/cases/changes",
    ] {
        let r = c.post(s.url(path)).json(&json!({})).send().await.unwrap();
        assert_eq!(r.status(), 404, "POST {path} on the public port");
    }
    for path in [
        "/api/v1/desk/cases",
        "/api/v1/desk/cases/WBS-0000-0000-0000",
    ] {
        let r = c.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "GET {path} on the public port");
    }
    // And the public site is not on the desk listener.
    let r = c.get(s.desk_url("/lapor")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"error": "not-found"})
    );
}

#[tokio::test]
async fn cases_are_listed_with_cursors_and_their_ciphertext_is_served() {
    let env = Env::new();
    let alice = add_investigator(&env, "alice");
    let s = env.start();
    let c = client();
    let case_a = submit(&c, &s).await;
    let case_b = submit(&c, &s).await;
    let token = login(&c, &s, &alice.identity).await;
    let today = Day::today();

    let (status, v) = get_json(&c, &s, &token, "/api/v1/desk/cases").await;
    assert_eq!(status, 200);
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    let a = cases
        .iter()
        .find(|x| x["case_id"] == case_a.as_str())
        .unwrap();
    assert_eq!(a["channel"], "api");
    assert_eq!(a["created"], today.as_str());
    assert_eq!(a["status"], "diterima");
    assert_eq!(
        a["status_history"],
        json!([{"status": "diterima", "day": today.as_str()}])
    );
    assert_eq!(a["item_count"], 3);
    assert_eq!(a["revision"], 4);
    assert_eq!(a["attachments"], 0);
    assert_eq!(a["deadline"]["stage"], "acknowledge");
    assert_eq!(a["deadline"]["overdue"], false);
    let due = Day::parse(a["deadline"]["due"].as_str().unwrap()).unwrap();
    assert!(due > today);

    // The per-case cursor: only cases whose revision differs or that the client does not know.
    let (status, v) = post_json(
        &c,
        &s,
        &token,
        "/api/v1/desk/cases/changes",
        &json!({"cursors": {case_a.clone(): 4, case_b.clone(): 4}}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(v["cases"], json!([]));
    let (_, v) = post_json(
        &c,
        &s,
        &token,
        "/api/v1/desk/cases/changes",
        &json!({"cursors": {case_a.clone(): 3}}),
    )
    .await;
    let mut ids: Vec<&str> = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["case_id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut both = vec![case_a.as_str(), case_b.as_str()];
    both.sort();
    assert_eq!(ids, both);

    // One case: its items by digest and length, each served as the ciphertext itself.
    let (status, v) = get_json(&c, &s, &token, &format!("/api/v1/desk/cases/{case_a}")).await;
    assert_eq!(status, 200);
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(v["attachments"], json!([]));
    for (seq, item) in items.iter().enumerate() {
        assert_eq!(item["seq"], seq);
        let (status, bytes) = get(
            &c,
            &s,
            &token,
            &format!("/api/v1/desk/cases/{case_a}/items/{seq}"),
        )
        .await;
        assert_eq!(status, 200);
        assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
        assert_eq!(item["len"], bytes.len());
        assert_eq!(item["ciphertext_sha256"], hex(&sha256(&bytes)));
    }
    for path in [
        format!("/api/v1/desk/cases/{case_a}/items/3"),
        format!("/api/v1/desk/cases/{case_a}/items/x"),
        format!("/api/v1/desk/cases/{case_a}/attachments/nope"),
        "/api/v1/desk/cases/WBS-0000-0000-0000".to_owned(),
    ] {
        let (status, v) = get_json(&c, &s, &token, &path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(v, json!({"error": "not-found"}));
    }
}

/// A reply sealed like the CLI seals it, signed by `id`, at `seq` after `prev`.
fn sealed_reply(id: &InvestigatorIdentity, case_id: &str, seq: u32, prev: &str) -> Vec<u8> {
    let case_id = internal::case_id(case_id);
    let body = ItemBody::Reply(MessageBody {
        text: "Terima kasih, laporan sedang kami periksa.".into(),
    });
    let draft = ItemDraft {
        case_id: &case_id,
        seq,
        prev_digest: prev,
        day: &Day::today(),
        role: Role::Investigator,
        body: &body,
    };
    seal_item(draft, id.signing_key(), &[id.recipient()], MESSAGE_MIN).unwrap()
}

#[tokio::test]
async fn uploads_need_the_next_seq_and_an_age_file_and_statuses_are_dated() {
    let env = Env::new();
    let alice = add_investigator(&env, "alice");
    let s = env.start();
    let c = client();
    let case = submit(&c, &s).await;
    let token = login(&c, &s, &alice.identity).await;
    let (_, detail) = get_json(&c, &s, &token, &format!("/api/v1/desk/cases/{case}")).await;
    let last = detail["items"][2]["ciphertext_sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let items = format!("/api/v1/desk/cases/{case}/items");
    let b64 = |b: &[u8]| data_encoding::BASE64.encode(b);

    // A stale seq is a conflict; nothing is stored.
    let reply = sealed_reply(&alice.identity, &case, 3, &last);
    let (status, v) = post_json(
        &c,
        &s,
        &token,
        &items,
        &json!({"seq": 2, "ciphertext": b64(&reply)}),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(v, json!({"error": "conflict"}));
    // Not an age file.
    let (status, v) = post_json(
        &c,
        &s,
        &token,
        &items,
        &json!({"seq": 3, "ciphertext": b64(b"hello, plaintext")}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(v, json!({"error": "not-age"}));
    // Not base64, and unknown fields: bad requests.
    for body in [
        json!({"seq": 3, "ciphertext": "***"}),
        json!({"seq": 3, "ciphertext": b64(&reply), "extra": 1}),
    ] {
        let (status, v) = post_json(&c, &s, &token, &items, &body).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(v, json!({"error": "bad-request"}));
    }
    // Too large for one item.
    let big =
        serde_json::to_vec(&json!({"seq": 3, "ciphertext": b64(&vec![0u8; 600 * 1024])})).unwrap();
    let r = support::raw_request(
        s.desk_port,
        "POST",
        &items,
        &format!("Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"),
        &big,
    );
    assert_eq!(r.status, 413);

    // The right seq is stored.
    let (status, v) = post_json(
        &c,
        &s,
        &token,
        &items,
        &json!({"seq": 3, "ciphertext": b64(&reply)}),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["revision"], 5);
    let (_, bytes) = get(&c, &s, &token, &format!("{items}/3")).await;
    assert_eq!(bytes, reply);

    // Status: unknown codes are refused; every change needs its signed item (`note` at `seq`); the
    // office's process decides which change may follow which; a change shows up with its date.
    let status_path = format!("/api/v1/desk/cases/{case}/status");
    let (status, v) = post_json(&c, &s, &token, &status_path, &json!({"status": "Verified"})).await;
    assert_eq!(status, 422);
    assert_eq!(v, json!({"error": "unknown-status"}));
    let (status, v) = post_json(
        &c,
        &s,
        &token,
        &status_path,
        &json!({"status": "diverifikasi"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(v, json!({"error": "item-required"}));
    let note = sealed_reply(&alice.identity, &case, 4, "00");
    let (status, v) = post_json(
        &c,
        &s,
        &token,
        &status_path,
        &json!({"status": "ditindaklanjuti", "seq": 4, "note": b64(&note)}),
    )
    .await;
    assert_eq!(status, 422, "diterima → ditindaklanjuti skips verification");
    assert_eq!(v, json!({"error": "transition-not-allowed"}));
    let (status, v) = post_json(
        &c,
        &s,
        &token,
        &status_path,
        &json!({"status": "diverifikasi", "seq": 4, "note": b64(&note)}),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["revision"], 7);
    // With a sealed note at a stale seq: conflict, and the status is not changed either.
    let note = sealed_reply(&alice.identity, &case, 5, "00");
    let (status, _) = post_json(
        &c,
        &s,
        &token,
        &status_path,
        &json!({"status": "selesai", "seq": 4, "note": b64(&note)}),
    )
    .await;
    assert_eq!(status, 409);
    let (status, _) = post_json(
        &c,
        &s,
        &token,
        &status_path,
        &json!({"status": "ditindaklanjuti", "seq": 5, "note": b64(&note)}),
    )
    .await;
    assert_eq!(status, 201);

    let (_, v) = get_json(&c, &s, &token, "/api/v1/desk/cases").await;
    let listed = &v["cases"][0];
    let today = Day::today();
    assert_eq!(listed["status"], "ditindaklanjuti");
    assert_eq!(
        listed["status_history"],
        json!([
            {"status": "diterima", "day": today.as_str()},
            {"status": "diverifikasi", "day": today.as_str()},
            {"status": "ditindaklanjuti", "day": today.as_str()},
        ])
    );
    assert_eq!(listed["item_count"], 6);
    assert_eq!(listed["deadline"]["stage"], "settle");
    let (status, _) = post_json(&c, &s, &token, &status_path, &json!({"status": "selesai"})).await;
    assert_eq!(status, 422);
    let note = sealed_reply(&alice.identity, &case, 6, "00");
    let (status, _) = post_json(
        &c,
        &s,
        &token,
        &status_path,
        &json!({"status": "selesai", "seq": 6, "note": b64(&note)}),
    )
    .await;
    assert_eq!(status, 201);
    let (_, v) = get_json(&c, &s, &token, &format!("/api/v1/desk/cases/{case}")).await;
    assert_eq!(v["status"], "selesai");
    assert_eq!(v["deadline"], Value::Null);
    // A closed case stays closed.
    let note = sealed_reply(&alice.identity, &case, 7, "00");
    let (status, v) = post_json(
        &c,
        &s,
        &token,
        &status_path,
        &json!({"status": "ditindaklanjuti", "seq": 7, "note": b64(&note)}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(v, json!({"error": "transition-not-allowed"}));
}

#[tokio::test]
async fn deadlines_follow_the_configuration_and_overdue_cases_are_marked() {
    let env = Env::with_config("[deadlines]\nacknowledge_working_days = 0\n");
    let alice = add_investigator(&env, "alice");
    let mut s = env.start();
    let c = client();
    let fresh = submit(&c, &s).await;
    s.stop();
    // A case received long ago, planted as a restored backup would hold it.
    let old = plant_old_case(&env, &fresh, "2020-01-06");
    let s = env.start();
    let token = login(&c, &s, &alice.identity).await;
    let (_, v) = get_json(&c, &s, &token, "/api/v1/desk/cases").await;
    let find = |id: &str| {
        v["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["case_id"] == id)
            .unwrap()
            .clone()
    };
    // Zero working days: due the day it arrived, not yet overdue on that day.
    let today = Day::today();
    assert_eq!(
        find(&fresh)["deadline"],
        json!({"stage": "acknowledge", "due": today.as_str(), "overdue": false})
    );
    assert_eq!(
        find(&old)["deadline"],
        json!({"stage": "acknowledge", "due": "2020-01-06", "overdue": true})
    );
}

/// Stores a copy of `like`'s items as a new case created on `created` (the server must be stopped).
/// Returns the new case id.
pub fn plant_old_case(env: &Env, like: &str, created: &str) -> String {
    let store = internal::open_store(&env.data);
    let like = internal::case_id(like);
    let template = store.case(&like).unwrap().unwrap();
    let items = store.items(&like).unwrap();
    // An id a server could make (Crockford: no L, I, O or U).
    let id = internal::case_id("WBS-01D0-CASE-2020");
    let created = Day::parse(created).unwrap();
    let case = CaseV1 {
        id: id.clone(),
        created: created.clone(),
        statuses: vec![StatusChangeV1 {
            status: Status::Diterima,
            day: created,
        }],
        ..template
    };
    store.create_case(&case, &items, &[9u8; 32]).unwrap();
    id.to_string()
}
