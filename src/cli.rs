//! The command line: clap types, and the dispatch of each subcommand to the layer that does it
//! (`server` for `serve`, `desk` for the investigator's tools). Nothing else in the library knows
//! these types.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Overrides};
use crate::desk;
use crate::protocol::Lang;

#[derive(Debug, Parser)]
#[command(
    name = "wbs",
    version,
    about = "WBS — encrypted whistleblowing drop box",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Flags of `serve`, the default subcommand.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the public server (the default).
    Serve(ServeArgs),
    /// Make an investigator identity (standard age format) and print its public lines for keys/.
    Keygen {
        /// Where to write the identity (created with mode 0600; never overwritten).
        #[arg(long)]
        out: PathBuf,
        /// Seal the identity with a passphrase (age's scrypt format), asked twice in the terminal.
        #[arg(long)]
        passphrase: bool,
    },
    /// Copy a running server's data (consistent, installation salt included) into DIR/data; restore
    /// with `wbs serve --data DIR/data` (docs/admin.md).
    Backup {
        /// The running server's data directory (its backup token is read from there).
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Where the copy goes (DIR/data must not exist yet).
        #[arg(long)]
        out: PathBuf,
        /// The server's desk listener.
        #[arg(long, default_value = "http://127.0.0.1:8081")]
        desk: String,
    },
    /// Measure this build: start a server on loopback in a temporary directory, drive the no-JS
    /// flow with N clients, print `name = value` figures (docs/performance.md).
    Bench {
        /// CI-sized: 64 submissions and a 20 MB attachment instead of 1000 and 200 MB.
        #[arg(long)]
        quick: bool,
        /// Concurrent clients.
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// The server's submission KDF slots (`kdf_concurrency`; default: the server's default).
        #[arg(long)]
        kdf_slots: Option<usize>,
    },
    /// Internal: the running server's PDF cleaner, one file from standard input to standard output
    /// within a memory limit (docs/design.md §6). Not for people.
    #[command(hide = true)]
    ScrubPdf {
        #[arg(long)]
        memory_limit: u64,
        #[arg(long)]
        allowance: u64,
        #[arg(long)]
        len: usize,
    },
    /// Copy every case out of a stopped server's data directory as standard age files.
    Export {
        #[arg(long, default_value = "data")]
        data: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Decrypt and verify exported cases on the investigator's machine.
    Decrypt {
        /// The investigator's age identity file (default: `identity` of the desk configuration).
        #[arg(long)]
        identity: Option<PathBuf>,
        /// Investigators' public key files, to check who signed replies (default: `keys` of the desk
        /// configuration, else ./keys).
        #[arg(long)]
        keys: Option<PathBuf>,
        /// Language of the output: id (default) or en.
        #[arg(long, value_parser = parse_lang)]
        lang: Option<Lang>,
        /// Show the reporter's name and contact. An export cannot record the reveal: use `wbs show
        /// --reveal-identity --reason` against the server when you can.
        #[arg(long)]
        reveal_identity: bool,
        /// Write decrypted attachments into this directory.
        #[arg(long)]
        attachments: Option<PathBuf>,
        /// Export directories, case directories or single .age files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Save the server, identity, keys and language in the desk configuration (mode 0600), or print it.
    Config {
        /// The server's desk API, e.g. http://127.0.0.1:8081.
        #[arg(long)]
        server: Option<String>,
        /// The investigator's age identity file.
        #[arg(long)]
        identity: Option<PathBuf>,
        /// A copy of the server's keys/ directory.
        #[arg(long)]
        keys: Option<PathBuf>,
        /// id (default) or en.
        #[arg(long, value_parser = parse_lang)]
        lang: Option<Lang>,
    },
    /// List the cases on the server, overdue first: status, category, criteria, unread, deadline.
    Cases {
        #[command(flatten)]
        desk: DeskArgs,
    },
    /// Fetch, verify and print one case from the server: the report and its thread in order.
    Show {
        #[command(flatten)]
        desk: DeskArgs,
        /// Show the reporter's name and contact; needs --reason, and is first recorded in the case as a
        /// signed reveal-record item that every investigator sees.
        #[arg(long)]
        reveal_identity: bool,
        /// Why the identity is revealed (recorded, sealed to the investigators).
        #[arg(long)]
        reason: Option<String>,
        /// Write decrypted attachments into this directory.
        #[arg(long)]
        attachments: Option<PathBuf>,
        /// The case id (WBS-XXXX-XXXX-XXXX).
        case: String,
    },
    /// Send the reporter a reply: signed and encrypted here, to the reporter and every investigator.
    Reply {
        #[command(flatten)]
        desk: DeskArgs,
        /// The case id (WBS-XXXX-XXXX-XXXX).
        case: String,
        /// The message to the reporter.
        message: String,
    },
    /// Set a case's status: a signed status item, optionally with a note to the reporter.
    Status {
        #[command(flatten)]
        desk: DeskArgs,
        /// The case id (WBS-XXXX-XXXX-XXXX).
        case: String,
        /// diverifikasi, perlu-dilengkapi, ditindaklanjuti, diteruskan or selesai (as the process allows).
        status: String,
        /// A note to the reporter, sealed with the status change.
        #[arg(long)]
        note: Option<String>,
        /// Why, for the investigators (required to close: selesai).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Correct a case's category: a signed recategorise item with the reason.
    Recategorise {
        #[command(flatten)]
        desk: DeskArgs,
        /// The case id (WBS-XXXX-XXXX-XXXX).
        case: String,
        /// The category code, e.g. SUAP.
        category: String,
        /// Why the category is corrected.
        #[arg(long)]
        reason: String,
    },
    /// Add an internal note to a case, readable by investigators only.
    Note {
        #[command(flatten)]
        desk: DeskArgs,
        /// The case id (WBS-XXXX-XXXX-XXXX).
        case: String,
        /// The note.
        text: String,
    },
    /// Re-seal cases for the team in --keys (after a new investigator joined): new signed items,
    /// nothing overwritten. Says what retired investigators could already read.
    Reshare {
        #[command(flatten)]
        desk: DeskArgs,
        /// Every case on the server.
        #[arg(long)]
        all: bool,
        /// The case ids (WBS-XXXX-XXXX-XXXX).
        cases: Vec<String>,
    },
    /// Send a WhatsApp reporter who agreed to be contacted the office's "news on your report" notice.
    /// It carries no content of the report (no case number, no reply, no status): only that there is
    /// news. The number is read from the sealed identity block on this machine and never shown.
    News {
        #[command(flatten)]
        desk: DeskArgs,
        /// The case id (WBS-XXXX-XXXX-XXXX).
        case: String,
    },
    /// Retire an investigator's key: write its retirement day into keys/NAME.pub. Nothing new is
    /// sealed to it and it cannot log in; its signatures stay genuine on items up to that day.
    Retire {
        /// The keys directory (the server's keys/, or a copy).
        #[arg(long, default_value = "keys")]
        keys: PathBuf,
        /// The key file's name (budi or budi.pub).
        name: String,
        /// The retirement day, YYYY-MM-DD (default: today, UTC); not in the future.
        #[arg(long)]
        day: Option<String>,
    },
    /// Open the investigator's desk: a local web app on this computer (loopback only), behind a
    /// one-time link.
    Desk {
        #[command(flatten)]
        desk: DeskArgs,
        /// Where to serve the desk's pages: a loopback address only (default 127.0.0.1:8088).
        #[arg(long, default_value = desk::app::DEFAULT_LISTEN)]
        listen: SocketAddr,
        /// Work offline over an export (`wbs export`) instead of the server; needs --outbox.
        #[arg(long, requires = "outbox")]
        bundle: Option<PathBuf>,
        /// Where offline work is kept (sealed items only) until `wbs upload OUTBOX`.
        #[arg(long, requires = "bundle")]
        outbox: Option<PathBuf>,
    },
    /// Upload what an offline desk (`wbs desk --bundle`) kept in its outbox, if each case still ends
    /// where the export ended.
    Upload {
        #[command(flatten)]
        desk: DeskArgs,
        /// The outbox directory.
        outbox: PathBuf,
    },
}

/// How the investigator subcommands reach the desk API and who they are. Each flag overrides the desk
/// configuration (`wbs config`).
#[derive(Debug, Clone, Args)]
pub struct DeskArgs {
    /// The server's desk API, e.g. http://127.0.0.1:8081 (over an SSH tunnel; never the public site).
    #[arg(long)]
    pub server: Option<String>,
    /// The investigator's age identity file.
    #[arg(long)]
    pub identity: Option<PathBuf>,
    /// Investigators' public key files (a copy of the server's keys/; default ./keys).
    #[arg(long)]
    pub keys: Option<PathBuf>,
    /// Language of the output: id (default) or en.
    #[arg(long, value_parser = parse_lang)]
    pub lang: Option<Lang>,
}

#[derive(Debug, Default, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Address of the investigators' sync API (default 127.0.0.1:8081). Keep it off the internet.
    #[arg(long)]
    pub desk_listen: Option<SocketAddr>,
    /// Data directory (default ./data).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Directory of investigators' public key files (default ./keys).
    #[arg(long)]
    pub keys: Option<PathBuf>,
    /// TOML configuration file.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Refuse demo mode; require at least two investigators.
    #[arg(long)]
    pub production: bool,
}

impl From<&ServeArgs> for Overrides {
    fn from(args: &ServeArgs) -> Self {
        Overrides {
            config_file: args.config.clone(),
            listen: args.listen,
            desk_listen: args.desk_listen,
            data: args.data.clone(),
            keys: args.keys.clone(),
            production: args.production,
        }
    }
}

/// `--lang id` or `--lang en`.
fn parse_lang(s: &str) -> Result<Lang, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "id" => Ok(Lang::Id),
        "en" => Ok(Lang::En),
        _ => Err("use id (Bahasa Indonesia) or en (English)".to_owned()),
    }
}

impl DeskArgs {
    fn resolve(self) -> Result<desk::DeskOptions, String> {
        self.resolve_with(None)
    }

    fn resolve_with(
        self,
        bundle: Option<desk::bundle::Bundle>,
    ) -> Result<desk::DeskOptions, String> {
        desk::DeskOptions::resolve(
            desk::config::DeskConfig {
                server: self.server,
                identity: self.identity,
                keys: self.keys,
                lang: self.lang,
            },
            bundle,
        )
    }
}

/// Runs what the command line asks for. `Err` is one sentence for the user (exit status 2); `Ok` is
/// the exit status of a tool (0 when everything verified, 1 when something was rejected).
pub fn run(cli: Cli) -> Result<ExitCode, String> {
    let command = match cli.command {
        None => Command::Serve(cli.serve),
        Some(command) => command,
    };
    match command {
        Command::Serve(args) => {
            let config = Config::load(&Overrides::from(&args)).map_err(|e| e.to_string())?;
            crate::server::run(config)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { data, out, desk } => {
            crate::server::backup::run(&data, &out, &desk)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            quick,
            clients,
            kdf_slots,
        } => {
            crate::bench::run(crate::bench::BenchOptions {
                quick,
                clients,
                kdf_slots,
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::ScrubPdf {
            memory_limit,
            allowance,
            len,
        } => Ok(crate::intake::scrub::pdf_child_main(
            memory_limit,
            allowance,
            len,
        )),
        Command::Keygen { out, passphrase } => desk::keygen::run(&out, passphrase),
        Command::Export { data, out } => desk::export::run(&data, &out),
        Command::Decrypt {
            identity,
            keys,
            lang,
            reveal_identity,
            attachments,
            paths,
        } => {
            let (identity, keys) = desk::DeskOptions::offline(identity, keys, lang)?;
            desk::decrypt::run(&desk::decrypt::Options {
                identity,
                keys,
                reveal_identity,
                attachments,
                paths,
            })
        }
        Command::Config {
            server,
            identity,
            keys,
            lang,
        } => desk::configure(desk::config::DeskConfig {
            server,
            identity,
            keys,
            lang,
        }),
        Command::Cases { desk } => desk::mailbox::cases(&desk.resolve()?),
        Command::Show {
            desk,
            reveal_identity,
            reason,
            attachments,
            case,
        } => {
            if reveal_identity && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                // One sentence, not clap's usage block: the reason is recorded, so it must be given.
                return Err("revealing the reporter's identity needs a reason: add --reason \"…\" (it is recorded as a signed item every investigator sees)".to_owned());
            }
            let reveal = if reveal_identity { reason } else { None };
            desk::show(&desk.resolve()?, &case, reveal.as_deref(), attachments)
        }
        Command::Reply {
            desk,
            case,
            message,
        } => desk::mailbox::reply(&desk.resolve()?, &case, &message),
        Command::Status {
            desk,
            case,
            status,
            note,
            reason,
        } => desk::mailbox::status(
            &desk.resolve()?,
            &case,
            &status,
            note.as_deref().unwrap_or(""),
            reason.as_deref().unwrap_or(""),
        ),
        Command::Recategorise {
            desk,
            case,
            category,
            reason,
        } => desk::mailbox::recategorise(&desk.resolve()?, &case, &category, &reason),
        Command::Note { desk, case, text } => desk::mailbox::note(&desk.resolve()?, &case, &text),
        Command::Reshare { desk, all, cases } => desk::reshare::run(&desk.resolve()?, &cases, all),
        Command::News { desk, case } => desk::news::run(&desk.resolve()?, &case),
        Command::Retire { keys, name, day } => desk::retire::run(&keys, &name, day.as_deref()),
        Command::Desk {
            desk,
            listen,
            bundle,
            outbox,
        } => {
            let bundle = match (bundle, outbox) {
                (Some(b), Some(o)) => Some(desk::bundle::Bundle::open(&b, &o)?),
                _ => None,
            };
            desk::app::run(desk::app::Options {
                listen,
                desk: desk.resolve_with(bundle)?,
            })
        }
        Command::Upload { desk, outbox } => desk::bundle::upload(&desk.resolve()?, &outbox),
    }
}
