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
