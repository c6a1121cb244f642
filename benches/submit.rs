//! Submission cost against its physical floor: the Argon2id derivation every receipt needs.
//!
//! Run: `cargo bench --bench submit`. Prints per-operation medians and the ratio of a full submission
//! (Argon2 + 3 signed, padded, age-sealed items + sled insert + fsync) to Argon2 alone.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::SeedableRng;
use wbs::crypto::keys::InvestigatorIdentity;
use wbs::crypto::receipt::Receipt;
use wbs::intake::report::{validate, Party, ReportInput};
use wbs::intake::submit::{Channel, Intake};
use wbs::protocol::Day;
use wbs::store::{BlobStore, SledStore};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<F: FnMut()>(n: usize, mut f: F) -> Duration {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
    }
    median(samples)
}

fn input() -> ReportInput {
    ReportInput {
        reporter_kind: "public".into(),
        category: "PUNGLI".into(),
        chronology: "Petugas loket meminta uang tambahan untuk mempercepat izin. ".repeat(30),
        parties: vec![Party {
            name: "Budi".into(),
            position: "Staf".into(),
            unit: "Perizinan".into(),
        }],
        incident_when: "3 Maret 2026".into(),
        incident_place: "Loket 2".into(),
        reporter_name: "Melati".into(),
        reporter_contact: "0812-0000-0000".into(),
        anonymous: false,
        evidence: String::new(),
        good_faith: Some(true),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n = 40;
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let receipt = Receipt::generate(&mut rng);
    let salt = [7u8; 32];
    let argon = time(n, || {
        let _ = receipt.derive(&salt);
    });

    let dir = tempfile::tempdir()?;
    let store = SledStore::open(&dir.path().join("store"), 16 << 20)?;
    let blobs = BlobStore::open(&dir.path().join("blobs"))?;
    let investigators: Vec<_> = (0..3)
        .map(|i| InvestigatorIdentity::generate(&mut rng).public(&format!("i{i}")))
        .collect();
    let intake = Intake::new(Arc::new(store), blobs, investigators, salt, 1);
    let report = validate(&input()).map_err(|_| "invalid bench report")?;
    let today = Day::today();
    let submit = time(n, || {
        let _ = intake.submit_blocking(report.clone(), Vec::new(), Channel::Web, &today, &mut rng);
    });

    println!(
        "argon2id m=19MiB t=2 p=1 (floor)   median {:>8.2} ms",
        argon.as_secs_f64() * 1e3
    );
    println!(
        "full submission, 3 recipients     median {:>8.2} ms",
        submit.as_secs_f64() * 1e3
    );
    println!(
        "ratio submission / argon2          {:>8.2}  (1.00 would be all Argon2)",
        submit.as_secs_f64() / argon.as_secs_f64()
    );
    println!(
        "max submissions/s per core         {:>8.1}  (floor {:.1})",
        1.0 / submit.as_secs_f64(),
        1.0 / argon.as_secs_f64()
    );
    Ok(())
}
