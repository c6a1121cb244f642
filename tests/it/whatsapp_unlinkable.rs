//! Issue 11 point 2: no link from a phone number to a case in any copy of the data directory. A full
//! WhatsApp dialogue with a photo runs against the Graph stand-in; copies of the data directory are
//! taken during it and after it (once the server's clock has moved two days on and the daily keys
//! rotated). A "script" holding the phone number and every file of a copy then tries what an attacker
//! would, from docs/format.md alone: recompute the sender's index with every key the copy holds, open
//! every dialogue record left in sled's files (deleted ones in its log included), and search every byte
//! for the case's attachment ids, their digests, the case id and the number. During the dialogue it finds
//! exactly what SECURITY.md says (with the key file: the record, naming the photo's blob); after, nothing.
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::support::internal::{unix_now, Day, DialogueStore, MetaStore, SledStore};
use crate::support::whatsapp::{self as wa, choices, starred, text_of, Chat, Meta};
use crate::support::{copy_dir, files_containing, files_under, internal, marker, Env};

const KEY_FILE: &str = "whatsapp-sender-keys";
const SEALED_RECORD: &[u8] = b"{\"record\":\"wa-dialogue-v2\",\"sealed\":\"";

/// What the case left that must not be found outside its own records and files.
struct Case {
    id: String,
    blob_ids: Vec<String>,
    digests: Vec<String>,
    /// Every second the dialogue's messages carried (Meta's timestamps) or the server handled them at.
    times: Vec<String>,
}

/// What the script found in one copy.
#[derive(Debug, Default)]
struct Findings {
    /// Files holding the sender's index as recomputed with a key from the copy.
    index_in: Vec<PathBuf>,
    /// Dialogue records (current or left in sled's log) the script could open with the number.
    opened: Vec<String>,
    /// Records that open with a key and an index the copy holds, no number needed.
    opened_without_number: usize,
    /// Sealed dialogue records present in the copy's bytes (opened or not).
    sealed_records: usize,
    /// A case value (attachment id, digest, case id, number) outside the case's own records and files.
    loose: Vec<(PathBuf, String)>,
}

impl Findings {
    fn links(&self) -> bool {
        !self.index_in.is_empty()
            || !self.opened.is_empty()
            || self.opened_without_number > 0
            || !self.loose.is_empty()
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// docs/format.md: the record key is HKDF-SHA256(salt "wbs/v2/wa-dialogue\n", day key, info index).
fn open_record(day_key: &[u8], index: &[u8; 32], raw: &[u8]) -> Option<Vec<u8>> {
    const LABEL: &[u8] = b"wbs/v2/wa-dialogue\n";
    if raw.len() < 24 {
        return None;
    }
    let mut key = [0u8; 32];
    hkdf::Hkdf::<Sha256>::new(Some(LABEL), day_key)
        .expand(index, &mut key)
        .ok()?;
    let (nonce, ct) = raw.split_at(24);
    let aad = [LABEL, &index[..]].concat();
    XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&key))
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
        .ok()
}

/// Every key the copy could hold: each 32-byte window of the key file (whatever its layout) and every
/// 32-byte value in sled's meta tree (where earlier versions kept the daily keys); and the indexes of
/// the dialogue records the store still lists.
fn candidate_keys(copy: &Path) -> (Vec<Vec<u8>>, Vec<[u8; 32]>) {
    let mut keys = Vec::new();
    if let Ok(bytes) = std::fs::read(copy.join(KEY_FILE)) {
        keys.extend(bytes.windows(32).map(<[u8]>::to_vec));
    }
    // Opened from a copy of the copy: opening sled may write.
    let scratch = tempfile::tempdir().expect("tmp");
    copy_dir(&copy.join("store"), scratch.path());
    let store = SledStore::open(scratch.path(), 1 << 20).expect("open the copied store");
    for name in store.meta_keys("").expect("meta keys") {
        if let Some(v) = store.meta(&name).expect("meta").filter(|v| v.len() == 32) {
            keys.push(v);
        }
    }
    let stored = store.dialogues().expect("dialogues");
    (keys, stored.into_iter().map(|(index, _)| index).collect())
}

fn find_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    hay.windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

/// Whether the bytes before `at` place it inside this case's own record (`case-v1` of its id).
fn in_case_record(bytes: &[u8], at: usize, case_id: &str) -> bool {
    let from = at.saturating_sub(4096);
    let before = &bytes[from..at];
    let tag = b"\"record\":\"";
    let Some(last) = find_all(before, tag).pop() else {
        return false;
    };
    before[last..].starts_with(format!("\"record\":\"case-v1\",\"id\":\"{case_id}\"").as_bytes())
}

/// The attacker's script: the phone number, the case's values, and every file of `copy`.
fn search(copy: &Path, phone: &str, case: &Case) -> Findings {
    let mut found = Findings::default();
    let (keys, stored) = candidate_keys(copy);
    let indexes: Vec<([u8; 32], Vec<u8>)> = keys
        .iter()
        .cloned()
        .map(|k| (hmac(&k, &[b"wbs/v1/wa-sender\n", phone.as_bytes()]), k))
        .collect();
    for file in files_under(copy) {
        let bytes = std::fs::read(&file).expect("read");
        for (index, _) in &indexes {
            if !find_all(&bytes, index).is_empty() && !found.index_in.contains(&file) {
                found.index_in.push(file.clone());
            }
        }
        // Every sealed dialogue record in the file, the deleted ones in sled's log included.
        for at in find_all(&bytes, SEALED_RECORD) {
            found.sealed_records += 1;
            let rest = &bytes[at + SEALED_RECORD.len()..];
            let end = rest.iter().position(|b| *b == b'"').unwrap_or(0);
            let Ok(raw) = data_encoding::BASE64.decode(&rest[..end]) else {
                continue;
            };
            for (index, key) in &indexes {
                if let Some(plain) = open_record(key, index, &raw) {
                    found
                        .opened
                        .push(String::from_utf8_lossy(&plain).into_owned());
                }
            }
            // Without the number: the indexes the store lists, and any 32 bytes just before the record
            // in the file (where sled's log keeps a record's key).
            let near = bytes[at.saturating_sub(256)..at]
                .windows(32)
                .map(|w| <[u8; 32]>::try_from(w).expect("32 bytes"));
            let opens =
                |index: &[u8; 32]| keys.iter().any(|k| open_record(k, index, &raw).is_some());
            if stored.iter().copied().chain(near).any(|i| opens(&i)) {
                found.opened_without_number += 1;
            }
        }
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        let own_blob = name
            .as_deref()
            .is_some_and(|n| case.blob_ids.iter().any(|id| n == format!("{id}.age")));
        let in_store = file.starts_with(copy.join("store"));
        let phone = phone.to_owned();
        let values = case
            .blob_ids
            .iter()
            .chain(&case.digests)
            .chain([&case.id, &phone]);
        for t in &case.times {
            if !find_all(&bytes, t.as_bytes()).is_empty() {
                found.loose.push((file.clone(), t.clone()));
            }
        }
        for value in values {
            for at in find_all(&bytes, value.as_bytes()) {
                let own = own_blob
                    || (in_store && *value != phone && in_case_record(&bytes, at, &case.id))
                    // The case's other records (items, lookup) are keyed by its id.
                    || (in_store && *value == case.id && !dialogue_before(&bytes, at));
                if !own {
                    found.loose.push((file.clone(), value.clone()));
                }
            }
        }
    }
    found
}

/// Whether the last record tag before `at` is a dialogue record's.
fn dialogue_before(bytes: &[u8], at: usize) -> bool {
    let before = &bytes[at.saturating_sub(4096)..at];
    find_all(before, b"\"record\":\"")
        .pop()
        .is_some_and(|i| before[i..].starts_with(b"\"record\":\"wa-dialogue"))
}

fn sha256_hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(bytes))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_of_the_disk_during_and_after_a_dialogue_link_no_number_to_the_case() {
    let meta = Meta::start().await;
    let env = wa::env(&meta);
    let mut s = env.start();
    let mut chat = Chat::new(&meta, &s);
    let phone = chat.wa.clone();
    let (first_ts, started) = (chat.ts, unix_now());
    meta.add_media("4242", wa::jpeg_with(&marker()), "image/jpeg", false);

    chat.text("Halo, saya ingin melapor").await;
    chat.expect("rahasia, tetapi tidak anonim").await;
    chat.tap("consent-yes").await;
    chat.expect("1/8").await;
    chat.pick("cat-PUNGLI").await;
    chat.expect("2/8").await;
    chat.tap("kind-public").await;
    chat.expect("3/8").await;
    chat.text("Petugas loket meminta uang tambahan untuk izin usaha")
        .await;
    chat.expect("(1 pesan)").await;
    chat.tap("next").await;
    chat.expect("4/8").await;
    chat.text("Budi\nStaf Perizinan\nBidang Pelayanan").await;
    chat.expect("Terlapor 1 dicatat").await;
    chat.tap("next").await;
    chat.expect("5/8").await;
    chat.text("3 Maret 2026").await;
    chat.expect("6/8").await;
    chat.text("Loket 2").await;
    chat.expect("7/8").await;
    chat.text("Melati").await;
    chat.expect("8/8").await;
    chat.media("image.json", "4242", "Foto kuitansi").await;
    chat.expect("foto-1.jpg diterima").await;

    // A copy taken while the dialogue is open, its photo stored.
    let during = env.path().join("copy-during");
    copy_dir(&env.data, &during);
    let during_blobs = env.blob_files();

    chat.tap("next").await;
    chat.expect("Bolehkah tim pengelola WBS").await;
    chat.tap("contact-yes").await;
    let summary = chat.expect("Ringkasan laporan Anda").await;
    if choices(&summary).is_empty() {
        chat.expect("itikad baik").await;
    }
    chat.tap("confirm").await;
    let done = text_of(&chat.expect("tersimpan dan terenkripsi").await);
    let case_id = starred(&done, "Nomor kasus: *");
    let times = (first_ts..=chat.ts)
        .chain(started..=unix_now())
        .map(|t| t.to_string())
        .collect();
    s.stop();

    let blob_ids: Vec<String> = env
        .blob_files()
        .iter()
        .filter_map(|n| n.strip_suffix(".age").map(str::to_owned))
        .collect();
    assert_eq!(blob_ids.len(), 1, "the photo is the case's one file");
    assert!(during_blobs.contains(&format!("{}.age", blob_ids[0])));
    let digests = blob_ids
        .iter()
        .map(|id| {
            sha256_hex(&std::fs::read(env.data.join("blobs").join(format!("{id}.age"))).unwrap())
        })
        .collect();
    let case = Case {
        id: case_id,
        blob_ids,
        digests,
        times,
    };

    // Two days on, the server overwrites the key of the dialogue's day (no message needed).
    let later = Day::from_unix(unix_now() + 2 * 86_400);
    let mut s = env.start_days_ahead(2);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !std::fs::read(env.data.join(KEY_FILE))
        .unwrap_or_default()
        .starts_with(later.as_str().as_bytes())
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the key file was not rotated"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    s.stop();
    let after = env.path().join("copy-after");
    copy_dir(&env.data, &after);

    // During, with the key file: exactly what SECURITY.md says. The record opens with the key file and
    // its index alone; the number's index is found, its record opens and names the photo's blob, which
    // the case later lists: a link for this dialogue. Nothing is in clear: no number, no time, no blob
    // id or digest outside the blob file itself.
    let found = search(&during, &phone, &case);
    assert!(found.loose.is_empty(), "{:?}", found.loose);
    assert!(found.opened_without_number > 0, "{found:?}");
    assert!(!found.index_in.is_empty(), "{found:?}");
    assert!(
        found.opened.iter().any(|r| r.contains(&case.blob_ids[0])),
        "{found:?}"
    );

    // During, without the key file (a backup that leaves it out): nothing.
    std::fs::remove_file(during.join(KEY_FILE)).expect("remove the key file");
    let found = search(&during, &phone, &case);
    assert!(found.sealed_records > 0, "the record is there: {found:?}");
    assert!(!found.links(), "{found:?}");

    // After: sled's files still hold the dialogue's old records, and none of them opens; the number's
    // index cannot be recomputed; the case's values are only in its own records and files.
    let found = search(&after, &phone, &case);
    assert!(
        found.sealed_records > 0,
        "the log keeps deleted records: {found:?}"
    );
    assert!(!found.links(), "{found:?}");
}

/// An upgrade from a version that kept the daily keys in sled: the first start moves the key into the
/// key file and compacts the store before it serves, so no byte of the key is left in sled's files,
/// where with a candidate number it would recompute a dialogue's index.
#[test]
fn an_earlier_versions_daily_key_leaves_sled_s_files_at_the_first_start() {
    let env = Env::new();
    drop(internal::prepare(&env.data, &env.keys));
    let key: [u8; 32] = Sha256::digest(marker().as_bytes()).into();
    let day = Day::from_unix(unix_now());
    {
        let store = internal::open_store(&env.data);
        let name = format!("whatsapp/sender-key/{}", day.as_str());
        assert_eq!(store.meta_init(&name, &key).expect("legacy key"), key);
    }
    assert!(!files_containing(&env.data.join("store"), &[&key]).is_empty());

    let mut s = env.start();
    // Serving: the key is in the key file only.
    assert_eq!(
        files_containing(&env.data.join("store"), &[&key]),
        Vec::<(PathBuf, String)>::new(),
        "the key is left in sled's files"
    );
    let file = std::fs::read(env.data.join(KEY_FILE)).expect("key file");
    assert!(
        file.windows(32).any(|w| w == key),
        "dialogues in progress keep their key"
    );
    s.stop();
    assert!(env.log_text().contains("WBS-COMPACTED"));
}
