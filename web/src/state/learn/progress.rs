//! Which lesson steps the reader has run ([`Progress`]), kept in the browser between visits as
//! one line of text per lesson (`<lesson id> <step> <step> …`, steps 1-based), read back
//! leniently: unknown lessons and steps that do not exist are dropped.

use std::collections::BTreeSet;

use super::script::LESSONS;

/// The `localStorage` key the progress is kept under.
pub const STORAGE_KEY: &str = "mailscope.learn.progress";

/// The steps run, per lesson of [`LESSONS`] (by index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    done: Vec<BTreeSet<usize>>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            done: vec![BTreeSet::new(); LESSONS.len()],
        }
    }
}

impl Progress {
    /// Reads what [`Progress::to_stored`] wrote (anything else is skipped line by line).
    pub fn from_stored(text: &str) -> Progress {
        let mut p = Progress::default();
        for line in text.lines() {
            let mut words = line.split_whitespace();
            let Some(index) = words
                .next()
                .and_then(|id| LESSONS.iter().position(|l| l.id == id))
            else {
                continue;
            };
            let count = LESSONS[index].steps.len();
            p.done[index].extend(
                words
                    .filter_map(|w| w.parse::<usize>().ok())
                    .filter(|&n| (1..=count).contains(&n))
                    .map(|n| n - 1),
            );
        }
        p
    }

    /// The text kept in the browser: one line per lesson with a step run.
    pub fn to_stored(&self) -> String {
        let mut out = String::new();
        for (lesson, steps) in LESSONS.iter().zip(&self.done) {
            if steps.is_empty() {
                continue;
            }
            out.push_str(lesson.id);
            for s in steps {
                out.push_str(&format!(" {}", s + 1));
            }
            out.push('\n');
        }
        out
    }

    /// Marks steps `0..=upto` of lesson `index` as run.
    pub fn mark(&mut self, index: usize, upto: usize) {
        let Some((lesson, done)) = LESSONS.get(index).zip(self.done.get_mut(index)) else {
            return;
        };
        done.extend(0..=upto.min(lesson.steps.len().saturating_sub(1)));
    }

    /// Whether step `step` of lesson `index` was run.
    pub fn step_done(&self, index: usize, step: usize) -> bool {
        self.done.get(index).is_some_and(|d| d.contains(&step))
    }

    /// How many steps of lesson `index` were run.
    pub fn steps_done(&self, index: usize) -> usize {
        self.done.get(index).map_or(0, BTreeSet::len)
    }

    /// Whether every step of lesson `index` was run.
    pub fn lesson_done(&self, index: usize) -> bool {
        LESSONS
            .get(index)
            .is_some_and(|l| self.steps_done(index) == l.steps.len())
    }

    /// Whether nothing was run yet.
    pub fn is_empty(&self) -> bool {
        self.done.iter().all(BTreeSet::is_empty)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn progress_survives_storage_and_bad_text_is_skipped() {
        let mut p = Progress::default();
        assert!(p.is_empty());
        p.mark(0, usize::MAX);
        p.mark(6, 1);
        p.mark(99, 0);
        assert!(p.lesson_done(0) && !p.lesson_done(6) && !p.lesson_done(1));
        assert_eq!(
            (p.steps_done(6), p.step_done(6, 1), p.step_done(6, 2)),
            (2, true, false)
        );
        let stored = p.to_stored();
        assert_eq!(stored, "classic 1 2 3 4 5 6\nauth 1 2\n");
        assert_eq!(Progress::from_stored(&stored), p, "read back");
        let messy = "auth 2 x 0 9 1\nnope 1\n\n   \nclassic\nauth 2";
        let read = Progress::from_stored(messy);
        assert_eq!(read.to_stored(), "auth 1 2\n", "{read:?}");
    }
}
