//! The whole conversation over real HTTP and the real CLI: a report through the web form, the
//! investigator lists, reads and replies (with a canary and markup), the reporter sees the reply exactly
//! and escaped and answers with a file, the investigator reads both, and status changes reach the
//! reporter with their dates. No canary ever reaches the data directory or the server's output.
use crate::support;
use std::ffi::OsStr;
use std::fs;
use std::path::Path;

use crate::support::command::{wbs, Run};
use crate::support::internal::Day;
use crate::support::{client, marker, token_in, Env, Report, Server};
use serde_json::{json, Value};

fn desk(s: &Server, env: &Env, identity: &Path, sub: &str, rest: &[&str]) -> Run {
    let mut args: Vec<&OsStr> = vec![
        OsStr::new(sub),
        OsStr::new("--server"),
        OsStr::new(&s.desk_base),
        OsStr::new("--identity"),
        identity.as_os_str(),
        OsStr::new("--keys"),
        env.keys.as_os_str(),
    ];
    args.extend(rest.iter().map(OsStr::new));
    let r = wbs(&args);
    assert_eq!(r.code, 0, "wbs {sub} failed:\n{}\n{}", r.stdout, r.stderr);
    r
}

#[tokio::test]
async fn a_case_is_a_conversation_the_server_cannot_read() {
    let env = Env::new();
    // The investigator makes a key the documented way; its public lines go into keys/.
    let identity = env.path().join("alice-identity.txt");
    let keygen = wbs([
        OsStr::new("keygen"),
        OsStr::new("--out"),
        identity.as_os_str(),
    ]);
    assert_eq!(keygen.code, 0, "{}", keygen.stderr);
    fs::write(env.keys.join("alice.pub"), &keygen.stdout).unwrap();
    let mut s = env.start();
    let c = client();

    // 1. The reporter reports through the web form.
    let report_mark = marker();
    let token = support::form_token(&c, &s).await;
    let report = Report::valid()
        .lang("id")
        .kind("staff")
        .category("SUAP")
        .chronology(&format!(
            "Kepala seksi meminta suap untuk izin {report_mark}."
        ))
        .party("Pak Anton", "Kepala Seksi", "Perizinan")
        .when("Februari 2026")
        .place("Ruang rapat")
        .name(Some("Mawar"))
        .contact(None)
        .anonymous(None)
        .evidence(None);
    let mut form = reqwest::multipart::Form::new().text("form_token", token);
    for (k, v) in report.form_fields() {
        form = form.text(k, v);
    }
    let r = c
        .post(s.url("/lapor"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    let receipt = support::receipt_in(&page).unwrap();
    let case_id = support::case_id_in(&page).unwrap();

    // 2. The investigator lists and reads it.
    let cases = desk(&s, &env, &identity, "cases", &[]);
    assert!(cases.stdout.contains(&case_id), "{}", cases.stdout);
    assert!(cases.stdout.contains("diterima"));
    let shown = desk(&s, &env, &identity, "show", &[&case_id]);
    assert!(shown.stdout.contains(&report_mark), "{}", shown.stdout);
    assert!(
        !shown.stdout.contains("Mawar"),
        "identity hidden without --reveal-identity"
    );

    // 3. The investigator replies, with a canary and markup.
    let reply_mark = marker();
    let reply = format!("Mohon kirim bukti <script>alert('x')</script> & \"foto\" {reply_mark}");
    desk(&s, &env, &identity, "reply", &[&case_id, &reply]);

    // 4. The reporter sees it exactly, escaped, on the page and in the API.
    let login_page = c
        .get(s.url("/pantau"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = c
        .post(s.url("/pantau"))
        .form(&[
            ("receipt", receipt.as_str()),
            ("form_token", &token_in(&login_page).unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = support::session_cookie(&r).expect("session cookie");
    let html = support::page_with_cookie(&c, &s, "/pantau", &cookie).await;
    let escaped = format!(
        "Mohon kirim bukti &#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; &#38; &#34;foto&#34; {reply_mark}"
    );
    assert!(
        html.contains(&escaped),
        "escaped reply on the page:\n{html}"
    );
    assert!(!html.contains("<script>"));
    assert!(html.contains("Tim pengelola WBS"));
    let api: Value = support::followup_json(&c, &s, &receipt).await;
    assert_eq!(api["messages"][0]["from"], "investigator");
    assert_eq!(
        api["messages"][0]["body"],
        reply.as_str(),
        "exactly as written"
    );

    // 5. The reporter answers with an attachment.
    let answer_mark = marker();
    let form = reqwest::multipart::Form::new()
        .text("form_token", token_in(&html).unwrap())
        .text("lang", "id")
        .text("body", format!("Ini fotonya {answer_mark}"))
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(support::pdf_with(&answer_mark)).file_name("bukti.pdf"),
        );
    let r = c
        .post(s.url("/pantau/pesan"))
        .header("cookie", &cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    // 6. The investigator reads both, and the decrypted attachment.
    let out_dir = env.path().join("lampiran");
    let shown = desk(
        &s,
        &env,
        &identity,
        "show",
        &["--attachments", out_dir.to_str().unwrap(), &case_id],
    );
    assert!(shown.stdout.contains(&reply_mark), "{}", shown.stdout);
    assert!(shown.stdout.contains(&answer_mark));
    assert!(!shown.stdout.contains("REJECTED"), "{}", shown.stdout);
    let mut found = false;
    for f in support::files_under(&out_dir) {
        found |= support::contains(&fs::read(f).unwrap(), answer_mark.as_bytes());
    }
    assert!(found, "the reporter's attachment decrypts");

    // 7. Status changes reach the reporter with their dates, the note sealed.
    let note_mark = marker();
    desk(
        &s,
        &env,
        &identity,
        "status",
        &[
            &case_id,
            "perlu-dilengkapi",
            "--note",
            &format!("Mohon lengkapi {note_mark}"),
        ],
    );
    desk(
        &s,
        &env,
        &identity,
        "status",
        &[&case_id, "ditindaklanjuti"],
    );
    let api: Value = support::followup_json(&c, &s, &receipt).await;
    let today = Day::today();
    let history: Vec<(String, String)> = api["status_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["status"].as_str().unwrap().into(),
                h["day"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            ("diterima".to_owned(), today.to_string()),
            ("perlu-dilengkapi".to_owned(), today.to_string()),
            ("ditindaklanjuti".to_owned(), today.to_string()),
        ]
    );
    assert_eq!(api["status"], "ditindaklanjuti");
    let note = api["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(note["status"], "perlu-dilengkapi");
    assert_eq!(note["body"], format!("Mohon lengkapi {note_mark}").as_str());
    let html = support::page_with_cookie(&c, &s, "/pantau", &cookie).await;
    assert!(html.contains("Status: Ditindaklanjuti"), "{html}");
    // Dates as people write them (`1 Desember 2026`), not ISO.
    let written = support::indonesian_date(&today.to_string());
    assert!(html.contains(&format!("<td>Perlu dilengkapi</td><td>{written}</td>")));

    // An internal note is for investigators only.
    let internal_mark = marker();
    desk(
        &s,
        &env,
        &identity,
        "note",
        &[&case_id, &format!("Catatan internal {internal_mark}")],
    );
    let api_text = c
        .post(s.url("/api/v1/followup"))
        .json(&json!({ "receipt": receipt }))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !api_text.contains(&internal_mark),
        "internal notes never reach the reporter"
    );
    let shown = desk(&s, &env, &identity, "show", &[&case_id]);
    assert!(shown.stdout.contains(&internal_mark));

    // 8. Nothing readable on the server's disk or in its output.
    s.stop();
    let marks = [
        &report_mark,
        &reply_mark,
        &answer_mark,
        &note_mark,
        &internal_mark,
    ];
    let needles: Vec<&[u8]> = marks.iter().map(|m| m.as_bytes()).collect();
    let hits = support::files_containing(&env.data, &needles);
    assert!(hits.is_empty(), "plaintext on disk: {hits:?}");
    let log = env.log_bytes();
    for m in marks {
        assert!(
            !support::contains(&log, m.as_bytes()),
            "{m} in the server output"
        );
    }
}

/// `cargo run` with no keys is demo mode: the demo identity can try the investigator's side too, and
/// only for cases sealed to it alone.
#[tokio::test]
async fn the_demo_identity_can_try_the_investigator_commands() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let r = c
        .post(s.url("/api/v1/reports"))
        .json(
            &Report::valid()
                .name(None)
                .contact(None)
                .anonymous(Some(true))
                .category("GRATIFIKASI")
                .chronology("Pemohon memberi hadiah kepada petugas setelah izin terbit.")
                .party("Pak C", "Petugas", "Pelayanan")
                .when("Januari 2026")
                .place("Kantor")
                .evidence(None)
                .json(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let (receipt, case_id) = (
        v["receipt"].as_str().unwrap(),
        v["case_id"].as_str().unwrap(),
    );
    let demo = env.demo_identity();
    let listed = desk(&s, &env, &demo, "cases", &[]);
    assert!(listed.stdout.contains(case_id));
    let mark = marker();
    desk(
        &s,
        &env,
        &demo,
        "reply",
        &[case_id, &format!("Terima kasih {mark}")],
    );
    let api: Value = support::followup_json(&c, &s, receipt).await;
    assert_eq!(
        api["messages"][0]["body"],
        format!("Terima kasih {mark}").as_str()
    );
    s.stop();
}
