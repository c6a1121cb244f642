//! `wbs keygen --out FILE`: a new investigator identity in the standard age format (mode 0600, never
//! overwriting), the public lines for `keys/` on stdout, key-ceremony guidance on stderr.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::ExitCode;

use rand::rngs::OsRng;

use crate::crypto::keys::InvestigatorIdentity;
use crate::protocol::day::Day;

const GUIDANCE: &str = "\
Key ceremony — read before you go on:
  * The identity file written above is your private key (AGE-SECRET-KEY-1…). Keep it on this machine
    only — ideally an offline or air-gapped laptop with full-disk encryption that only you use.
  * Back it up on encrypted media (e.g. `age -p` onto a USB stick) and keep the backup in a safe.
  * Never copy the identity file to the server, and never send it by e-mail or chat.
  * The lines printed on standard output are public: save them on the server as keys/<your name>.pub,
    and confirm with the operator, in person or by phone, that the age1… line there is yours.
  * The team needs at least two investigator keys (one may be an offline recovery key kept in a safe):
    production mode refuses to start with fewer.
";

/// Makes the identity and prints what to do with it.
/// With `protect`, the file is sealed with a passphrase (age's scrypt format; `age -d` opens it too).
pub fn run(out: &Path, protect: bool) -> Result<ExitCode, String> {
    let created = Day::today();
    let identity = InvestigatorIdentity::generate(&mut OsRng);
    let text = identity.to_file_text(created.as_str());
    if protect {
        let passphrase = super::passphrase::new_passphrase()?;
        let sealed = crate::crypto::keys::seal_with_passphrase(text.as_bytes(), &passphrase)
            .map_err(|e| format!("sealing the identity with the passphrase failed: {e}"))?;
        write_identity(out, &sealed)?;
    } else {
        write_identity(out, text.as_bytes())?;
    }

    let name = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let public = identity.public(&name).to_file_text(created.as_str());
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(public.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("the identity was written to {}, but printing its public lines failed ({e}): they are also in the file's `# public key` and `# WBS signing key` comments", out.display()))?;

    let protected = if protect {
        ", sealed with your passphrase: the tools ask for it when they start; without it the file is useless, so keep the passphrase as safe as the file"
    } else {
        ""
    };
    let _ = writeln!(
        io::stderr(),
        "Wrote the investigator identity to {} (mode 0600){protected}.\n{GUIDANCE}",
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn write_identity(out: &Path, text: &[u8]) -> Result<(), String> {
    let mut file = match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(out)
    {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            return Err(format!(
            "{} already exists: keygen never overwrites an identity, so choose another --out path",
            out.display()
        ))
        }
        Err(e) => return Err(format!("cannot create {}: {e}", out.display())),
    };
    if let Err(e) = file.write_all(text).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = fs::remove_file(out);
        return Err(format!("cannot write {}: {e}", out.display()));
    }
    Ok(())
}
