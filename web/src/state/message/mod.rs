//! The Message view: which tab, the message being inspected, what is selected, loading
//! progress. A plain reducer, free of Yew; the composer's form is in [`compose`], the
//! inspector's view-model in [`inspect`], what can go wrong in [`error`].

pub mod auth;
pub mod compose;
pub mod error;
pub mod inspect;
pub mod sign;

use mailscope_core::codec::crlf::normalize_crlf;

pub use error::{FileError, OpenError};
pub use inspect::{Doc, Inspected, Transfer};

use compose::{ComposeAction, ComposeForm};
use inspect::Node;

/// Source lines rendered at once (the view is a window, never the whole message).
pub const SOURCE_WINDOW: usize = 200;
/// Bytes of a body shown in the hex view at first; "more" adds as many again.
pub const HEX_STEP: usize = 4096;
/// Characters of a text body shown at first; "more" adds as many again.
pub const TEXT_STEP: usize = 100_000;

/// The two halves of the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    /// Build a message.
    #[default]
    Compose,
    /// Open and inspect a message.
    Inspect,
}

/// How the selected part's body is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BodyTab {
    /// The natural view: text, rendered HTML, or the image.
    #[default]
    Content,
    /// A hex dump of the decoded body.
    Hex,
}

/// Reading and parsing progress.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Loading {
    /// Nothing under way.
    #[default]
    Idle,
    /// Reading a file.
    Reading {
        /// The file name.
        name: String,
        /// Bytes read so far.
        loaded: u64,
        /// The file size.
        total: u64,
    },
    /// Parsing.
    Parsing {
        /// The file name.
        name: String,
        /// The message size.
        size: usize,
    },
    /// Opening failed.
    Failed(OpenError),
}

impl Loading {
    /// Progress in percent while reading.
    pub fn percent(&self) -> Option<u32> {
        match self {
            Loading::Reading { loaded, total, .. } => Some(
                ((*loaded).min(*total) * 100)
                    .checked_div(*total)
                    .map_or(100, |p| p as u32),
            ),
            Loading::Parsing { .. } => Some(100),
            _ => None,
        }
    }

    /// Whether reading or parsing is under way.
    pub fn busy(&self) -> bool {
        matches!(self, Loading::Reading { .. } | Loading::Parsing { .. })
    }
}

/// The whole state of the Message view.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MessageState {
    /// Which tab is shown.
    pub tab: Tab,
    /// The composer form.
    pub compose: ComposeForm,
    /// The message being inspected.
    pub doc: Option<Doc>,
    /// The selected node.
    pub selection: Option<Node>,
    /// First line of the source window.
    pub source_top: usize,
    /// How the body is shown.
    pub body_tab: BodyTab,
    /// Bytes of the body in the hex view.
    pub hex_limit: usize,
    /// Characters of a text body shown.
    pub text_limit: usize,
    /// Remote images and styles of HTML parts are loaded (the reader asked; off for each new
    /// message, since a load tells the sender the message was opened).
    pub remote_images: bool,
    /// Reading progress.
    pub loading: Loading,
    /// DNS records handed over with the message (the composer's DKIM key record): the
    /// Authenticity panel starts with them pasted and checks at once.
    pub auth_records: Option<String>,
}

/// The bytes of a message pasted into a text area: text areas turn CR LF into LF, so line ends
/// are put back to CR LF (RFC 5322 §2.1) and only the message's own defects are reported.
pub fn pasted_bytes(text: &str) -> Vec<u8> {
    normalize_crlf(text.as_bytes()).bytes
}

/// Everything that changes the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Switch tab.
    SetTab(Tab),
    /// A change in the composer.
    Compose(ComposeAction),
    /// A file started to be read.
    ReadStarted {
        /// The file name.
        name: String,
        /// Its size.
        total: u64,
    },
    /// More of the file was read.
    ReadProgress(u64),
    /// Reading done; parsing begins.
    Parsing {
        /// The name.
        name: String,
        /// The size.
        size: usize,
    },
    /// A parsed message is ready.
    Loaded(Doc),
    /// A message signed in the composer, with the key record to check it against.
    LoadedSigned {
        /// The message.
        doc: Doc,
        /// The key record, as a zone-file line.
        records: String,
    },
    /// Opening failed.
    Failed(OpenError),
    /// Select a node (or clear the selection).
    Select(Option<Node>),
    /// Select the node holding a byte offset of the source.
    SelectOffset(usize),
    /// Move the source window to start at a line.
    ScrollSource(usize),
    /// Show the body as content or hex.
    SetBodyTab(BodyTab),
    /// Show more of the hex dump.
    MoreHex,
    /// Show more of a long text body.
    MoreText,
    /// Load (or block again) the remote images and styles of HTML parts.
    RemoteImages(bool),
}

impl MessageState {
    /// The selected part (the root when nothing is selected).
    pub fn selected_part(&self) -> usize {
        match (&self.doc, self.selection) {
            (Some(doc), Some(node)) => doc.part_of(node),
            _ => 0,
        }
    }

    /// The span to highlight in the source.
    pub fn highlight(&self) -> Option<mailscope_core::span::Span> {
        self.doc.as_ref()?.span_of(self.selection?)
    }

    /// The last valid top line of the source window.
    fn max_top(&self) -> usize {
        self.doc
            .as_ref()
            .map_or(0, |d| d.line_count().saturating_sub(SOURCE_WINDOW))
    }

    /// Moves the source window so the start of the selection is visible.
    fn reveal_selection(&mut self) {
        let (Some(doc), Some(span)) = (&self.doc, self.highlight()) else {
            return;
        };
        let line = doc.line_of(span.start);
        if line < self.source_top || line >= self.source_top + SOURCE_WINDOW {
            self.source_top = line.saturating_sub(3).min(self.max_top());
        }
    }

    /// Applies an action.
    pub fn reduce(&mut self, action: Action) {
        match action {
            Action::SetTab(tab) => self.tab = tab,
            Action::Compose(a) => self.compose.reduce(a),
            Action::ReadStarted { name, total } => {
                self.tab = Tab::Inspect;
                self.loading = Loading::Reading {
                    name,
                    loaded: 0,
                    total,
                };
            }
            Action::ReadProgress(n) => {
                if let Loading::Reading { loaded, .. } = &mut self.loading {
                    *loaded = n;
                }
            }
            Action::Parsing { name, size } => {
                self.tab = Tab::Inspect;
                self.loading = Loading::Parsing { name, size };
            }
            Action::Loaded(doc) => {
                self.tab = Tab::Inspect;
                // Start on the first text part, so the body is in view.
                self.selection = doc.first_text_part().map(Node::Part);
                self.doc = Some(doc);
                self.source_top = 0;
                self.reveal_selection();
                self.body_tab = BodyTab::Content;
                self.hex_limit = HEX_STEP;
                self.text_limit = TEXT_STEP;
                self.remote_images = false;
                self.loading = Loading::Idle;
                self.auth_records = None;
            }
            Action::LoadedSigned { doc, records } => {
                self.reduce(Action::Loaded(doc));
                self.auth_records = Some(records);
            }
            Action::Failed(message) => self.loading = Loading::Failed(message),
            Action::Select(node) => {
                let before = self.selected_part();
                self.selection =
                    node.filter(|n| self.doc.as_ref().is_some_and(|d| d.span_of(*n).is_some()));
                if self.selected_part() != before {
                    self.body_tab = BodyTab::Content;
                    self.hex_limit = HEX_STEP;
                    self.text_limit = TEXT_STEP;
                }
                self.reveal_selection();
            }
            Action::SelectOffset(offset) => {
                let node = self.doc.as_ref().map(|d| d.node_at(offset));
                // Keep the window where the user clicked.
                let top = self.source_top;
                self.reduce(Action::Select(node));
                self.source_top = top;
            }
            Action::ScrollSource(line) => self.source_top = line.min(self.max_top()),
            Action::SetBodyTab(tab) => self.body_tab = tab,
            Action::MoreHex => self.hex_limit = self.hex_limit.max(HEX_STEP) + HEX_STEP,
            Action::MoreText => self.text_limit = self.text_limit.max(TEXT_STEP) + TEXT_STEP,
            Action::RemoteImages(on) => self.remote_images = on,
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn doc(lines: usize) -> Doc {
        let mut m =
            b"Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n".to_vec();
        for _ in 0..lines {
            m.extend_from_slice(b"line\r\n");
        }
        m.extend_from_slice(b"--b\r\nContent-Type: text/plain\r\n\r\nlast\r\n--b--\r\n");
        Inspected::new("m.eml", m).into()
    }

    #[test]
    fn loading_goes_through_reading_parsing_loaded() {
        let mut s = MessageState::default();
        s.reduce(Action::ReadStarted {
            name: "m.eml".into(),
            total: 200,
        });
        assert_eq!(s.tab, Tab::Inspect);
        s.reduce(Action::ReadProgress(50));
        assert_eq!(s.loading.percent(), Some(25));
        assert!(s.loading.busy());
        s.reduce(Action::Parsing {
            name: "m.eml".into(),
            size: 200,
        });
        assert_eq!(s.loading.percent(), Some(100));
        s.reduce(Action::Loaded(doc(1)));
        assert_eq!(s.loading, Loading::Idle);
        assert!(s.doc.is_some());
        s.reduce(Action::Failed(OpenError::EmptyPaste));
        assert_eq!(s.loading, Loading::Failed(OpenError::EmptyPaste));
        assert!(!s.loading.busy());
        let zero = Loading::Reading {
            name: String::new(),
            loaded: 0,
            total: 0,
        };
        assert_eq!(zero.percent(), Some(100), "empty files are complete");
    }

    #[test]
    fn selecting_highlights_and_reveals() {
        let mut s = MessageState::default();
        s.reduce(Action::Loaded(doc(1000)));
        s.reduce(Action::Select(Some(Node::Part(2))));
        let d = s.doc.clone().expect("doc");
        assert_eq!(s.highlight(), Some(d.parts[2].span));
        assert_eq!(s.selected_part(), 2);
        let line = d.line_of(d.parts[2].span.start);
        assert!(
            s.source_top <= line && line < s.source_top + SOURCE_WINDOW,
            "line {line} not in window from {}",
            s.source_top
        );
        s.reduce(Action::Select(Some(Node::Part(99))));
        assert_eq!(s.selection, None, "unknown nodes are not selected");
        assert_eq!(s.selected_part(), 0);
    }

    #[test]
    fn clicking_the_source_selects_the_node_there() {
        let mut s = MessageState::default();
        s.reduce(Action::Loaded(doc(3)));
        s.reduce(Action::SelectOffset(2));
        assert_eq!(s.selection, Some(Node::Field { part: 0, field: 0 }));
        let d = s.doc.clone().expect("doc");
        s.reduce(Action::SelectOffset(d.parts[2].body_span.start));
        assert_eq!(s.selection, Some(Node::Part(2)));
        s.reduce(Action::SetBodyTab(BodyTab::Hex));
        s.reduce(Action::MoreHex);
        assert_eq!(s.hex_limit, 2 * HEX_STEP);
        s.reduce(Action::SelectOffset(0));
        assert_eq!(
            (s.body_tab, s.hex_limit),
            (BodyTab::Content, HEX_STEP),
            "another part resets the body view"
        );
    }

    #[test]
    fn the_source_window_stays_in_range() {
        let mut s = MessageState::default();
        s.reduce(Action::ScrollSource(50));
        assert_eq!(s.source_top, 0, "no document");
        s.reduce(Action::Loaded(doc(500)));
        s.reduce(Action::ScrollSource(usize::MAX));
        let d = s.doc.clone().expect("doc");
        assert_eq!(s.source_top, d.line_count() - SOURCE_WINDOW);
        s.reduce(Action::MoreText);
        assert_eq!(s.text_limit, 2 * TEXT_STEP);
    }

    #[test]
    fn pasted_text_gets_crlf() {
        let cases: &[(&str, &[u8])] =
            &[("", b""), ("a\nb", b"a\r\nb"), ("a\r\nb\n", b"a\r\nb\r\n")];
        for (text, want) in cases {
            assert_eq!(pasted_bytes(text), want.to_vec(), "text {text:?}");
        }
    }

    #[test]
    fn a_signed_message_comes_with_its_record_until_the_next_one() {
        let mut s = MessageState::default();
        s.reduce(Action::LoadedSigned {
            doc: doc(1),
            records: "sel._domainkey.example.org. IN TXT \"v=DKIM1; p=\"".into(),
        });
        assert_eq!(s.tab, Tab::Inspect);
        assert!(s.doc.is_some());
        assert!(s
            .auth_records
            .as_deref()
            .is_some_and(|r| r.contains("DKIM1")));
        s.reduce(Action::Loaded(doc(2)));
        assert_eq!(
            s.auth_records, None,
            "another message, no record handed over"
        );
    }

    #[test]
    fn loading_selects_the_first_text_part() {
        let mut s = MessageState::default();
        s.reduce(Action::Loaded(doc(2)));
        assert_eq!(
            s.selection,
            Some(Node::Part(1)),
            "the first leaf is text/plain by default"
        );
    }

    #[test]
    fn selecting_a_lint_selects_its_part() {
        let mut s = MessageState::default();
        s.reduce(Action::Loaded(
            Inspected::new("bad", b"Subject: =?bogus?Q?x?=\r\n\r\nhi\r\n".to_vec()).into(),
        ));
        let d = s.doc.clone().expect("doc");
        assert!(!d.lints.is_empty(), "the core reports missing From/Date");
        s.reduce(Action::Select(Some(Node::Lint(0))));
        assert_eq!(s.highlight(), Some(d.lints[0].lint.span));
        assert_eq!(s.selected_part(), d.lints[0].part);
    }
}
