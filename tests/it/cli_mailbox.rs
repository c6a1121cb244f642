//! Golden tests of the investigator's mailbox subcommands against a real server's desk API: `wbs cases`,
//! `show`, `reply`, `status` and `note` — their exact output (ids, dates, keys and ports masked) and exit
//! codes — and the forgery test: an investigator-looking reply written straight into the store is
//! flagged by `wbs show`.

use crate::support;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::support::command::{wbs, wbs_with_config, Run};
use crate::support::internal::{
    self, add_investigator, recipient_from_hex, seal, seal_item, Append, CaseStore, CaseV1,
    Channel, Day, Envelope, IdentityBody, InvestigatorIdentity, ItemBody, ItemDraft, MessageBody,
    Role, Status, StatusChangeV1, MESSAGE_MIN,
};
use crate::support::{client, files_containing, Env, Report, Server};
use rand::rngs::OsRng;
use serde_json::Value;

pub(crate) const CHRONOLOGY: &str =
    "CANARY-CHRONO-5e1f: petugas loket meminta uang pelicin Rp500.000.";

/// One server with one investigator (alice) and one submitted report.
pub(crate) struct World {
    pub(crate) env: Env,
    pub(crate) server: Server,
    pub(crate) alice: PathBuf,
    pub(crate) case_id: String,
}

impl World {
    pub(crate) async fn new() -> World {
        let env = Env::new();
        let alice = add_investigator(&env, "alice").file;
        let server = env.start();
        let case_id = submit(&server).await;
        let w = World {
            env,
            server,
            alice,
            case_id,
        };
        w.pin();
        w
    }

    /// The desk configuration of this world's investigator (kept across runs).
    pub(crate) fn config(&self) -> PathBuf {
        self.env.path().join("desk").join("desk.toml")
    }

    /// The first login pins the server's installation id and says so once, on stderr.
    pub(crate) fn pin(&self) {
        let r = self.desk("cases", &[]);
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(
            r.stderr
                .starts_with("wbs: first login to http://127.0.0.1:")
                && r.stderr.contains("its installation id is ")
                && r.stderr
                    .contains("compare with the id your administrator gave you"),
            "{}",
            r.stderr
        );
        let pinned =
            fs::read_to_string(self.env.path().join("desk").join("known_servers")).unwrap();
        assert!(
            pinned.ends_with(&format!(
                "{} {}\n",
                self.server.desk_base,
                installation_of(&r.stderr)
            )),
            "{pinned}"
        );
        let again = self.desk("cases", &[]);
        assert_eq!((again.code, again.stderr.as_str()), (0, ""), "pinned once");
    }

    /// `wbs show --reveal-identity --reason … CASE` as alice.
    pub(crate) fn desk_with_reveal(&self, case: &str) -> Run {
        self.desk(
            "show",
            &["--reveal-identity", "--reason", "klarifikasi", case],
        )
    }

    /// Starts the stopped server again (on new ports: a new address to pin).
    pub(crate) fn restart(&mut self) {
        self.server = self.env.start();
        self.pin();
    }

    /// Runs `wbs SUB --server DESK --identity alice --keys KEYS ARGS…`.
    pub(crate) fn desk(&self, sub: &str, args: &[&str]) -> Run {
        self.desk_as(sub, &self.alice, args)
    }

    pub(crate) fn desk_as(&self, sub: &str, identity: &Path, args: &[&str]) -> Run {
        self.desk_with(sub, identity, &self.env.keys, args)
    }

    /// As alice, with `keys` as her copy of keys/.
    pub(crate) fn desk_keys(&self, sub: &str, keys: &Path, args: &[&str]) -> Run {
        self.desk_with(sub, &self.alice, keys, args)
    }

    pub(crate) fn desk_with(&self, sub: &str, identity: &Path, keys: &Path, args: &[&str]) -> Run {
        let mut all: Vec<&OsStr> = vec![
            sub.as_ref(),
            "--server".as_ref(),
            self.server.desk_base.as_ref(),
            "--identity".as_ref(),
            identity.as_os_str(),
            "--keys".as_ref(),
            keys.as_os_str(),
        ];
        all.extend(args.iter().map(OsStr::new));
        wbs_with_config(&self.config(), all)
    }
}

/// The installation id in the first-login notice.
pub(crate) fn installation_of(notice: &str) -> &str {
    notice
        .split("its installation id is ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or("")
}

pub(crate) async fn submit(s: &Server) -> String {
    let body = Report::valid()
        .name(Some("Melati Pelapor"))
        .chronology(CHRONOLOGY)
        .evidence(Some(""))
        .json();
    let r = client()
        .post(s.url("/api/v1/reports"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    v["case_id"].as_str().unwrap().to_owned()
}

/// Masks what varies from run to run: case ids, dates, hex keys, ports, the temporary directory.
fn mask(text: &str, env: &Env) -> String {
    let text = text.replace(&env.path().display().to_string(), "<TMP>");
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let is = |j: usize, f: fn(char) -> bool| chars.get(j).is_some_and(|&c| f(c));
    while i < chars.len() {
        let rest: String = chars[i..chars.len().min(i + 18)].iter().collect();
        if rest.len() == 18
            && rest.starts_with("WBS-")
            && rest[4..].chars().enumerate().all(|(k, c)| {
                if k % 5 == 4 {
                    c == '-'
                } else {
                    c.is_ascii_alphanumeric()
                }
            })
        {
            out.push_str("WBS-<ID>");
            i += 18;
            continue;
        }
        let date = (0..10).all(|k| {
            if k == 4 || k == 7 {
                is(i + k, |c| c == '-')
            } else {
                is(i + k, |c| c.is_ascii_digit())
            }
        });
        if date {
            out.push_str("<DATE>");
            i += 10;
            continue;
        }
        let hex_run = (0..64).all(|k| is(i + k, |c| c.is_ascii_hexdigit()));
        if hex_run {
            let mut j = i;
            while is(j, |c| c.is_ascii_hexdigit()) {
                j += 1;
            }
            out.push_str("<HEX>");
            i = j;
            continue;
        }
        if rest.starts_with("127.0.0.1:") {
            let mut j = i + 10;
            while is(j, |c| c.is_ascii_digit()) {
                j += 1;
            }
            out.push_str("127.0.0.1:<PORT>");
            i = j;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn assert_golden(actual: &str, env: &Env, expected: &str) {
    let masked = mask(actual, env);
    assert_eq!(
        masked, expected,
        "\n--- masked output ---\n{masked}\n--- expected ---\n{expected}"
    );
}

pub(crate) fn assert_ok(r: &Run) {
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (0, ""),
        "stdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
}

/// Asserts exit status 2 with one sentence on stderr containing `what`, and nothing on stdout.
pub(crate) fn assert_usage_error(r: &Run, what: &str) {
    assert_eq!(r.code, 2, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "", "{}", r.stdout);
    assert_eq!(r.stderr.trim_end().lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.starts_with("wbs: "), "{}", r.stderr);
    assert!(r.stderr.contains(what), "expected {what:?} in {}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

const REPORT_GOLDEN: &str = "\
item 0: report — verified, signed by the reporter, <DATE>
  Kategori:            PUNGLI — Pungutan liar / pemerasan
  Pelapor:             Masyarakat
  Kriteria:            identitas, kronologi, terlapor, waktu & tempat
  Kronologi:
      CANARY-CHRONO-5e1f: petugas loket meminta uang pelicin Rp500.000.
  Terlapor:
      1. Budi Santoso — Staf Perizinan, Bidang Perizinan
  Waktu:               3 Maret 2026
  Tempat:              Loket 2
  Bukti:               (tidak diuraikan)
  Itikad baik:         tidak ditanyakan (API)
  Lampiran:            0 (lihat daftar lampiran)
item 1: identity — verified, signed by the reporter, <DATE>
  Identitas pelapor:   [disembunyikan: gunakan --reveal-identity --reason ALASAN]
item 2: manifest — verified, signed by the reporter, <DATE>
  Lampiran:            (tidak ada)
";

const REPLY: &str = "Mohon kirim foto kuitansi. <script>alert(1)</script> CANARY-REPLY-8c2d";
const STATUS_NOTE: &str = "Laporan Anda sudah diverifikasi. CANARY-STATUS-19aa";
const INTERNAL: &str = "Cek jadwal piket loket 2. CANARY-INTERNAL-77e0";
const REVEAL_REASON: &str = "Perlu menghubungi pelapor untuk klarifikasi. CANARY-REVEAL-31c0";
const RECATEGORISE_REASON: &str = "Uang diminta untuk mempercepat izin: suap. CANARY-RECAT-6d15";
const CLOSE_REASON: &str = "Diteruskan ke Inspektorat dan selesai di sini. CANARY-CLOSE-a9b4";

#[tokio::test]
async fn cases_show_reply_status_and_note_print_their_golden_output() {
    let mut w = World::new().await;
    let id = w.case_id.clone();

    let r = w.desk("cases", &[]);
    assert_ok(&r);
    assert_golden(
        &r.stdout,
        &w.env,
        "\
KASUS               KANAL  DITERIMA    STATUS    UMUR  KATEGORI  BARU  TENGGAT                                KRITERIA
WBS-<ID>  api    <DATE>  diterima  0d    PUNGLI    -     Diverifikasi paling lambat <DATE>  lengkap 4
1 kasus, 0 terlambat, 0 dengan pesan baru dari pelapor
",
    );

    let r = w.desk("show", &[&id]);
    assert_ok(&r);
    assert_golden(
        &r.stdout,
        &w.env,
        &format!(
            "\
==== case WBS-<ID> ====
  Kanal:               api
  Dibuat:              <DATE>
  Riwayat status:
      <DATE>  diterima (Diterima)
  Tenggat:             Diverifikasi paling lambat <DATE>
  Kategori kini:       PUNGLI — Pungutan liar / pemerasan
{REPORT_GOLDEN}case WBS-<ID>: all 3 item(s) verified
"
        ),
    );
    assert!(!r.stdout.contains("Melati Pelapor"));

    let r = w.desk("reply", &[&id, REPLY]);
    assert_ok(&r);
    assert_golden(
        &r.stdout,
        &w.env,
        "case WBS-<ID>: reply stored as item 3, sealed to the reporter and 1 investigator key(s)\n",
    );

    let r = w.desk("status", &[&id, "diverifikasi", "--note", STATUS_NOTE]);
    assert_ok(&r);
    assert_golden(
        &r.stdout,
        &w.env,
        "case WBS-<ID>: status set to diverifikasi (Diverifikasi), signed as item 4, with a note to the reporter\n",
    );

    let r = w.desk("note", &[&id, INTERNAL]);
    assert_ok(&r);
    assert_golden(
        &r.stdout,
        &w.env,
        "case WBS-<ID>: internal note stored as item 5, sealed to 1 investigator key(s) only\n",
    );

    // A status change without a note is still a signed item (with no message to the reporter).
    let r = w.desk("status", &[&id.to_lowercase(), "ditindaklanjuti"]);
    assert_ok(&r);
    assert_golden(
        &r.stdout,
        &w.env,
        "case WBS-<ID>: status set to ditindaklanjuti (Ditindaklanjuti), signed as item 6\n",
    );

    // The category corrected, with its reason.
    let r = w.desk(
        "recategorise",
        &[&id, "suap", "--reason", RECATEGORISE_REASON],
    );
    assert_ok(&r);
    assert_golden(
        &r.stdout,
        &w.env,
        "case WBS-<ID>: category corrected to SUAP — Suap, signed as item 7\n",
    );

    let r = w.desk("show", &[&id]);
    assert_ok(&r);
    assert_golden(
        &r.stdout,
        &w.env,
        &format!(
            "\
==== case WBS-<ID> ====
  Kanal:               api
  Dibuat:              <DATE>
  Riwayat status:
      <DATE>  diterima (Diterima)
      <DATE>  diverifikasi (Diverifikasi)
      <DATE>  ditindaklanjuti (Ditindaklanjuti)
  Tenggat:             Diselesaikan paling lambat <DATE>
  Kategori kini:       SUAP — Suap
{REPORT_GOLDEN}item 3: reply — verified, signed by investigator alice.pub, <DATE>
  Pesan untuk pelapor:
      {REPLY}
item 4: status-note — verified, signed by investigator alice.pub, <DATE>
  Status:              diverifikasi (Diverifikasi)
  Catatan untuk pelapor:
      {STATUS_NOTE}
item 5: internal-note — verified, signed by investigator alice.pub, <DATE>
  Catatan internal, hanya tim:
      {INTERNAL}
item 6: status-note — verified, signed by investigator alice.pub, <DATE>
  Status:              ditindaklanjuti (Ditindaklanjuti)
item 7: recategorise — verified, signed by investigator alice.pub, <DATE>
  Kategori baru:       SUAP — Suap
  Alasan:
      {RECATEGORISE_REASON}
case WBS-<ID>: all 8 item(s) verified
"
        ),
    );

    // A reveal is recorded first, as a signed item, then the identity is shown.
    let r = w.desk(
        "show",
        &["--reveal-identity", "--reason", REVEAL_REASON, &id],
    );
    assert_ok(&r);
    let masked = mask(&r.stdout, &w.env);
    assert!(
        masked.contains("  Nama:                Melati Pelapor\n"),
        "{masked}"
    );
    assert!(
        masked.contains(&format!(
            "item 8: reveal-record — verified, signed by investigator alice.pub, <DATE>\n  Identitas dibuka, alasan:\n      {REVEAL_REASON}\n"
        )),
        "{masked}"
    );
    assert!(
        masked.ends_with("case WBS-<ID>: this reveal of the reporter's identity is recorded as item 8, signed by you and visible to every investigator\ncase WBS-<ID>: all 9 item(s) verified\n"),
        "{masked}"
    );
    // Without a reason, nothing is revealed (clap refuses the flag alone).
    let r = w.desk("show", &["--reveal-identity", &id]);
    assert_eq!(r.code, 2);
    assert!(!r.stdout.contains("Melati Pelapor"));

    let r = w.desk("cases", &[]);
    assert_ok(&r);
    assert_golden(
        &r.stdout,
        &w.env,
        "\
KASUS               KANAL  DITERIMA    STATUS           UMUR  KATEGORI  BARU  TENGGAT                                KRITERIA
WBS-<ID>  api    <DATE>  ditindaklanjuti  0d    SUAP      -     Diselesaikan paling lambat <DATE>  lengkap 4
1 kasus, 0 terlambat, 0 dengan pesan baru dari pelapor
",
    );

    // Closing needs a reason; the process allows no step back; English on request.
    let r = w.desk("status", &[&id, "selesai"]);
    assert_usage_error(&r, "closing a case (selesai) needs a reason: add --reason");
    let r = w.desk("status", &[&id, "diterima", "--reason", "x"]);
    assert_usage_error(
        &r,
        "is ditindaklanjuti: the office's process allows diteruskan, selesai from there, not diterima",
    );
    let r = w.desk(
        "status",
        &[&id, "selesai", "--reason", CLOSE_REASON, "--lang", "en"],
    );
    assert_ok(&r);
    assert_golden(
        &r.stdout,
        &w.env,
        "case WBS-<ID>: status set to selesai (Closed), signed as item 9\n",
    );
    let r = w.desk("show", &["--lang", "en", &id]);
    assert_ok(&r);
    let masked = mask(&r.stdout, &w.env);
    assert!(
        masked.ends_with(&format!(
            "item 9: status-note — verified, signed by investigator alice.pub, <DATE>\n  Status:              selesai (Closed)\n  Reason:\n      {CLOSE_REASON}\ncase WBS-<ID>: all 10 item(s) verified\n"
        )),
        "{masked}"
    );
    assert!(
        !masked.contains("Kategori"),
        "one language per run: {masked}"
    );

    // Nothing anyone wrote reached the data directory or the server's output in plaintext.
    w.server.stop();
    let canaries: [&[u8]; 7] = [
        b"CANARY-CHRONO-5e1f",
        b"CANARY-REPLY-8c2d",
        b"CANARY-STATUS-19aa",
        b"CANARY-INTERNAL-77e0",
        b"CANARY-REVEAL-31c0",
        b"CANARY-RECAT-6d15",
        b"CANARY-CLOSE-a9b4",
    ];
    assert_eq!(files_containing(&w.env.data, &canaries), vec![]);
    // Nor the investigator's own configuration directory (pins and seen marks only).
    assert_eq!(
        files_containing(&w.env.path().join("desk"), &canaries),
        vec![]
    );
    let log = w.env.log_bytes();
    for c in canaries {
        assert!(!support::contains(&log, c));
    }
    // No line per request: only start-up and shutdown.
    let text = w.env.log_text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[0].ends_with("reports are encrypted to the investigators' keys investigators=1"),
        "{text}"
    );
    assert!(lines[3].ends_with("stopped"), "{text}");
    assert!(!text.contains("/api/v1/desk"), "{text}");
}

#[tokio::test]
async fn an_overdue_case_is_marked_in_the_listing() {
    let mut w = World::new().await;
    w.server.stop();
    plant_case(
        &w.env,
        &w.case_id,
        "WBS-0000-0000-0001",
        "2020-01-06",
        false,
    );
    // Closed long ago: listed last, although it is the oldest.
    plant_case(&w.env, &w.case_id, "WBS-0000-0000-0002", "2019-01-07", true);
    w.restart();
    let r = w.desk("cases", &["--lang", "en"]);
    assert_ok(&r);
    let age = |day: &str| {
        (Day::today()
            .midnight()
            .duration_since(Day::parse(day).unwrap().midnight())
            .unwrap()
            .as_secs()
            / 86_400)
            .to_string()
    };
    let (old, closed) = (age("2020-01-06"), age("2019-01-07"));
    // The planted copies hold another case's items: their category and criteria cannot be shown.
    let listing = format!(
        "\
CASE                CHANNEL  RECEIVED    STATUS    AGE    CATEGORY  NEW  DEADLINE                               CRITERIA
WBS-0000-0000-0001  api      2020-01-06  diterima  {old}d  ?         -    To be verified by 2020-01-09  OVERDUE  ?
{id}  api      {today}  diterima  0d     PUNGLI    -    To be verified by {due}           all 4
WBS-0000-0000-0002  api      2019-01-07  selesai   {closed}d  ?         -    -                                      ?
3 case(s), 1 overdue, 0 with new messages from the reporter
",
        id = w.case_id,
        today = Day::today(),
        due = r.stdout.lines().nth(2).and_then(|l| l.split("To be verified by ").nth(1)).unwrap_or("?").trim_end().get(..10).unwrap_or("?"),
    );
    assert_eq!(r.stdout, listing, "\n{}", r.stdout);
}

/// Stores a copy of `like`'s items as case `id` created on `created` (the server must be stopped), as
/// a case received long ago would be.
fn plant_case(env: &Env, like: &str, id: &str, created: &str, closed: bool) {
    let store = internal::open_store(&env.data);
    let like = internal::case_id(like);
    let template = store.case(&like).unwrap().unwrap();
    let items = store.items(&like).unwrap();
    let created = Day::parse(created).unwrap();
    let case = CaseV1 {
        id: internal::case_id(id),
        created: created.clone(),
        statuses: [Status::Diterima, Status::Selesai][..if closed { 2 } else { 1 }]
            .iter()
            .map(|&status| StatusChangeV1 {
                status,
                day: created.clone(),
            })
            .collect(),
        ..template
    };
    let lookup = [u8::from(closed) + 9; 32];
    store.create_case(&case, &items, &lookup).unwrap();
}

#[tokio::test]
async fn usage_errors_and_refusals_exit_2_with_one_sentence() {
    let w = World::new().await;
    let id = w.case_id.clone();

    let r = w.desk("status", &[&id, "verified"]);
    assert_usage_error(
        &r,
        "verified is not a status code: use one of diterima, diverifikasi, perlu-dilengkapi, ditindaklanjuti, diteruskan, selesai",
    );
    let r = w.desk("show", &["../../etc"]);
    assert_usage_error(&r, "is not a case id");
    let r = w.desk("reply", &[&id, "   "]);
    assert_usage_error(&r, "the message is empty");
    let r = w.desk("show", &["WBS-0000-0000-0000"]);
    assert_usage_error(&r, "the server has no case WBS-0000-0000-0000");

    // An unreachable server, the public site instead of the desk API, and https.
    let port = support::free_port();
    for (server, what) in [
        (
            format!("http://127.0.0.1:{port}"),
            "cannot connect to the desk API at http://127.0.0.1:",
        ),
        (w.server.base.clone(), "not as the WBS desk API"),
        ("https://127.0.0.1:1".to_owned(), "must start with http://"),
        ("wbs.example".to_owned(), "is not a desk API address"),
    ] {
        let r = wbs([
            "cases",
            "--server",
            &server,
            "--identity",
            w.alice.to_str().unwrap(),
        ]);
        assert_usage_error(&r, what);
    }

    // An identity whose key is not in the server's keys/.
    let stranger = w.env.path().join("stranger.identity");
    fs::write(
        &stranger,
        InvestigatorIdentity::generate(&mut OsRng)
            .to_file_text("x")
            .as_bytes(),
    )
    .unwrap();
    fs::set_permissions(&stranger, fs::Permissions::from_mode(0o600)).unwrap();
    let r = w.desk_as("cases", &stranger, &[]);
    assert_usage_error(&r, "the server refused the login");

    // Replies need --keys: they are sealed to every investigator. (Without keys, only a case sealed to
    // the writer alone — a demo server's — may be answered; this one is sealed to alice and bob.)
    let mut w = w;
    w.server.stop();
    add_investigator(&w.env, "bob");
    w.restart();
    let shared_case = submit(&w.server).await;
    let empty = w.env.path().join("no-keys");
    let r = wbs_with_config(
        &w.config(),
        [
            "reply",
            "--server",
            &w.server.desk_base,
            "--identity",
            w.alice.to_str().unwrap(),
            "--keys",
            empty.to_str().unwrap(),
            &shared_case,
            "halo",
        ],
    );
    assert_usage_error(&r, "holds no investigator public keys");

    // Missing arguments are clap's usage errors: also exit 2.
    let r = wbs(["reply", "--server", &w.server.desk_base]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
}

#[tokio::test]
async fn a_forged_reply_written_into_the_store_is_flagged_by_show() {
    let mut w = World::new().await;
    let id = w.case_id.clone();
    w.server.stop();

    // A thief of the disk: seals a reply to the reporter and the investigators, signs it with a key
    // that is not in keys/, and appends it in the right place of the chain.
    let alice = InvestigatorIdentity::parse(&fs::read_to_string(&w.alice).unwrap()).unwrap();
    {
        let store = internal::open_store(&w.env.data);
        let id = internal::case_id(&id);
        let case = store.case(&id).unwrap().unwrap();
        let items = store.items(&id).unwrap();
        let report = seal::open(&items[0], &[alice.age_identity() as &dyn age::Identity]).unwrap();
        let report = Envelope::open(&report).unwrap();
        let Ok(ItemBody::Report(report)) = report.body() else {
            panic!("item 0 is a report")
        };
        let reporter = recipient_from_hex(&report.reporter_keys.x25519).unwrap();
        let forger = InvestigatorIdentity::generate(&mut OsRng);
        let body = ItemBody::Reply(MessageBody {
            text: "FORGED-REPLY-3b7c: transfer Rp1.000.000 ke rekening ini".into(),
        });
        let draft = ItemDraft {
            case_id: &id,
            seq: case.item_count,
            prev_digest: &case.last_digest,
            day: &Day::today(),
            role: Role::Investigator,
            body: &body,
        };
        let forged = seal_item(
            draft,
            forger.signing_key(),
            &[alice.recipient(), reporter],
            MESSAGE_MIN,
        )
        .unwrap();
        store
            .append(
                &id,
                case.item_count,
                Append {
                    items: vec![forged],
                    ..Append::default()
                },
            )
            .unwrap();
    }
    w.restart();

    let r = w.desk("show", &[&id]);
    assert_eq!(r.code, 1, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("FORGED-REPLY-3b7c"), "{}", r.stdout);
    assert!(
        mask(&r.stdout, &w.env).contains(REPORT_GOLDEN),
        "{}",
        r.stdout
    );
    assert!(
        mask(&r.stdout, &w.env).ends_with(
            "item 3: REJECTED — signed by a key that is not a known investigator or this case's reporter
case WBS-<ID>: 1 problem(s) — do not trust the rejected parts
"
        ),
        "{}",
        r.stdout
    );
    assert_eq!(
        r.stderr,
        "wbs: 1 problem(s) found: rejected parts were not shown as genuine\n"
    );

    // A reply after the forgery still chains (to the forged item's ciphertext) and verifies; the
    // forged item stays flagged.
    let r = w.desk("reply", &[&id, "Balasan asli."]);
    assert_ok(&r);
    let r = w.desk("show", &[&id]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("item 3: REJECTED"));
    assert!(r
        .stdout
        .contains("item 4: reply — verified, signed by investigator alice.pub"));
}

/// A well-formed PDF (the server refuses PDFs it cannot read and rewrites the rest; this one it
/// rewrites to the same bytes, docs/design.md §6) with the canary in its page content.
static PDF: std::sync::LazyLock<Vec<u8>> =
    std::sync::LazyLock::new(|| crate::support::pdf_with("CANARY-PDF-4410 kuitansi"));

/// Submits a report with one PDF attachment in-process (the server must be stopped); returns its id.
fn submit_with_attachment(env: &Env) -> String {
    let prepared = internal::prepare(&env.data, &env.keys);
    let attachment = internal::seal_attachment(&prepared, "bukti.pdf", &PDF);
    let input = Report::valid()
        .kind("staff")
        .chronology(CHRONOLOGY)
        .party("Budi Santoso", "Kepala Seksi", "Bidang Perizinan")
        .name(None)
        .contact(None)
        .anonymous(Some(true))
        .evidence(Some("Foto kuitansi terlampir."))
        .input();
    internal::submit_in_process(
        &prepared,
        &input,
        vec![attachment],
        Channel::Web,
        &Day::today(),
    )
}

#[tokio::test]
async fn show_checks_attachments_and_decrypts_them_on_request() {
    let env = Env::new();
    let alice = add_investigator(&env, "alice").file;
    let case_id = submit_with_attachment(&env);
    let server = env.start();
    let w = World {
        env,
        server,
        alice,
        case_id: case_id.clone(),
    };
    w.pin();

    let r = w.desk("show", &[&case_id]);
    assert_ok(&r);
    let masked = mask(&r.stdout, &w.env);
    assert!(
        masked.contains(&format!(
            // A PDF is scrubbed now (docs/design.md §6): no "metadata not removed" flag.
            "  Lampiran:\n      1. bukti.pdf — application/pdf, {} bita\n",
            PDF.len()
        )),
        "{masked}"
    );
    assert!(
        masked.ends_with(&format!(
            "attachment 1 (bukti.pdf): ciphertext matches the signed manifest (application/pdf, {} bytes); use --attachments DIR to decrypt it\ncase WBS-<ID>: all 3 item(s) verified\n",
            PDF.len()
        )),
        "{masked}"
    );
    assert!(!r.stdout.contains("CANARY-PDF"));

    let out = w.env.path().join("files");
    let r = w.desk("show", &["--attachments", out.to_str().unwrap(), &case_id]);
    assert_ok(&r);
    assert_eq!(
        fs::read(out.join(&case_id).join("bukti.pdf")).unwrap(),
        *PDF
    );

    // The blob altered on the server's disk: rejected, not written.
    let blob = fs::read_dir(w.env.data.join("blobs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "age"))
        .unwrap();
    let mut bytes = fs::read(&blob).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    fs::write(&blob, bytes).unwrap();
    let out2 = w.env.path().join("files2");
    let r = w.desk("show", &["--attachments", out2.to_str().unwrap(), &case_id]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains(
        "attachment 1 (bukti.pdf): REJECTED — the file differs from the signed manifest (altered or replaced)"
    ));
    assert!(!out2.join(&case_id).join("bukti.pdf").exists());
}

/// A genuine investigator key writing an item only the reporter may write (here an identity block after
/// the opening items) is rejected for its kind, not shown as genuine.
#[tokio::test]
async fn an_item_of_the_wrong_kind_for_its_author_is_flagged_by_show() {
    let mut w = World::new().await;
    let id = w.case_id.clone();
    w.server.stop();
    let alice = InvestigatorIdentity::parse(&fs::read_to_string(&w.alice).unwrap()).unwrap();
    {
        let store = internal::open_store(&w.env.data);
        let id = internal::case_id(&id);
        let case = store.case(&id).unwrap().unwrap();
        let body = ItemBody::Identity(IdentityBody {
            anonymous: false,
            name: "WRONG-KIND-9d2e".into(),
            contact: String::new(),
            answers: None,
        });
        let draft = ItemDraft {
            case_id: &id,
            seq: case.item_count,
            prev_digest: &case.last_digest,
            day: &Day::today(),
            role: Role::Investigator,
            body: &body,
        };
        let item = seal_item(
            draft,
            alice.signing_key(),
            &[alice.recipient()],
            MESSAGE_MIN,
        )
        .unwrap();
        store
            .append(
                &id,
                case.item_count,
                Append {
                    items: vec![item],
                    ..Append::default()
                },
            )
            .unwrap();
    }
    w.restart();
    let r = w.desk_with_reveal(&id);
    assert_eq!(r.code, 1, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("WRONG-KIND-9d2e"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("item 3: REJECTED — its author may not write this kind of item here"),
        "{}",
        r.stdout
    );
}
