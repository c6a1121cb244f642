//! age encryption of padded items and attachments. Every ciphertext is a standard age file.

use std::io::{Read, Write};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::pad;

/// A coarse error: it never says which key or which step failed, only whether none of the identities
/// is a recipient of the file, or the file does not check (altered, truncated, not an age file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// No identity given matches a recipient of the file.
    #[error("could not decrypt: not sealed to this identity")]
    NoIdentity,
    /// The file is damaged: its header, MAC, payload or padding does not check.
    #[error("could not decrypt: the file is damaged or altered")]
    Damaged,
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("no recipients")]
    NoRecipients,
    #[error("write failed: {0}")]
    Io(#[from] std::io::Error),
}

fn encryptor(recipients: &[age::x25519::Recipient]) -> Result<age::Encryptor, SealError> {
    if recipients.is_empty() {
        return Err(SealError::NoRecipients);
    }
    age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
        .map_err(|_| SealError::NoRecipients)
}

/// Pads `content` to its bucket and encrypts it to every recipient.
pub fn seal(
    content: &[u8],
    minimum_padded: usize,
    recipients: &[age::x25519::Recipient],
) -> Result<Vec<u8>, SealError> {
    seal_padded(&pad::pad(content, minimum_padded), recipients)
}

/// Encrypts already padded bytes to every recipient.
pub(crate) fn seal_padded(
    padded: &[u8],
    recipients: &[age::x25519::Recipient],
) -> Result<Vec<u8>, SealError> {
    let mut out = Vec::with_capacity(padded.len() + 200 * recipients.len() + 100);
    let mut writer = encryptor(recipients)?.wrap_output(&mut out)?;
    writer.write_all(padded)?;
    writer.finish()?;
    Ok(out)
}

/// Decrypts and removes the padding.
pub fn open(
    ciphertext: &[u8],
    identities: &[&dyn age::Identity],
) -> Result<Zeroizing<Vec<u8>>, OpenError> {
    let decryptor = age::Decryptor::new_buffered(ciphertext).map_err(|_| OpenError::Damaged)?;
    let mut reader = decryptor
        .decrypt(identities.iter().copied())
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => OpenError::NoIdentity,
            _ => OpenError::Damaged,
        })?;
    let mut padded = Zeroizing::new(Vec::new());
    reader
        .read_to_end(&mut padded)
        .map_err(|_| OpenError::Damaged)?;
    let content = pad::unpad(&padded).map_err(|_| OpenError::Damaged)?;
    Ok(Zeroizing::new(content.to_vec()))
}

/// Streams content through padding and age into `W`, hashing plaintext and ciphertext on the way.
///
/// Both SHA-256 digests are computed on a thread of their own (`Digests`) while this one encrypts and
/// writes: the two digests cost more than the encryption (issue 9, docs/performance.md), and a
/// pipeline over two cores takes them off the upload's path. They are the same digests as before,
/// of the same bytes in the same order; `finish` waits for them.
pub(crate) struct SealWriter<W: Write> {
    inner: age::stream::StreamWriter<HashingWriter<W>>,
    content_len: u64,
    digests: Digests,
}

impl<W: Write> SealWriter<W> {
    pub fn new(output: W, recipients: &[age::x25519::Recipient]) -> Result<Self, SealError> {
        let (digests, spare) = Digests::start()?;
        let hashing = HashingWriter::new(output, digests.feed.clone(), spare);
        let inner = encryptor(recipients)?.wrap_output(hashing)?;
        Ok(SealWriter {
            inner,
            content_len: 0,
            digests,
        })
    }

    /// Takes the next chunk; it goes to the digest thread as it is, without a copy.
    pub(crate) fn write_owned(&mut self, chunk: Vec<u8>) -> Result<(), SealError> {
        self.inner.write_all(&chunk)?;
        self.content_len += chunk.len() as u64;
        self.digests.send(Part::Plain(chunk))
    }

    /// Appends the padding and finishes the age stream. Without this the file would be truncated.
    pub fn finish(mut self) -> Result<SealedStream<W>, SealError> {
        let trailer: Vec<u8> = pad::trailer(self.content_len, 0).collect();
        self.inner.write_all(&trailer)?;
        let HashingWriter {
            inner: output,
            feed,
            written,
            ..
        } = self.inner.finish()?;
        // Every part is queued: the writer's end of the queue closes, then the digests are done.
        drop(feed);
        let (plain_sha256, ciphertext_sha256) = self.digests.finish()?;
        Ok(SealedStream {
            content_len: self.content_len,
            plain_sha256,
            ciphertext_len: written,
            ciphertext_sha256,
            output,
        })
    }
}

/// What the digest thread is fed, in the order it was written.
enum Part {
    Plain(Vec<u8>),
    Cipher(Vec<u8>),
}

/// Parts queued for the digest thread, at most: bounds the memory one upload holds ahead of its
/// hashing (a batch of at most 256 KiB each, `web::upload`; age writes 64 KiB chunks).
const QUEUED_PARTS: usize = 8;

/// The digest thread of one `SealWriter`: plaintext and ciphertext SHA-256, fed through a bounded
/// queue. Dropped without `finish` (an upload that failed), its queue closes and the thread ends.
struct Digests {
    feed: SyncSender<Part>,
    thread: JoinHandle<([u8; 32], [u8; 32])>,
}

impl Digests {
    /// The thread, and where it hands back the ciphertext buffers it is done with (for reuse).
    fn start() -> Result<(Self, Receiver<Vec<u8>>), SealError> {
        let (feed, parts) = sync_channel(QUEUED_PARTS);
        let (give_back, spare) = sync_channel(QUEUED_PARTS);
        let thread = std::thread::Builder::new()
            .name("wbs-digest".into())
            .spawn(move || Self::run(parts, give_back))?;
        Ok((Digests { feed, thread }, spare))
    }

    fn run(parts: Receiver<Part>, give_back: SyncSender<Vec<u8>>) -> ([u8; 32], [u8; 32]) {
        let (mut plain, mut cipher) = (Sha256::new(), Sha256::new());
        for part in parts {
            match part {
                Part::Plain(b) => plain.update(&b),
                Part::Cipher(b) => {
                    cipher.update(&b);
                    // Reused when the writer wants one; dropped when enough are waiting.
                    let _ = give_back.try_send(b);
                }
            }
        }
        (plain.finalize().into(), cipher.finalize().into())
    }

    fn send(&self, part: Part) -> Result<(), SealError> {
        send(&self.feed, part)
    }

    /// Closes the queue and waits for both digests.
    fn finish(self) -> Result<([u8; 32], [u8; 32]), SealError> {
        drop(self.feed);
        self.thread
            .join()
            .map_err(|_| SealError::Io(std::io::Error::other("digest thread failed")))
    }
}

fn send(feed: &SyncSender<Part>, part: Part) -> Result<(), SealError> {
    feed.send(part)
        .map_err(|_| SealError::Io(std::io::Error::other("digest thread gone")))
}

/// What a finished stream tells about itself.
pub(crate) struct SealedStream<W> {
    pub content_len: u64,
    pub plain_sha256: [u8; 32],
    pub ciphertext_len: u64,
    pub ciphertext_sha256: [u8; 32],
    pub output: W,
}

/// Passes age's output to `W` and each written part to the digest thread, so the ciphertext is
/// hashed as it is written rather than read back.
struct HashingWriter<W> {
    inner: W,
    feed: SyncSender<Part>,
    /// Buffers the digest thread is done with.
    spare: Receiver<Vec<u8>>,
    written: u64,
}

impl<W> HashingWriter<W> {
    fn new(inner: W, feed: SyncSender<Part>, spare: Receiver<Vec<u8>>) -> Self {
        HashingWriter {
            inner,
            feed,
            spare,
            written: 0,
        }
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        let mut part = self.spare.try_recv().unwrap_or_default();
        part.clear();
        part.extend_from_slice(&buf[..n]);
        send(&self.feed, Part::Cipher(part)).map_err(|e| match e {
            SealError::Io(e) => e,
            SealError::NoRecipients => std::io::Error::other("digest thread gone"),
        })?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::InvestigatorIdentity;
    use proptest::prelude::*;
    use rand::SeedableRng;

    fn identity(seed: u64) -> InvestigatorIdentity {
        InvestigatorIdentity::generate(&mut rand::rngs::StdRng::seed_from_u64(seed))
    }

    #[test]
    fn every_recipient_can_open_and_others_cannot() {
        let (a, b, c) = (identity(1), identity(2), identity(3));
        let sealed = seal(b"secret", 1024, &[a.recipient(), b.recipient()]).expect("seals");
        for id in [&a, &b] {
            let opened = open(&sealed, &[id.age_identity() as &dyn age::Identity]).expect("opens");
            assert_eq!(&opened[..], b"secret");
        }
        assert_eq!(
            open(&sealed, &[c.age_identity() as &dyn age::Identity]).err(),
            Some(OpenError::NoIdentity)
        );
        // A byte changed in the payload, or in the header: damaged, not "another identity".
        let mac = sealed
            .windows(5)
            .position(|w| w == b"\n--- ")
            .expect("a header MAC")
            + 6;
        for at in [sealed.len() - 1, mac] {
            let mut altered = sealed.clone();
            altered[at] ^= 1;
            assert_eq!(
                open(&altered, &[a.age_identity() as &dyn age::Identity]).err(),
                Some(OpenError::Damaged),
                "byte {at}"
            );
        }
    }

    #[test]
    fn streamed_and_whole_seals_open_the_same() {
        let a = identity(4);
        let mut out = Vec::new();
        let mut w = SealWriter::new(&mut out, &[a.recipient()]).expect("writer");
        w.write_owned(b"hello ".to_vec()).expect("chunk");
        w.write_owned(b"world".to_vec()).expect("chunk");
        let done = w.finish().expect("finish");
        assert_eq!(done.content_len, 11);
        assert_eq!(done.plain_sha256, crate::crypto::sha256(b"hello world"));
        assert_eq!(done.ciphertext_sha256, crate::crypto::sha256(&out));
        let opened = open(&out, &[a.age_identity() as &dyn age::Identity]).expect("opens");
        assert_eq!(&opened[..], b"hello world");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn seal_open_round_trip(content in proptest::collection::vec(any::<u8>(), 0..70_000)) {
            let a = identity(5);
            let sealed = seal(&content, 0, &[a.recipient()]).expect("seals");
            let opened = open(&sealed, &[a.age_identity() as &dyn age::Identity]).expect("opens");
            prop_assert_eq!(&opened[..], &content[..]);
        }
    }
}
