//! One `.age` item given on its own: decrypted and its signature checked, but not its place in a case,
//! which only the case directory can show. The output says so.

use std::fs;
use std::path::Path;

use super::decrypt::Ctx;
use super::render::{self, Out};
use crate::crypto::envelope::Envelope;
use crate::crypto::seal;
use crate::protocol::Role;

/// One `.age` item on its own: decrypted and its signature checked, but not its place in a case.
pub(super) fn file(ctx: &Ctx, path: &Path) -> Result<usize, String> {
    let bytes = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut out = Out::default();
    let name = path.display();
    let signed = match seal::open(&bytes, &ctx.identities()) {
        Ok(s) => s,
        Err(_) => {
            out.line(format!(
                "{name}: REJECTED — cannot be decrypted with this identity"
            ));
            out.flush()?;
            return Ok(1);
        }
    };
    let env = match Envelope::open(&signed) {
        Ok(env) => env,
        Err(e) => {
            out.line(format!(
                "{name}: REJECTED — {e} (an attachment file? pass its case directory with --attachments DIR)"
            ));
            out.flush()?;
            return Ok(1);
        }
    };
    let signer = match env.author.role {
        Role::Reporter => "a reporter key (not checked against the case's report)".to_owned(),
        Role::Investigator => match ctx
            .investigators
            .iter()
            .find(|i| i.signing_hex() == env.author.key)
        {
            Some(i) => format!("investigator {}", render::clean(&i.name)),
            None => {
                out.line(format!(
                    "{name}: REJECTED — signed by a key that is not a known investigator (see --keys)"
                ));
                out.flush()?;
                return Ok(1);
            }
        },
    };
    out.line(format!(
        "{name}: {} of case {}, item {} — signature valid, by {signer}, {}",
        render::kind_name(env.kind),
        env.case_id,
        env.seq,
        env.day
    ));
    out.line("  NOT CHECKED: the chain, the item's place in its case and whether its signer may write it; pass the case directory to check them");
    let mut problems = 0;
    // A report is signed by the key it names itself; any other reporter item can only be checked
    // against its case's report, which a lone file does not have: not verified, so not exit 0.
    if env.author.role == Role::Reporter && env.kind != crate::protocol::ItemKind::Report {
        out.line("  NOT VERIFIED: who signed this reporter item is unknown without its case; pass the case directory");
        problems += 1;
    }
    let named_seq = path.file_name().and_then(|n| n.to_str()).and_then(|n| {
        n.strip_prefix("item-")?
            .strip_suffix(".age")?
            .parse::<u32>()
            .ok()
    });
    if named_seq.is_some_and(|n| n != env.seq) {
        out.line(format!(
            "  note: the file name says item {}, but the signed item says {}: it was renamed or moved",
            named_seq.unwrap_or_default(),
            env.seq
        ));
        problems += 1;
    }
    let mut body = Out::default();
    // A chat report carries its answers sealed inside (docs/format.md, "Sealed answers").
    let opened = env
        .body()
        .map_err(|_| "signed, but its content is not of the form its kind requires")
        .and_then(|mut typed| {
            crate::intake::answers::expand(&mut typed, &ctx.identities())
                .map_err(|_| "an answer sealed inside it does not open or does not belong to it")
                .map(|()| typed)
        });
    match opened.and_then(|typed| render::body(&mut body, &typed, ctx.reveal)) {
        Ok(_) => out.append(body),
        Err(why) => {
            out.line(format!("{name}: REJECTED — {why}"));
            problems += 1;
        }
    }
    out.line("");
    out.flush()?;
    Ok(problems)
}
