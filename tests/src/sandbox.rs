//! Mail for the sandbox of `mailscope serve`, sent with a plain SMTP dialogue over loopback,
//! as any client would.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Reads one SMTP reply (all its lines) and checks its code class.
fn reply(reader: &mut BufReader<TcpStream>, want: char) -> String {
    let mut all = String::new();
    loop {
        let mut line = String::new();
        let n = reader
            .read_line(&mut line)
            .unwrap_or_else(|e| panic!("reading a reply: {e}"));
        assert!(n > 0, "connection closed; so far {all:?}");
        all.push_str(&line);
        if line.as_bytes().get(3) != Some(&b'-') {
            break;
        }
    }
    assert!(all.starts_with(want), "want a {want}xx reply, got {all:?}");
    all
}

/// Sends one message to the sandbox with a plain SMTP dialogue (RFC 5321 §3.3).
pub fn send_mail(port: u16, subject: &str) {
    let stream = TcpStream::connect(("127.0.0.1", port))
        .unwrap_or_else(|e| panic!("connect to the sandbox on {port}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("read timeout");
    let mut writer = stream.try_clone().expect("clone stream");
    let mut reader = BufReader::new(stream);
    let mut say = |line: &str, want: char, reader: &mut BufReader<TcpStream>| {
        writer
            .write_all(line.as_bytes())
            .unwrap_or_else(|e| panic!("send {line:?}: {e}"));
        reply(reader, want)
    };
    reply(&mut reader, '2');
    say("EHLO e2e.example.org\r\n", '2', &mut reader);
    say("MAIL FROM:<b@example.org>\r\n", '2', &mut reader);
    say("RCPT TO:<a@example.org>\r\n", '2', &mut reader);
    say("DATA\r\n", '3', &mut reader);
    let message = format!(
        "From: Bo <b@example.org>\r\nTo: a@example.org\r\nSubject: {subject}\r\n\
         Date: Sun, 22 Nov 2026 19:00:00 +0000\r\nMessage-ID: <e2e@example.org>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello from the e2e test.\r\n.\r\n"
    );
    say(&message, '2', &mut reader);
    say("QUIT\r\n", '2', &mut reader);
}
