//! `mailscope`: the relay, sandbox SMTP server and command-line tools of Mailscope.

use std::process::ExitCode;

use clap::Parser;

use mailscope_proxy::cli::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Offline commands exit 1 when they found an error-level defect, 2 when they could not run.
    let result = match cli.command {
        Command::Serve(args) => mailscope_proxy::serve::run(args).await.map(|()| true),
        Command::Inspect(args) => mailscope_proxy::cmd::inspect::run(&args),
        Command::Transcript(args) => mailscope_proxy::cmd::transcript::run(&args),
        Command::Header(args) => mailscope_proxy::cmd::header::run(&args),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("mailscope: {e:#}");
            ExitCode::from(2)
        }
    }
}
