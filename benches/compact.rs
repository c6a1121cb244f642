//! How long requests wait while the running server compacts its store (docs/design.md §7).
//!
//! Run: `cargo bench --bench compact [-- CASES]` (default 1000). Fills a store with CASES cases of
//! three items each (sizes of a typical web report's sealed items), purges one in ten (which asks for
//! a compaction, as the retention rule does), then runs `LiveStore::compact_now` while a reader thread
//! keeps reading cases as requests do. Prints the compaction's duration and the waits the reader saw.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::{RngCore, SeedableRng};
use wbs::protocol::{CaseId, Channel, Day};
use wbs::store::{CaseStore, CaseV1, LiveStore, RetentionRule, RetentionStore, TombstoneV1};

/// Sealed item sizes of a web report: the padded report, the identity block, the manifest.
const ITEM_SIZES: [usize; 3] = [8 * 1024, 2 * 1024, 1024];

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cases: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir()?;
    let store = Arc::new(LiveStore::open(
        &dir.path().join("store"),
        64 * 1024 * 1024,
    )?);
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let day = Day::parse("2026-11-30").ok_or("day")?;
    let mut ids = Vec::with_capacity(cases);
    let fill = Instant::now();
    for _ in 0..cases {
        let id = CaseId::generate(&mut rng);
        let items: Vec<Vec<u8>> = ITEM_SIZES
            .iter()
            .map(|&n| {
                let mut v = vec![0u8; n];
                rng.fill_bytes(&mut v);
                v
            })
            .collect();
        let mut lookup = [0u8; 32];
        rng.fill_bytes(&mut lookup);
        let case = CaseV1 {
            id: id.clone(),
            channel: Channel::Web,
            created: day.clone(),
            statuses: vec![],
            item_count: items.len() as u32,
            last_digest: "00".into(),
            recipients_fingerprint: "ff".into(),
            attachments: vec![],
        };
        store.create_case(&case, &items, &lookup)?;
        ids.push(id);
    }
    let fill = fill.elapsed();
    for id in ids.iter().step_by(10) {
        store.purge_case(&TombstoneV1 {
            id: id.clone(),
            deleted: day.clone(),
            rule: RetentionRule::NeverTakenUp,
        })?;
    }
    assert!(store.compaction_pending()?);

    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (store, stop, ids) = (store.clone(), stop.clone(), ids.clone());
        std::thread::spawn(move || {
            let mut waits = Vec::new();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let _ = store.case(&ids[i % ids.len()]);
                waits.push(t.elapsed());
                i += 1;
            }
            waits
        })
    };
    std::thread::sleep(Duration::from_millis(50));
    let t = Instant::now();
    let copied = store.compact_now()?;
    let compaction = t.elapsed();
    std::thread::sleep(Duration::from_millis(50));
    stop.store(true, Ordering::Relaxed);
    let mut waits = reader.join().map_err(|_| "reader panicked")?;
    waits.sort();
    let longest = waits.last().copied().unwrap_or_default();
    let p99 = waits[waits.len() * 99 / 100];
    let total: u64 = walk(dir.path());
    println!(
        "{cases} cases ({} purged), filled in {:.0} ms; store {:.1} MB after compaction",
        ids.len().div_ceil(10),
        ms(fill),
        total as f64 / 1e6
    );
    println!(
        "compaction: {copied} records copied in {:.1} ms; reads during the run: {} (p99 {:.3} ms, longest wait {:.1} ms)",
        ms(compaction),
        waits.len(),
        ms(p99),
        ms(longest)
    );
    Ok(())
}

/// Bytes under `dir`.
fn walk(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => walk(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}
