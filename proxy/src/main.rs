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
    // Exit status: 0 fine, 1 an error-level finding (offline commands), 2 could not run;
    // `send` has one code per failing stage (docs/relay.md).
    let result = match cli.command {
        Command::Serve(args) => mailscope_proxy::serve::run(*args).await.map(|()| true),
        Command::Mx(args) => return ExitCode::from(mailscope_proxy::mx::run(args).await),
        Command::Inspect(args) => mailscope_proxy::cmd::inspect::run(&args),
        Command::Transcript(args) => mailscope_proxy::cmd::transcript::run(&args),
        Command::Header(args) => mailscope_proxy::cmd::header::run(&args),
        Command::Auth(args) => mailscope_proxy::cmd::auth::run(&args).await,
        Command::Send(args) => return ExitCode::from(mailscope_proxy::send::run(*args).await),
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
