//! The canary: plaintext never reaches the disk or the server's output, yet the investigator can read
//! it.

use std::ffi::OsStr;
use std::fs;

use serde_json::{json, Value};

use crate::support::http::*;
use crate::support::*;

fn no_dashes(s: &str) -> String {
    s.replace('-', "")
}

#[tokio::test]
async fn canary_never_reaches_disk_or_logs_but_decrypts() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let mf = marker(); // the form's
    let ma = marker(); // the API's

    let mut f = valid_fields();
    set(
        &mut f,
        "chronology",
        &format!("Petugas meminta uang pelicin {mf} di loket."),
    );
    set(&mut f, "parties[0].name", &format!("Budi {mf}"));
    set(&mut f, "parties[0].position", &format!("Staf {mf}"));
    set(&mut f, "parties[0].unit", &format!("Unit {mf}"));
    set(&mut f, "incident.when", &format!("Maret {mf}"));
    set(&mut f, "incident.place", &format!("Loket {mf}"));
    set(&mut f, "reporter.name", &format!("Melati {mf}"));
    set(&mut f, "reporter.contact", &format!("{mf}@example.org"));
    set(&mut f, "evidence", &format!("Kuitansi {mf}"));
    let att_name = format!("bukti-{mf}.pdf");
    let r = submit(&c, &s, &f, &[(att_name.as_str(), pdf_with(&mf))]).await;
    let (receipt_f, case_f) = assert_receipt_page(&r);
    assert!(
        !r.body.contains(&mf),
        "the receipt page does not show the report back"
    );

    let b = json!({
        "reporter": {"kind": "public", "name": format!("Mawar {ma}"), "contact": format!("{ma}@example.org"), "anonymous": false},
        "category": "SUAP",
        "chronology": format!("Ada permintaan suap {ma} untuk izin."),
        "parties": [{"name": format!("Andi {ma}"), "position": format!("Kasi {ma}"), "unit": format!("Seksi {ma}")}],
        "incident": {"when": format!("April {ma}"), "place": format!("Kantor {ma}")},
        "evidence": format!("Foto {ma}")
    });
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 201, "{v}");
    assert!(
        !v.to_string().contains(&ma),
        "the API does not echo the report: {v}"
    );
    let receipt_a = v["receipt"].as_str().expect("receipt").to_owned();
    let case_a = v["case_id"].as_str().expect("case").to_owned();
    s.stop();

    let secrets: Vec<String> = vec![
        mf.clone(),
        ma.clone(),
        mf.to_lowercase(),
        ma.to_lowercase(),
        receipt_f.clone(),
        no_dashes(&receipt_f),
        receipt_f.to_lowercase(),
        no_dashes(&receipt_f).to_lowercase(),
        receipt_a.clone(),
        no_dashes(&receipt_a),
        receipt_a.to_lowercase(),
        no_dashes(&receipt_a).to_lowercase(),
        "Melati".to_owned(),
        "Mawar".to_owned(),
    ];
    let needles: Vec<&[u8]> = secrets.iter().map(|s| s.as_bytes()).collect();

    let files = env.data_files();
    assert!(
        files.len() >= 3,
        "the data directory holds the store: {files:?}"
    );
    let hits = files_containing(&env.data, &needles);
    assert!(hits.is_empty(), "plaintext or a receipt on disk: {hits:?}");
    let hits = files_containing(&env.data, &[USER_AGENT.as_bytes(), b"127.0.0.1"]);
    assert!(hits.is_empty(), "a user agent or address on disk: {hits:?}");
    let log = env.log_bytes();
    for (n, text) in needles.iter().zip(&secrets) {
        assert!(
            !contains(&log, n),
            "the server printed {text}:\n{}",
            env.log_text()
        );
    }
    assert!(!env.log_text().contains(USER_AGENT));

    // The investigator, offline, with the demo identity: export, then decrypt.
    let (out, o) = env.export("export");
    assert!(
        o.success(),
        "wbs export failed ({}): {}{}",
        o.code,
        o.stdout,
        o.stderr
    );
    let index: Value =
        serde_json::from_slice(&fs::read(out.join("index.json")).expect("index.json"))
            .expect("json");
    let ids: Vec<&str> = index
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|e| e["case_id"].as_str())
        .collect();
    assert!(
        ids.contains(&case_f.as_str()) && ids.contains(&case_a.as_str()),
        "{index}"
    );
    let hits = files_containing(&out, &needles);
    assert!(hits.is_empty(), "plaintext in the export: {hits:?}");

    let att = env.path().join("attachments");
    let o = env.wbs([
        OsStr::new("decrypt"),
        OsStr::new("--identity"),
        env.demo_identity().as_os_str(),
        OsStr::new("--keys"),
        env.keys.as_os_str(),
        OsStr::new("--reveal-identity"),
        OsStr::new("--attachments"),
        att.as_os_str(),
        out.as_os_str(),
    ]);
    let text = &o.stdout;
    assert!(
        o.success(),
        "wbs decrypt failed ({}):\n{text}\n{}",
        o.code,
        o.stderr
    );
    for (k, v) in &f {
        if v.contains(&mf) {
            assert!(
                text.contains(v.as_str()),
                "decrypted output lacks {k} = {v}:\n{text}"
            );
        }
    }
    for v in [
        format!("Mawar {ma}"),
        format!("{ma}@example.org"),
        format!("Ada permintaan suap {ma} untuk izin."),
        format!("Andi {ma}"),
        format!("Kasi {ma}"),
        format!("Seksi {ma}"),
        format!("April {ma}"),
        format!("Kantor {ma}"),
        format!("Foto {ma}"),
    ] {
        assert!(text.contains(&v), "decrypted output lacks {v}:\n{text}");
    }
    assert!(
        text.contains(&att_name),
        "the attachment's name is in the manifest:\n{text}"
    );
    let written = files_containing(&att, &[mf.as_bytes()]);
    assert_eq!(
        written.len(),
        1,
        "the attachment is written and carries the marker: {written:?}"
    );
    assert_eq!(
        fs::read(&written[0].0).expect("attachment"),
        pdf_with(&mf),
        "the attachment decrypts to its exact bytes"
    );
    assert!(
        written[0]
            .0
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains(&mf)),
        "the attachment keeps its name: {:?}",
        written[0].0
    );

    // Without --reveal-identity the reporter's name stays hidden.
    let o = env.wbs([
        OsStr::new("decrypt"),
        OsStr::new("--identity"),
        env.demo_identity().as_os_str(),
        OsStr::new("--keys"),
        env.keys.as_os_str(),
        out.as_os_str(),
    ]);
    let text = &o.stdout;
    assert!(o.success(), "{text}{}", o.stderr);
    assert!(text.contains(&format!("Petugas meminta uang pelicin {mf} di loket.")));
    assert!(
        !text.contains(&format!("Melati {mf}")),
        "identity hidden:\n{text}"
    );
    assert!(
        !text.contains(&format!("Mawar {ma}")),
        "identity hidden:\n{text}"
    );
}
