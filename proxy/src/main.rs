//! `mailscope`: the relay, sandbox SMTP server and command-line tools of Mailscope.

use std::process::ExitCode;

use clap::Parser;

use mailscope_proxy::cli::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Serve(args) => mailscope_proxy::serve::run(*args).await,
        Command::Mx(args) => mailscope_proxy::mx::run(args).await,
        Command::Send(args) => return ExitCode::from(mailscope_proxy::send::run(*args).await),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mailscope: {e:#}");
            ExitCode::FAILURE
        }
    }
}
