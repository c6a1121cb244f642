//! The cost of a page of the reporter's thread (docs/design.md §11): an older page reads its own
//! items, `PAGE_LOOKBACK` before them and the rekey items after them — not every newer item — and
//! still shows what only a later rekey makes readable. Reads are counted by a store wrapper.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rand::SeedableRng;

use super::mailbox::{
    next_prev_digest, seal_item, ItemDraft, MESSAGE_MIN, PAGE_ITEMS, PAGE_LOOKBACK,
};
use super::rekey::tests::report;
use super::submit::{Channel, Intake};
use crate::crypto::keys::InvestigatorIdentity;
use crate::crypto::receipt::ReceiptKeys;
use crate::protocol::item::{FollowupBody, ItemBody, MessageBody, RekeyBody, RekeyReason};
use crate::protocol::{CaseId, Day, Role};
use crate::store::{
    Append, CaseStore, CaseV1, DialogueEntry, DialogueStore, DialogueWrite, MetaStore, RekeyIndex,
    RetentionStore, SledStore, StoreError, TombstoneV1,
};

/// A `SledStore` that counts the items read through it.
struct Counting {
    inner: SledStore,
    reads: AtomicUsize,
}

impl MetaStore for Counting {
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.meta(key)
    }
    fn meta_init(&self, key: &str, value: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.inner.meta_init(key, value)
    }
    fn meta_remove(&self, key: &str) -> Result<(), StoreError> {
        self.inner.meta_remove(key)
    }
    fn meta_keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.inner.meta_keys(prefix)
    }
    fn request_compaction(&self) -> Result<(), StoreError> {
        self.inner.request_compaction()
    }
}

impl CaseStore for Counting {
    fn create_case(
        &self,
        case: &CaseV1,
        items: &[Vec<u8>],
        l: &[u8; 32],
    ) -> Result<(), StoreError> {
        self.inner.create_case(case, items, l)
    }
    fn case(&self, id: &CaseId) -> Result<Option<CaseV1>, StoreError> {
        self.inner.case(id)
    }
    fn case_ids(&self) -> Result<Vec<CaseId>, StoreError> {
        self.inner.case_ids()
    }
    fn items(&self, id: &CaseId) -> Result<Vec<Vec<u8>>, StoreError> {
        let items = self.inner.items(id)?;
        self.reads.fetch_add(items.len(), Ordering::SeqCst);
        Ok(items)
    }
    fn item(&self, id: &CaseId, seq: u32) -> Result<Option<Vec<u8>>, StoreError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.item(id, seq)
    }
    fn case_for_lookup(&self, lookup: &[u8; 32]) -> Result<Option<CaseId>, StoreError> {
        self.inner.case_for_lookup(lookup)
    }
    fn append(&self, id: &CaseId, next: u32, append: Append) -> Result<CaseV1, StoreError> {
        self.inner.append(id, next, append)
    }
    fn receipt_is_one_time(&self, id: &CaseId) -> Result<bool, StoreError> {
        self.inner.receipt_is_one_time(id)
    }
    fn replace_lookup(
        &self,
        id: &CaseId,
        old: &[u8; 32],
        new: &[u8; 32],
        next: u32,
        item: Vec<u8>,
    ) -> Result<CaseV1, StoreError> {
        self.inner.replace_lookup(id, old, new, next, item)
    }
    fn rekeys(&self, id: &CaseId) -> Result<RekeyIndex, StoreError> {
        self.inner.rekeys(id)
    }
}

impl DialogueStore for Counting {
    fn dialogue(&self, index: &[u8; 32]) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.dialogue(index)
    }
    fn dialogues(&self) -> Result<Vec<DialogueEntry>, StoreError> {
        self.inner.dialogues()
    }
    fn dialogue_write(&self, write: &DialogueWrite<'_>) -> Result<(), StoreError> {
        self.inner.dialogue_write(write)
    }
    fn seen(&self, key: &[u8; 32]) -> Result<bool, StoreError> {
        self.inner.seen(key)
    }
    fn forget_seen(&self, now: u64) -> Result<usize, StoreError> {
        self.inner.forget_seen(now)
    }
    fn create_case_once(
        &self,
        case: &CaseV1,
        items: &[Vec<u8>],
        lookup: &[u8; 32],
        write: &DialogueWrite<'_>,
    ) -> Result<(), StoreError> {
        self.inner.create_case_once(case, items, lookup, write)
    }
}

impl RetentionStore for Counting {
    fn purge_case(&self, tombstone: &TombstoneV1) -> Result<Option<CaseV1>, StoreError> {
        self.inner.purge_case(tombstone)
    }
    fn tombstones(&self) -> Result<Vec<TombstoneV1>, StoreError> {
        self.inner.tombstones()
    }
}

/// Items of the long case.
const ITEMS: u32 = 500;

/// Seals `bodies` at the case's next positions, signed by `signer` and sealed to `to`, in one append.
fn append_all(
    intake: &Intake,
    case_id: &CaseId,
    role: Role,
    signer: &ed25519_dalek::SigningKey,
    to: &[age::x25519::Recipient],
    bodies: &[ItemBody],
) {
    let case = intake.store().case(case_id).expect("read").expect("case");
    let mut prev = next_prev_digest(&case);
    let today = Day::today();
    let mut items = Vec::new();
    for (n, body) in bodies.iter().enumerate() {
        let draft = ItemDraft {
            case_id,
            seq: case.item_count + n as u32,
            prev_digest: &prev,
            day: &today,
            role,
            body,
        };
        let ct = seal_item(draft, signer, to, MESSAGE_MIN).expect("seal");
        prev = crate::crypto::hex(&crate::crypto::sha256(&ct));
        items.push(ct);
    }
    let append = Append {
        items,
        ..Append::default()
    };
    intake
        .store()
        .append(case_id, case.item_count, append)
        .expect("append");
}

fn followups(mark: &str, count: usize) -> Vec<ItemBody> {
    (0..count)
        .map(|n| {
            ItemBody::Followup(FollowupBody {
                text: format!("{mark} {n}"),
                attachments: Vec::new(),
            })
        })
        .collect()
}

/// Every page from the newest back to the oldest, following `older`: each page's bodies and reads.
fn pages(
    intake: &Intake,
    store: &Counting,
    id: &CaseId,
    keys: &ReceiptKeys,
) -> Vec<(Vec<String>, usize)> {
    let mut out = Vec::new();
    let mut before = None;
    loop {
        store.reads.store(0, Ordering::SeqCst);
        let page = intake
            .reporter_page(id, keys, before)
            .expect("page")
            .expect("opens");
        let bodies = page.messages.into_iter().map(|m| m.body).collect();
        out.push((bodies, store.reads.load(Ordering::SeqCst)));
        match page.older {
            Some(b) => before = Some(b),
            None => return out,
        }
    }
}

/// Where the receipt is replaced in the long case.
const REKEY_AT: u32 = 250;

/// A case of `ITEMS` items whose receipt was replaced halfway (at `REKEY_AT`): the reply and the
/// follow-ups before it are sealed to the old key and signed by it, so they are readable and genuine
/// only through that `rekey` item, newer than every older page.
struct LongCase {
    intake: Intake,
    store: Arc<Counting>,
    case_id: CaseId,
    new: ReceiptKeys,
    investigator: InvestigatorIdentity,
}

/// The store in `dir` behind a counting wrapper, and an intake over it.
/// (`reopen`: the second call follows a drop in this process, see `SledStore::reopen`.)
fn open(dir: &std::path::Path, investigator: &InvestigatorIdentity) -> (Arc<Counting>, Intake) {
    let inner = SledStore::reopen(&dir.join("s"), 1 << 22).expect("store");
    let store = Arc::new(Counting {
        inner,
        reads: AtomicUsize::new(0),
    });
    let blobs = crate::store::BlobStore::open(&dir.join("b")).expect("blobs");
    let team = vec![investigator.public("a")];
    let intake = Intake::new(store.clone(), blobs, team, [4; 32], 1);
    (store, intake)
}

fn long_case(channel: Channel) -> (tempfile::TempDir, LongCase) {
    let dir = tempfile::tempdir().expect("tmp");
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let investigator = InvestigatorIdentity::generate(&mut rng);
    let public = investigator.public("a");
    let (store, intake) = open(dir.path(), &investigator);
    let done = intake
        .submit_blocking(report(), Vec::new(), channel, &Day::today(), &mut rng)
        .expect("submit");
    let case_id = done.case_id;
    let old = done.receipt.derive(&[4; 32]).expect("derive");
    let to_old = [
        public.recipient.clone(),
        old.reporter.recipient().expect("r"),
    ];
    let reply = ItemBody::Reply(MessageBody {
        text: "balasan pertama".into(),
    });
    append_all(
        &intake,
        &case_id,
        Role::Investigator,
        investigator.signing_key(),
        &to_old,
        &[reply],
    );
    let before_rekey = followups("lama", (REKEY_AT - 4) as usize);
    append_all(
        &intake,
        &case_id,
        Role::Reporter,
        old.reporter.signing_key(),
        &to_old,
        &before_rekey,
    );
    let new = super::rekey::tests::rekey(&intake, &case_id, &old);
    let to_new = [
        public.recipient.clone(),
        new.reporter.recipient().expect("r"),
    ];
    let count = intake
        .store()
        .case(&case_id)
        .expect("read")
        .expect("case")
        .item_count;
    append_all(
        &intake,
        &case_id,
        Role::Reporter,
        new.reporter.signing_key(),
        &to_new,
        &followups("pesan", (ITEMS - count) as usize),
    );
    let case = LongCase {
        intake,
        store,
        case_id,
        new,
        investigator,
    };
    (dir, case)
}

/// The bodies of the whole long case, oldest first.
fn all_messages() -> Vec<String> {
    let mut expected = vec!["balasan pertama".to_owned()];
    expected.extend((0..REKEY_AT - 4).map(|n| format!("lama {n}")));
    expected.extend((0..ITEMS - REKEY_AT - 1).map(|n| format!("pesan {n}")));
    expected
}

#[test]
fn every_page_of_a_long_case_reads_a_bounded_number_of_items_and_shows_each_message_once() {
    let (_dir, c) = long_case(Channel::Web);
    assert_eq!(
        c.store.rekeys(&c.case_id).expect("index"),
        RekeyIndex::Known(vec![REKEY_AT])
    );
    let pages = pages(&c.intake, &c.store, &c.case_id, &c.new);
    // The oldest page may take the last few items with it (`page_window`); before its run, one item
    // is hashed; after it, the rekey and its predecessor.
    let bound = PAGE_ITEMS + PAGE_ITEMS / 5 + PAGE_LOOKBACK + 3;
    for (n, (_, reads)) in pages.iter().enumerate() {
        assert!(
            reads <= &bound,
            "page {n} read {reads} items, more than {bound}"
        );
    }
    let shown: Vec<String> = pages.into_iter().rev().flat_map(|(b, _)| b).collect();
    assert_eq!(
        shown,
        all_messages(),
        "every message once, in order, those before the rekey included"
    );
}

#[test]
fn an_older_stores_replaced_chat_receipt_walks_every_newer_item_and_loses_no_message() {
    let (dir, c) = long_case(Channel::WhatsApp);
    // As a store written before the rekey index: nothing lists the rekey at `REKEY_AT`.
    c.store.inner.forget_rekey_index();
    let LongCase {
        intake,
        store,
        case_id,
        new,
        investigator,
    } = c;
    drop((intake, store));
    let (store, intake) = open(dir.path(), &investigator);
    assert_eq!(store.rekeys(&case_id).expect("index"), RekeyIndex::Unknown);
    let pages = pages(&intake, &store, &case_id, &new);
    let (_, oldest_reads) = pages.last().expect("a page");
    assert!(
        *oldest_reads as u32 >= ITEMS - PAGE_ITEMS as u32,
        "the oldest page walks every newer item: {oldest_reads}"
    );
    let shown: Vec<String> = pages.into_iter().rev().flat_map(|(b, _)| b).collect();
    assert_eq!(shown, all_messages(), "every message once, in order");
}

#[test]
fn a_rekey_the_server_did_not_write_moves_no_key() {
    let (_dir, c) = long_case(Channel::Web);
    // Someone with desk access uploads a "rekey" under their own key naming the reporter's current
    // key: were it honoured, every earlier reporter message would fail as signed by the wrong key.
    let forger = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let to = [
        c.investigator.public("a").recipient.clone(),
        c.new.reporter.recipient().expect("r"),
    ];
    let forged = ItemBody::Rekey(RekeyBody {
        reporter_keys: crate::protocol::item::ReporterKeys {
            x25519: crate::crypto::hex(&c.new.reporter.x25519_public()),
            ed25519: crate::crypto::hex(c.new.reporter.signing_key().verifying_key().as_bytes()),
        },
        reason: RekeyReason::OneTimeReceipt,
        previous_x25519_secret: None,
    });
    append_all(
        &c.intake,
        &c.case_id,
        Role::Reporter,
        &forger,
        &to,
        &[forged],
    );
    let page = c
        .intake
        .reporter_page(&c.case_id, &c.new, None)
        .expect("page")
        .expect("opens");
    assert_eq!(page.rejected, 1, "the forged rekey itself is not genuine");
    assert_eq!(page.messages.len(), PAGE_ITEMS - 1);
    assert_eq!(
        page.messages.last().map(|m| m.body.as_str()),
        Some("pesan 248")
    );
}
