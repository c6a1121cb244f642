use std::process::ExitCode;

use clap::Parser;
use wbs::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
    // A panic's default message quotes its payload, which could hold report text: print only where.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("wbs: internal error (WBS-PANIC) at {at}");
    }));
    match wbs::cli::run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("wbs: {message}");
            ExitCode::from(2)
        }
    }
}
