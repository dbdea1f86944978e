//! Best-of-N wall-clock timing.

use std::time::Instant;

/// One measurement: the fastest of several runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Measure {
    /// Seconds the fastest run took.
    pub(crate) secs: f64,
}

/// Runs `f` once to warm up, then `runs` times, and keeps the fastest run.
pub(crate) fn best_of(runs: usize, mut f: impl FnMut()) -> Measure {
    f();
    let mut best = f64::INFINITY;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        f();
        best = best.min(start.elapsed().as_secs_f64());
    }
    Measure {
        secs: best.max(1e-9),
    }
}

/// A byte count for people: `812 KB`, `14.2 MB`.
pub(crate) fn human(bytes: usize) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{} KB", bytes.div_ceil(1000))
    }
}
