//! English lesson text. Keep it in step with [`crate::state::learn::script::LESSONS`]: same order, same
//! number of steps (a test checks both).

use super::{LessonText, StepText};

const fn s(title: &'static str, body: &'static str) -> StepText {
    StepText { title, body }
}

/// Every lesson's words, in [`crate::state::learn::script::LESSONS`] order.
pub static TEXT: [LessonText; 14] = [
    LessonText {
        id: "classic",
        title: "The classic dialogue",
        summary: "HELO, MAIL, two RCPTs, DATA and QUIT: the mail transaction every server understands.",
        references: "RFC 5321 §3.1–§3.3, §3.8, §4.1.1, §4.2",
        steps: &[
            s("The server speaks first", "After the TCP connection opens, the client waits: the server greets with a `220` reply naming itself (RFC 5321 §3.1). A `554` here would mean \"go away\"; the client should then QUIT."),
            s("HELO: who is calling", "The client names itself with `HELO client.example` (RFC 5321 §4.1.1.1). `HELO` is the old greeting; `EHLO` asks for the extension list too (lesson 5). The server answers `250`."),
            s("MAIL: the envelope sender", "`MAIL FROM:<alice@example.org>` starts a transaction and gives the reverse-path: where bounces go (§4.1.1.2). It is the envelope, not the `From:` header inside the message — the two can differ."),
            s("RCPT, once per recipient", "Each `RCPT TO:<…>` adds one forward-path (§4.1.1.3) and gets its own reply, so the server can accept Bob and refuse Carol. Here both get `250`. The `To:` and `Cc:` headers play no part in delivery; Bcc works exactly because of this."),
            s("DATA and the message", "`DATA` (§4.1.1.4) gets `354`: \"send the message\". The client sends headers, a blank line, the body, and ends with a line holding a single dot (`CRLF.CRLF`). The `250` after the dot is the moment the server takes responsibility for the message (§6.1)."),
            s("QUIT", "`QUIT` (§4.1.1.10) gets `221` and the server closes the connection (§3.8). Press Try it: the transcript below shows every byte both sides wrote, with the core's explanation of each reply code."),
        ],
    },
    LessonText {
        id: "by-hand",
        title: "Typing a session by hand",
        summary: "telnet, nc and openssl s_client: CRLF, the lone dot, and why bare LF is dangerous (SMTP smuggling).",
        references: "RFC 5321 §2.3.8, §4.1.1.4, §4.5.2; RFC 3207",
        steps: &[
            s("Open a connection", "`telnet mx.example.org 25` or `nc -C mx.example.org 25` (`-C` sends CRLF) gives you a raw SMTP line. For TLS: `openssl s_client -connect host:465 -crlf -quiet` or `openssl s_client -starttls smtp -connect host:587 -crlf`. Every SMTP line ends in CR LF (RFC 5321 §2.3.8); the transcript shows them as CR and LF badges.\n\nWith openssl s_client, a line starting with `R` or `Q` may be taken as a command (renegotiate, quit) in interactive mode: type `rcpt to:` in lower case or use `-quiet`/`-nocommands`."),
            s("The envelope, typed", "Type `MAIL FROM:<alice@example.org>`, `RCPT TO:<bob@example.net>`, `DATA`, each followed by Enter. Verbs are case-insensitive; the angle brackets are required and there is no space after the colon (§4.1.2)."),
            s("The lone dot", "After `354`, type the message. A line with only `.` ends it (§4.1.1.4). If a line of your message starts with a dot, the client must double it (dot-stuffing, §4.5.2, lesson 9) — by hand that is your job."),
            s("Bare LF: SMTP smuggling", "RFC 5321 requires `CRLF.CRLF` to end the data and warns that bare CR or LF cause trouble (§2.3.8). Some servers also accept `LF.LF`. If the sending server passes a bare-LF sequence through and the receiving server reads it as the end of data, the rest becomes a second, forged message — SMTP smuggling (2023, CVE-2023-51764/51765/51766).\n\nThe try-it sends `Subject: smuggled?` LF `.` LF `MAIL FROM:<mallory@…>` inside DATA. The in-browser server is set to refuse bare line endings, so the message is refused with `554` and nothing is smuggled; the core flags `smtp.bare-lf`."),
            s("QUIT", "Type `QUIT` and the server says `221`. Typing sessions by hand is the best way to see a server's real behaviour — and every byte you type is exactly what the transcript below shows."),
        ],
    },
    LessonText {
        id: "socket",
        title: "What a socket client does",
        summary: "connect, read the greeting, write a line, read a (multi-line) reply: the loop inside every SMTP client.",
        references: "RFC 5321 §2.3.7, §3.1, §4.2, §4.5.3.2",
        steps: &[
            s("connect() and read()", "The client opens a TCP connection and then reads, because the server speaks first (§3.1). One `read()` may return part of a line or several lines: the client buffers bytes until it has a whole CRLF-terminated line. The panel counts each write on the wire."),
            s("write() a line, read the reply", "The client writes `EHLO client.example` CRLF in one `write()` and reads again. The EHLO reply is multi-line: every line but the last has a hyphen after the code (`250-PIPELINING`), the last a space (`250 HELP`) (§4.2.1). The client keeps reading until it sees that last line."),
            s("Lock-step", "Without pipelining, each command is one round trip: write, then wait for the complete reply. A client must not read the reply code from the first three bytes of whatever arrives; it must parse lines (§4.2). Servers may also wait — timeouts are minutes, not seconds (§4.5.3.2: 5 minutes for MAIL and RCPT, 10 for the end of data)."),
            s("Close", "`QUIT`, read `221`, then close the socket. A client that just drops the connection leaves the server to time out; the core flags that as `smtp.no-quit` when reading a transcript."),
        ],
    },
    LessonText {
        id: "mx-ports",
        title: "MX lookup and ports 25, 587, 465",
        summary: "How mail finds a server, why port 25 is blocked on your laptop, and MSA vs MTA.",
        references: "RFC 5321 §5.1; RFC 7505; RFC 6409; RFC 8314; RFC 5068",
        steps: &[
            s("MX records", "To deliver to `bob@example.net`, an MTA looks up the MX records of `example.net` and tries them by preference, lowest number first (RFC 5321 §5.1). With no MX at all, the domain's own address records are used: the implicit MX. A null MX (`MX 0 .`, RFC 7505) says the domain takes no mail.\n\n`mailscope mx example.net` prints the list, and the Session view can connect to a domain through the relay."),
            s("Three ports", "Port 25 is MTA to MTA relay: servers delivering to the recipient's domain, no login. Port 587 is submission (RFC 6409): your mail client hands mail to its own provider's MSA, which requires AUTH and then relays it. Port 465 is submission with implicit TLS — TLS from the first byte (RFC 8314 §3, which prefers it over STARTTLS).\n\nMany ISPs and clouds block outbound port 25 from ordinary hosts (RFC 5068 recommends it), because infected machines sent spam directly to MX servers. So from a laptop, connect to 587 or 465 of your provider."),
            s("An MSA wants AUTH", "The try-it sets the in-browser server to behave like a submission server: `MAIL` before `AUTH` gets `530 5.7.0 Authentication required` (RFC 4954 §6)."),
            s("After AUTH", "After `AUTH PLAIN` succeeds (`235`), the same `MAIL` is accepted. On port 25 the receiving MTA instead accepts mail for its own domains without AUTH and refuses to relay for others (`554 5.7.1 Relay access denied` in Postfix)."),
        ],
    },
    LessonText {
        id: "ehlo",
        title: "EHLO and extensions",
        summary: "The capability list a server returns and what each keyword lets a client do.",
        references: "RFC 5321 §2.2, §4.1.1.1; RFC 1870; RFC 2920; RFC 6152; RFC 3207; RFC 4954",
        steps: &[
            s("EHLO", "`EHLO` is HELO plus \"tell me what you support\" (RFC 5321 §4.1.1.1). The first line of the `250` reply greets; each following line is one extension keyword with its parameters (§2.2). The panel lists what the core reads from the reply."),
            s("Using an extension", "A client may use an extension only if the server listed it. `SIZE=2048` (RFC 1870) announces the message size so a server can refuse early; `BODY=8BITMIME` (RFC 6152) says the body has 8-bit bytes. Sending them to a server that did not offer them is an error."),
            s("Done", "`QUIT`. If `EHLO` gets a `5xx` (very old servers), the client falls back to `HELO` and uses no extensions."),
        ],
    },
    LessonText {
        id: "starttls",
        title: "STARTTLS",
        summary: "Upgrading a plain connection to TLS, saying EHLO again, and why bytes after STARTTLS are refused.",
        references: "RFC 3207 §4, §4.2, §6; RFC 8314",
        steps: &[
            s("Offered in EHLO", "Before TLS the server lists `STARTTLS` among its extensions (RFC 3207 §4). There is no AUTH line: like many servers, this one is set to offer AUTH only inside TLS, so passwords never travel in the clear."),
            s("STARTTLS and 220", "The client sends `STARTTLS` and waits for `220 2.0.0 Ready to start TLS`; then both sides run the TLS handshake on the same TCP connection. (Here the handshake is simulated; through the relay it is real TLS.)"),
            s("EHLO again", "After the handshake the SMTP session starts over: the client must forget what it learned and should send `EHLO` again (RFC 3207 §4.2). The list may now differ: here AUTH appears and STARTTLS is gone."),
            s("Nothing may ride along", "A client that sends `STARTTLS` and more commands in the same write is asking for trouble: those bytes were sent in plaintext, and a server that kept them and ran them after the handshake would let an attacker inject commands into the TLS session (CVE-2011-0411). A correct server refuses: the in-browser server answers `554 5.5.1 Error: command pipelining after STARTTLS`, as Postfix does, and starts no TLS. The try-it sends `STARTTLS` CRLF `MAIL FROM:<mallory@…>` in one write."),
        ],
    },
    LessonText {
        id: "auth",
        title: "AUTH PLAIN, LOGIN and CRAM-MD5",
        summary: "The SASL exchanges with the base64 decoded: what really crosses the wire.",
        references: "RFC 4954; RFC 4616 §2; RFC 2195; RFC 4648 §4",
        steps: &[
            s("PLAIN", "`AUTH PLAIN <base64>` (RFC 4954, RFC 4616 §2) carries authorization id, NUL, user, NUL, password in base64 — an encoding, not encryption. `AGFsaWNlAHdvbmRlcmxhbmQ=` is NUL `alice` NUL `wonderland`. Success is `235 2.7.0`; failure `535 5.7.8`. Only use it inside TLS: the core flags `smtp.auth-without-tls` here."),
            s("LOGIN", "LOGIN is not an RFC but is widely used: the server sends `334 VXNlcm5hbWU6` (base64 for `Username:`), the client answers with the base64 user name, then `334 UGFzc3dvcmQ6` (`Password:`) and the base64 password. Same secrecy as PLAIN: none without TLS."),
            s("CRAM-MD5", "The server sends a base64 challenge like `<1896.697170952@host>`; the client answers base64 of `user` SP hex HMAC-MD5(password, challenge) (RFC 2195). The password never crosses the wire, but the server must store it in a recoverable form and MD5 is weak: prefer PLAIN over TLS."),
            s("Finish", "`QUIT`. Each step above opened its own connection, because a session can authenticate only once (RFC 4954 §4: AUTH after success gets `503`)."),
        ],
    },
    LessonText {
        id: "pipelining",
        title: "Pipelining and round trips",
        summary: "Sending MAIL, RCPT and DATA in one write and reading the replies in order.",
        references: "RFC 2920 §3, §3.1; RFC 5321 §4.3.2",
        steps: &[
            s("Lock-step costs round trips", "Without pipelining every command waits for its reply: EHLO, MAIL, RCPT, DATA, the message and QUIT are six round trips. On a 100 ms link that is over half a second of waiting. The panel counts them."),
            s("One write, many commands", "If EHLO lists `PIPELINING` (RFC 2920), the client may send `MAIL`, the `RCPT`s and `DATA` in one write and then read the replies, which come back in order (§3.1). Commands that change the dialogue — EHLO, DATA, QUIT and others — must be the last of a group. One recipient here is refused with `550` while the others go on: the client must check every reply, not just the last."),
            s("Then the message", "`354` came because at least one recipient was accepted. The message and `QUIT` follow. Three round trips were saved; on a busy MTA that matters more than anything else in the protocol."),
        ],
    },
    LessonText {
        id: "dot-stuffing",
        title: "Dot-stuffing",
        summary: "How a message can contain a line with a single dot.",
        references: "RFC 5321 §4.5.2, §4.1.1.4",
        steps: &[
            s("The rule", "The data ends at a line holding just `.`, so what if the message has one? Before sending, the client adds a dot to every line that starts with a dot; the server removes the first dot of every such line (RFC 5321 §4.5.2). The panel shows the core's transform: `.` becomes `..`, `..two dots` becomes `...two dots`, and the end `.` CRLF is added."),
            s("On the wire", "Try it sends the same text through the session. In the transcript the message body shows the doubled dots; the server read it back unstuffed and accepted one message. A client that forgets stuffing ends the message early — the core flags `smtp.dot-not-stuffed`."),
        ],
    },
    LessonText {
        id: "transactions",
        title: "Several transactions in one session",
        summary: "Sending more than one message per connection, and RSET to abandon one.",
        references: "RFC 5321 §3.3, §4.1.1.5, §4.1.4",
        steps: &[
            s("First message", "After the `250` for the end of data, the transaction is over but the session is not: the client may start another with `MAIL` (RFC 5321 §3.3). MTAs reuse connections this way for queued mail to the same server."),
            s("RSET", "`RSET` (§4.1.1.5) throws away the current transaction — sender, recipients, data — and answers `250`; the session stays open and greeted. Here the client changes its mind after `RCPT TO:<carol@…>`."),
            s("Second message", "A fresh `MAIL` starts the next transaction. The server accepted two messages on one connection; Carol's was never sent."),
        ],
    },
    LessonText {
        id: "errors",
        title: "Error replies and bounces",
        summary: "550 5.1.1, 451 greylisting, 452, 421, 552 and 554 — and the DSN the sender gets.",
        references: "RFC 5321 §4.2.1, §4.2.5, §6.1; RFC 3463; RFC 1870 §6; RFC 3464",
        steps: &[
            s("Unknown user: 550 5.1.1", "The first digit decides: `2` done, `3` go on, `4` transient — try later, `5` permanent — do not retry (RFC 5321 §4.2.1). `550 5.1.1` is \"bad destination mailbox\" (enhanced code, RFC 3463 §3.2). The in-browser server refuses `unknown@sandbox.test` by a recipient rule (see the Session view's server settings), as the sandbox of `mailscope serve` does."),
            s("Transient: 451 and 452", "`451 4.7.1` is greylisting: the server refuses a first attempt from an unknown sender and expects a real MTA to retry minutes later. `452 4.2.2` is a full mailbox. Both are 4xx: the sending MTA keeps the message in its queue and retries, typically for up to 4–5 days (§4.5.4.1)."),
            s("Busy: 421", "`421` in the greeting (or any time) means the server is shutting down or overloaded and closes the connection (§3.8). The client tries another MX or later."),
            s("Size: 552", "The server advertises `SIZE 1000` (RFC 1870). A `MAIL FROM` announcing `SIZE=50000` is refused at once with `552 5.3.4` before any data is sent (RFC 1870 §6)."),
            s("Policy: 554 after the data", "A content filter can refuse the whole message at the end of data with `554` (here `5.6.0`); policy refusals usually carry `5.7.x` codes (RFC 3463 §3.8). The refusal came while the sender was still connected, so no mail was lost: the sending side knows."),
            s("The bounce", "Who tells Alice? If an MTA refuses a recipient during the session, the MTA that tried to deliver — usually Alice's provider — writes the bounce. If a server accepted with `250` and fails later, it must send one itself (RFC 5321 §6.1). Bounces go to the envelope sender with an empty reverse-path `MAIL FROM:<>` so they never bounce back (§4.5.5). Their machine-readable part is `message/delivery-status` (RFC 3464): the panel shows the core reading one, one block per recipient with Action, Status and Diagnostic-Code."),
        ],
    },
    LessonText {
        id: "mime",
        title: "MIME: parts, boundaries, base64 and encoded-words",
        summary: "multipart/mixed vs alternative, boundary lines, base64 bodies and =?EUC-KR?B?…?= headers.",
        references: "RFC 2045 §6; RFC 2046 §5.1; RFC 2047 §2–§4; RFC 2231",
        steps: &[
            s("Multipart: mixed and alternative", "A MIME message declares `Content-Type: multipart/…; boundary=\"…\"` (RFC 2046 §5.1). `multipart/mixed` (§5.1.3) holds different things in order: text, then attachments. `multipart/alternative` (§5.1.4) holds the same content in several forms, plain text first and the richest (HTML) last; the reader shows the last one it understands. A typical mail is mixed, containing alternative and the attachments."),
            s("Boundaries", "Each part starts after a line `--` + boundary, and the last part is followed by `--` + boundary + `--` (RFC 2046 §5.1.1). The boundary must not occur in any part, which is why builders pick long random strings. Each part has its own headers, a blank line, and its body."),
            s("Encoded-words in headers", "Headers are ASCII, so a non-ASCII Subject is written as encoded-words: `=?charset?B?base64?=` or `=?charset?Q?…?=` (RFC 2047 §2–§4). Decoding `=?EUC-KR?B?vsiz58fPvLy/5C4=?=`: the charset is EUC-KR, B means base64, the base64 gives the bytes shown, and those bytes read as EUC-KR are the text. The panel is the core doing each step. Legacy Korean mail often uses EUC-KR or CP949; attachment names use RFC 2231 `filename*=`."),
            s("Send one", "Try it sends a message built by the core: multipart/mixed with a UTF-8 text part, a Korean subject as encoded-words, and an attachment in base64 (RFC 2045 §6.8: 76-character lines, 3 bytes to 4 characters). Open the transcript's message entry to see the boundaries; paste it in the Message view to inspect the part tree."),
        ],
    },
    LessonText {
        id: "dkim",
        title: "DKIM: sign, verify, break it with one byte",
        summary: "A DKIM-Signature tag by tag, the verifier's steps, and the one-byte edits that fail the body hash or the signature.",
        references: "RFC 6376 §3.4–§3.7, §5, §6.1, §8.15; RFC 8463 §3, §4, §A.1–§A.3; RFC 8601 §2.7.1",
        steps: &[
            s("The signer adds one field", "A DKIM signer (RFC 6376 §5), usually the sending domain's outgoing server, hashes the body, picks the header fields to sign and puts one `DKIM-Signature` field on top of the message. The panel shows the core signing the sample message of RFC 8463 with that RFC's published test key (Appendix A; a test key, never for real mail), tag by tag (RFC 6376 §3.5).\n\n`d=` names the domain that takes responsibility and `s=` the selector: together they say where the public key is published, here `brisbane._domainkey.football.example.com` (§3.6.2.1). `bh=` is the hash of the body; `b=` signs the header fields listed in `h=` and the DKIM-Signature itself with `b=` empty (§3.7)."),
            s("The verifier's steps: pass", "A verifier (§6) reads the tags, asks DNS for the TXT record at `s._domainkey.d` and reads its `p=` (§3.6.1; for Ed25519 the 32 bytes of the public key, RFC 8463 §4). It canonicalizes the body as `c=` says (`relaxed`: whitespace at line ends removed, runs of whitespace made one space, empty lines at the end removed, RFC 6376 §3.4.4), hashes it and compares the hash with `bh=`; then it canonicalizes the signed header fields (§3.4.2) and checks `b=` with the key (§6.1.3).\n\nHere the record is given as zone-file text, as you can paste it into the inspector's Authenticity panel, so nothing is looked up. No step fails (✓ marks each check made) and the result is `pass` (RFC 8601 §2.7.1)."),
            s("One byte of the body changed", "The same signed message, with one byte of the body changed after signing: `yet?` became `yet!`, as a gateway that rewrites text might do. The body hash the verifier computes no longer equals `bh=`, so the check stops at that step and the result is `fail`: the body hash did not verify (RFC 6376 §6.1.3). `relaxed` canonicalization forgives changes of whitespace, never of content."),
            s("One byte of a signed header changed", "Now the body is untouched (its hash matches), but one byte of the Subject changed: `ready?` became `ready!`. Subject is listed in `h=`, so the canonical header block is no longer the one that was signed and `b=` does not verify with the key (§6.1.3): `fail`.\n\nA field not listed in `h=` could change freely. That is why signers list the fields that matter, and list From, Subject and a few others once more than they occur, so that none can be added (§5.4.2, §8.15)."),
            s("Sign your own", "Open the composer in the Message view (the link in the panel), tick \"Sign with DKIM\", press \"Make a test key\" or paste your own PEM key (RSA or Ed25519), and the worker signs the message with the same core. The composer shows the TXT record to publish at `selector._domainkey.domain`; \"Check it in the inspector\" opens the signed message with that record pasted into the Authenticity panel, which says `pass`. Change one character of the record's `p=` there and check again: the result is no longer `pass`, as the key no longer matches the signature (or is no longer a key at all)."),
        ],
    },
    LessonText {
        id: "alignment",
        title: "SPF + DMARC: mail sent through a provider, aligned or not",
        summary: "A shop's newsletter sent by an email service provider: SPF passes yet DMARC fails, and the three ways to align it.",
        references: "RFC 7208 §2.4, §5.2; RFC 7489 §3.1, §3.1.1, §3.1.2, §3.2, §6.3, §6.6.2; RFC 6376 §3.5",
        steps: &[
            s("Two identities: SPF passes, DMARC fails", "A shop (`shop.example`) sends its newsletter through an email service provider (ESP). The ESP's server (`203.0.113.7`) gives its own return path, `MAIL FROM:<bounces+x7@bounces.esp.example>`, so that bounces come back to the ESP. SPF checks that envelope identity (RFC 7208 §2.4): `bounces.esp.example` includes the ESP's list (`include:`, §5.2), the address is in it, so SPF says `pass`.\n\nThe reader never sees the envelope, only `From: news@shop.example`. DMARC asks whether a check that passed is about that From domain (identifier alignment, RFC 7489 §3.1). `bounces.esp.example` and `shop.example` have different organizational domains (§3.2), there is no DKIM signature, so nothing aligned passed: DMARC `fail`, and the shop's `p=reject` asks receivers to refuse the message (§6.6.2). The panel shows every step."),
            s("A return path under the shop's domain", "The fix most providers offer: a return path under the sender's domain, delegated to the provider. The shop publishes `em.shop.example` with the same `include:` (or a CNAME the ESP manages), and the ESP sends with `MAIL FROM:<bounces@em.shop.example>`.\n\nSPF passes for `em.shop.example`. In relaxed mode, DMARC's default, an SPF-authenticated domain is aligned when its organizational domain is the From's (RFC 7489 §3.1.2): both are `shop.example`, so DMARC `pass`."),
            s("Strict alignment", "The same message, but the shop's DMARC record now says `aspf=s`: strict SPF alignment (RFC 7489 §6.3). Strict mode wants the SPF domain to be exactly the From domain (§3.1.2); `em.shop.example` is not `shop.example`, so SPF passes but does not align, and with no DKIM signature DMARC `fail`s again. Few domains need strict mode; it is why a subdomain return path stops working after someone tightens the record."),
            s("DKIM alignment: signed for the shop", "Back to the ESP's own return path (SPF passes for `bounces.esp.example`, not aligned), but now the ESP signs with the shop's key: `DKIM-Signature: d=shop.example; s=esp` (RFC 6376 §3.5), the key published at `esp._domainkey.shop.example`. The signature verifies, and its `d=` is the From domain: DKIM is aligned (RFC 7489 §3.1.1).\n\nDMARC needs one aligned check that passed, not both (§6.6.2): DMARC `pass`. A DKIM signature also survives forwarding, where SPF breaks (the forwarder's address is not in the list) — which is why providers ask senders to publish a DKIM key for their own domain. The key here is RFC 8463's published test key; sign your own in the composer."),
        ],
    },
];
