//! Issue 11, retention: with a rule configured, the server deletes expired cases with their files at
//! start (and hourly); the rest stay and still verify; investigators see a tombstone with the day. The
//! clock is shortened by dating the cases in the past.

use std::ffi::OsStr;

use crate::support::internal::{self, Append, CaseStore, Channel, Day, Status, StatusChangeV1};
use crate::support::*;

#[test]
fn expired_cases_and_their_files_go_and_the_rest_verify() {
    let env = Env::with_config("[retention]\nclosed_years = 5\nuntouched_months = 12\n");
    let today = Day::today();
    let (untouched, closed, fresh) = {
        let prepared = internal::prepare(&env.data, &env.keys);
        let input = Report::valid().input();
        let submit = |day: &Day| {
            let file = internal::seal_attachment(&prepared, "bukti.pdf", &pdf_with(&marker()));
            internal::submit_in_process(&prepared, &input, vec![file], Channel::Web, day)
        };
        (
            submit(&today.plus_days(-400)),
            submit(&today.plus_days(-3000)),
            submit(&today),
        )
    };
    {
        // Closed long ago (the record only: this case is about to go).
        let store = internal::open_store(&env.data);
        let id = internal::case_id(&closed);
        let case = store.case(&id).unwrap().unwrap();
        let append = Append {
            status: Some(StatusChangeV1 {
                status: Status::Selesai,
                day: today.plus_days(-2500),
            }),
            ..Append::default()
        };
        store.append(&id, case.item_count, append).unwrap();
    }
    assert_eq!(env.blob_files().len(), 3);

    let mut s = env.start();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while env.blob_files().len() > 1 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Investigators see what went, and when.
    let cases = env.wbs([
        OsStr::new("cases"),
        OsStr::new("--server"),
        OsStr::new(&s.desk_base),
        OsStr::new("--identity"),
        env.demo_identity().as_os_str(),
        OsStr::new("--keys"),
        env.keys.as_os_str(),
    ]);
    assert!(cases.success(), "{}\n{}", cases.stdout, cases.stderr);
    let day = today.as_str();
    assert!(
        cases
            .stdout
            .contains("2 kasus dihapus menurut aturan masa simpan"),
        "{}",
        cases.stdout
    );
    assert!(cases.stdout.contains(&format!(
        "{untouched} — {day} (tidak pernah ditindaklanjuti)"
    )));
    assert!(cases
        .stdout
        .contains(&format!("{closed} — {day} (selesai melewati masa simpan)")));
    s.stop();
    assert_eq!(env.blob_files().len(), 1, "{:?}", env.blob_files());
    let store = internal::open_store(&env.data);
    let ids: Vec<String> = store
        .case_ids()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(ids, vec![fresh.clone()]);
    let mut stones: Vec<(String, String, String)> = internal::RetentionStore::tombstones(&store)
        .unwrap()
        .into_iter()
        .map(|t| {
            let rule = serde_json::to_string(&t.rule).unwrap();
            (t.id.to_string(), t.deleted.as_str().to_owned(), rule)
        })
        .collect();
    stones.sort();
    let mut want = vec![
        (
            untouched.clone(),
            today.as_str().to_owned(),
            "\"never_taken_up\"".to_owned(),
        ),
        (
            closed.clone(),
            today.as_str().to_owned(),
            "\"closed\"".to_owned(),
        ),
    ];
    want.sort();
    assert_eq!(stones, want);
    drop(store);
    let log = env.log_text();
    assert!(log.contains("WBS-RETENTION"), "{log}");
    assert!(
        !log.contains(&untouched) && !log.contains(&closed),
        "no case id in the log"
    );

    // What remains exports and verifies.
    let verified = export_and_verify(&env);
    assert!(
        verified.contains(&format!("case {fresh}: all")),
        "{verified}"
    );
    assert!(!verified.contains(&untouched) && !verified.contains(&closed));
}

/// Exports the (stopped) server's data and decrypts and verifies the export with the demo identity;
/// returns what `wbs decrypt` printed.
fn export_and_verify(env: &Env) -> String {
    let (out, o) = env.export("export");
    assert!(o.success(), "{}", o.stderr);
    let o = env.wbs([
        OsStr::new("decrypt"),
        OsStr::new("--identity"),
        env.demo_identity().as_os_str(),
        out.as_os_str(),
    ]);
    assert!(o.success(), "{}", o.stderr);
    o.stdout
}

/// Pieces of a case's sealed items (past the age header), to look for in the data directory later;
/// and the items of another case, to compare after. The server must be stopped.
fn needles_and_items(env: &Env, deleted: &str, kept: &str) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let store = internal::open_store(&env.data);
    let items = store.items(&internal::case_id(deleted)).unwrap();
    let needles: Vec<Vec<u8>> = items
        .iter()
        .map(|item| item[item.len() - 64..item.len() - 16].to_vec())
        .collect();
    let kept_items = store.items(&internal::case_id(kept)).unwrap();
    (needles, kept_items)
}

/// Sends a valid report to the API at `url`; it must be acknowledged (201). Returns the case id.
async fn submit_to(url: &str) -> String {
    let r = client()
        .post(url)
        .json(&Report::valid().json())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: serde_json::Value = r.json().await.unwrap();
    v["case_id"].as_str().unwrap().to_owned()
}

/// Waits (up to 60 s) until the server's log holds `code`.
async fn log_shows(env: &Env, code: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !env.log_text().contains(code) {
        assert!(
            std::time::Instant::now() < deadline,
            "no {code} in the log: {}",
            env.log_text()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// sled keeps deleted values in its segment files until its own cleaner runs: right after the
/// retention pass the running server rewrites its store, so no byte of an expired case's items stays
/// in the data directory — without a restart — while reports keep arriving and every one is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_server_purges_and_compacts_so_no_byte_of_the_deleted_case_is_left() {
    let env = Env::with_config("[retention]\nuntouched_months = 12\n");
    let today = Day::today();
    let (expired, kept) = {
        let prepared = internal::prepare(&env.data, &env.keys);
        let input = Report::valid().input();
        let submit =
            |day: &Day| internal::submit_in_process(&prepared, &input, vec![], Channel::Web, day);
        (submit(&today.plus_days(-400)), submit(&today))
    };
    let (needles, kept_items) = needles_and_items(&env, &expired, &kept);
    assert_eq!(needles.len(), 3);
    let needle_refs: Vec<&[u8]> = needles.iter().map(Vec::as_slice).collect();
    assert!(!files_containing(&env.data, &needle_refs).is_empty());

    let mut s = env.start();
    // Reports sent while the server purges and compacts, and after: each one acknowledged (201).
    let compacted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sender = {
        let (compacted, url) = (compacted.clone(), s.url("/api/v1/reports"));
        tokio::spawn(async move {
            let mut sent = vec![submit_to(&url).await];
            while !compacted.load(std::sync::atomic::Ordering::Relaxed) && sent.len() < 20 {
                sent.push(submit_to(&url).await);
            }
            sent
        })
    };
    log_shows(&env, "WBS-COMPACTED").await;
    compacted.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut sent = sender.await.unwrap();
    sent.push(submit_to(&s.url("/api/v1/reports")).await);
    // Still running: every byte of the data directory is searched.
    assert_eq!(
        files_containing(&env.data, &needle_refs),
        Vec::<(std::path::PathBuf, String)>::new(),
        "no byte of the deleted case's items is left"
    );
    for leftover in ["store.old", "store.compacting"] {
        assert!(!env.data.join(leftover).exists(), "{leftover}");
    }
    s.stop();
    let log = env.log_text();
    assert!(log.contains("WBS-RETENTION"), "{log}");
    assert!(!log.contains(&expired), "no case id in the log");

    let store = internal::open_store(&env.data);
    let mut ids: Vec<String> = store
        .case_ids()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    ids.sort();
    let mut want: Vec<String> = sent.iter().chain([&kept]).cloned().collect();
    want.sort();
    assert_eq!(
        ids, want,
        "the kept case and every report sent, nothing else"
    );
    assert_eq!(store.items(&internal::case_id(&kept)).unwrap(), kept_items);
    assert_eq!(
        internal::RetentionStore::tombstones(&store).unwrap().len(),
        1
    );
    drop(store);

    let verified = export_and_verify(&env);
    for id in &want {
        assert!(
            verified.contains(&format!("case {id}: all")),
            "{id}: {verified}"
        );
    }
}

/// A purge whose compaction never ran (the server stopped or crashed first) is compacted at the next
/// start, before the server serves.
#[test]
fn a_purge_left_uncompacted_is_compacted_at_the_next_start() {
    let env = Env::new();
    let today = Day::today();
    let (deleted, kept) = {
        let prepared = internal::prepare(&env.data, &env.keys);
        let input = Report::valid().input();
        let submit =
            |day: &Day| internal::submit_in_process(&prepared, &input, vec![], Channel::Web, day);
        (submit(&today), submit(&today))
    };
    let (needles, kept_items) = needles_and_items(&env, &deleted, &kept);
    {
        let store = internal::open_store(&env.data);
        let stone = internal::TombstoneV1 {
            id: internal::case_id(&deleted),
            deleted: today.clone(),
            rule: internal::RetentionRule::NeverTakenUp,
        };
        assert!(internal::RetentionStore::purge_case(&store, &stone)
            .unwrap()
            .is_some());
    }
    let needle_refs: Vec<&[u8]> = needles.iter().map(Vec::as_slice).collect();
    assert!(!files_containing(&env.data, &needle_refs).is_empty());

    let mut s = env.start();
    s.stop();
    assert!(env.log_text().contains("WBS-COMPACTED"));
    assert_eq!(
        files_containing(&env.data, &needle_refs),
        Vec::<(std::path::PathBuf, String)>::new(),
        "no byte of the deleted case's items is left"
    );
    let store = internal::open_store(&env.data);
    assert_eq!(store.case_ids().unwrap(), vec![internal::case_id(&kept)]);
    assert_eq!(store.items(&internal::case_id(&kept)).unwrap(), kept_items);
}
