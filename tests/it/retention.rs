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
    let (out, o) = env.export("export");
    assert!(o.success(), "{}", o.stderr);
    let o = env.wbs([
        OsStr::new("decrypt"),
        OsStr::new("--identity"),
        env.demo_identity().as_os_str(),
        out.as_os_str(),
    ]);
    assert!(o.success(), "{}", o.stderr);
    assert!(
        o.stdout.contains(&format!("case {fresh}: all")),
        "{}",
        o.stdout
    );
    assert!(!o.stdout.contains(&untouched) && !o.stdout.contains(&closed));
}

/// sled keeps deleted values in its segment files until its own cleaner runs: the start after a purge
/// rewrites the store, so no byte of an expired case's items stays in the data directory, and the
/// cases that remain are whole.
#[test]
fn the_start_after_a_purge_leaves_no_byte_of_the_deleted_case_in_the_data_directory() {
    let env = Env::with_config("[retention]\nuntouched_months = 12\n");
    let today = Day::today();
    let (expired, kept) = {
        let prepared = internal::prepare(&env.data, &env.keys);
        let input = Report::valid().input();
        let submit =
            |day: &Day| internal::submit_in_process(&prepared, &input, vec![], Channel::Web, day);
        (submit(&today.plus_days(-400)), submit(&today))
    };
    // Pieces of the expired case's sealed items (past the age header), to look for afterwards.
    let (needles, kept_items) = {
        let store = internal::open_store(&env.data);
        let items = store.items(&internal::case_id(&expired)).unwrap();
        let needles: Vec<Vec<u8>> = items
            .iter()
            .map(|item| item[item.len() - 64..item.len() - 16].to_vec())
            .collect();
        let kept_items = store.items(&internal::case_id(&kept)).unwrap();
        (needles, kept_items)
    };
    assert_eq!(needles.len(), 3);
    let needle_refs: Vec<&[u8]> = needles.iter().map(Vec::as_slice).collect();
    assert!(!files_containing(&env.data, &needle_refs).is_empty());

    // The first start deletes the case; the next one rewrites the store without it.
    let mut s = env.start();
    s.stop();
    let mut s = env.start();
    s.stop();
    let log = env.log_text();
    assert!(log.contains("WBS-RETENTION"), "{log}");
    assert!(log.contains("WBS-COMPACTED"), "{log}");
    assert_eq!(
        files_containing(&env.data, &needle_refs),
        Vec::<(std::path::PathBuf, String)>::new(),
        "no byte of the deleted case's items is left"
    );
    for leftover in ["store.old", "store.compacting"] {
        assert!(!env.data.join(leftover).exists(), "{leftover}");
    }
    let store = internal::open_store(&env.data);
    let ids: Vec<String> = store
        .case_ids()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(ids, vec![kept.clone()]);
    assert_eq!(store.items(&internal::case_id(&kept)).unwrap(), kept_items);
    assert_eq!(
        internal::RetentionStore::tombstones(&store).unwrap().len(),
        1
    );
}
