//! `wbs retire --keys DIR NAME [--day YYYY-MM-DD]`: writes a `retired:` line into `keys/NAME.pub`
//! (docs/format.md, "Investigator keys"). From then on the server seals nothing more to the key and
//! refuses its logins (within a second), while its signatures stay genuine on items dated up to the
//! retirement day. The file is rewritten whole (a temporary dot-file, then a rename), so the server never
//! reads half of it.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::ExitCode;

use crate::crypto::keys::{contains_secret_key, retired_line, InvestigatorPublic, RETIRED_DIR};
use crate::protocol::day::Day;

/// Retires `name` (a file of `keys`, with or without `.pub`) as of `day` (default: today, UTC).
pub fn run(keys: &Path, name: &str, day: Option<&str>) -> Result<ExitCode, String> {
    let today = Day::today();
    let day = match day {
        Some(d) => Day::parse(d.trim())
            .ok_or_else(|| format!("--day {d} is not a day: write it as YYYY-MM-DD"))?,
        None => today.clone(),
    };
    if day > today {
        return Err(format!(
            "--day {day} is in the future: a key is retired from a day that has begun, so give today or an earlier day"
        ));
    }
    if name.is_empty() || name.contains('/') || name.starts_with('.') {
        return Err(format!(
            "{name:?} is not a key file name: give the name of a file in {}, such as budi or budi.pub",
            keys.display()
        ));
    }
    let candidates = [name.to_owned(), format!("{name}.pub")];
    let Some(file) = candidates.iter().find(|n| keys.join(n).is_file()) else {
        let retired = candidates
            .iter()
            .any(|n| keys.join(RETIRED_DIR).join(n).is_file());
        return Err(if retired {
            format!(
                "{name} is already in {}: it is retired",
                keys.join(RETIRED_DIR).display()
            )
        } else {
            format!(
                "there is no key file {name}.pub in {}: check the name",
                keys.display()
            )
        });
    };
    let path = keys.join(file);
    let bytes = fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if contains_secret_key(&bytes) {
        return Err(format!(
            "{} contains a private key (AGE-SECRET-KEY-): move it off this server first and keep only the public lines",
            path.display()
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        format!(
            "{} is not a text file: it is not a key file",
            path.display()
        )
    })?;
    let key = InvestigatorPublic::parse(file, &text).map_err(|e| {
        format!(
            "{} is not a valid investigator key file ({e}): fix it before retiring it",
            path.display()
        )
    })?;
    if let Some(already) = &key.retired {
        return Err(format!(
            "{} is already retired as of {already}: to change the day, edit its retired: line",
            path.display()
        ));
    }
    let mut new_text = text;
    if !new_text.is_empty() && !new_text.ends_with('\n') {
        new_text.push('\n');
    }
    new_text.push_str(&retired_line(&day));
    // Written next to it under a dot-name (which keys/ readers skip), then renamed over it.
    let temp = keys.join(format!(".{file}.retiring"));
    let write = || -> std::io::Result<()> {
        let mut f = fs::File::create(&temp)?;
        f.write_all(new_text.as_bytes())?;
        f.sync_all()?;
        let mode = fs::metadata(&path)?.permissions().mode();
        fs::set_permissions(&temp, fs::Permissions::from_mode(mode))?;
        fs::rename(&temp, &path)
    };
    if let Err(e) = write() {
        let _ = fs::remove_file(&temp);
        return Err(format!("cannot write {}: {e}", path.display()));
    }
    println!(
        "{} is retired as of {day}: nothing new is sealed to it and its logins are refused (a running server follows within a second); its signatures stay genuine on items dated up to {day}. Copy the file to every investigator's copy of keys/.",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
