//! Every citation true (issue 18): each RFC section the core cites — in a lint's reference, in a
//! message, in an explanation of a reply code, enhanced status code, EHLO keyword, command or
//! state change, and in `docs/lints.md` — is one of the [`SECTIONS`] below, and every lint's
//! severity follows the keyword of the RFC text it rests on ([`BASIS`]).
//!
//! [`SECTIONS`] was written once from the RFC texts (number, section, title as the RFC's table
//! of contents has it). [`Checked`] says how far each entry was checked when the table was
//! written; every lint rests on a section whose wording was checked. When a new citation fails
//! the test, read the section, then add it here.
//!
//! How the keyword gives the severity ([`Keyword::severity`]):
//! - `Must` — MUST, MUST NOT, REQUIRED, SHALL, "must"/"may not"/"not permitted" in the RFCs
//!   written before RFC 2119, or a form outside the normative grammar (RFC 5322 §2.2: field
//!   bodies "MUST conform to the syntax") → error.
//! - `Should` — SHOULD, SHOULD NOT, RECOMMENDED → warning.
//! - `Risk` — no keyword of the cited text is broken: the finding is a limit of Mailscope or of
//!   common readers, or a known interoperability or security risk; the message says so →
//!   warning.
//! - `Obsolete` — a form of an obsolete syntax: RFC 5322 §4 "MUST NOT be generated" but "MUST
//!   be accepted and parsed by a conformant receiver"; Mailscope reads as a receiver → info.
//! - `Note` — not a defect of the message (context, such as an mbox separator) → info.
//!
//! Code comments are not scanned: the test covers what a person reads in the output.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use mailscope_core::lint::catalog;
use mailscope_core::Severity;

/// How the cited RFC text words the rule a lint rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    Must,
    Should,
    Risk,
    Obsolete,
    Note,
}

impl Keyword {
    fn severity(self) -> Severity {
        match self {
            Keyword::Must => Severity::Error,
            Keyword::Should | Keyword::Risk => Severity::Warning,
            Keyword::Obsolete | Keyword::Note => Severity::Info,
        }
    }
}

/// How an entry of [`SECTIONS`] was checked when the table was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Checked {
    /// The section's text was read in the RFC.
    Text,
    /// The wording the core relies on was checked against verbatim quotations of the section
    /// (the RFC's own text was not at hand).
    Quoted,
    /// Only the number and title; the core cites it for a definition, not for a rule.
    Title,
}

use Checked::{Quoted, Text, Title};

/// One section of an RFC, as its table of contents names it.
struct Section {
    rfc: u16,
    section: &'static str,
    title: &'static str,
    checked: Checked,
}

const fn s(rfc: u16, section: &'static str, title: &'static str, checked: Checked) -> Section {
    Section {
        rfc,
        section,
        title,
        checked,
    }
}

/// The sections the core cites.
const SECTIONS: &[Section] = &[
    s(
        1870,
        "3",
        "Framework for the Size Declaration Extension",
        Text,
    ),
    s(
        1870,
        "4",
        "The Message Size Declaration service extension",
        Text,
    ),
    s(1870, "6", "The extended MAIL command", Text),
    s(
        1870,
        "6.1",
        "Server action on receipt of the extended MAIL command",
        Text,
    ),
    s(1870, "6.3", "Messages larger than the declared size", Text),
    s(1922, "2", "Chinese Character Encoding", Title),
    s(1985, "3", "Service Extension to SMTP (ETRN)", Title),
    s(
        2034,
        "3",
        "Framework for the Enhanced Error Statuses Extension",
        Text,
    ),
    s(
        2034,
        "4",
        "The Enhanced-Status-Codes service extension",
        Text,
    ),
    s(2045, "4", "MIME-Version Header Field", Text),
    s(2045, "5.1", "Syntax of the Content-Type Header Field", Text),
    s(2045, "5.2", "Content-Type Defaults", Text),
    s(2045, "6.1", "Content-Transfer-Encoding Syntax", Text),
    s(2045, "6.4", "Interpretation and Use", Text),
    s(
        2045,
        "6.7",
        "Quoted-Printable Content-Transfer-Encoding",
        Text,
    ),
    s(2045, "6.8", "Base64 Content-Transfer-Encoding", Text),
    s(2046, "4.1.2", "Charset Parameter", Text),
    s(2046, "5.1", "Multipart Media Type", Text),
    s(2046, "5.1.1", "Common Syntax", Text),
    s(2046, "5.2.1", "RFC822 Subtype", Text),
    s(2047, "2", "Syntax of encoded-words", Text),
    s(2047, "4", "Encodings", Text),
    s(2047, "5", "Use of encoded-words in message headers", Text),
    s(2183, "2", "The Content-Disposition Header Field", Text),
    s(2183, "2.3", "The Filename Parameter", Text),
    s(
        2195,
        "2",
        "Challenge-Response Authentication Mechanism (CRAM)",
        Title,
    ),
    s(2231, "3", "Parameter Value Continuations", Quoted),
    s(
        2231,
        "4",
        "Parameter Value Character Set and Language Information",
        Title,
    ),
    s(2392, "2", "The MID and CID URL Schemes", Title),
    s(2852, "4", "The Deliver By SMTP Service Extension", Title),
    s(2920, "3", "The Pipelining Service Extension", Title),
    s(2920, "3.1", "Client use of pipelining", Title),
    s(
        3030,
        "2",
        "Framework for the Large Message Extensions",
        Title,
    ),
    s(
        3030,
        "3",
        "Framework for the Binary Service Extension",
        Title,
    ),
    s(3207, "4", "The STARTTLS Command", Title),
    s(3207, "4.2", "Result of the STARTTLS Command", Title),
    s(
        3461,
        "4",
        "Additional parameters for RCPT and MAIL commands",
        Title,
    ),
    s(
        3461,
        "4.1",
        "The NOTIFY parameter of the ESMTP RCPT command",
        Title,
    ),
    s(
        3461,
        "4.2",
        "The ORCPT parameter to the ESMTP RCPT command",
        Title,
    ),
    s(
        3461,
        "4.3",
        "The RET parameter of the ESMTP MAIL command",
        Title,
    ),
    s(
        3461,
        "4.4",
        "The ENVID parameter to the ESMTP MAIL command",
        Title,
    ),
    s(3463, "2", "Status Code Structure", Text),
    s(3463, "3", "Enumerated Status Codes", Text),
    s(3463, "3.1", "Other or Undefined Status", Text),
    s(3463, "3.2", "Address Status", Text),
    s(3463, "3.3", "Mailbox Status", Text),
    s(3463, "3.4", "Mail system status", Text),
    s(3463, "3.5", "Network and Routing Status", Text),
    s(3463, "3.6", "Mail Delivery Protocol Status", Text),
    s(3463, "3.7", "Message Content or Message Media Status", Text),
    s(3463, "3.8", "Security or Policy Status", Text),
    s(
        3464,
        "2.1",
        "The message/delivery-status content-type",
        Title,
    ),
    s(3464, "2.3", "Per-Recipient DSN fields", Quoted),
    s(3464, "2.3.3", "Action field", Title),
    s(3886, "4.3", "Enhanced status codes", Title),
    s(4155, "2", "About the mbox Database", Text),
    s(4422, "3.1", "Mechanism Names", Title),
    s(4468, "5", "Updates to RFC 3463", Title),
    s(4616, "2", "PLAIN SASL Mechanism", Quoted),
    s(4954, "3", "The Authentication Service Extension", Text),
    s(4954, "4", "The AUTH Command", Text),
    s(
        4954,
        "5",
        "The AUTH Parameter to the MAIL FROM command",
        Text,
    ),
    s(4954, "6", "Status Codes", Text),
    s(
        4954,
        "14",
        "Additional Requirements When Using SASL PLAIN over TLS",
        Title,
    ),
    s(5248, "2.4", "Review Process for New Values", Title),
    s(5321, "2.2.1", "Background", Text),
    s(5321, "2.3.8", "Lines", Text),
    s(5321, "3.3", "Mail Transactions", Text),
    s(5321, "4.1.1", "Command Semantics and Syntax", Text),
    s(
        5321,
        "4.1.1.1",
        "Extended HELLO (EHLO) or HELLO (HELO)",
        Text,
    ),
    s(5321, "4.1.1.2", "MAIL (MAIL)", Text),
    s(5321, "4.1.1.3", "RECIPIENT (RCPT)", Text),
    s(5321, "4.1.1.4", "DATA (DATA)", Text),
    s(5321, "4.1.1.5", "RESET (RSET)", Text),
    s(5321, "4.1.1.6", "VERIFY (VRFY)", Text),
    s(5321, "4.1.1.7", "EXPAND (EXPN)", Text),
    s(5321, "4.1.1.8", "HELP (HELP)", Text),
    s(5321, "4.1.1.9", "NOOP (NOOP)", Text),
    s(5321, "4.1.1.10", "QUIT (QUIT)", Text),
    s(
        5321,
        "4.1.1.11",
        "Mail-Parameter and Rcpt-Parameter Error Responses",
        Text,
    ),
    s(5321, "4.1.2", "Command Argument Syntax", Text),
    s(5321, "4.1.3", "Address Literals", Text),
    s(5321, "4.1.4", "Order of Commands", Text),
    s(5321, "4.2", "SMTP Replies", Text),
    s(5321, "4.2.1", "Reply Code Severities and Theory", Text),
    s(5321, "4.2.2", "Reply Codes by Function Groups", Text),
    s(5321, "4.2.3", "Reply Codes in Numeric Order", Text),
    s(5321, "4.2.4", "Reply Code 502", Text),
    s(5321, "4.3.1", "Sequencing Overview", Text),
    s(5321, "4.3.2", "Command-Reply Sequences", Text),
    s(5321, "4.5.2", "Transparency", Text),
    s(5321, "4.5.3.1", "Size Limits and Minimums", Text),
    s(5321, "4.5.3.1.1", "Local-part", Text),
    s(5321, "4.5.3.1.2", "Domain", Text),
    s(5321, "4.5.3.1.3", "Path", Text),
    s(5321, "4.5.3.1.4", "Command Line", Text),
    s(5321, "4.5.3.1.5", "Reply Line", Text),
    s(5321, "4.5.3.1.6", "Text Line", Text),
    s(5321, "4.5.3.2", "Timeouts", Text),
    s(5322, "2.1", "General Description", Text),
    s(5322, "2.1.1", "Line Length Limits", Text),
    s(5322, "2.2", "Header Fields", Text),
    s(5322, "2.3", "Body", Text),
    s(5322, "3.2.2", "Folding White Space and Comments", Text),
    s(5322, "3.3", "Date and Time Specification", Text),
    s(5322, "3.4", "Address Specification", Text),
    s(5322, "3.6", "Field Definitions", Text),
    s(5322, "4", "Obsolete Syntax", Text),
    s(5322, "4.3", "Obsolete Date and Time", Text),
    s(5322, "4.4", "Obsolete Addressing", Text),
    s(5322, "4.5", "Obsolete Header Fields", Text),
    s(
        6152,
        "2",
        "Framework for the 8-bit MIME Transport Extension",
        Text,
    ),
    s(6152, "3", "The 8bit-MIMEtransport Service Extension", Text),
    s(
        6531,
        "3.1",
        "Framework for the Internationalization Extension",
        Text,
    ),
    s(6531, "3.2", "The SMTPUTF8 Extension", Text),
    s(6531, "3.4", "MAIL Command Parameter Usage", Text),
    s(6531, "4", "IANA Considerations", Text),
    s(6532, "3", "Changes to Message Header Fields", Text),
    s(6532, "3.2", "Syntax Extensions to RFC 5322", Text),
    s(6710, "6", "IANA Considerations", Title),
    s(6838, "4.3", "Parameter Requirements", Quoted),
    s(7293, "3.3", "Enhanced Status Codes", Title),
    s(7372, "3.1", "Required Authentication", Title),
    s(7372, "3.2", "Expired Credentials", Title),
    s(7372, "3.3", "Mismatched Credentials", Title),
    s(7372, "3.4", "Signature Required", Title),
    s(7504, "3", "The 521 and 556 Reply Codes", Title),
    s(7505, "4.1", "Sending Mail", Title),
    s(7505, "4.2", "Receiving Mail", Title),
    s(8446, "5", "Record Protocol", Title),
    s(8689, "4", "REQUIRETLS Semantics", Title),
    s(8689, "5", "Non-delivery Message Handling", Title),
    s(6376, "3.5", "The DKIM-Signature Header Field", Quoted),
    s(6376, "3.6.1", "Textual Representation", Quoted),
    s(6376, "3.7", "Computing the Message Hashes", Quoted),
    s(6376, "5.4", "Determine the Header Fields to Sign", Quoted),
    s(6376, "6.1.1", "Validate the Signature Header Field", Quoted),
    s(
        6376,
        "8.2",
        "Misuse of Body Length Limits (\"l=\" Tag)",
        Quoted,
    ),
    s(
        6376,
        "8.15",
        "Attacks Involving Extra Header Fields",
        Quoted,
    ),
    s(7208, "2.4", "The \"MAIL FROM\" Identity", Quoted),
    s(7208, "3.2", "Multiple DNS Records", Quoted),
    s(7208, "4.6", "Record Evaluation", Quoted),
    s(7208, "4.6.4", "DNS Lookup Limits", Quoted),
    s(7208, "5.5", "\"ptr\" (do not use)", Quoted),
    s(7489, "6.3", "General Record Format", Quoted),
    s(7489, "6.6.1", "Extract Author Domain", Quoted),
    s(7489, "6.6.3", "Policy Discovery", Quoted),
    s(8301, "3.1", "Signing and Verification Algorithms", Quoted),
    s(8601, "2.2", "Formal Definition", Quoted),
    s(8301, "3.2", "Key Sizes", Quoted),
];

/// Lint code, the reference it carries, and the keyword of that section's text it rests on
/// (with a few words of the text).
const BASIS: &[(&str, &str, Keyword, &str)] = &[
    ("smtp.bare-lf", "RFC 5321 §2.3.8", Keyword::Must, "MUST NOT recognize or generate any other … line terminator"),
    ("smtp.reply-invalid", "RFC 5321 §4.2", Keyword::Must, "a reply is … a three-digit code, <SP>, one line of text, and <CRLF>"),
    ("smtp.line-too-long", "RFC 5321 §4.5.3.1", Keyword::Should, "Objects larger than these sizes SHOULD be avoided"),
    ("smtp.space-after-colon", "RFC 5321 §3.3", Keyword::Must, "spaces are not permitted on either side of the colon"),
    ("smtp.unknown-command", "RFC 5321 §4.2.4", Keyword::Should, "If the command is not recognized, code 500 SHOULD be returned"),
    ("smtp.path-without-brackets", "RFC 5321 §4.1.2", Keyword::Must, "Path = \"<\" [ A-d-l \":\" ] Mailbox \">\""),
    ("smtp.mailbox-invalid", "RFC 5321 §4.1.2", Keyword::Must, "Mailbox = Local-part \"@\" ( Domain / address-literal )"),
    ("smtp.syntax-invalid", "RFC 5321 §4.1.1", Keyword::Must, "the command syntax of each command"),
    ("smtp.http-request", "RFC 5321 §4.1.1", Keyword::Must, "SMTP commands are character strings terminated by <CRLF>. The commands themselves are alphabetic characters"),
    ("smtp.param-invalid", "RFC 5321 §4.1.2", Keyword::Must, "esmtp-param = esmtp-keyword [\"=\" esmtp-value]"),
    ("smtp.utf8-without-smtputf8", "RFC 6531 §3.4", Keyword::Must, "the SMTPUTF8-aware SMTP client MUST supply the SMTPUTF8 parameter"),
    ("smtp.source-route", "RFC 5321 §4.1.2", Keyword::Should, "MUST BE accepted, SHOULD NOT be generated, and SHOULD be ignored"),
    ("smtp.ehlo-invalid", "RFC 5321 §4.1.1.1", Keyword::Must, "ehlo-line = ehlo-keyword *( SP ehlo-param )"),
    ("smtp.out-of-sequence", "RFC 5321 §4.1.4", Keyword::Must, "A session that will contain mail transactions MUST first be initialized by the use of the EHLO command"),
    ("smtp.pipelining-not-offered", "RFC 5321 §4.3.1", Keyword::Must, "the sender MUST wait for this response before sending further commands"),
    ("smtp.no-quit", "RFC 5321 §4.1.1.10", Keyword::Must, "The sender MUST NOT intentionally close the transmission channel until it sends a QUIT command"),
    ("smtp.auth-without-tls", "RFC 4954 §4", Keyword::Should, "SHOULD NOT use any configuration which permits a plaintext password mechanism without such a protection"),
    ("smtp.8bit-without-8bitmime", "RFC 6152 §3", Keyword::Must, "the client SMTP must not, under any circumstances, attempt to transfer a content that contains characters outside of the US-ASCII octet range"),
    ("smtp.enhanced-code-mismatch", "RFC 2034 §4", Keyword::Must, "All status codes returned by the server must agree with the primary response code"),
    ("smtp.extension-not-offered", "RFC 5321 §2.2.1", Keyword::Must, "the server can inform the client as to the service extensions that it supports (each extension's RFC forbids the rest)"),
    ("smtp.auth-plain-malformed", "RFC 4616 §2", Keyword::Must, "message = [authzid] UTF8NUL authcid UTF8NUL passwd"),
    ("smtp.auth-payload-malformed", "RFC 4954 §4", Keyword::Must, "If the server cannot [BASE64] decode any client response, it MUST reject the AUTH command with a 501 reply"),
    ("smtp.smuggling-sequence", "RFC 5321 §4.1.1.4", Keyword::Must, "The mail data are terminated by a line containing only a period"),
    ("smtp.dot-not-stuffed", "RFC 5321 §4.5.2", Keyword::Must, "If it is a period, one additional period is inserted at the beginning of the line"),
    ("smtp.size-exceeded", "RFC 1870 §4", Keyword::Risk, "Any attempt by a client to transfer a message which is larger than this limit will be rejected with a permanent failure (552)"),
    ("smtp.bare-cr", "RFC 5321 §2.3.8", Keyword::Must, "SMTP client implementations MUST NOT transmit these characters except when they are intended as line terminators"),
    ("smtp.quit-unanswered", "RFC 5321 §4.1.1.10", Keyword::Should, "it SHOULD wait until it receives the reply"),
    ("smtp.before-greeting", "RFC 5321 §4.3.1", Keyword::Should, "The sender SHOULD wait for this greeting message before sending any commands"),
    ("smtp.path-too-long", "RFC 5321 §4.5.3.1", Keyword::Should, "Objects larger than these sizes SHOULD be avoided"),
    ("mime.encoded-word-invalid", "RFC 2047 §2", Keyword::Must, "An 'encoded-word' may not be more than 75 characters long"),
    ("mime.charset-unknown", "RFC 2046 §4.1.2", Keyword::Risk, "private charsets are allowed; a reader cannot decode one it does not know"),
    ("mime.charset-mismatch", "RFC 2046 §4.1.2", Keyword::Risk, "no keyword for text that is not in its declared charset"),
    ("mime.encoded-word-unseparated", "RFC 2047 §5", Keyword::Must, "MUST be separated from any adjacent 'encoded-word' or 'text' by 'linear-white-space'"),
    ("mime.encoded-word-in-param", "RFC 2047 §5", Keyword::Must, "An 'encoded-word' MUST NOT be used in parameter of a MIME Content-Type or Content-Disposition field"),
    ("mime.param-invalid", "RFC 2045 §5.1", Keyword::Must, "parameter := attribute \"=\" value"),
    ("mime.param-duplicate", "RFC 6838 §4.3", Keyword::Must, "It is an error for a specific parameter to be specified more than once"),
    ("mime.param-continuation-invalid", "RFC 2231 §3", Keyword::Must, "neither leading zeroes nor gaps in the sequence are allowed"),
    ("mime.param-limit", "RFC 2231 §3", Keyword::Risk, "the RFC sets no limit; this one is Mailscope's"),
    ("mime.content-type-invalid", "RFC 2045 §5.2", Keyword::Must, "the grammar of §5.1; §5.2 gives the default for an invalid field"),
    ("mime.disposition-invalid", "RFC 2183 §2", Keyword::Must, "disposition := \"Content-Disposition\" \":\" disposition-type *(\";\" disposition-parm)"),
    ("mime.address-invalid", "RFC 5322 §3.4", Keyword::Must, "All field bodies MUST conform to the syntax (§2.2)"),
    ("mime.address-obsolete", "RFC 5322 §4.4", Keyword::Obsolete, "obsolete addressing that receivers must accept"),
    ("mime.date-invalid", "RFC 5322 §3.3", Keyword::Must, "A date-time specification MUST be semantically valid"),
    ("mime.date-obsolete", "RFC 5322 §4.3", Keyword::Obsolete, "obs-year, obs-zone"),
    ("mime.header-in-body", "RFC 5322 §2.1", Keyword::Risk, "the body is separated from the header section by an empty line; a header-like first line is a sign of trouble"),
    ("mime.missing-date", "RFC 5322 §3.6", Keyword::Must, "orig-date: minimum 1, maximum 1"),
    ("mime.missing-from", "RFC 5322 §3.6", Keyword::Must, "from: minimum 1, maximum 1"),
    ("mime.missing-mime-version", "RFC 2045 §4", Keyword::Must, "Messages composed in accordance with this document MUST include such a header field"),
    ("mime.8bit-header", "RFC 5322 §2.2", Keyword::Must, "All field bodies MUST conform to the syntax"),
    ("mime.header-invalid", "RFC 5322 §2.2", Keyword::Must, "A field name MUST be composed of printable US-ASCII characters"),
    ("mime.header-obsolete", "RFC 5322 §4.5", Keyword::Obsolete, "any amount of white space is allowed before the \":\""),
    ("mime.mbox-separator", "RFC 4155 §2", Keyword::Note, "the From separator line belongs to the mbox database, not the message"),
    ("mime.header-limit", "RFC 5322 §2.2", Keyword::Risk, "the RFC sets no limit; these are Mailscope's"),
    ("mime.boundary-missing-close", "RFC 2046 §5.1.1", Keyword::Must, "multipart-body := … close-delimiter"),
    ("mime.boundary-not-found", "RFC 2046 §5.1.1", Keyword::Must, "multipart-body := [preamble CRLF] dash-boundary … body-part"),
    ("mime.boundary-invalid", "RFC 2046 §5.1.1", Keyword::Must, "boundary := 0*69<bchars> bcharsnospace"),
    ("mime.base64-invalid", "RFC 2045 §6.8", Keyword::Risk, "characters not found in Table 1 must be ignored by decoding software … a warning message … might be appropriate"),
    ("mime.qp-invalid", "RFC 2045 §6.7", Keyword::Must, "Uppercase letters must be used … Encoded lines must not be longer than 76 characters"),
    ("mime.line-too-long", "RFC 5322 §2.1.1", Keyword::Must, "Each line of characters MUST be no more than 998 characters"),
    ("mime.nesting-limit", "RFC 2046 §5.1", Keyword::Risk, "the RFC sets no limit; this one is Mailscope's"),
    ("mime.part-limit", "RFC 2046 §5.1", Keyword::Risk, "the RFC sets no limit; this one is Mailscope's"),
    ("mime.filename-mismatch", "RFC 2183 §2.3", Keyword::Risk, "no rule forbids it; readers pick different names"),
    ("mime.bare-lf", "RFC 5322 §2.3", Keyword::Note, "CR and LF MUST only occur together as CRLF — on the wire; files on disk use LF"),
    ("mime.transfer-encoding-unknown", "RFC 2045 §6.1", Keyword::Risk, "x-token encodings are legal; RFC 2045 §6.4 tells readers to treat them as application/octet-stream"),
    ("mime.message-encoded", "RFC 2046 §5.2.1", Keyword::Must, "No encoding other than \"7bit\", \"8bit\", or \"binary\" is permitted"),
    ("mime.utf8-header", "RFC 6532 §3", Keyword::Risk, "messages in this format require the use of the SMTPUTF8 extension [RFC6531] to be transferred via SMTP"),
    ("mime.dsn-invalid", "RFC 3464 §2.3", Keyword::Must, "the Final-Recipient, Action and Status fields are required"),
    ("auth.dkim-syntax", "RFC 6376 §3.5", Keyword::Must, "REQUIRED in this header field: v, a, b, bh, d, h, s; h= … the From header field MUST be signed"),
    ("auth.dkim-key-syntax", "RFC 6376 §3.6.1", Keyword::Must, "key-p-tag = %x70 [FWS] \"=\" [ [FWS] base64string]; unrecognized k= values MUST be ignored… the key is unusable"),
    ("auth.dkim-l-tag", "RFC 6376 §8.2", Keyword::Risk, "the body length limit … could allow an attacker to append content to the body"),
    ("auth.dkim-header-addable", "RFC 6376 §8.15", Keyword::Risk, "an attacker could add a header field … that would not invalidate the signature"),
    ("auth.dkim-sha1", "RFC 8301 §3.1", Keyword::Must, "Signers MUST sign using rsa-sha256. Verifiers MUST NOT consider signatures using rsa-sha1 to be valid"),
    ("auth.dkim-key-too-short", "RFC 8301 §3.2", Keyword::Must, "Verifiers MUST NOT consider signatures using RSA keys of less than 1024 bits as valid signatures"),
    ("auth.dkim-weak-key", "RFC 8301 §3.2", Keyword::Should, "Signers SHOULD use RSA keys of at least 2048 bits"),
    ("auth.dkim-expired", "RFC 6376 §3.5", Keyword::Risk, "x= … Signatures MAY be considered invalid if the verification time at the Verifier is past the expiration date"),
    ("auth.dkim-testing", "RFC 6376 §3.6.1", Keyword::Note, "t=y This domain is testing DKIM. Verifiers MUST NOT treat messages from Signers in testing mode differently from unsigned email"),
    ("auth.spf-syntax", "RFC 7208 §4.6", Keyword::Must, "If there are any syntax errors anywhere in the record, check_host() returns immediately with the result \"permerror\""),
    ("auth.spf-multiple-records", "RFC 7208 §3.2", Keyword::Must, "A domain name MUST NOT have multiple records that would cause an authorization check to select more than one record"),
    ("auth.spf-lookup-limit", "RFC 7208 §4.6.4", Keyword::Must, "SPF implementations MUST limit the total number of those terms to 10 during SPF evaluation"),
    ("auth.spf-void-limit", "RFC 7208 §4.6.4", Keyword::Should, "SPF implementations SHOULD limit \"void lookups\" to two"),
    ("auth.spf-ptr", "RFC 7208 §5.5", Keyword::Should, "This mechanism SHOULD NOT be published"),
    ("auth.dmarc-multiple-from", "RFC 7489 §6.6.1", Keyword::Risk, "messages with multiple RFC5322.From addresses … Mail Receivers MAY … reject"),
    ("auth.dmarc-no-record", "RFC 7489 §6.6.3", Keyword::Note, "If the set is now empty, the Mail Receiver MUST query the DNS for a DMARC TXT record at the DNS domain matching the Organizational Domain"),
    ("auth.authres-syntax", "RFC 8601 §2.2", Keyword::Must, "authres-payload = [CFWS] authserv-id [ CFWS authres-version ] ( no-result / 1*resinfo ) [CFWS] CRLF"),
    ("auth.dmarc-syntax", "RFC 7489 §6.3", Keyword::Must, "dmarc-record = dmarc-version dmarc-sep [dmarc-request] …"),
];

/// Every `RFC n §a[, §b][-§c]` in `text`, as (RFC number, section). A bare `RFC n` or
/// `RFC n Appendix X` names no section and is not returned.
fn citations(text: &str) -> Vec<(u16, String)> {
    const JOINS: [&str; 6] = [" §", ", §", " and §", " or §", "-§", "–§"];
    let mut out = Vec::new();
    for (at, _) in text.match_indices("RFC ") {
        let rest = &text[at + 4..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let Ok(rfc) = rest[..digits].parse::<u16>() else {
            continue;
        };
        let mut tail = &rest[digits..];
        while let Some(after) = JOINS.iter().find_map(|j| tail.strip_prefix(j)) {
            let len = after
                .bytes()
                .take_while(|b| b.is_ascii_digit() || *b == b'.')
                .count();
            let section = after[..len].trim_end_matches('.');
            if !section.starts_with(|c: char| c.is_ascii_digit()) {
                break;
            }
            out.push((rfc, section.to_owned()));
            tail = &after[section.len()..];
        }
    }
    out
}

fn section(rfc: u16, section: &str) -> Option<&'static Section> {
    SECTIONS
        .iter()
        .find(|s| s.rfc == rfc && s.section == section)
}

/// Citations in `text` that are not in [`SECTIONS`], each with `whence`.
fn unknown(text: &str, whence: &str) -> Vec<String> {
    citations(text)
        .into_iter()
        .filter(|(rfc, sec)| section(*rfc, sec).is_none())
        .map(|(rfc, sec)| format!("{whence}: RFC {rfc} §{sec}"))
        .collect()
}

/// The rows of the tables of `docs/lints.md`: (code, severity, reference).
fn doc_rows() -> Vec<(String, String, String)> {
    include_str!("../../docs/lints.md")
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let code = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            if !code.contains('.') {
                return None;
            }
            Some((
                code.to_owned(),
                (*cells.get(2)?).to_owned(),
                (*cells.get(3)?).to_owned(),
            ))
        })
        .collect()
}

#[test]
fn the_citation_reader_finds_every_form() {
    assert_eq!(
        citations("RFC 5321 §4.2.1-§4.2.3; see RFC 4954 §4, §14 and RFC 2045 §6.8."),
        [
            (5321, "4.2.1".to_owned()),
            (5321, "4.2.3".to_owned()),
            (4954, "4".to_owned()),
            (4954, "14".to_owned()),
            (2045, "6.8".to_owned()),
        ]
    );
    assert_eq!(citations("RFC 3463, RFC 5321 Appendix C, RFC 822"), []);
    // A section that does not exist is caught (the full month name case of issue 18 cited a
    // real section; a made-up one must fail too).
    assert_eq!(
        unknown("full month name (RFC 5322 §4.3.9)", "x"),
        ["x: RFC 5322 §4.3.9"]
    );
    assert!(unknown("RFC 5322 §3.3", "x").is_empty());
}

#[test]
fn the_section_table_has_no_duplicates_and_no_empty_titles() {
    for (i, a) in SECTIONS.iter().enumerate() {
        assert!(!a.title.trim().is_empty(), "RFC {} §{}", a.rfc, a.section);
        for b in &SECTIONS[i + 1..] {
            assert!(
                !(a.rfc == b.rfc && a.section == b.section),
                "RFC {} §{} twice",
                a.rfc,
                a.section
            );
        }
    }
    // Every lint rests on a section whose wording was checked, not only its title.
    for (code, reference, _, _) in BASIS {
        for (rfc, sec) in citations(reference) {
            let s = section(rfc, &sec).unwrap_or_else(|| panic!("{code}: {reference}"));
            assert_ne!(
                s.checked, Title,
                "{code}: RFC {rfc} §{sec} ({}): only its title was checked",
                s.title
            );
        }
    }
}

#[test]
fn every_lint_has_the_severity_of_its_keyword() {
    let mut seen = Vec::new();
    for def in catalog() {
        let Some((_, reference, keyword, _)) = BASIS.iter().find(|b| b.0 == def.code) else {
            panic!("{}: no keyword recorded in BASIS", def.code);
        };
        assert_eq!(
            def.reference, *reference,
            "{}: the catalog cites {} but BASIS records the keyword of {}",
            def.code, def.reference, reference
        );
        assert_eq!(
            def.severity,
            keyword.severity(),
            "{}: severity {:?} against the keyword {:?} of {}",
            def.code,
            def.severity,
            keyword,
            reference
        );
        let cited = citations(def.reference);
        assert_eq!(cited.len(), 1, "{}: cite one section", def.code);
        assert!(
            unknown(def.reference, def.code).is_empty(),
            "{}: {} is not in SECTIONS",
            def.code,
            def.reference
        );
        seen.push(def.code);
    }
    for (code, ..) in BASIS {
        assert!(
            seen.contains(code),
            "BASIS lists {code}, the catalog does not"
        );
    }
}

#[test]
fn the_catalog_document_matches_the_code() {
    let rows = doc_rows();
    let mut documented: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let mut defined: Vec<&str> = catalog().map(|d| d.code).collect();
    documented.sort_unstable();
    defined.sort_unstable();
    assert_eq!(
        documented, defined,
        "docs/lints.md documents each lint once"
    );
    for def in catalog() {
        let Some(row) = rows.iter().find(|r| r.0 == def.code) else {
            continue;
        };
        assert_eq!(
            row.1,
            def.severity.as_str(),
            "{}: severity in docs",
            def.code
        );
        assert_eq!(row.2, def.reference, "{}: reference in docs", def.code);
    }
    let text = include_str!("../../docs/lints.md");
    let missing = unknown(text, "docs/lints.md");
    assert!(missing.is_empty(), "{missing:#?}");
}

/// The texts the core shows people: string literals of its sources (comments are skipped).
#[cfg(not(target_arch = "wasm32"))]
fn source_strings() -> Vec<(String, String)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut strings = Vec::new();
    for file in files {
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let name = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
            let mut quoted = line.split('"').skip(1).step_by(2);
            for s in quoted.by_ref() {
                strings.push((name.clone(), s.to_owned()));
            }
        }
    }
    strings
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_section_the_core_cites_is_in_the_table() {
    let strings = source_strings();
    assert!(
        strings.iter().any(|(_, s)| s.contains("RFC 5321 §4.2.2")),
        "the reply code table was not found"
    );
    let missing: Vec<String> = strings
        .iter()
        .flat_map(|(file, s)| unknown(s, file))
        .collect();
    assert!(
        missing.is_empty(),
        "sections cited but not in SECTIONS (read them, then add them): {missing:#?}"
    );
}
