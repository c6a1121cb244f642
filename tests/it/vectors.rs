//! Format vectors as files (tests/data/vectors/): every file is checked; a `fail_` prefix marks inputs
//! that must be rejected. These pin the formats that stored data and printed receipts depend on.
use std::fs;
use std::path::{Path, PathBuf};

use crate::support::internal::{hex, unhex, Envelope, Receipt};

fn files(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/vectors")
        .join(kind);
    let mut out: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no vectors in {}", dir.display());
    out
}

fn is_fail(p: &Path) -> bool {
    p.file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("fail_")
}

/// Receipt files: line 1 what a person typed; line 2 the canonical receipt, or for `fail_` files the
/// expected error (`Typo`, `WrongLength`, `BadSymbol`, `Empty`, `UnknownEpoch`).
#[test]
fn receipt_vectors() {
    let (mut ok, mut fail) = (0, 0);
    for path in files("receipt") {
        let text = fs::read_to_string(&path).unwrap();
        let mut lines = text.lines();
        let input = lines.next().unwrap_or("");
        let expected = lines.next().unwrap_or("").trim();
        let parsed = Receipt::parse(input);
        if is_fail(&path) {
            let err = parsed
                .err()
                .unwrap_or_else(|| panic!("{} was accepted", path.display()));
            assert_eq!(format!("{err:?}"), expected, "{}", path.display());
            fail += 1;
        } else {
            let r = parsed.unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            assert_eq!(r.expose(), expected, "{}", path.display());
            ok += 1;
        }
    }
    assert!(ok >= 3 && fail >= 5, "ok {ok}, fail {fail}");
}

/// KDF files: `receipt`, `salt` (hex) and the derived public values. A change here orphans every
/// stored case: these must never change for an existing epoch.
#[test]
fn kdf_vectors() {
    for path in files("kdf") {
        let v: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let receipt = Receipt::parse(v["receipt"].as_str().unwrap()).unwrap();
        let salt: [u8; 32] = unhex(v["salt"].as_str().unwrap()).unwrap();
        let keys = receipt.derive(&salt).unwrap();
        assert_eq!(
            hex(keys.lookup.as_ref()),
            v["lookup"].as_str().unwrap(),
            "{}",
            path.display()
        );
        assert_eq!(
            hex(&keys.reporter.x25519_public()),
            v["reporter_x25519"].as_str().unwrap()
        );
        assert_eq!(
            hex(keys.reporter.signing_key().verifying_key().as_bytes()),
            v["reporter_ed25519"].as_str().unwrap()
        );
    }
}

/// Envelope files: signed envelopes as stored inside age (before padding). `fail_` files must be
/// rejected by `Envelope::open` (bad signature, unsigned, wrong version, malformed).
#[test]
fn envelope_vectors() {
    let (mut ok, mut fail) = (0, 0);
    for path in files("envelope") {
        let bytes = fs::read(&path).unwrap();
        let opened = Envelope::open(&bytes);
        if is_fail(&path) {
            assert!(opened.is_err(), "{} was accepted", path.display());
            fail += 1;
        } else {
            let e = opened.unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            assert_eq!(e.case_id, "WBS-TEST-0000-0000");
            ok += 1;
        }
    }
    assert!(ok >= 1 && fail >= 4, "ok {ok}, fail {fail}");
}

/// `{kind}.{label}.json` (or `fail_{kind}.{label}.json`) → the kind and whether it must be rejected.
fn kind_and_label(path: &Path) -> (String, bool) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let fail = name.starts_with("fail_");
    let name = name.trim_start_matches("fail_");
    (name.split('.').next().unwrap().to_owned(), fail)
}

/// Item body files: the body of each item kind as the server and the CLI write it (and as items
/// already stored hold it). Each must read as its kind and read the same after a round trip; `fail_`
/// bodies (unknown fields, unknown values, missing fields) must be refused, never defaulted.
#[test]
fn item_body_vectors() {
    use crate::support::internal::{ItemBody, ItemKind};
    let mut seen = std::collections::HashSet::new();
    let mut fail = 0;
    for path in files("items") {
        let (kind, must_fail) = kind_and_label(&path);
        let kind: ItemKind = serde_json::from_value(serde_json::Value::String(kind.clone()))
            .unwrap_or_else(|_| panic!("{}: unknown kind {kind}", path.display()));
        let value: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let parsed = ItemBody::parse(kind, &value);
        if must_fail {
            assert!(parsed.is_err(), "{} was accepted", path.display());
            fail += 1;
            continue;
        }
        let body = parsed.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(body.kind(), kind);
        let again = ItemBody::parse(kind, &body.to_value().unwrap()).unwrap();
        assert_eq!(again, body, "{} changes in a round trip", path.display());
        seen.insert(kind);
    }
    for kind in ItemKind::ALL {
        assert!(seen.contains(&kind), "no vector for {kind:?}");
    }
    assert!(fail >= 5, "fail {fail}");
}

/// Reads a wire file as `T` and checks that writing it back gives the same JSON.
fn wire_round_trip<T>(path: &Path, value: &serde_json::Value) -> Result<(), String>
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let typed: T = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(&back, value, "{} changes in a round trip", path.display());
    Ok(())
}

/// Wire files: the JSON of the desk API, the follow-up API and the export, one type per file name.
/// Server and CLI share these types; `fail_` files (old field names, unknown codes, unsafe ids,
/// impossible days) must be refused.
#[test]
fn wire_vectors() {
    use crate::support::internal::wire::*;
    let mut fail = 0;
    let mut types = std::collections::HashSet::new();
    for path in files("wire") {
        let (ty, must_fail) = kind_and_label(&path);
        let value: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let read = match ty.as_str() {
            "case-summary" => wire_round_trip::<CaseSummary>(&path, &value),
            "case-list" => wire_round_trip::<CaseList>(&path, &value),
            "case-detail" => wire_round_trip::<CaseDetail>(&path, &value),
            "changes-request" => wire_round_trip::<ChangesRequest>(&path, &value),
            "challenge" => wire_round_trip::<Challenge>(&path, &value),
            "login-request" => wire_round_trip::<LoginRequest>(&path, &value),
            "login-token" => wire_round_trip::<LoginToken>(&path, &value),
            "upload-item" => wire_round_trip::<UploadItem>(&path, &value),
            "set-status" => wire_round_trip::<SetStatus>(&path, &value),
            "appended" => wire_round_trip::<Appended>(&path, &value),
            "desk-error" => wire_round_trip::<DeskError>(&path, &value),
            "followup-login" => wire_round_trip::<FollowupLogin>(&path, &value),
            "followup-post" => wire_round_trip::<FollowupPost>(&path, &value),
            "followup-case" => wire_round_trip::<FollowupCase>(&path, &value),
            "accepted" => wire_round_trip::<Accepted>(&path, &value),
            "report-accepted" => wire_round_trip::<ReportAccepted>(&path, &value),
            "field-errors" => wire_round_trip::<FieldErrors>(&path, &value),
            "index-entry" => wire_round_trip::<IndexEntry>(&path, &value),
            "case-file" => wire_round_trip::<CaseFile>(&path, &value),
            other => panic!("{}: no wire type {other}", path.display()),
        };
        if must_fail {
            assert!(read.is_err(), "{} was accepted", path.display());
            fail += 1;
        } else {
            read.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            types.insert(ty);
        }
    }
    assert_eq!(types.len(), 19, "every wire type has a vector: {types:?}");
    assert!(fail >= 4, "fail {fail}");
}
