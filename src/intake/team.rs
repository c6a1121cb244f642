//! The team: the live set of investigators, read from `keys/` and re-read when it changes
//! (docs/design.md §10).
//!
//! A look at `keys/` (a directory listing and each file's size, modification time and inode) costs a
//! few system calls; a file is read again only when its look changed. The look is taken at most once a
//! second where the set is used (sealing, desk tokens, the chat's recipients), at every desk login, and
//! by a one-second poll while the server runs, so a change is in force, and logged, within a second.
//!
//! While running, a file that cannot be used (broken, or holding a private key) is refused on its own
//! and named in the log by its file name and a stable code, never its content; the rest of the team,
//! and the last good version of that file, stay in force. A change that would leave nobody to seal to
//! (or more keys than the chat channel can seal a name to) is refused as a whole.

use std::collections::BTreeMap;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::crypto::keys::{
    list_key_dir, one_per_person, read_key_dir_checked, read_key_file, recipients_fingerprint,
    Duplicate, FileProblem, FileStamp, InvestigatorPublic, KeyDirError,
};

/// How often the set in force may be re-checked where it is used.
pub(crate) const REFRESH: Duration = Duration::from_secs(1);

/// One snapshot of the team: who is sealed to and may log in (active), and whose signatures count
/// (active and retired, each retired key up to its retirement day). Cheap to clone. It dereferences to
/// the active investigators, the set that is sealed to.
#[derive(Clone)]
pub struct Roster {
    inner: Arc<RosterInner>,
}

struct RosterInner {
    all: Vec<InvestigatorPublic>,
    active: Vec<InvestigatorPublic>,
    fingerprint: String,
}

impl Roster {
    pub fn new(all: Vec<InvestigatorPublic>) -> Self {
        let active: Vec<_> = all.iter().filter(|k| k.is_active()).cloned().collect();
        let fingerprint = recipients_fingerprint(&active);
        Roster {
            inner: Arc::new(RosterInner {
                all,
                active,
                fingerprint,
            }),
        }
    }

    /// The investigators new items are sealed to, and who may log in.
    pub fn active(&self) -> &[InvestigatorPublic] {
        &self.inner.active
    }

    /// Every known investigator key, active and retired: whose signatures are checked.
    pub fn all(&self) -> &[InvestigatorPublic] {
        &self.inner.all
    }

    /// The digest of the active recipient set (`crypto::keys::recipients_fingerprint`).
    pub fn fingerprint(&self) -> &str {
        &self.inner.fingerprint
    }

    /// The active investigators' age recipients.
    pub fn recipients(&self) -> Vec<age::x25519::Recipient> {
        self.active().iter().map(|i| i.recipient.clone()).collect()
    }

    pub fn retired_count(&self) -> usize {
        self.inner.all.len() - self.inner.active.len()
    }
}

impl Deref for Roster {
    type Target = [InvestigatorPublic];
    fn deref(&self) -> &[InvestigatorPublic] {
        self.active()
    }
}

impl AsRef<[InvestigatorPublic]> for Roster {
    fn as_ref(&self) -> &[InvestigatorPublic] {
        self.active()
    }
}

/// The team, fixed (demo mode, tests) or read from a `keys/` directory and kept current.
pub struct Team {
    dir: Option<PathBuf>,
    /// The most active keys the set may hold (the chat channel's identity block), if bounded.
    limit: Option<usize>,
    state: Mutex<State>,
}

struct State {
    roster: Roster,
    checked: Instant,
    files: BTreeMap<String, FileState>,
    duplicates: Vec<Duplicate>,
    /// The code of the last refusal of the directory or of a whole set, logged once per streak.
    refusing: Option<&'static str>,
}

struct FileState {
    stamp: FileStamp,
    /// The newest good version of the file under this name: the file itself, or, while it is
    /// refused, the version before.
    good: Option<InvestigatorPublic>,
}

impl Team {
    /// A team that never changes.
    pub fn fixed(keys: Vec<InvestigatorPublic>) -> Self {
        Team {
            dir: None,
            limit: None,
            state: Mutex::new(State {
                roster: Roster::new(keys),
                checked: Instant::now(),
                files: BTreeMap::new(),
                duplicates: Vec::new(),
                refusing: None,
            }),
        }
    }

    /// Reads `dir` strictly, as at start-up: a private key or a broken file is an error (fail closed,
    /// the operator's mistake is shown at once). Two files of one person keep the first (a retired
    /// one first, else by name); the pairs are returned for the caller to refuse or log.
    pub(crate) fn open(
        dir: PathBuf,
        limit: Option<usize>,
    ) -> Result<(Self, Vec<Duplicate>), KeyDirError> {
        // The strict read gives the errors; the listing gives each file's look for later changes.
        let (_, duplicates) = read_key_dir_checked(&dir)?;
        let entries =
            list_key_dir(&dir).map_err(|e| KeyDirError::BadFile(dir.clone(), e.to_string()))?;
        let mut files = BTreeMap::new();
        for entry in entries {
            let key = read_key_file(&entry).ok();
            files.insert(
                entry.rel,
                FileState {
                    stamp: entry.stamp,
                    good: key,
                },
            );
        }
        let (kept, _) = one_per_person(good_keys(&files));
        let roster = Roster::new(kept.into_iter().map(|(_, k)| k).collect());
        let team = Team {
            dir: Some(dir),
            limit,
            state: Mutex::new(State {
                roster,
                checked: Instant::now(),
                files,
                duplicates: duplicates.clone(),
                refusing: None,
            }),
        };
        Ok((team, duplicates))
    }

    /// The set in force, re-checked if the last look is more than a second old.
    pub fn current(&self) -> Roster {
        let Ok(mut state) = self.state.lock() else {
            return Roster::new(Vec::new());
        };
        if state.checked.elapsed() >= REFRESH {
            self.refresh(&mut state);
        }
        state.roster.clone()
    }

    /// The set in force, re-checked now (a desk login: a key just added can log in at once).
    pub fn fresh(&self) -> Roster {
        let Ok(mut state) = self.state.lock() else {
            return Roster::new(Vec::new());
        };
        self.refresh(&mut state);
        state.roster.clone()
    }

    /// Whether the set follows a directory (and so wants the background poll).
    pub fn is_live(&self) -> bool {
        self.dir.is_some()
    }

    fn refresh(&self, state: &mut State) {
        state.checked = Instant::now();
        let Some(dir) = &self.dir else {
            return;
        };
        let entries = match list_key_dir(dir) {
            Ok(e) => e,
            Err(_) => {
                refuse_once(
                    state,
                    "WBS-KEYS-UNREADABLE",
                    "the keys directory cannot be read; the investigators in force stay in force",
                );
                return;
            }
        };
        if state.refusing == Some("WBS-KEYS-UNREADABLE") {
            state.refusing = None;
        }
        let mut changed = false;
        let mut files = BTreeMap::new();
        for entry in entries {
            match state.files.remove(&entry.rel) {
                Some(f) if f.stamp == entry.stamp => {
                    files.insert(entry.rel, f);
                }
                previous => {
                    changed = true;
                    let good = match read_key_file(&entry) {
                        Ok(key) => Some(key),
                        Err(problem) => {
                            let kept = previous.as_ref().is_some_and(|p| p.good.is_some());
                            log_refused_file(&entry.rel, &problem, kept);
                            previous.and_then(|p| p.good)
                        }
                    };
                    files.insert(
                        entry.rel,
                        FileState {
                            stamp: entry.stamp,
                            good,
                        },
                    );
                }
            }
        }
        // Files that are gone.
        changed |= !state.files.is_empty();
        state.files = files;
        if !changed {
            return;
        }
        let (kept, duplicates) = one_per_person(good_keys(&state.files));
        for d in duplicates.iter().filter(|d| !state.duplicates.contains(d)) {
            tracing::warn!(
                code = "WBS-KEY-DUPLICATE",
                file = ?d.refused,
                same_as = ?d.kept,
                "key file refused: it holds the same key as another file (two files must be two people)"
            );
        }
        state.duplicates = duplicates;
        let roster = Roster::new(kept.into_iter().map(|(_, k)| k).collect());
        if roster.active().is_empty() {
            refuse_once(
                state,
                "WBS-KEYS-EMPTY",
                "keys/ would leave no active investigator; the investigators in force stay in force",
            );
            return;
        }
        if let Some(limit) = self.limit.filter(|l| roster.active().len() > *l) {
            refuse_once(
                state,
                "WBS-KEYS-TOO-MANY",
                &format!("keys/ would hold more than {limit} active investigator keys, more than a chat report's identity block can seal a name to; the investigators in force stay in force"),
            );
            return;
        }
        state.refusing = None;
        if let Some(line) = change_line(&state.roster, &roster) {
            tracing::info!("{line}");
        }
        state.roster = roster;
    }
}

fn refuse_once(state: &mut State, code: &'static str, message: &str) {
    if state.refusing != Some(code) {
        tracing::error!(code, "{message}");
        state.refusing = Some(code);
    }
}

fn log_refused_file(file: &str, problem: &FileProblem, kept: bool) {
    let what = match problem {
        FileProblem::PrivateKey => "holds a private key (AGE-SECRET-KEY-); move it off this server",
        FileProblem::Unreadable(_) => "cannot be read",
        FileProblem::NotText => "is not text",
        FileProblem::Invalid(_) => "is not a valid investigator key file",
    };
    let then = if kept {
        "the previous version of this file stays in force"
    } else {
        "it is not used"
    };
    // The file name only (escaped by Debug), never the content.
    if matches!(problem, FileProblem::PrivateKey) {
        tracing::error!(code = problem.code(), file = ?file, "key file refused: it {what}; {then}");
    } else {
        tracing::warn!(code = problem.code(), file = ?file, "key file refused: it {what}; {then}");
    }
}

fn good_keys(files: &BTreeMap<String, FileState>) -> Vec<(String, InvestigatorPublic)> {
    files
        .iter()
        .filter_map(|(rel, f)| f.good.clone().map(|k| (rel.clone(), k)))
        .collect()
}

/// The one log line for a change of the team (names and counts, no keys), or `None` if the keys and
/// their retirement days are the same.
fn change_line(old: &Roster, new: &Roster) -> Option<String> {
    let same = |a: &InvestigatorPublic, b: &InvestigatorPublic| a.signing == b.signing;
    let in_active = |r: &Roster, k: &InvestigatorPublic| r.active().iter().any(|o| same(o, k));
    let in_all = |r: &Roster, k: &InvestigatorPublic| r.all().iter().any(|o| same(o, k));
    let names = |keys: Vec<&InvestigatorPublic>| {
        keys.iter()
            .map(|k| k.display_name().escape_debug().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let added: Vec<_> = new.active().iter().filter(|k| !in_active(old, k)).collect();
    let retired: Vec<_> = new
        .all()
        .iter()
        .filter(|k| !k.is_active() && (in_active(old, k) || !in_all(old, k)))
        .collect();
    let removed: Vec<_> = old.all().iter().filter(|k| !in_all(new, k)).collect();
    let redated = new.all().iter().any(|k| {
        old.all()
            .iter()
            .any(|o| same(o, k) && !o.is_active() && !k.is_active() && o.retired != k.retired)
    });
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("added {}", names(added)));
    }
    if !removed.is_empty() {
        parts.push(format!("removed {}", names(removed)));
    }
    if !retired.is_empty() {
        parts.push(format!("retired {}", names(retired)));
    }
    if parts.is_empty() && redated {
        parts.push("a retirement day changed".to_owned());
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!(
        "investigators changed: {}; {} active, {} retired",
        parts.join("; "),
        new.active().len(),
        new.retired_count()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::InvestigatorIdentity;
    use crate::protocol::day::Day;
    use rand::SeedableRng;

    fn key(seed: u64, name: &str) -> InvestigatorPublic {
        InvestigatorIdentity::generate(&mut rand::rngs::StdRng::seed_from_u64(seed)).public(name)
    }

    #[test]
    fn a_change_is_one_line_with_names_and_counts() {
        let (a, b, c) = (key(1, "ani.pub"), key(2, "budi.pub"), key(3, "siti.pub"));
        let old = Roster::new(vec![a.clone(), c.clone()]);
        let mut retired_a = a.clone();
        retired_a.retired = Some(Day::parse("2026-11-30").expect("day"));
        let new = Roster::new(vec![retired_a, b.clone()]);
        assert_eq!(
            change_line(&old, &new).as_deref(),
            Some(
                "investigators changed: added budi; removed siti; retired ani; 1 active, 1 retired"
            )
        );
        assert_eq!(change_line(&new, &new), None);
    }

    #[test]
    fn a_broken_file_keeps_its_previous_version_and_the_rest() {
        let dir = tempfile::tempdir().expect("tmp");
        let (a, b) = (key(1, "ani.pub"), key(2, "budi.pub"));
        std::fs::write(dir.path().join("ani.pub"), a.to_file_text("x")).expect("write");
        std::fs::write(dir.path().join("budi.pub"), b.to_file_text("x")).expect("write");
        let (team, dups) = Team::open(dir.path().to_path_buf(), None).expect("open");
        assert!(dups.is_empty());
        assert_eq!(team.fresh().active().len(), 2);
        std::fs::write(dir.path().join("ani.pub"), "garbage, longer than before\n").expect("w");
        std::fs::write(dir.path().join("zz.pub"), "garbage\n").expect("write");
        let roster = team.fresh();
        assert_eq!(roster.active().len(), 2);
        assert!(roster.active().iter().any(|k| k.signing == a.signing));
        // Removing every file leaves the set in force.
        for f in ["ani.pub", "budi.pub", "zz.pub"] {
            std::fs::remove_file(dir.path().join(f)).expect("rm");
        }
        assert_eq!(team.fresh().active().len(), 2);
    }

    #[test]
    fn one_key_in_two_files_is_one_person_and_retirement_wins() {
        let dir = tempfile::tempdir().expect("tmp");
        let a = key(1, "ani.pub");
        std::fs::write(dir.path().join("ani.pub"), a.to_file_text("x")).expect("write");
        std::fs::write(dir.path().join("ani-backup.pub"), a.to_file_text("x")).expect("write");
        std::fs::write(dir.path().join("budi.pub"), key(2, "b").to_file_text("x")).expect("w");
        let (team, dups) = Team::open(dir.path().to_path_buf(), None).expect("open");
        assert_eq!(
            dups,
            vec![Duplicate {
                kept: "ani-backup.pub".into(),
                refused: "ani.pub".into()
            }]
        );
        assert_eq!(team.fresh().active().len(), 2);
        std::fs::create_dir(dir.path().join("retired")).expect("mkdir");
        std::fs::write(
            dir.path().join("retired/ani.pub"),
            format!("{}retired: 2026-11-01\n", a.to_file_text("x")),
        )
        .expect("write");
        let roster = team.fresh();
        assert_eq!(roster.active().len(), 1);
        assert_eq!(roster.retired_count(), 1);
        assert_eq!(
            roster
                .all()
                .iter()
                .find(|k| k.signing == a.signing)
                .and_then(|k| k.retired.clone()),
            Day::parse("2026-11-01")
        );
    }
}
