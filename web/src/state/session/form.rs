//! The Session view's forms: the in-browser server's settings ([`ServerFlag`], users, recipient
//! rules), the step and whole-run fields ([`SessionForm`], [`PlanInput`]), and what they become —
//! commands read by the core's parser, an AUTH preview, a sample message.

use std::collections::BTreeMap;

use mailscope_core::mime::build::{Attachment, MessageBuilder, NameAddr};
use mailscope_core::smtp::auth::{
    decode_exchange, ClientExchange, Credentials, DecodedAuth, Mechanism,
};
use mailscope_core::smtp::command::{parse_command, Command, CommandError};
use mailscope_core::smtp::session::{RecipientAction, RecipientRule, ServerConfig, StopPoint};

use super::error::SessionError;
use super::notes::NoteText;
use crate::state::i18n::key;
use crate::state::message::compose::Outgoing;

/// The in-browser server's switches, as shown in the settings form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerFlag {
    /// PIPELINING.
    Pipelining,
    /// STARTTLS.
    StartTls,
    /// 8BITMIME.
    EightBitMime,
    /// SMTPUTF8.
    SmtpUtf8,
    /// ENHANCEDSTATUSCODES.
    EnhancedStatusCodes,
    /// CHUNKING.
    Chunking,
    /// DSN.
    Dsn,
    /// Offer AUTH PLAIN.
    AuthPlain,
    /// Offer AUTH LOGIN.
    AuthLogin,
    /// Offer AUTH CRAM-MD5.
    AuthCramMd5,
    /// MAIL needs AUTH first.
    RequireAuth,
    /// AUTH only after STARTTLS.
    RequireTlsForAuth,
    /// Refuse bare CR/LF in DATA.
    RejectBareNewlines,
    /// Greet with 421.
    FaultGreeting421,
    /// MAIL gets 451.
    FaultMail451,
    /// DATA gets 451.
    FaultData451,
    /// The end of data gets 554.
    FaultMessage554,
}

impl ServerFlag {
    /// Every switch, in form order.
    pub const ALL: [ServerFlag; 17] = [
        ServerFlag::Pipelining,
        ServerFlag::StartTls,
        ServerFlag::EightBitMime,
        ServerFlag::SmtpUtf8,
        ServerFlag::EnhancedStatusCodes,
        ServerFlag::Chunking,
        ServerFlag::Dsn,
        ServerFlag::AuthPlain,
        ServerFlag::AuthLogin,
        ServerFlag::AuthCramMd5,
        ServerFlag::RequireAuth,
        ServerFlag::RequireTlsForAuth,
        ServerFlag::RejectBareNewlines,
        ServerFlag::FaultGreeting421,
        ServerFlag::FaultMail451,
        ServerFlag::FaultData451,
        ServerFlag::FaultMessage554,
    ];

    /// Label in the form.
    pub fn label(self) -> &'static str {
        match self {
            ServerFlag::Pipelining => key("PIPELINING (RFC 2920)"),
            ServerFlag::StartTls => key("STARTTLS (RFC 3207, simulated)"),
            ServerFlag::EightBitMime => key("8BITMIME (RFC 6152)"),
            ServerFlag::SmtpUtf8 => key("SMTPUTF8 (RFC 6531)"),
            ServerFlag::EnhancedStatusCodes => key("ENHANCEDSTATUSCODES (RFC 2034)"),
            ServerFlag::Chunking => key("CHUNKING / BDAT (RFC 3030)"),
            ServerFlag::Dsn => key("DSN (RFC 3461)"),
            ServerFlag::AuthPlain => key("AUTH PLAIN (RFC 4616)"),
            ServerFlag::AuthLogin => key("AUTH LOGIN"),
            ServerFlag::AuthCramMd5 => key("AUTH CRAM-MD5 (RFC 2195)"),
            ServerFlag::RequireAuth => key("Require AUTH before MAIL (530)"),
            ServerFlag::RequireTlsForAuth => key("AUTH only after STARTTLS (538)"),
            ServerFlag::RejectBareNewlines => key("Refuse bare CR/LF in DATA (554)"),
            ServerFlag::FaultGreeting421 => key("Fault: greet with 421 and close"),
            ServerFlag::FaultMail451 => key("Fault: MAIL gets 451"),
            ServerFlag::FaultData451 => key("Fault: DATA gets 451"),
            ServerFlag::FaultMessage554 => key("Fault: end of data gets 554"),
        }
    }

    fn mechanism(self) -> Option<Mechanism> {
        match self {
            ServerFlag::AuthPlain => Some(Mechanism::Plain),
            ServerFlag::AuthLogin => Some(Mechanism::Login),
            ServerFlag::AuthCramMd5 => Some(Mechanism::CramMd5),
            _ => None,
        }
    }

    /// Whether the switch is on in `config`.
    pub fn get(self, config: &ServerConfig) -> bool {
        if let Some(m) = self.mechanism() {
            return config.auth_mechanisms.contains(&m);
        }
        match self {
            ServerFlag::Pipelining => config.pipelining,
            ServerFlag::StartTls => config.starttls,
            ServerFlag::EightBitMime => config.eight_bit_mime,
            ServerFlag::SmtpUtf8 => config.smtputf8,
            ServerFlag::EnhancedStatusCodes => config.enhanced_status_codes,
            ServerFlag::Chunking => config.chunking,
            ServerFlag::Dsn => config.dsn,
            ServerFlag::RequireAuth => config.require_auth,
            ServerFlag::RequireTlsForAuth => config.require_tls_for_auth,
            ServerFlag::RejectBareNewlines => config.reject_bare_newlines,
            ServerFlag::FaultGreeting421 => config.faults.greeting_421,
            ServerFlag::FaultMail451 => config.faults.mail_451,
            ServerFlag::FaultData451 => config.faults.data_451,
            ServerFlag::FaultMessage554 => config.faults.message_554,
            ServerFlag::AuthPlain | ServerFlag::AuthLogin | ServerFlag::AuthCramMd5 => false,
        }
    }

    pub(super) fn set(self, config: &mut ServerConfig, on: bool) {
        if let Some(m) = self.mechanism() {
            config.auth_mechanisms.retain(|x| *x != m);
            if on {
                config.auth_mechanisms.push(m);
                config.auth_mechanisms.sort();
            }
            return;
        }
        let field = match self {
            ServerFlag::Pipelining => &mut config.pipelining,
            ServerFlag::StartTls => &mut config.starttls,
            ServerFlag::EightBitMime => &mut config.eight_bit_mime,
            ServerFlag::SmtpUtf8 => &mut config.smtputf8,
            ServerFlag::EnhancedStatusCodes => &mut config.enhanced_status_codes,
            ServerFlag::Chunking => &mut config.chunking,
            ServerFlag::Dsn => &mut config.dsn,
            ServerFlag::RequireAuth => &mut config.require_auth,
            ServerFlag::RequireTlsForAuth => &mut config.require_tls_for_auth,
            ServerFlag::RejectBareNewlines => &mut config.reject_bare_newlines,
            ServerFlag::FaultGreeting421 => &mut config.faults.greeting_421,
            ServerFlag::FaultMail451 => &mut config.faults.mail_451,
            ServerFlag::FaultData451 => &mut config.faults.data_451,
            ServerFlag::FaultMessage554 => &mut config.faults.message_554,
            ServerFlag::AuthPlain | ServerFlag::AuthLogin | ServerFlag::AuthCramMd5 => return,
        };
        *field = on;
    }
}

/// A whole planned session, run by the core's client on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanInput {
    /// The EHLO name.
    pub helo: String,
    /// Use STARTTLS when offered.
    pub starttls: bool,
    /// AUTH with these, when given.
    pub auth: Option<(Mechanism, Credentials)>,
    /// The reverse path.
    pub from: String,
    /// MAIL parameters as typed (`SIZE=… BODY=8BITMIME`).
    pub mail_params: String,
    /// Recipients.
    pub rcpts: Vec<String>,
    /// The message (typed text; CRLF-normalised and dot-stuffed by the core).
    pub message: String,
    /// Stop and QUIT after this point, like swaks' `--quit-after`.
    pub stop_after: Option<StopPoint>,
}

/// Every stop point with its label, for the "stop after" picker.
pub const STOP_POINTS: [(StopPoint, &str); 9] = [
    (StopPoint::Connect, key("connect (greeting)")),
    (StopPoint::FirstHelo, key("first EHLO")),
    (StopPoint::Tls, key("TLS")),
    (StopPoint::Helo, key("EHLO")),
    (StopPoint::Auth, key("AUTH")),
    (StopPoint::Mail, key("MAIL")),
    (StopPoint::Rcpt, key("RCPT")),
    (StopPoint::Data, key("DATA")),
    (StopPoint::Dot, key("end of data (.)")),
];

fn rule_action(word: &str) -> Option<RecipientAction> {
    match word {
        "550" | "reject" => Some(RecipientAction::Reject),
        "5.7.1" | "policy" => Some(RecipientAction::Policy),
        "452" | "full" => Some(RecipientAction::MailboxFull),
        "451" | "defer" | "greylist" => Some(RecipientAction::Defer),
        "250" | "accept" => Some(RecipientAction::Accept),
        _ => None,
    }
}

/// The word [`read_rules`] reads as `action` (a rule line is `address-or-domain word`).
pub fn rule_word(action: RecipientAction) -> &'static str {
    match action {
        RecipientAction::Reject => "550",
        RecipientAction::Policy => "5.7.1",
        RecipientAction::MailboxFull => "452",
        RecipientAction::Defer => "451",
        RecipientAction::Accept => "250",
    }
}

/// Shown for a line of the AUTH users field that is not `user:password`.
pub(super) const USER_LINE: &str = key("user line {line}: write user:password");
/// Shown for a line of the recipient rules field that is not `pattern code`.
pub(super) const RULE_LINE: &str =
    key("rule line {line}: write address-or-domain 550|5.7.1|452|451");

/// Reads the AUTH users field (one `user:password` a line): the users, and a problem for each
/// line that is not one.
pub fn read_users(text: &str) -> (BTreeMap<String, String>, Vec<NoteText>) {
    let mut users = BTreeMap::new();
    let mut problems = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match line.trim().split_once(':') {
            Some((u, p)) if !u.is_empty() => {
                users.insert(u.to_string(), p.to_string());
            }
            _ => problems.push(NoteText::with(
                USER_LINE,
                vec![("line", format!("{line:?}"))],
            )),
        }
    }
    (users, problems)
}

/// Reads the recipient rules field (one `address-or-domain 550|5.7.1|452|451` a line): the rules, and
/// a problem for each line that is not one.
pub fn read_rules(text: &str) -> (Vec<RecipientRule>, Vec<NoteText>) {
    let mut rules = Vec::new();
    let mut problems = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut words = line.split_whitespace();
        match (words.next(), words.next().and_then(rule_action)) {
            (Some(pattern), Some(action)) => rules.push(RecipientRule {
                pattern: pattern.to_string(),
                action,
            }),
            _ => problems.push(NoteText::with(
                RULE_LINE,
                vec![("line", format!("{line:?}"))],
            )),
        }
    }
    (rules, problems)
}

/// Reads a typed command line with the core's parser (CRLF added).
pub fn command_from_line(line: &str) -> Result<Command<'static>, SessionError> {
    let wire = format!("{}\r\n", line.trim_end_matches(['\r', '\n']));
    match parse_command(wire.as_bytes()) {
        Ok(Some((parsed, _))) => Ok(parsed.command.into_owned()),
        Ok(None) => Err(SessionError::IncompleteLine {
            line: line.to_string(),
        }),
        Err(CommandError::LineTooLong { limit }) => Err(SessionError::LineTooLong { limit }),
        Err(_) => Err(SessionError::IncompleteLine {
            line: line.to_string(),
        }),
    }
}

/// `MAIL FROM:<from> params` as the core reads it.
pub fn mail_command(from: &str, params: &str) -> Result<Command<'static>, SessionError> {
    let params = params.trim();
    let line = if params.is_empty() {
        format!("MAIL FROM:<{from}>")
    } else {
        format!("MAIL FROM:<{from}> {params}")
    };
    command_from_line(&line)
}

pub(super) fn mail_params(
    from: &str,
    params: &str,
) -> Result<mailscope_core::smtp::command::MailParams<'static>, SessionError> {
    match mail_command(from, params)? {
        Command::Mail { params, .. } => Ok(params),
        _ => Err(SessionError::NotMail),
    }
}

/// What an AUTH command will carry, shown before it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthPreview {
    /// The command line (`AUTH PLAIN AGFsaWNl…`).
    pub command: String,
    /// The base64 initial response, if the mechanism has one.
    pub base64: Option<String>,
    /// The core's decoding of what will be sent.
    pub decoded: Option<DecodedAuth>,
    /// Why it cannot be built.
    pub error: Option<SessionError>,
}

/// The AUTH command `mechanism` would send with `credentials`, and what it decodes to.
pub fn auth_preview(mechanism: &Mechanism, credentials: &Credentials) -> AuthPreview {
    match ClientExchange::new(mechanism.clone(), credentials.clone()) {
        Ok(ex) => {
            let base64 = ex.initial_response();
            let command = Command::auth(ex.mechanism().to_string(), base64.clone().map(Into::into))
                .to_bytes()
                .map(|b| String::from_utf8_lossy(&b).trim_end().to_string())
                .unwrap_or_default();
            let decoded = base64
                .as_ref()
                .map(|b| decode_exchange(mechanism, Some((b.as_bytes(), 0)), &[]));
            AuthPreview {
                command,
                base64,
                decoded,
                error: None,
            }
        }
        Err(e) => AuthPreview {
            command: String::new(),
            base64: None,
            decoded: None,
            error: Some(SessionError::Auth(e)),
        },
    }
}

/// The fields of the Session view's forms, shared by the step buttons and the whole-run button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionForm {
    /// EHLO/HELO name.
    pub helo: String,
    /// AUTH mechanism name.
    pub mechanism: String,
    /// AUTH user.
    pub user: String,
    /// AUTH password.
    pub password: String,
    /// MAIL FROM mailbox.
    pub from: String,
    /// MAIL parameters as typed.
    pub mail_params: String,
    /// The envelope's recipients, one field each (the whole-run button sends them all).
    pub recipients: Vec<String>,
    /// How many of `recipients`, from the first, were sent (or queued) by RCPT in this
    /// transaction.
    pub rcpts_sent: usize,
    /// VRFY argument.
    pub vrfy: String,
    /// The message.
    pub message: String,
    /// BDAT with LAST.
    pub bdat_last: bool,
    /// The raw line.
    pub raw: String,
    /// Use STARTTLS in a whole run.
    pub starttls: bool,
    /// Use AUTH in a whole run.
    pub use_auth: bool,
    /// Where a whole run stops.
    pub stop_after: Option<StopPoint>,
}

impl Default for SessionForm {
    fn default() -> Self {
        SessionForm {
            helo: "client.example".into(),
            mechanism: "PLAIN".into(),
            user: "alice".into(),
            password: "wonderland".into(),
            from: "alice@example.org".into(),
            mail_params: "BODY=8BITMIME".into(),
            recipients: vec!["bob@example.net".into()],
            rcpts_sent: 0,
            vrfy: "alice".into(),
            message: "Subject: Hello\nFrom: alice@example.org\nTo: bob@example.net\n\nHello, Bob.\n.A line that starts with a dot.\n".into(),
            bdat_last: true,
            raw: "NOOP".into(),
            starttls: false,
            use_auth: true,
            stop_after: None,
        }
    }
}

impl SessionForm {
    /// The credentials typed.
    pub fn credentials(&self) -> Credentials {
        Credentials::new(self.user.clone(), self.password.clone())
    }

    /// The mechanism picked.
    pub fn mechanism(&self) -> Mechanism {
        Mechanism::parse(&self.mechanism)
    }

    /// The recipients typed, blank fields left out.
    pub fn typed_recipients(&self) -> Vec<String> {
        self.recipients
            .iter()
            .map(|r| r.trim())
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Adds an empty recipient field.
    pub fn add_recipient(&mut self) {
        self.recipients.push(String::new());
    }

    /// Removes recipient field `index` (a sent one is no longer counted; one field always
    /// stays).
    pub fn remove_recipient(&mut self, index: usize) {
        if index >= self.recipients.len() {
            return;
        }
        self.recipients.remove(index);
        if index < self.rcpts_sent {
            self.rcpts_sent -= 1;
        }
        if self.recipients.is_empty() {
            self.recipients.push(String::new());
        }
    }

    /// The next recipient RCPT sends: the first field after those sent in this transaction,
    /// blank ones skipped (with its index).
    pub fn next_recipient(&self) -> Option<(usize, &str)> {
        self.recipients
            .iter()
            .enumerate()
            .skip(self.rcpts_sent)
            .map(|(i, r)| (i, r.trim()))
            .find(|(_, r)| !r.is_empty())
    }

    /// Marks the recipients up to and including `index` as sent.
    pub fn mark_sent(&mut self, index: usize) {
        self.rcpts_sent = self.rcpts_sent.max(index + 1);
    }

    /// A new transaction (MAIL, RSET, another connection): no recipient is sent yet.
    pub fn new_transaction(&mut self) {
        self.rcpts_sent = 0;
    }

    /// The form for sending a message from the composer to the sandbox: its envelope and text
    /// (typed line ends; the client sends CRLF and dot-stuffs), no AUTH (the sandbox takes mail
    /// without it) and no STARTTLS (no certificate question in the way).
    pub fn for_outgoing(o: &Outgoing) -> SessionForm {
        SessionForm {
            from: o.from.clone(),
            recipients: o.rcpts.clone(),
            message: String::from_utf8_lossy(&o.message).replace("\r\n", "\n"),
            use_auth: false,
            starttls: false,
            ..SessionForm::default()
        }
    }

    /// The whole-run plan: every recipient typed.
    pub fn plan(&self) -> PlanInput {
        let rcpts = self.typed_recipients();
        PlanInput {
            helo: self.helo.clone(),
            starttls: self.starttls,
            auth: self
                .use_auth
                .then(|| (self.mechanism(), self.credentials())),
            from: self.from.clone(),
            mail_params: self.mail_params.clone(),
            rcpts,
            message: self.message.clone(),
            stop_after: self.stop_after,
        }
    }
}

/// A sample message built by the core's [`MessageBuilder`]: Korean subject, names and body, and
/// a small attachment. `date` is an RFC 5322 date passed in by the caller (this module has no
/// clock). The bytes are CRLF text; they are returned with LF so they edit well in a text area
/// (the core makes them CRLF again when sending).
pub fn sample_message(from: &str, to: &str, date: &str) -> Result<String, SessionError> {
    let builder = MessageBuilder {
        from: vec![NameAddr::new("앨리스", from)],
        to: vec![NameAddr::new("밥", to)],
        subject: Some("안녕하세요, 한국어 메일 시험입니다".into()),
        date: date.into(),
        message_id: "<sample@mailscope.test>".into(),
        text: Some("안녕하세요!\n이것은 한국어 본문입니다.\n.점으로 시작하는 줄\n".into()),
        attachments: vec![Attachment {
            filename: "메모.txt".into(),
            content_type: "text/plain; charset=utf-8".into(),
            data: "첨부 파일\n".as_bytes().to_vec(),
        }],
        ..MessageBuilder::default()
    };
    let bytes = builder.build(0x5eed).map_err(|_| SessionError::Sample)?;
    Ok(String::from_utf8_lossy(&bytes).replace("\r\n", "\n"))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::state::session::tests::send;
    use crate::state::session::{Action, SessionModel};

    #[test]
    fn auth_preview_shows_what_is_sent() {
        let p = auth_preview(&Mechanism::Plain, &Credentials::new("alice", "wonderland"));
        assert_eq!(p.base64.as_deref(), Some("AGFsaWNlAHdvbmRlcmxhbmQ="));
        assert_eq!(p.command, "AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=");
        let d = p.decoded.expect("decoded");
        assert_eq!(
            (d.authcid.as_deref(), d.password.as_deref()),
            (Some("alice"), Some("wonderland"))
        );
        let login = auth_preview(&Mechanism::Login, &Credentials::new("a", "b"));
        assert_eq!((login.command.as_str(), login.base64), ("AUTH LOGIN", None));
        let bad = auth_preview(&Mechanism::Other("X".into()), &Credentials::new("a", "b"));
        assert!(bad.error.is_some());
    }

    #[test]
    fn server_settings_are_applied_at_connect() {
        let mut m = SessionModel::default();
        m.apply(Action::SetFlag(ServerFlag::Pipelining, false));
        m.apply(Action::SetFlag(ServerFlag::AuthLogin, false));
        m.apply(Action::SetHostname("mx.test".into()));
        m.apply(Action::SetUsers("bob:secret\nbad line\n".into()));
        m.apply(Action::SetRecipientRules(
            "x.test 451\ny@z.test full\np@z.test 5.7.1\nnonsense\n".into(),
        ));
        assert_eq!(m.config_errors.len(), 2, "{:?}", m.config_errors);
        assert!(!ServerFlag::Pipelining.get(&m.config));
        assert!(!ServerFlag::AuthLogin.get(&m.config));
        assert!(ServerFlag::AuthPlain.get(&m.config));
        assert_eq!(m.config.recipient_rules.len(), 3);
        assert_eq!(
            m.config.recipient_action("p@z.test"),
            mailscope_core::smtp::session::RecipientAction::Policy
        );
        m.apply(Action::SetFlag(ServerFlag::FaultGreeting421, true));
        m.apply(Action::Connect { now: 0 });
        let rows = m.rows();
        assert!(
            rows[0].wire.starts_with("421"),
            "fault injected: {}",
            rows[0].wire
        );
        m.apply(Action::SetFlag(ServerFlag::FaultGreeting421, false));
        m.apply(Action::Connect { now: 0 });
        assert!(m.rows()[0].wire.starts_with("220 mx.test"));
        send(&mut m, "EHLO c", 1);
        let ehlo = &m.rows()[2];
        assert!(
            !ehlo.wire.contains("PIPELINING"),
            "switched off: {}",
            ehlo.wire
        );
        m.apply(Action::SendLine {
            line: "RCPT TO:<q@x.test>".into(),
            now: 2,
        });
        m.apply(Action::Disconnect);
        m.apply(Action::SendLine {
            line: "NOOP".into(),
            now: 3,
        });
        assert!(m.error.is_some(), "not connected");
    }

    #[test]
    fn sample_message_runs_through_a_whole_session() {
        let text = sample_message(
            "alice@example.org",
            "bob@example.net",
            "Sun, 22 Nov 2026 18:00:00 +0000",
        )
        .expect("builds");
        assert!(text.contains("Subject: =?"), "encoded subject: {text}");
        assert!(!text.contains('\r'), "LF for the text area");
        assert!(
            sample_message("not an address", "b@c.d", "Sun, 22 Nov 2026 18:00:00 +0000").is_err()
        );
        let mut form = SessionForm {
            message: text,
            ..SessionForm::default()
        };
        form.recipients = vec!["b@example.net".into(), " ".into(), "c@example.net".into()];
        let mut m = SessionModel::default();
        m.apply(Action::Run {
            plan: Box::new(form.plan()),
            now: 5,
        });
        assert_eq!(m.received.len(), 1, "{:?}", m.notes);
        assert_eq!(
            m.rows().iter().filter(|r| r.kind == "command RCPT").count(),
            2
        );
        form.use_auth = false;
        form.remove_recipient(2);
        assert_eq!((form.plan().auth, form.plan().rcpts.len()), (None, 1));
    }

    #[test]
    fn a_composed_message_becomes_a_plan_for_the_sandbox() {
        let out = Outgoing {
            from: "kim@example.kr".into(),
            rcpts: vec!["a@example.org".into(), "b@example.org".into()],
            message: b"From: kim@example.kr\r\nSubject: x\r\n\r\n.dot\r\n".to_vec(),
        };
        let plan = SessionForm::for_outgoing(&out).plan();
        assert_eq!(plan.from, "kim@example.kr");
        assert_eq!(plan.rcpts, ["a@example.org", "b@example.org"]);
        assert_eq!(plan.message, "From: kim@example.kr\nSubject: x\n\n.dot\n");
        assert!(plan.auth.is_none() && !plan.starttls);
    }

    #[test]
    fn rcpt_sends_the_next_unsent_recipient_of_the_list() {
        let mut form = SessionForm::default();
        assert_eq!(form.next_recipient(), Some((0, "bob@example.net")));
        form.mark_sent(0);
        assert_eq!(form.next_recipient(), None, "all sent");
        form.add_recipient();
        assert_eq!(form.next_recipient(), None, "a blank field is not sent");
        form.recipients[1] = " carol@example.net ".into();
        form.add_recipient();
        form.recipients[2] = "dave@example.net".into();
        assert_eq!(form.next_recipient(), Some((1, "carol@example.net")));
        form.mark_sent(1);
        // Removing a sent recipient keeps the next one next; removing the last field leaves one.
        form.remove_recipient(0);
        assert_eq!(form.next_recipient(), Some((1, "dave@example.net")));
        form.new_transaction();
        assert_eq!(form.next_recipient(), Some((0, "carol@example.net")));
        for _ in 0..3 {
            form.remove_recipient(0);
        }
        assert_eq!(form.recipients, vec![String::new()]);
        assert_eq!(form.plan().rcpts, Vec::<String>::new());
        form.remove_recipient(5);
        assert_eq!(form.recipients.len(), 1, "out of range: nothing removed");
    }
}
