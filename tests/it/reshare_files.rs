//! Re-sealing the attachment files of an old case for a new investigator (`wbs reshare`, docs/design.md
//! §10), against the real `wbs serve` over its desk API: the re-sealed copy is a new file named by the
//! signed `reshare`; the original is left as it was. The reference `age` tool confirms who opens which.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::http::{assert_receipt_page, submit, valid_fields};
use crate::support::internal::add_investigator;
use crate::support::{client, files_under, pdf_of_len, Env};

/// What `age -d -i IDENTITY FILE` writes, if it opens the file.
fn age_opens(identity: &Path, file: &Path) -> Option<Vec<u8>> {
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .arg(file)
        .stderr(Stdio::null())
        .output()
        .expect("the age tool is installed");
    out.status.success().then_some(out.stdout)
}

/// The one file written under `dir`.
fn only_file(dir: &Path) -> Vec<u8> {
    let files = files_under(dir);
    assert_eq!(files.len(), 1, "{files:?}");
    fs::read(&files[0]).unwrap()
}

fn attachment_files(case_dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(case_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("attachment-"))
        })
        .collect();
    v.sort();
    v
}

#[test]
#[ignore = "needs the age CLI (Debian package age)"]
fn after_a_reseal_a_new_investigator_opens_an_old_attachment_and_the_old_team_still_opens_the_original(
) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let env = Env::new();
    let alice = add_investigator(&env, "alice");
    let bob = add_investigator(&env, "bob");
    let mut s = env.start();
    let pdf = pdf_of_len(40_000);
    let r = rt.block_on(async {
        submit(
            &client(),
            &s,
            &valid_fields(),
            &[("bukti-transfer.pdf", pdf.clone())],
        )
        .await
    });
    let (_, case) = assert_receipt_page(&r);
    let case = OsStr::new(&case);
    let carol = add_investigator(&env, "carol");
    // Longer than the team's one-second look at keys/.
    std::thread::sleep(Duration::from_millis(1300));

    // Before: Carol's tools open nothing of the case, the file included.
    let before = env.path().join("carol-before");
    let run = env.investigator(
        &s,
        "show",
        &carol.file,
        &[case, "--attachments".as_ref(), before.as_os_str()],
    );
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(files_under(&before).is_empty());

    // Bob re-seals the case: its items and its file.
    let run = env.investigator(&s, "reshare", &bob.file, &[case]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("1 attachment file(s) re-sealed as new files; nothing was overwritten"),
        "{}",
        run.stdout
    );

    // Carol now gets the very file the reporter sent, checked against the signed manifest.
    let carols = env.path().join("carol");
    let run = env.investigator(
        &s,
        "show",
        &carol.file,
        &[case, "--attachments".as_ref(), carols.as_os_str()],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("verified from a teammate's re-sealed copy, written to"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("REJECTED"), "{}", run.stdout);
    assert!(
        only_file(&carols) == pdf,
        "Carol's copy is the reporter's file"
    );

    // Alice still opens the original, which no one rewrote.
    let alices = env.path().join("alice");
    let run = env.investigator(
        &s,
        "show",
        &alice.file,
        &[case, "--attachments".as_ref(), alices.as_os_str()],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("re-sealed copy"), "{}", run.stdout);
    assert!(only_file(&alices) == pdf);

    // On disk: two files, the original for the old team only, the copy for all three. Both are
    // standard age files whose content starts with the reporter's file (the rest is padding).
    s.stop();
    let (out, run) = env.export("export");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dir = out.join(case);
    let files = attachment_files(&dir);
    assert_eq!(files.len(), 2, "{files:?}");
    let carol_opens: Vec<&PathBuf> = files
        .iter()
        .filter(|f| age_opens(&carol.file, f).is_some())
        .collect();
    assert_eq!(
        carol_opens.len(),
        1,
        "only the re-sealed copy opens for Carol"
    );
    let copy = age_opens(&carol.file, carol_opens[0]).unwrap();
    assert!(copy.starts_with(&pdf));
    for old in [&alice, &bob] {
        for f in &files {
            let plain = age_opens(&old.file, f).expect("the old team opens both");
            assert!(plain.starts_with(&pdf));
        }
    }

    // The export reads the same way offline.
    let offline = env.path().join("carol-offline");
    let run = env.wbs([
        OsStr::new("decrypt"),
        "--identity".as_ref(),
        carol.file.as_os_str(),
        "--keys".as_ref(),
        env.keys.as_os_str(),
        "--lang".as_ref(),
        "en".as_ref(),
        "--attachments".as_ref(),
        offline.as_os_str(),
        dir.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("not read"), "{}", run.stdout);
    assert!(only_file(&offline) == pdf);
}

/// The upload route for re-sealed files takes only what a re-seal can produce, for logged-in
/// investigators, and lists what it stores with the case.
#[tokio::test]
async fn the_server_stores_a_resealed_file_only_as_a_bounded_age_file_of_a_case_with_files() {
    use crate::desk_api::{get_json, login};
    let env = Env::new();
    let alice = add_investigator(&env, "alice");
    let mut s = env.start();
    let c = client();
    let r = submit(
        &c,
        &s,
        &valid_fields(),
        &[("bukti.pdf", pdf_of_len(20_000))],
    )
    .await;
    let (_, case) = assert_receipt_page(&r);
    let r = c
        .post(s.url("/api/v1/reports"))
        .json(&crate::support::Report::valid().json())
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    let bare = v["case_id"].as_str().unwrap().to_owned();
    let token = login(&c, &s, &alice.identity).await;

    let (code, detail) = get_json(&c, &s, &token, &format!("/api/v1/desk/cases/{case}")).await;
    assert_eq!(code, 200, "{detail}");
    let original_id = detail["attachments"][0]["id"].as_str().unwrap().to_owned();
    let original = c
        .get(s.desk_url(&format!(
            "/api/v1/desk/cases/{case}/attachments/{original_id}"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let post = |case: String, body: Vec<u8>, token: Option<String>| {
        let c = c.clone();
        let url = s.desk_url(&format!("/api/v1/desk/cases/{case}/attachments"));
        async move {
            let mut r = c
                .post(url)
                .header("content-type", "application/octet-stream")
                .body(body);
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            let r = r.send().await.unwrap();
            let status = r.status().as_u16();
            let v: serde_json::Value = r.json().await.unwrap_or_default();
            (status, v)
        }
    };
    let t = Some(token.clone());

    assert_eq!(post(case.clone(), original.clone(), None).await.0, 401);
    let (code, v) = post(case.clone(), b"not an age file".to_vec(), t.clone()).await;
    assert_eq!((code, v["error"].as_str()), (422, Some("not-age")), "{v}");
    let mut oversized = original.clone();
    oversized.resize(original.len() + 70 * 1024, 0);
    let (code, v) = post(case.clone(), oversized, t.clone()).await;
    assert_eq!((code, v["error"].as_str()), (422, Some("not-age")), "{v}");
    let (code, v) = post(bare.clone(), original.clone(), t.clone()).await;
    assert_eq!(
        (code, v["error"].as_str()),
        (422, Some("not-age")),
        "a case without files: {v}"
    );
    let (code, _) = post("WBS-AAAA-AAAA-AAAA".into(), original.clone(), t.clone()).await;
    assert_eq!(code, 404);

    // An age file of the case's size is stored as a new file, listed with the case; the original stays.
    let (code, v) = post(case.clone(), original.clone(), t.clone()).await;
    assert_eq!(code, 201, "{v}");
    let blob = v["blob"].as_str().unwrap().to_owned();
    assert_ne!(blob, original_id);
    let (_, detail) = get_json(&c, &s, &token, &format!("/api/v1/desk/cases/{case}")).await;
    let ids: Vec<&str> = detail["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(ids, [original_id.as_str(), blob.as_str()], "{detail}");
    s.stop();
}
