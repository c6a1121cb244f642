//! Re-sealing existing cases for a new investigator (`wbs reshare`, docs/design.md §10), against the real
//! `wbs serve`: before, the new identity cannot open an old case nor write to it; after a teammate's
//! re-seal (new items, nothing overwritten) it opens the report and the thread and can reply, the old
//! identities still work, the reporter sees the new investigator's reply, and the tools say what a
//! retired investigator could already read. The reference `age` tool confirms who opens which file.

use std::ffi::OsStr;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::command::Run;
use crate::support::http::api_submit;
use crate::support::internal::add_investigator;
use crate::support::{client, Env, Server};

const REPLY: &str = "CANARY-RESHARE-REPLY-41c7: mohon kirim bukti transfer.";
const NOTE: &str = "CANARY-RESHARE-NOTE-41c7: saksi kedua sudah dihubungi.";
const NEW_REPLY: &str = "CANARY-RESHARE-CAROL-41c7: saya penyidik baru kasus ini.";

/// Longer than the team's one-second look at keys/.
fn settle() {
    std::thread::sleep(Duration::from_millis(1300));
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

/// Two investigators, a report, a reply and an internal note; then Carol joins. Returns the env, the
/// stopped-or-running server, the case and receipt, and the three investigators.
struct Office {
    env: Env,
    s: Server,
    case: String,
    receipt: String,
    alice: crate::support::internal::Investigator,
    bob: crate::support::internal::Investigator,
    carol: crate::support::internal::Investigator,
}

async fn office() -> Office {
    let env = Env::new();
    let alice = add_investigator(&env, "alice");
    let bob = add_investigator(&env, "bob");
    let s = env.start();
    let (case, receipt) = api_submit(&s).await;
    let run = env.investigator(&s, "reply", &alice.file, &[&case, REPLY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = env.investigator(&s, "note", &alice.file, &[&case, NOTE]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let carol = add_investigator(&env, "carol");
    settle();
    Office {
        env,
        s,
        case,
        receipt,
        alice,
        bob,
        carol,
    }
}

#[tokio::test]
async fn a_teammates_reseal_lets_a_new_investigator_open_and_answer_old_cases() {
    let o = office().await;
    let (env, s, case) = (&o.env, &o.s, o.case.as_str());

    // Before: Carol's tools cannot open the case, and refuse to write to it with one sentence.
    let run = env.investigator(s, "show", &o.carol.file, &[case]);
    assert_ne!(run.code, 0);
    assert!(!run.stdout.contains(NOTE), "{}", run.stdout);
    let run = env.investigator(s, "reply", &o.carol.file, &[case, NEW_REPLY]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stderr.contains("cannot open this case"),
        "{}",
        run.stderr
    );

    // Bob, whose keys copy holds Carol's key, re-seals the case.
    let run = env.investigator(s, "reshare", &o.bob.file, &[case]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("5 item(s) re-sealed to the 3 investigator key(s)")
            && run.stdout.contains("nothing was overwritten"),
        "{}",
        run.stdout
    );
    // Once is enough: a second run changes nothing.
    let run = env.investigator(s, "reshare", &o.bob.file, &[case]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("already sealed"), "{}", run.stdout);

    // Carol now reads the report and the thread, each item still checked against its author.
    let run = env.investigator(s, "show", &o.carol.file, &[case]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(REPLY) && run.stdout.contains(NOTE),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "verified, signed by investigator alice.pub (re-sealed for this team by bob.pub)"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("REJECTED"), "{}", run.stdout);

    // …and may answer: her reply is sealed to the whole team and the reporter.
    let run = env.investigator(s, "reply", &o.carol.file, &[case, NEW_REPLY]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    // The old identities still work and see Carol's reply as genuine.
    for old in [&o.alice, &o.bob] {
        let run = env.investigator(s, "show", &old.file, &[case]);
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        assert!(run.stdout.contains(NEW_REPLY), "{}", run.stdout);
        assert!(
            run.stdout
                .contains("verified, signed by investigator carol.pub"),
            "{}",
            run.stdout
        );
        assert!(!run.stdout.contains("REJECTED"), "{}", run.stdout);
    }

    // The reporter sees both replies, and no re-seal (it is for investigators only).
    let r = client()
        .post(s.url("/api/v1/followup"))
        .json(&json!({ "receipt": o.receipt }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let bodies: Vec<&str> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(bodies, [REPLY, NEW_REPLY], "{v}");
    assert_eq!(v["unverified_hidden"], 0, "{v}");
}

#[tokio::test]
async fn after_a_retirement_the_reseal_says_what_the_retired_investigator_could_already_read() {
    let o = office().await;
    let (env, s, case) = (&o.env, &o.s, o.case.as_str());
    let run = env.wbs([
        OsStr::new("retire"),
        "--keys".as_ref(),
        env.keys.as_os_str(),
        "alice".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    settle();
    // Bob's copy no longer matches the case's team: writing is refused, with the way out named.
    let run = env.investigator(s, "note", &o.bob.file, &[case, "x"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("wbs reshare"), "{}", run.stderr);

    let run = env.investigator(s, "reshare", &o.bob.file, &["--all"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("re-sealed to the 2 investigator key(s)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("alice (retired ")
            && run.stdout.contains("re-sealing does not take that back"),
        "{}",
        run.stdout
    );
    // Bob and Carol write again; Alice's earlier reply stays genuine for Carol.
    let run = env.investigator(s, "note", &o.bob.file, &[case, "Catatan setelah pensiun."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = env.investigator(s, "show", &o.carol.file, &[case]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(REPLY), "{}", run.stdout);
    assert!(!run.stdout.contains("REJECTED"), "{}", run.stdout);

    let run = env.investigator(s, "reshare", &o.bob.file, &[] as &[&str]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--all"), "{}", run.stderr);
}

#[test]
#[ignore = "needs the age CLI (Debian package age)"]
fn the_age_tool_opens_the_old_report_only_for_the_old_team_and_the_reseal_for_the_new_one() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut o = rt.block_on(office());
    let run = o.env.investigator(&o.s, "reshare", &o.bob.file, &[&o.case]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    o.s.stop();
    let (out, run) = o.env.export("export");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dir = out.join(&o.case);
    let report = dir.join("item-0000.age");
    let reshare = dir.join("item-0005.age");
    assert!(
        reshare.exists(),
        "{:?}",
        fs::read_dir(&dir).unwrap().count()
    );
    assert!(age_decrypts(&o.alice.file, &report));
    assert!(age_decrypts(&o.bob.file, &report));
    assert!(
        !age_decrypts(&o.carol.file, &report),
        "the stored report is not rewritten for the new investigator"
    );
    for who in [&o.alice, &o.bob, &o.carol] {
        assert!(age_decrypts(&who.file, &reshare));
    }
}

#[tokio::test]
async fn the_desk_offers_the_reseal_and_says_what_a_retired_investigator_could_read() {
    use crate::desk_app::DeskApp;
    let o = office().await;
    let (env, s, case) = (&o.env, &o.s, o.case.as_str());
    let mut desk = DeskApp::start(s, &o.bob.file, &env.keys);
    let c = desk.open().await;
    let page = c
        .get(desk.url(&format!("/case/{case}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"reseal\""), "{page}");
    let r = c
        .post(desk.url(&format!("/case/{case}/reshare")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
    let page = c
        .get(desk.url(&format!("/case/{case}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("id=\"reseal\""),
        "sealed to the team now: {page}"
    );
    let run = desk_run(env, s, &o.carol.file, case);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(NOTE), "{}", run.stdout);

    // Alice retires: the page says how much of the case she could already read.
    let run = env.wbs([
        OsStr::new("retire"),
        "--keys".as_ref(),
        env.keys.as_os_str(),
        "alice".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    desk.stop();
    let mut desk = DeskApp::start(s, &o.bob.file, &env.keys);
    let c = desk.open().await;
    let page = c
        .get(desk.url(&format!("/case/{case}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("could already read 5 item(s) of this case"),
        "{page}"
    );
    assert!(
        page.contains("id=\"reseal\""),
        "the team changed again: {page}"
    );
    desk.stop();
}

fn desk_run(env: &Env, s: &Server, identity: &Path, case: &str) -> Run {
    env.investigator(s, "show", identity, &[case])
}
