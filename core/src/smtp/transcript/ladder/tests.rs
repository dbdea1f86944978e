use super::*;
use crate::smtp::transcript::{annotate, Transcript};

fn shape(l: &Ladder) -> Vec<(Direction, usize, Option<usize>)> {
    l.arrows
        .iter()
        .map(|a| (a.direction, a.entries.len(), a.round_trip))
        .collect()
}

const PLAIN: &str = "S: 220 mx ESMTP\nC: EHLO c\nS: 250-mx\nS: 250 PIPELINING\n\
C: MAIL FROM:<a@example.org>\nS: 250 ok\nC: RCPT TO:<b@example.org>\nS: 250 ok\n\
C: DATA\nS: 354 go\nC: Subject: x\nC: \nC: hi\nC: .\nS: 250 queued\nC: QUIT\nS: 221 bye\n";

#[test]
fn without_pipelining_every_command_is_a_round_trip() {
    let a = annotate(PLAIN.as_bytes());
    let l = Ladder::inferred(&a);
    assert!(!l.writes_known);
    // Greeting, then EHLO, MAIL, RCPT, DATA, message, QUIT: six round trips.
    assert_eq!(l.round_trips.len(), 6, "{:?}", shape(&l));
    assert_eq!(l.saved_by_pipelining, 0);
    assert_eq!(
        l.arrows[0].round_trip, None,
        "the greeting is not a round trip"
    );
    assert!(l.round_trips.iter().all(|r| !r.pipelined()));
    assert!(l.round_trips.iter().all(|r| r.elapsed_ms.is_none()));
    assert_eq!(l.tls_from, None);
    // The message content is its own write after the 354, carrying no command.
    let message = &l.arrows[l.round_trips[4].first];
    assert_eq!(message.commands, 0);
    assert_eq!(
        a.entries[message.entries[0]].parsed,
        Parsed::Message {
            octets: 21,
            lines: 4,
            terminated: true
        }
    );
}

#[test]
fn a_pipelined_group_is_one_round_trip_and_saves_the_rest() {
    let text = "S: 220 mx ESMTP\nC: EHLO c\nS: 250-mx\nS: 250 PIPELINING\n\
C: MAIL FROM:<a@example.org>\nC: RCPT TO:<b@example.org>\nC: RCPT TO:<c@example.org>\nC: DATA\n\
S: 250 ok\nS: 250 ok\nS: 550 no\nS: 354 go\nC: hi\nC: .\nS: 250 queued\nC: QUIT\nS: 221 bye\n";
    let a = annotate(text.as_bytes());
    let l = Ladder::inferred(&a);
    assert_eq!(l.round_trips.len(), 4, "EHLO, group, message, QUIT");
    let group = l.round_trips[1];
    assert!(group.pipelined());
    assert_eq!(group.commands, 4);
    assert_eq!(group.saved(), 3);
    assert_eq!(l.saved_by_pipelining, 3);
    // One client write carrying four commands, then four server replies.
    assert_eq!(l.arrows[group.first].entries.len(), 4);
    assert_eq!(group.last - group.first, 4);
    assert!(l.arrows[group.first].span.start < l.arrows[group.first].span.end);
}

#[test]
fn starttls_marks_the_boundary_after_the_220() {
    let text = "S: 220 mx ESMTP\nC: EHLO c\nS: 250 STARTTLS\nC: STARTTLS\nS: 220 go ahead\n\
C: EHLO c\nS: 250 mx\nC: QUIT\nS: 221 bye\n";
    let l = Ladder::inferred(&annotate(text.as_bytes()));
    assert_eq!(l.tls_from, Some(5), "the EHLO after the 220");
    assert!(l.arrows[..5].iter().all(|a| !a.tls));
    assert!(l.arrows[5..].iter().all(|a| a.tls));
    assert_eq!(l.round_trips.len(), 4);
    // Refused: no boundary.
    let refused = "S: 220 mx\nC: STARTTLS\nS: 454 not now\nC: QUIT\nS: 221 bye\n";
    assert_eq!(
        Ladder::inferred(&annotate(refused.as_bytes())).tls_from,
        None
    );
    // swaks marks the lines inside TLS itself.
    let swaks = "<-  220 mx\n -> EHLO c\n<-  250 STARTTLS\n -> STARTTLS\n<-  220 go\n\
=== TLS started\n ~> EHLO c\n<~  250 mx\n";
    let l = Ladder::inferred(&annotate(swaks.as_bytes()));
    assert_eq!(l.tls_from, Some(5));
}

#[test]
fn bdat_chunk_and_its_command_are_one_write() {
    let text = "S: 220 mx\nC: EHLO c\nS: 250-mx\nS: 250 CHUNKING\nC: MAIL FROM:<a@example.org>\n\
S: 250 ok\nC: RCPT TO:<b@example.org>\nS: 250 ok\nC: BDAT 4 LAST\nC: hi\nS: 250 queued\n\
C: QUIT\nS: 221 bye\n";
    let a = annotate(text.as_bytes());
    let l = Ladder::inferred(&a);
    let bdat = l
        .arrows
        .iter()
        .find(|arrow| {
            arrow
                .entries
                .iter()
                .any(|&i| matches!(a.entries[i].parsed, Parsed::Chunk { .. }))
        })
        .expect("a chunk");
    assert_eq!(bdat.entries.len(), 2, "BDAT and its data: {:?}", shape(&l));
    assert_eq!(bdat.commands, 1, "chunk data is not a command");
    assert_eq!(l.round_trips.len(), 5);
    assert_eq!(l.saved_by_pipelining, 0);
}

#[test]
fn known_writes_give_one_arrow_each_with_times() {
    // A live session: EHLO, the greeting and EHLO reply in one read, a pipelined group
    // written at once, its replies in two reads (one reply split across them).
    let writes: [(&str, Direction, u64); 6] = [
        ("EHLO c\r\n", Direction::Client, 0),
        (
            "220 mx\r\n250-mx\r\n250 PIPELINING\r\n",
            Direction::Server,
            40,
        ),
        (
            "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n",
            Direction::Client,
            50,
        ),
        ("250 ok\r\n25", Direction::Server, 90),
        ("0 ok\r\n", Direction::Server, 95),
        ("QUIT\r\n", Direction::Client, 100),
    ];
    let mut wire = Vec::new();
    let mut spans = Vec::new();
    for (text, direction, at) in writes {
        let start = wire.len();
        wire.extend_from_slice(text.as_bytes());
        spans.push(Write {
            direction,
            span: Span::new(start, wire.len()),
            at_ms: Some(at),
        });
    }
    let mut t = Transcript::parse_as(&wire, crate::smtp::transcript::Format::Raw);
    t.open = true;
    let a = t.annotate();
    let l = Ladder::from_writes(&a, &spans);
    assert!(l.writes_known);
    assert_eq!(l.arrows.len(), 6, "one arrow per write");
    assert_eq!(l.round_trips.len(), 2, "the unanswered QUIT is not one yet");
    assert_eq!(l.round_trips[0].elapsed_ms, Some(40));
    assert_eq!(l.round_trips[1].elapsed_ms, Some(45));
    assert_eq!(l.round_trips[1].commands, 2);
    assert_eq!(l.saved_by_pipelining, 1);
    assert_eq!(l.arrows[5].round_trip, None);
    assert_eq!(l.arrows[1].entries.len(), 2, "greeting and EHLO reply");
    assert_eq!(l.arrow_of(l.arrows[2].entries[1]), Some(2));
}

#[test]
fn an_empty_dialogue_has_an_empty_ladder() {
    let l = Ladder::inferred(&annotate(b""));
    assert_eq!(l, Ladder::default());
    let only_greeting = Ladder::inferred(&annotate(b"S: 220 mx\n"));
    assert_eq!(only_greeting.arrows.len(), 1);
    assert!(only_greeting.round_trips.is_empty());
}
