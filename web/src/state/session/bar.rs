//! The Session view's command bar: which command's fields are open under it. The fields of the
//! next likely command open on their own as the session goes on (after EHLO the AUTH fields,
//! after MAIL the recipients…); a field group the reader opens stays open until the next line is
//! written.

use mailscope_core::smtp::transcript::Direction;

use crate::state::transcript::Row;

/// A group of fields under the command bar, named after its commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drawer {
    /// EHLO/HELO name.
    Hello,
    /// AUTH mechanism, user, password, the preview and the challenge.
    Auth,
    /// MAIL FROM and its parameters.
    Mail,
    /// The recipients.
    Rcpt,
    /// The message editor (DATA, BDAT).
    Data,
    /// VRFY's argument and the raw line.
    Other,
    /// The whole transaction's options.
    Run,
}

impl Drawer {
    /// Its name in element ids (`fields-auth`, `drawer-auth`).
    pub fn id(self) -> &'static str {
        match self {
            Drawer::Hello => "hello",
            Drawer::Auth => "auth",
            Drawer::Mail => "mail",
            Drawer::Rcpt => "rcpt",
            Drawer::Data => "data",
            Drawer::Other => "other",
            Drawer::Run => "run",
        }
    }
}

/// The command of the last line the client wrote (`EHLO`, `AUTH`…; `message`, `SASL response`
/// or `BDAT chunk` for what is not a command), if any.
pub fn last_command(rows: &[Row]) -> Option<&str> {
    rows.iter()
        .rev()
        .find(|r| r.direction == Direction::Client)
        .map(|r| r.kind.strip_prefix("command ").unwrap_or(&r.kind))
}

/// How many lines (or messages) the client has written.
pub fn written(rows: &[Row]) -> usize {
    rows.iter()
        .filter(|r| r.direction == Direction::Client)
        .count()
}

/// The fields the next command most likely needs, from where the session is: the whole run's
/// options before any session, none once a session is over.
pub fn suggested(
    connected: bool,
    in_sasl: bool,
    authenticated: bool,
    last: Option<&str>,
) -> Option<Drawer> {
    if in_sasl {
        return Some(Drawer::Auth);
    }
    if !connected {
        return last.is_none().then_some(Drawer::Run);
    }
    Some(match last {
        None | Some("STARTTLS") => Drawer::Hello,
        Some("EHLO" | "HELO") if !authenticated => Drawer::Auth,
        Some("EHLO" | "HELO" | "AUTH" | "SASL response" | "RSET" | "message") => Drawer::Mail,
        Some("MAIL" | "RCPT") => Drawer::Rcpt,
        Some("DATA" | "BDAT" | "BDAT chunk") => Drawer::Data,
        Some(_) => Drawer::Other,
    })
}

/// A field group the reader opened or closed (`None`), when `written` lines had been written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawerChoice {
    /// The group open, or none.
    pub drawer: Option<Drawer>,
    /// Lines written when it was chosen.
    pub at: usize,
}

/// The open field group: the reader's choice until the next line is written, then the
/// suggestion.
pub fn open_drawer(
    choice: Option<DrawerChoice>,
    written: usize,
    suggested: Option<Drawer>,
) -> Option<Drawer> {
    match choice {
        Some(c) if c.at == written => c.drawer,
        _ => suggested,
    }
}

/// What a click on `drawer`'s toggle chooses: it opens, or closes when it is open.
pub fn toggle(open: Option<Drawer>, drawer: Drawer, written: usize) -> DrawerChoice {
    DrawerChoice {
        drawer: (open != Some(drawer)).then_some(drawer),
        at: written,
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::state::session::tests::send;
    use crate::state::session::{Action, SessionModel};

    fn open(m: &SessionModel, choice: Option<DrawerChoice>) -> Option<Drawer> {
        let rows = m.rows();
        let s = suggested(
            m.is_connected(),
            m.challenge.is_some(),
            m.is_authenticated(),
            last_command(&rows),
        );
        open_drawer(choice, written(&rows), s)
    }

    #[test]
    fn the_fields_of_the_next_command_open_as_the_session_goes_on() {
        let mut m = SessionModel::default();
        assert_eq!(open(&m, None), Some(Drawer::Run), "before a session");
        m.apply(Action::Connect { now: 0 });
        assert_eq!(open(&m, None), Some(Drawer::Hello));
        let mut seen = Vec::new();
        for line in [
            "EHLO c",
            "AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=",
            "MAIL FROM:<a@example.org>",
            "RCPT TO:<b@example.org>",
            "DATA",
        ] {
            send(&mut m, line, 1);
            seen.push(open(&m, None));
        }
        use Drawer::*;
        assert_eq!(
            seen,
            [Some(Auth), Some(Mail), Some(Rcpt), Some(Rcpt), Some(Data)]
        );
        m.apply(Action::Message {
            text: "Subject: x\n\nx\n".into(),
            now: 2,
        });
        assert_eq!(last_command(&m.rows()), Some("message"));
        assert_eq!(open(&m, None), Some(Mail), "a next transaction");
        send(&mut m, "QUIT", 3);
        assert_eq!(open(&m, None), None, "the session is over");
        let over = written(&m.rows());
        let run = toggle(None, Run, over);
        assert_eq!(open(&m, Some(run)), Some(Run), "opened again by hand");
    }

    #[test]
    fn a_chosen_group_stays_open_until_the_next_line_then_the_suggestion_returns() {
        let mut m = SessionModel::default();
        m.apply(Action::Connect { now: 0 });
        let n = written(&m.rows());
        let choice = toggle(open(&m, None), Drawer::Other, n);
        assert_eq!(open(&m, Some(choice)), Some(Drawer::Other));
        let closed = toggle(Some(Drawer::Other), Drawer::Other, n);
        assert_eq!(open(&m, Some(closed)), None, "a second click closes it");
        send(&mut m, "EHLO c", 1);
        assert_eq!(open(&m, Some(choice)), Some(Drawer::Auth), "after EHLO");
        assert_eq!(
            suggested(true, true, false, Some("MAIL")),
            Some(Drawer::Auth),
            "a pending challenge keeps AUTH open"
        );
        assert_eq!(
            suggested(true, false, true, Some("EHLO")),
            Some(Drawer::Mail)
        );
        assert_eq!(
            suggested(true, false, false, Some("NOOP")),
            Some(Drawer::Other)
        );
    }
}
