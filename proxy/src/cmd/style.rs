//! Terminal colour for people: on when stdout is a terminal and `NO_COLOR` is unset.

use std::io::IsTerminal;

use mailscope_core::Severity;

/// Paints text with ANSI colours, or leaves it plain.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    on: bool,
}

impl Style {
    /// Colour for standard output, per the terminal and `NO_COLOR` (https://no-color.org).
    pub fn for_stdout() -> Style {
        Style {
            on: std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    /// Never colour.
    pub fn plain() -> Style {
        Style { on: false }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Dimmed text (explanations, states).
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    /// Bold text.
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Client lines.
    pub fn client(self, text: &str) -> String {
        self.paint("36", text)
    }

    /// Server lines.
    pub fn server(self, text: &str) -> String {
        self.paint("33", text)
    }

    /// A finding, coloured by severity.
    pub fn severity(self, severity: Severity, text: &str) -> String {
        match severity {
            Severity::Error => self.paint("31;1", text),
            Severity::Warning => self.paint("35", text),
            Severity::Info => self.paint("34", text),
        }
    }
}
