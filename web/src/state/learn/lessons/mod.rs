//! The words of the lessons, one table per language, each lining up with
//! [`super::script::LESSONS`] lesson by lesson and step by step. A translation is a new file of
//! the same shape; nothing else changes. The page's build reads the translated tables from a
//! language pack ([`LessonWords`], see [`crate::state::i18n`]) instead of linking them.

pub mod en;
pub mod ko;

/// The words of one step. In `body`, text between backticks is shown as code and a blank line
/// starts a new paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepText {
    /// Heading of the step.
    pub title: &'static str,
    /// The explanation.
    pub body: &'static str,
}

/// The words of one lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LessonText {
    /// The lesson id it belongs to.
    pub id: &'static str,
    /// Title in the list and on the page.
    pub title: &'static str,
    /// One line for the list.
    pub summary: &'static str,
    /// The RFC sections the lesson rests on.
    pub references: &'static str,
    /// One entry per step.
    pub steps: &'static [StepText],
}

/// [`LessonText`] as owned data, the form lessons take in a language pack
/// ([`crate::state::i18n::LangPack`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LessonWords {
    /// [`LessonText::id`].
    pub id: String,
    /// [`LessonText::title`].
    pub title: String,
    /// [`LessonText::summary`].
    pub summary: String,
    /// [`LessonText::references`].
    pub references: String,
    /// `(title, body)` of each step.
    pub steps: Vec<(String, String)>,
}

impl LessonWords {
    /// The words of a compiled-in lesson.
    pub fn from_text(t: &LessonText) -> LessonWords {
        LessonWords {
            id: t.id.into(),
            title: t.title.into(),
            summary: t.summary.into(),
            references: t.references.into(),
            steps: t
                .steps
                .iter()
                .map(|s| (s.title.into(), s.body.into()))
                .collect(),
        }
    }

    /// The lessons of an installed pack, kept for the life of the program (a pack is
    /// installed once per language).
    pub(crate) fn leak_all(all: Vec<LessonWords>) -> &'static [LessonText] {
        fn keep(s: String) -> &'static str {
            Box::leak(s.into_boxed_str())
        }
        let texts: Vec<LessonText> = all
            .into_iter()
            .map(|w| LessonText {
                id: keep(w.id),
                title: keep(w.title),
                summary: keep(w.summary),
                references: keep(w.references),
                steps: Box::leak(
                    w.steps
                        .into_iter()
                        .map(|(title, body)| StepText {
                            title: keep(title),
                            body: keep(body),
                        })
                        .collect::<Vec<_>>()
                        .into_boxed_slice(),
                ),
            })
            .collect();
        Box::leak(texts.into_boxed_slice())
    }
}

/// Splits `body` into paragraphs of `(text, is_code)` runs (backticks mark code).
pub fn paragraphs(body: &str) -> Vec<Vec<(&str, bool)>> {
    body.split("\n\n")
        .map(|p| {
            p.split('`')
                .enumerate()
                .filter(|(_, s)| !s.is_empty())
                .map(|(i, s)| (s, i % 2 == 1))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn paragraphs_and_code_runs() {
        assert_eq!(
            paragraphs("Send `HELO x` now.\n\nThen `QUIT`"),
            vec![
                vec![("Send ", false), ("HELO x", true), (" now.", false)],
                vec![("Then ", false), ("QUIT", true)],
            ]
        );
        assert_eq!(paragraphs(""), vec![Vec::<(&str, bool)>::new()]);
        assert_eq!(paragraphs("```"), vec![Vec::<(&str, bool)>::new()]);
    }

    /// The code spans of `body`, sorted: commands and wire text, which translations keep.
    fn code_spans(body: &str) -> Vec<&str> {
        let mut spans: Vec<&str> = paragraphs(body)
            .into_iter()
            .flatten()
            .filter(|(_, code)| *code)
            .map(|(t, _)| t)
            .collect();
        spans.sort_unstable();
        spans
    }

    #[test]
    fn korean_has_the_same_lessons_steps_and_code() {
        assert_eq!(en::TEXT.len(), ko::TEXT.len(), "lesson count");
        for (e, k) in en::TEXT.iter().zip(&ko::TEXT) {
            assert_eq!(e.id, k.id, "lessons in the same order");
            assert_eq!(e.references, k.references, "{}: references", e.id);
            assert_eq!(e.steps.len(), k.steps.len(), "{}: step count", e.id);
            assert_ne!(e.summary, k.summary, "{}: summary not translated", e.id);
            for (se, sk) in e.steps.iter().zip(k.steps) {
                assert_eq!(
                    code_spans(se.body),
                    code_spans(sk.body),
                    "{}: step {:?} vs {:?} must show the same commands",
                    e.id,
                    se.title,
                    sk.title
                );
                assert_ne!(se.body, sk.body, "{}: {:?} not translated", e.id, se.title);
                assert!(
                    sk.body.chars().any(|c| ('가'..='힣').contains(&c)),
                    "{}: {:?} has no Korean",
                    e.id,
                    sk.title
                );
            }
        }
    }

    #[test]
    fn lessons_survive_the_trip_through_a_pack() {
        let words: Vec<LessonWords> = ko::TEXT.iter().map(LessonWords::from_text).collect();
        let json = serde_json::to_string(&words).expect("serializes");
        let back: Vec<LessonWords> = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(
            LessonWords::leak_all(back),
            &ko::TEXT[..],
            "same lessons and steps"
        );
    }

    #[test]
    fn every_english_step_has_words() {
        for l in en::TEXT.iter().chain(&ko::TEXT) {
            assert!(!l.title.is_empty() && !l.summary.is_empty(), "{}", l.id);
            for s in l.steps {
                assert!(
                    !s.title.is_empty() && s.body.len() > 40,
                    "{}: {:?}",
                    l.id,
                    s.title
                );
                assert_eq!(
                    s.body.matches('`').count() % 2,
                    0,
                    "{}: unbalanced backticks in {:?}",
                    l.id,
                    s.title
                );
            }
        }
    }
}
