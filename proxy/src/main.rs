//! `mailscope`: the relay, sandbox SMTP server and command-line tools of Mailscope.

use std::process::ExitCode;

use clap::Parser;

use mailscope_proxy::cli::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => mailscope_proxy::serve::run(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mailscope: {e:#}");
            ExitCode::FAILURE
        }
    }
}
