//! Best-of-N timing on the thread's CPU clock.
//!
//! On Linux the time is the thread's user + system CPU time from `/proc/thread-self/stat`, so
//! that time spent waiting for a core on a shared machine does not count; elsewhere, or if
//! that file cannot be read, wall-clock time. The CPU clock ticks every 10 ms, so each timed
//! run repeats the work until it lasts at least [`MIN_RUN`] seconds.

use std::time::Instant;

/// Shortest timed run, in seconds (50 ticks of the CPU clock).
pub(crate) const MIN_RUN: f64 = 0.5;

/// Clock ticks per second of `/proc/*/stat` times (`USER_HZ`, 100 on Linux).
const TICKS_PER_SEC: f64 = 100.0;

/// One measurement: the fastest of several runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Measure {
    /// Seconds one call took in the fastest run.
    pub(crate) secs: f64,
}

/// Which clock is used, for the report header.
pub(crate) fn clock_name() -> &'static str {
    if cpu_ticks().is_some() {
        "thread CPU time"
    } else {
        "wall clock"
    }
}

/// The thread's user + system time in clock ticks (Linux).
fn cpu_ticks() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let rest = s.rsplit_once(')')?.1;
    let mut f = rest.split_whitespace().skip(11);
    let utime: u64 = f.next()?.parse().ok()?;
    let stime: u64 = f.next()?.parse().ok()?;
    Some(utime + stime)
}

/// Seconds `k` calls of `f` take on the benchmark clock.
fn time_calls(k: usize, f: &mut dyn FnMut()) -> f64 {
    let wall = Instant::now();
    let cpu = cpu_ticks();
    for _ in 0..k {
        f();
    }
    match (cpu, cpu_ticks()) {
        (Some(a), Some(b)) => b.saturating_sub(a) as f64 / TICKS_PER_SEC,
        _ => wall.elapsed().as_secs_f64(),
    }
}

/// Calls `f` once (the warm-up) and returns how many calls make a run of [`MIN_RUN`] seconds.
fn calls_per_run(f: &mut dyn FnMut()) -> usize {
    let t = Instant::now();
    f();
    let one = t.elapsed().as_secs_f64().max(1e-6);
    ((MIN_RUN / one).ceil() as usize).clamp(1, 1_000_000)
}

/// Warms up, then times `runs` runs of `f` and keeps the fastest.
pub(crate) fn best_of(runs: usize, mut f: impl FnMut()) -> Measure {
    best_of_interleaved(runs, &mut [&mut f])[0]
}

/// Warms each of `fs` up, then runs `runs` rounds in which each is timed in turn, and keeps
/// each one's fastest run: contenders see the same machine conditions.
pub(crate) fn best_of_interleaved(runs: usize, fs: &mut [&mut dyn FnMut()]) -> Vec<Measure> {
    let calls: Vec<usize> = fs.iter_mut().map(|f| calls_per_run(*f)).collect();
    let mut best = vec![f64::INFINITY; fs.len()];
    for _ in 0..runs.max(1) {
        for ((f, b), &k) in fs.iter_mut().zip(best.iter_mut()).zip(&calls) {
            let secs = time_calls(k, *f) / k as f64;
            *b = b.min(secs);
        }
    }
    best.into_iter()
        .map(|secs| Measure {
            secs: secs.max(1e-9),
        })
        .collect()
}

/// A byte count for people: `812 KB`, `14.2 MB`.
pub(crate) fn human(bytes: usize) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{} KB", bytes.div_ceil(1000))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes() {
        for (n, want) in [(0, "0 KB"), (999, "1 KB"), (1_500_000, "1.5 MB")] {
            assert_eq!(human(n), want, "human({n})");
        }
    }

    #[test]
    fn interleaved_gives_one_measure_each() {
        let (mut a, mut b) = (0u64, 0u64);
        let m = best_of_interleaved(
            1,
            &mut [&mut || a += 1, &mut || b += std::hint::black_box(2)],
        );
        assert_eq!(m.len(), 2, "one measure per contender");
        assert!(
            a >= 2 && b >= 4,
            "each ran at least warm-up + one run: a={a} b={b}"
        );
        assert!(m.iter().all(|x| x.secs > 0.0), "{m:?}");
    }
}
