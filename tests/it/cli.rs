//! Golden-ish tests of the `wbs` binary: keygen, export, decrypt, and the tamper tests of issue 2 (an
//! item altered, moved, reordered or re-signed is rejected, never shown). The server's start-up
//! refusals are in `startup`.
//!
//! Cases are built in-process (server::prepare + Intake::submit_blocking, no web layer), then the real
//! binary exports and decrypts them.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use rand::{rngs::OsRng, RngCore};

use crate::support::command::{wbs, Run};
use crate::support::internal::{
    self, hex, seal, sha256, Channel, Day, Envelope, InvestigatorIdentity, InvestigatorPublic,
    ReportInput, Role,
};
use crate::support::Report;

const CANARY_A: &str = "CANARY-A-7f3e9c: petugas loket meminta uang pelicin untuk izin usaha";
const CANARY_B: &str = "CANARY-B-41d2aa: pungutan tanpa kuitansi di loket pelayanan";
const REPORTER_NAME: &str = "Melati Pelapor-5c1b";
/// A well-formed PDF (the server refuses PDFs it cannot read and rewrites the rest; this one it
/// rewrites to the same bytes, docs/design.md §6) with the canary in its page content.
static PDF: std::sync::LazyLock<Vec<u8>> =
    std::sync::LazyLock::new(|| crate::support::pdf_with("CANARY-PDF-93be01 bukti kuitansi"));

fn input(chronology: &str, anonymous: bool) -> ReportInput {
    Report::valid()
        .kind("staff")
        .chronology(chronology)
        .party("Budi Santoso", "Kepala Seksi", "Bidang Perizinan")
        .when("3 Maret 2026, pukul 10.00")
        .place("Loket 2, Mal Pelayanan Publik")
        .name(Some(if anonymous { "" } else { REPORTER_NAME }))
        .contact(Some(if anonymous { "" } else { "melati@example.org" }))
        .anonymous(Some(anonymous))
        .evidence(Some("Foto kuitansi terlampir."))
        .input()
}

/// Two cases in one demo data directory, exported once by the binary. Tests copy the export.
struct Fixture {
    data: PathBuf,
    no_keys: PathBuf,
    export: PathBuf,
    identity: PathBuf,
    /// Named reporter, one attachment.
    case_a: String,
    /// Anonymous, no attachment.
    case_b: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        remove_stale_fixtures(tmp);
        let root = tmp.join(format!("cli-fixture-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        let data = root.join("data");
        let no_keys = root.join("no-keys");
        let (case_a, case_b) = {
            let prepared = internal::prepare(&data, &no_keys);
            assert!(prepared.demo);
            let attachment = internal::seal_attachment(&prepared, "bukti.pdf", &PDF);
            let today = Day::today();
            let a = internal::submit_in_process(
                &prepared,
                &input(CANARY_A, false),
                vec![attachment],
                Channel::Web,
                &today,
            );
            let b = internal::submit_in_process(
                &prepared,
                &input(CANARY_B, true),
                vec![],
                Channel::Api,
                &today,
            );
            (a, b)
        }; // the store is closed here, as a stopped server's would be
        let export = root.join("export");
        let run = wbs([
            OsStr::new("export"),
            "--data".as_ref(),
            data.as_os_str(),
            "--out".as_ref(),
            export.as_os_str(),
        ]);
        assert_eq!(run.code, 0, "export failed: {}", run.stderr);
        assert_eq!(
            run.stdout.trim(),
            format!("2 cases exported to {}", export.display())
        );
        Fixture {
            identity: data.join("demo-investigator.key"),
            data,
            no_keys,
            export,
            case_a: case_a.to_string(),
            case_b: case_b.to_string(),
        }
    })
}

/// Fixtures of earlier runs whose process is gone (Linux: no /proc/<pid>).
fn remove_stale_fixtures(tmp: &Path) {
    for entry in fs::read_dir(tmp).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("cli-fixture-") else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A private copy of the fixture's export, to tamper with.
fn export_copy() -> (tempfile::TempDir, PathBuf) {
    let f = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("export");
    copy_dir(&f.export, &dir);
    (tmp, dir)
}

fn decrypt(extra: &[&OsStr], paths: &[&Path]) -> Run {
    let f = fixture();
    let mut args: Vec<&OsStr> = vec![
        "decrypt".as_ref(),
        "--identity".as_ref(),
        f.identity.as_os_str(),
        "--keys".as_ref(),
        f.no_keys.as_os_str(), // missing: no investigators, as in demo mode
    ];
    args.extend_from_slice(extra);
    args.extend(paths.iter().map(|p| p.as_os_str()));
    wbs(args)
}

fn demo_identity() -> InvestigatorIdentity {
    InvestigatorIdentity::parse(&fs::read_to_string(&fixture().identity).unwrap()).unwrap()
}

/// Asserts that `wbs decrypt` rejected something and never showed the given secrets.
fn assert_rejected(run: &Run, expected: &str, never: &[&str]) {
    assert_eq!(
        run.code, 1,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(
        run.stdout.contains(expected),
        "expected {expected:?} in:\n{}",
        run.stdout
    );
    for secret in never {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "{secret:?} was shown:\n{}",
            run.stdout
        );
    }
}

// ---------------------------------------------------------------- keygen

#[test]
fn keygen_writes_a_private_identity_and_prints_the_public_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("alice.key");
    let run = wbs([OsStr::new("keygen"), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "stdout: {}", run.stdout);
    assert!(lines[0].starts_with("# WBS investigator public key"));
    assert!(lines[1].starts_with("age1"));
    let sig = lines[2].strip_prefix("ed25519:").expect("signing line");
    assert_eq!(sig.len(), 64);
    assert!(sig
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert!(!run.stdout.contains("AGE-SECRET-KEY-"));

    let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = fs::read_to_string(&out).unwrap();
    assert!(text.lines().any(|l| l.starts_with("AGE-SECRET-KEY-1")));
    let identity = InvestigatorIdentity::parse(&text).unwrap();
    let public = InvestigatorPublic::parse("alice", &run.stdout).unwrap();
    assert_eq!(identity.recipient(), public.recipient);
    assert_eq!(identity.signing_key().verifying_key(), public.signing);

    for advice in [
        "offline",
        "safe",
        "Never copy the identity file to the server",
        "keys/",
        "at least two",
    ] {
        assert!(
            run.stderr.contains(advice),
            "stderr lacks {advice:?}:\n{}",
            run.stderr
        );
    }
}

#[test]
fn keygen_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("existing.key");
    fs::write(&out, "precious\n").unwrap();
    let run = wbs([OsStr::new("keygen"), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(&out).unwrap(), "precious\n");
}

// ---------------------------------------------------------------- export

#[test]
fn export_writes_the_documented_layout() {
    let f = fixture();
    let index: serde_json::Value =
        serde_json::from_slice(&fs::read(f.export.join("index.json")).unwrap()).unwrap();
    let ids: Vec<&str> = index
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["case_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&f.case_a.as_str()) && ids.contains(&f.case_b.as_str()));
    assert_eq!(index[0]["status"], "diterima");

    let dir = f.export.join(&f.case_a);
    let case: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("case.json")).unwrap()).unwrap();
    assert_eq!(case["case_id"], f.case_a.as_str());
    assert_eq!(case["channel"], "web");
    assert_eq!(case["statuses"][0]["status"], "diterima");
    let items = case["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for (seq, item) in items.iter().enumerate() {
        assert_eq!(item["seq"], seq);
        assert_eq!(item["file"], format!("item-{seq:04}.age"));
        let bytes = fs::read(dir.join(format!("item-{seq:04}.age"))).unwrap();
        assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
        assert_eq!(item["ciphertext_sha256"], hex(&sha256(&bytes)));
    }
    let attachment = &case["attachments"][0];
    let file = attachment["file"].as_str().unwrap();
    assert_eq!(
        file,
        format!("attachment-{}.age", attachment["id"].as_str().unwrap())
    );
    assert!(dir.join(file).is_file());

    // Nothing in the export is plaintext.
    for entry in fs::read_dir(&dir).unwrap() {
        let bytes = fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for secret in ["CANARY", REPORTER_NAME, "Budi Santoso"] {
            assert!(!text.contains(secret));
        }
    }
}

#[test]
fn export_refuses_a_non_empty_output_directory() {
    let f = fixture();
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("old.txt"), "x").unwrap();
    let run = wbs([
        OsStr::new("export"),
        "--data".as_ref(),
        f.data.as_os_str(),
        "--out".as_ref(),
        tmp.path().as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is not empty"), "{}", run.stderr);
}

#[test]
fn export_refuses_while_the_server_holds_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let running = internal::prepare(&data, &tmp.path().join("none"));
    let out = tmp.path().join("export");
    let run = wbs([
        OsStr::new("export"),
        "--data".as_ref(),
        data.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    drop(running);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("stop it"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1);

    let run = wbs([
        OsStr::new("export"),
        "--data".as_ref(),
        tmp.path().join("nowhere").as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("holds no store"), "{}", run.stderr);
}

// ---------------------------------------------------------------- decrypt

#[test]
fn decrypt_prints_every_verified_case_and_hides_the_identity() {
    let f = fixture();
    let run = decrypt(&[], &[&f.export]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = &run.stdout;
    for expected in [
        CANARY_A,
        CANARY_B,
        "PUNGLI",
        "Budi Santoso — Kepala Seksi, Bidang Perizinan",
        "Loket 2, Mal Pelayanan Publik",
        "3 Maret 2026, pukul 10.00",
        "Foto kuitansi terlampir.",
        "Pegawai DPMPTSP",
        "identitas, kronologi, terlapor, waktu & tempat",
        "kronologi, terlapor, waktu & tempat; kurang: identitas (anonim)",
        "[disembunyikan: gunakan --reveal-identity --reason ALASAN]",
        "bukti.pdf — application/pdf",
        "diterima (Diterima)",
        &format!("case {}: all 3 item(s) verified", f.case_a),
        &format!("case {}: all 3 item(s) verified", f.case_b),
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    assert!(!out.contains(REPORTER_NAME));
    assert!(!out.contains("melati@example.org"));
    assert!(!out.contains("REJECTED"));
}

#[test]
fn reveal_identity_shows_the_name_or_anonymous() {
    let f = fixture();
    let flag = [OsStr::new("--reveal-identity")];
    let run = decrypt(&flag, &[&f.export.join(&f.case_a)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(REPORTER_NAME));
    // An export cannot record the reveal: said once, plainly.
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("wbs: note: an export cannot record this reveal"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("melati@example.org"));
    let run = decrypt(&flag, &[&f.export.join(&f.case_b)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("  Identitas pelapor:   anonim\n"));
}

#[test]
fn attachments_are_decrypted_checked_and_never_overwritten() {
    let f = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("files");
    let args = [OsStr::new("--attachments"), out.as_os_str()];
    let case = f.export.join(&f.case_a);
    let run = decrypt(&args, &[&case]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let first = out.join(&f.case_a).join("bukti.pdf");
    assert_eq!(fs::read(&first).unwrap(), *PDF);
    assert_eq!(
        fs::metadata(&first).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let run = decrypt(&args, &[&case]);
    assert_eq!(run.code, 0);
    assert_eq!(
        fs::read(out.join(&f.case_a).join("bukti (2).pdf")).unwrap(),
        *PDF
    );
    assert_eq!(fs::read(&first).unwrap(), *PDF);
}

#[test]
fn a_single_item_file_is_decrypted_but_its_chain_is_not_claimed() {
    let f = fixture();
    let run = decrypt(&[], &[&f.export.join(&f.case_a).join("item-0000.age")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(CANARY_A));
    assert!(run.stdout.contains("NOT CHECKED"));
}

#[test]
fn decrypt_usage_errors_exit_2_with_one_sentence() {
    let f = fixture();
    let run = decrypt(&[], &[&f.export.join("no-such-case")]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
    assert_eq!(run.stdout, "");

    let tmp = tempfile::tempdir().unwrap();
    let not_a_key = tmp.path().join("id.txt");
    fs::write(&not_a_key, "hello\n").unwrap();
    let run = wbs([
        OsStr::new("decrypt"),
        "--identity".as_ref(),
        not_a_key.as_os_str(),
        f.export.as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not a usable age identity"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1);
    assert_eq!(run.stdout, "");
}

// ---------------------------------------------------------------- tamper tests

#[test]
fn an_altered_item_is_rejected() {
    let f = fixture();
    let (_tmp, export) = export_copy();
    let path = export.join(&f.case_a).join("item-0001.age");
    let mut bytes = fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    fs::write(&path, bytes).unwrap();
    let run = decrypt(&[OsStr::new("--reveal-identity")], &[&export]);
    // Altered, not "another identity": the encryption itself does not check.
    assert_rejected(
        &run,
        "item 1: REJECTED — altered: the encrypted file does not check (it was changed after it was sealed)",
        &[REPORTER_NAME, "melati@example.org"],
    );
    assert!(!run
        .stdout
        .contains("cannot be decrypted with this identity"));
    // The next item no longer chains to it.
    assert!(
        run.stdout.contains("item 2: REJECTED — breaks the chain"),
        "{}",
        run.stdout
    );
    // The other case is untouched.
    assert!(run
        .stdout
        .contains(&format!("case {}: all 3 item(s) verified", f.case_b)));
}

#[test]
fn an_item_moved_from_another_case_is_rejected() {
    let f = fixture();
    for file in ["item-0000.age", "item-0002.age"] {
        let (_tmp, export) = export_copy();
        fs::copy(
            export.join(&f.case_b).join(file),
            export.join(&f.case_a).join(file),
        )
        .unwrap();
        let run = decrypt(&[], &[&export.join(&f.case_a)]);
        assert_rejected(
            &run,
            "REJECTED — belongs to another case (moved)",
            &[CANARY_B],
        );
    }
}

#[test]
fn reordered_items_are_rejected() {
    let f = fixture();
    let (_tmp, export) = export_copy();
    let dir = export.join(&f.case_a);
    let one = fs::read(dir.join("item-0001.age")).unwrap();
    let two = fs::read(dir.join("item-0002.age")).unwrap();
    fs::write(dir.join("item-0001.age"), two).unwrap();
    fs::write(dir.join("item-0002.age"), one).unwrap();
    let run = decrypt(&[OsStr::new("--reveal-identity")], &[&dir]);
    assert_rejected(
        &run,
        "item 1: REJECTED — out of order",
        &[REPORTER_NAME, "melati@example.org"],
    );
    assert!(run.stdout.contains("item 2: REJECTED"), "{}", run.stdout);
}

/// Decrypts an item with the demo identity, lets `change` rewrite the envelope, signs it with a fresh
/// key that no one knows, seals it again to the same recipient and writes it back.
fn resign(path: &Path, change: impl FnOnce(&mut Envelope, &SigningKey)) {
    let identity = demo_identity();
    let plain = seal::open(
        &fs::read(path).unwrap(),
        &[identity.age_identity() as &dyn age::Identity],
    )
    .unwrap();
    let mut envelope = Envelope::open(&plain).unwrap();
    let mut seed = [0u8; 32];
    OsRng.fill_bytes(&mut seed);
    let stranger = SigningKey::from_bytes(&seed);
    envelope.author.key = hex(stranger.verifying_key().as_bytes());
    change(&mut envelope, &stranger);
    let signed = envelope.sign(&stranger).unwrap();
    let sealed = seal::seal(&signed, 4096, &[identity.recipient()]).unwrap();
    fs::write(path, sealed).unwrap();
}

#[test]
fn an_item_resigned_with_an_unknown_key_is_rejected() {
    let f = fixture();

    // The report itself, rewritten and signed by a stranger.
    let (_tmp, export) = export_copy();
    let dir = export.join(&f.case_a);
    resign(&dir.join("item-0000.age"), |e, _| {
        e.raw_body_mut()["report"]["chronology"] = "FORGED-CHRONOLOGY-1d9e".into();
    });
    let run = decrypt(&[], &[&dir]);
    assert_rejected(
        &run,
        "item 0: REJECTED",
        &["FORGED-CHRONOLOGY-1d9e", CANARY_A],
    );

    // The identity block, re-signed as if by the reporter, and as if by an investigator.
    for role in [Role::Reporter, Role::Investigator] {
        let (_tmp, export) = export_copy();
        let dir = export.join(&f.case_a);
        resign(&dir.join("item-0001.age"), |e, _| {
            e.author.role = role;
            e.raw_body_mut()["name"] = "FORGED-NAME-77ab".into();
        });
        let run = decrypt(&[OsStr::new("--reveal-identity")], &[&dir]);
        assert_rejected(
            &run,
            "item 1: REJECTED — signed by a key that is not a known investigator or this case's reporter",
            &["FORGED-NAME-77ab", REPORTER_NAME],
        );
        assert!(run.stdout.contains(CANARY_A), "item 0 is still genuine");
    }
}

#[test]
fn a_truncated_case_is_flagged() {
    let f = fixture();
    let (_tmp, export) = export_copy();
    let dir = export.join(&f.case_a);
    let mut case: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("case.json")).unwrap()).unwrap();
    case["items"].as_array_mut().unwrap().truncate(2);
    fs::write(dir.join("case.json"), serde_json::to_vec(&case).unwrap()).unwrap();
    fs::remove_file(dir.join("item-0002.age")).unwrap();
    let run = decrypt(&[], &[&dir]);
    assert_rejected(&run, "items were removed", &[]);
}

#[test]
fn an_altered_attachment_is_rejected_and_not_written() {
    let f = fixture();
    let (tmp, export) = export_copy();
    let dir = export.join(&f.case_a);
    let file = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("attachment-")
        })
        .unwrap();
    let mut bytes = fs::read(&file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    fs::write(&file, bytes).unwrap();
    let out = tmp.path().join("files");
    let run = decrypt(&[OsStr::new("--attachments"), out.as_os_str()], &[&dir]);
    assert_rejected(
        &run,
        "attachment 1 (bukti.pdf): REJECTED — the file differs from the signed manifest",
        &["CANARY-PDF"],
    );
    assert!(!out.join(&f.case_a).join("bukti.pdf").exists());
}

// ---------------------------------------------------------------- interoperability

#[test]
#[ignore = "needs the age CLI (Debian package age)"]
fn the_age_tool_decrypts_an_exported_item_and_attachment() {
    let f = fixture();
    let dir = f.export.join(&f.case_a);
    let case: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("case.json")).unwrap()).unwrap();
    let attachment = dir.join(case["attachments"][0]["file"].as_str().unwrap());
    for (file, canary) in [
        (dir.join("item-0000.age"), CANARY_A.as_bytes()),
        (attachment, &b"CANARY-PDF-93be01"[..]),
    ] {
        let out = Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&f.identity)
            .arg(&file)
            .output()
            .expect("the age tool is installed");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stdout.windows(canary.len()).any(|w| w == canary),
            "age -d {} lacks the canary",
            file.display()
        );
    }
    // The attachment decrypts to the file's bytes followed by the padding.
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&f.identity)
        .arg(dir.join(case["attachments"][0]["file"].as_str().unwrap()))
        .output()
        .unwrap();
    assert!(out.stdout.starts_with(&PDF));
    assert_eq!(out.stdout[PDF.len()], 0x80);
}

/// A case directory holding a copy of another case: named, with one sentence (exit 2 on its own,
/// rejected within an export).
#[test]
fn a_directory_holding_another_case_is_named() {
    let f = fixture();
    let (_tmp, export) = export_copy();
    let a = export.join(&f.case_a);
    fs::remove_dir_all(&a).unwrap();
    copy_dir(&export.join(&f.case_b), &a);
    let run = decrypt(&[], &[&a]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "holds another case: its case.json names {}, not the case the directory is named after",
            f.case_b
        )),
        "{}",
        run.stderr
    );
    let run = decrypt(&[], &[&export]);
    assert_rejected(&run, &format!("case {}: REJECTED — ", f.case_a), &[]);
    assert!(run.stdout.contains("holds another case"), "{}", run.stdout);
}

/// Another investigator's identity: one sentence per case, not a REJECTED line per item.
#[test]
fn a_wrong_identity_is_one_sentence() {
    let f = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let other = tmp.path().join("other.identity");
    fs::write(
        &other,
        InvestigatorIdentity::generate(&mut rand::rngs::OsRng)
            .to_file_text("x")
            .as_bytes(),
    )
    .unwrap();
    fs::set_permissions(&other, fs::Permissions::from_mode(0o600)).unwrap();
    let run = wbs([
        OsStr::new("decrypt"),
        "--identity".as_ref(),
        other.as_os_str(),
        "--keys".as_ref(),
        f.no_keys.as_os_str(),
        f.export.as_os_str(),
    ]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("REJECTED"), "{}", run.stdout);
    assert_eq!(
        run.stdout
            .matches("this identity cannot open this case: it is not one of the keys the case was sealed to — use your own identity file")
            .count(),
        2,
        "one per case:\n{}",
        run.stdout
    );
}

#[test]
fn revealing_an_identity_without_a_reason_is_one_plain_sentence() {
    let run = wbs([
        "show",
        "--server",
        "http://127.0.0.1:9",
        "--identity",
        "nowhere.key",
        "--reveal-identity",
        "WBS-AAAA-AAAA-AAAA",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("revealing the reporter's identity needs a reason"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(!run.stderr.contains("Usage"), "{}", run.stderr);
}
