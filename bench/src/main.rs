//! `mailscope-bench`: the benchmark tables printed by `cargo xtask bench` (run it in release
//! mode: `cargo run --release -p mailscope-bench [-- --runs N] [smtp|mime]`).
//!
//! Figures are the best of N runs (default 5) after one warm-up run, on the thread's CPU clock
//! where there is one (see `timing`), one thread.
//! Methodology and measured figures: docs/benchmarks.md.

mod corpus;
mod mime;
mod mime_core;
mod scaling;
mod smtp;
mod timing;

use std::process::ExitCode;

const USAGE: &str = "usage: mailscope-bench [--runs N] [smtp] [mime] [scaling] | core-wall | profile small|large core|mail-parser [passes]";

fn main() -> ExitCode {
    let mut runs = 5;
    let mut which = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) => runs = n,
                None => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "smtp" | "mime" | "scaling" => which.push(arg),
            // mailscope-core's MIME pass on the wall clock, as the wasm run measures it
            // (tests/wasm.rs); read by `cargo xtask bench`.
            "core-wall" => {
                let start = std::time::Instant::now();
                let now = move || start.elapsed().as_secs_f64();
                for line in mime_core::wall_figures("native-wall-mime", &now) {
                    println!("{line}");
                }
                return ExitCode::SUCCESS;
            }
            // Untimed passes (one by default) of one parser over one corpus, for an instruction
            // count (`valgrind --tool=callgrind`), which a busy machine does not change, or for
            // a sampling profiler (`perf record`, more passes).
            "profile" => {
                let (corpus, parser) = (args.next(), args.next());
                let passes = match args.next().map(|n| n.parse()) {
                    None => 1,
                    Some(Ok(n)) => n,
                    Some(Err(_)) => {
                        eprintln!("{USAGE}");
                        return ExitCode::from(2);
                    }
                };
                return match mime::profile(corpus.as_deref(), parser.as_deref(), passes) {
                    Some(line) => {
                        println!("{line}");
                        ExitCode::SUCCESS
                    }
                    None => {
                        eprintln!("{USAGE}");
                        ExitCode::from(2)
                    }
                };
            }
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    if which.is_empty() {
        which = vec!["smtp".into(), "mime".into(), "scaling".into()];
    }
    if cfg!(debug_assertions) {
        eprintln!("warning: debug build; run with --release for meaningful figures");
    }
    println!(
        "mailscope-bench: best of {runs} runs (each at least {}s) after a warm-up, one thread, {}\n",
        timing::MIN_RUN,
        timing::clock_name()
    );
    for w in which {
        let table = match w.as_str() {
            "smtp" => smtp::report(runs),
            "mime" => mime::report(runs),
            _ => scaling::report(runs),
        };
        println!("{table}");
    }
    ExitCode::SUCCESS
}
