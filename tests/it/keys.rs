//! The team's keys as an office lives them, against the real `wbs serve` (docs/design.md §10): a key
//! added or removed while running is sealed to (or not) and logs in (or not) within a second, with one
//! log line per change; a stray garbage or private-key file locks nobody out; one key in two files is
//! one person; `wbs retire` stops sealing and logins while the retired investigator's earlier reply
//! stays genuine for investigators and the reporter; a refused demo start leaves no demo key.

use std::ffi::OsStr;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use rand::rngs::OsRng;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::command::{command, wbs};
use crate::support::http::api_submit;
use crate::support::internal::{
    self, add_investigator, hex, recipient_from_hex, seal, seal_item, Append, CaseStore, Day,
    Envelope, InvestigatorIdentity, ItemBody, ItemDraft, LoginMessage, MessageBody, Role,
    MESSAGE_MIN,
};
use crate::support::{client, Env, Report, Server};

/// Longer than the team's one-second look at keys/.
const SETTLE: Duration = Duration::from_millis(1300);

fn settle() {
    std::thread::sleep(SETTLE);
}

/// Logs in to the desk API with a fresh challenge; returns the status and the token, if any.
async fn login(s: &Server, id: &InvestigatorIdentity) -> (StatusCode, Option<String>) {
    let c = client();
    let v: Value = c
        .post(s.desk_url("/api/v1/desk/challenge"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let nonce = v["nonce"].as_str().unwrap();
    let expires = v["expires"].as_u64().unwrap();
    let installation = v["installation"].as_str().unwrap();
    let signature = LoginMessage {
        installation,
        origin: &s.desk_base,
        nonce,
        expires,
    }
    .sign(id.signing_key());
    let r = c
        .post(s.desk_url("/api/v1/desk/login"))
        .json(&json!({
            "key": hex(id.signing_key().verifying_key().as_bytes()),
            "nonce": nonce,
            "expires": expires,
            "signature": signature,
        }))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    (status, v["token"].as_str().map(str::to_owned))
}

async fn token_works(s: &Server, token: &str) -> bool {
    client()
        .get(s.desk_url("/api/v1/desk/cases"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        == StatusCode::OK
}

/// Whether `id` opens item 0 of `case` in the store of a stopped server.
fn opens_report(env: &Env, case: &str, id: &InvestigatorIdentity) -> bool {
    let store = internal::open_store(&env.data);
    let items = store.items(&internal::case_id(case)).unwrap();
    seal::open(&items[0], &[id.age_identity() as &dyn age::Identity]).is_ok()
}

/// The log lines that announce a change of the team.
fn change_lines(env: &Env) -> Vec<String> {
    env.log_text()
        .lines()
        .filter(|l| l.contains("investigators changed:"))
        .map(str::to_owned)
        .collect()
}

fn age_decrypts(identity: &Path, file: &Path) -> bool {
    Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the age tool is installed")
        .success()
}

#[tokio::test]
async fn a_key_added_or_removed_while_running_is_followed_at_once_with_one_log_line_each() {
    let env = Env::new();
    let alice = add_investigator(&env, "alice");
    let bob = add_investigator(&env, "bob");
    let mut s = env.start();
    let (status, bob_token) = login(&s, &bob.identity).await;
    assert_eq!(status, 200);
    let bob_token = bob_token.unwrap();

    // Carol's key arrives: she logs in at once, and the next report is sealed to her.
    let carol = add_investigator(&env, "carol");
    let (status, _) = login(&s, &carol.identity).await;
    assert_eq!(status, 200, "a key just added logs in");
    settle();
    let (with_carol, _) = api_submit(&s).await;

    // Bob's key leaves: his token and his logins are refused, and the next report is not his.
    fs::remove_file(&bob.pub_file).unwrap();
    settle();
    assert!(!token_works(&s, &bob_token).await);
    assert_eq!(login(&s, &bob.identity).await.0, 401);
    let (without_bob, _) = api_submit(&s).await;
    s.stop();

    assert!(opens_report(&env, &with_carol, &carol.identity));
    assert!(opens_report(&env, &with_carol, &bob.identity));
    assert!(opens_report(&env, &without_bob, &carol.identity));
    assert!(opens_report(&env, &without_bob, &alice.identity));
    assert!(!opens_report(&env, &without_bob, &bob.identity));

    let lines = change_lines(&env);
    assert_eq!(lines.len(), 2, "one line per change: {lines:?}");
    assert!(
        lines[0].ends_with("investigators changed: added carol; 3 active, 0 retired"),
        "{lines:?}"
    );
    assert!(
        lines[1].ends_with("investigators changed: removed bob; 2 active, 0 retired"),
        "{lines:?}"
    );
    // Names and counts only: no key is logged.
    let log = env.log_text();
    assert!(
        !log.contains(&carol.identity.recipient().to_string()),
        "{log}"
    );
}

#[test]
#[ignore = "needs the age CLI (Debian package age)"]
fn the_age_tool_opens_a_report_only_for_the_team_it_was_sealed_to() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let env = Env::new();
    let alice = add_investigator(&env, "alice");
    let bob = add_investigator(&env, "bob");
    let mut s = env.start();
    let carol = add_investigator(&env, "carol");
    settle();
    let (with_carol, _) = rt.block_on(api_submit(&s));
    fs::remove_file(&bob.pub_file).unwrap();
    settle();
    let (without_bob, _) = rt.block_on(api_submit(&s));
    s.stop();

    let (out, run) = env.export("export");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let item = |case: &str| out.join(case).join("item-0000.age");
    assert!(age_decrypts(&carol.file, &item(&with_carol)));
    assert!(age_decrypts(&bob.file, &item(&with_carol)));
    assert!(age_decrypts(&alice.file, &item(&without_bob)));
    assert!(age_decrypts(&carol.file, &item(&without_bob)));
    assert!(
        !age_decrypts(&bob.file, &item(&without_bob)),
        "a removed investigator cannot open a later report"
    );
}

#[tokio::test]
async fn a_garbage_or_private_key_file_dropped_in_while_running_locks_nobody_out() {
    let env = Env::new();
    let alice = add_investigator(&env, "alice");
    let bob = add_investigator(&env, "bob");
    let mut s = env.start();
    let (_, alice_token) = login(&s, &alice.identity).await;
    let alice_token = alice_token.unwrap();

    fs::write(
        env.keys.join("garbage.pub"),
        "CANARY-GARBAGE-41c2 not a key\n",
    )
    .unwrap();
    let stray = InvestigatorIdentity::generate(&mut OsRng);
    fs::write(
        env.keys.join("oops.key"),
        stray.to_file_text("2026-01-01").as_bytes(),
    )
    .unwrap();
    // Bob's own file is overwritten with a private key: his previous version stays in force.
    fs::write(
        &bob.pub_file,
        bob.identity.to_file_text("2026-01-01").as_bytes(),
    )
    .unwrap();
    settle();

    assert!(token_works(&s, &alice_token).await);
    assert_eq!(login(&s, &alice.identity).await.0, 200);
    assert_eq!(login(&s, &bob.identity).await.0, 200);
    assert_eq!(login(&s, &stray).await.0, 401);
    let (case, _) = api_submit(&s).await;
    s.stop();
    assert!(opens_report(&env, &case, &alice.identity));
    assert!(opens_report(&env, &case, &bob.identity));
    assert!(!opens_report(&env, &case, &stray));

    let log = env.log_text();
    for (file, code) in [
        ("garbage.pub", "WBS-KEY-INVALID"),
        ("oops.key", "WBS-KEY-PRIVATE"),
        ("bob.pub", "WBS-KEY-PRIVATE"),
    ] {
        assert!(
            log.lines().any(|l| l.contains(file) && l.contains(code)),
            "{file} named with {code}: {log}"
        );
    }
    assert!(
        log.contains("the previous version of this file stays in force"),
        "{log}"
    );
    // Named, never shown.
    assert!(!log.contains("CANARY-GARBAGE-41c2"), "{log}");
    assert!(
        !log.to_ascii_uppercase().contains("AGE-SECRET-KEY-1"),
        "{log}"
    );
    assert!(change_lines(&env).is_empty(), "nothing changed in force");
}

#[tokio::test]
async fn one_key_in_two_files_is_one_person() {
    let env = Env::new();
    let alice = add_investigator(&env, "alice");
    let bob = add_investigator(&env, "bob");
    let mut s = env.start();
    fs::copy(&bob.pub_file, env.keys.join("bob-backup.pub")).unwrap();
    settle();
    assert_eq!(login(&s, &bob.identity).await.0, 200);
    let (case, _) = api_submit(&s).await;
    s.stop();
    assert!(opens_report(&env, &case, &alice.identity));
    let log = env.log_text();
    assert!(
        log.lines()
            .any(|l| l.contains("WBS-KEY-DUPLICATE") && l.contains("bob-backup.pub")),
        "{log}"
    );
    assert!(change_lines(&env).is_empty(), "the team did not change");

    // --production counts people: one key twice is refused, naming both files.
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys");
    fs::create_dir(&keys).unwrap();
    fs::copy(&alice.pub_file, keys.join("siti.pub")).unwrap();
    fs::copy(&alice.pub_file, keys.join("siti-backup.pub")).unwrap();
    let run = wbs([
        OsStr::new("serve"),
        "--production".as_ref(),
        "--listen".as_ref(),
        "127.0.0.1:0".as_ref(),
        "--data".as_ref(),
        tmp.path().join("data").as_os_str(),
        "--keys".as_ref(),
        keys.as_os_str(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("siti.pub") && run.stderr.contains("siti-backup.pub"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("same key"), "{}", run.stderr);
    assert!(!tmp.path().join("data").exists(), "nothing was made");
}

/// `wbs SUB --server DESK --identity ID --keys KEYS ARGS…`.

#[tokio::test]
async fn a_retired_investigator_is_not_sealed_to_nor_logs_in_but_their_earlier_reply_stays_genuine()
{
    const REPLY: &str = "CANARY-RETIRED-REPLY-6d1e: mohon kirim kuitansi.";
    let env = Env::new();
    let alice = add_investigator(&env, "alice");
    let bob = add_investigator(&env, "bob");
    let mut s = env.start();
    let (case, receipt) = api_submit(&s).await;
    let run = env.investigator(&s, "reply", &alice.file, &[&case, REPLY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (_, alice_token) = login(&s, &alice.identity).await;
    let alice_token = alice_token.unwrap();

    let run = env.wbs([
        OsStr::new("retire"),
        "--keys".as_ref(),
        env.keys.as_os_str(),
        "alice".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let today = Day::today();
    assert!(fs::read_to_string(&alice.pub_file)
        .unwrap()
        .ends_with(&format!("retired: {today}\n")));
    settle();

    assert!(!token_works(&s, &alice_token).await);
    assert_eq!(login(&s, &alice.identity).await.0, 401);
    let (later, _) = api_submit(&s).await;
    let lines = change_lines(&env);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].ends_with("investigators changed: retired alice; 1 active, 1 retired"),
        "{lines:?}"
    );

    // Her reply still verifies for a colleague whose copy of keys/ holds her retired file.
    let run = env.investigator(&s, "show", &bob.file, &[&case]);
    assert!(
        run.stdout
            .contains("reply — verified, signed by investigator alice.pub"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(!run.stdout.contains("REJECTED"), "{}", run.stdout);
    s.stop();
    assert!(!opens_report(&env, &later, &alice.identity));
    assert!(opens_report(&env, &later, &bob.identity));

    // After a restart (which re-reads keys/), the reporter still sees her reply.
    let s = env.start();
    let r = client()
        .post(s.url("/api/v1/followup"))
        .json(&json!({ "receipt": receipt }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["unverified_hidden"], 0, "{v}");
    assert!(
        v["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["body"] == REPLY),
        "{v}"
    );
    drop(s);

    // Offline, from an export, with the same keys copy.
    let (out, run) = env.export("export");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = env.wbs([
        OsStr::new("decrypt"),
        "--identity".as_ref(),
        bob.file.as_os_str(),
        "--keys".as_ref(),
        env.keys.as_os_str(),
        out.join(&case).as_os_str(),
    ]);
    assert!(
        run.stdout.contains("signed by investigator alice.pub"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(!run.stdout.contains("REJECTED"), "{}", run.stdout);
}

#[tokio::test]
async fn an_item_a_retired_investigator_signed_after_their_retirement_day_is_rejected() {
    let env = Env::new();
    let alice = add_investigator(&env, "alice");
    let bob = add_investigator(&env, "bob");
    let mut s = env.start();
    let (case, receipt) = api_submit(&s).await;
    s.stop();
    let yesterday = Day::today().plus_days(-1);
    let run = env.wbs([
        OsStr::new("retire"),
        "--keys".as_ref(),
        env.keys.as_os_str(),
        "alice.pub".as_ref(),
        "--day".as_ref(),
        yesterday.as_str().as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    // Alice, retired yesterday, still holds her identity: a reply she signs today is not genuine.
    {
        let store = internal::open_store(&env.data);
        let id = internal::case_id(&case);
        let c = store.case(&id).unwrap().unwrap();
        let items = store.items(&id).unwrap();
        let report = seal::open(
            &items[0],
            &[bob.identity.age_identity() as &dyn age::Identity],
        )
        .unwrap();
        let Ok(ItemBody::Report(report)) = Envelope::open(&report).unwrap().body() else {
            panic!("item 0 is a report")
        };
        let reporter = recipient_from_hex(&report.reporter_keys.x25519).unwrap();
        let body = ItemBody::Reply(MessageBody {
            text: "CANARY-AFTER-RETIREMENT-2f90".into(),
        });
        let item = seal_item(
            ItemDraft {
                case_id: &id,
                seq: c.item_count,
                prev_digest: &c.last_digest,
                day: &Day::today(),
                role: Role::Investigator,
                body: &body,
            },
            alice.identity.signing_key(),
            &[bob.identity.recipient(), reporter],
            MESSAGE_MIN,
        )
        .unwrap();
        store
            .append(
                &id,
                c.item_count,
                Append {
                    items: vec![item],
                    ..Append::default()
                },
            )
            .unwrap();
    }
    let s = env.start();
    let run = env.investigator(&s, "show", &bob.file, &[&case]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "item 3: REJECTED — signed by a retired investigator after their retirement day"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("CANARY-AFTER-RETIREMENT-2f90"));
    let v: Value = client()
        .post(s.url("/api/v1/followup"))
        .json(&json!({ "receipt": receipt }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["unverified_hidden"], 1, "{v}");
    assert!(!v.to_string().contains("CANARY-AFTER-RETIREMENT-2f90"));
}

#[tokio::test]
async fn a_key_moved_into_retired_is_retired() {
    let env = Env::new();
    let alice = add_investigator(&env, "alice");
    let bob = add_investigator(&env, "bob");
    let s = env.start();
    fs::create_dir(env.keys.join("retired")).unwrap();
    let text = fs::read_to_string(&alice.pub_file).unwrap();
    fs::write(
        env.keys.join("retired/alice.pub"),
        format!("{text}retired: 2026-01-01\n"),
    )
    .unwrap();
    fs::remove_file(&alice.pub_file).unwrap();
    settle();
    assert_eq!(login(&s, &alice.identity).await.0, 401);
    assert_eq!(login(&s, &bob.identity).await.0, 200);
    let lines = change_lines(&env);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].ends_with("investigators changed: retired alice; 1 active, 1 retired"),
        "{lines:?}"
    );
}

#[test]
fn a_refused_demo_start_leaves_no_demo_key() {
    // A data directory with cases sealed to real keys, started without them: demo mode is refused.
    let env = Env::new();
    let alice = add_investigator(&env, "alice");
    let prepared = internal::prepare(&env.data, &env.keys);
    internal::submit_in_process(
        &prepared,
        &Report::valid().input(),
        Vec::new(),
        internal::Channel::Api,
        &Day::today(),
    );
    drop(prepared);
    fs::remove_file(&alice.pub_file).unwrap();
    let out = command()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--desk-listen",
            "127.0.0.1:0",
        ])
        .arg("--data")
        .arg(&env.data)
        .arg("--keys")
        .arg(&env.keys)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("demo mode is refused"), "{stderr}");
    assert!(
        !env.demo_identity().exists(),
        "a refused demo start left {}",
        env.demo_identity().display()
    );

    // A demo start that succeeds still makes it.
    let fresh = Env::new();
    let mut s = fresh.start();
    s.stop();
    assert!(fresh.demo_identity().exists());
}
