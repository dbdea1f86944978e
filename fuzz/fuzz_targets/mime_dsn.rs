//! DSN (RFC 3464): `mime::dsn::parse_delivery_status` on a delivery-status body, and
//! `find_report` on the same body inside a `multipart/report` message. Spans inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::mime::dsn::{find_report, parse_delivery_status};
use mailscope_core::mime::parse::parse_message;

fuzz_target!(|data: &[u8]| {
    let ds = parse_delivery_status(data);
    for r in &ds.recipients {
        assert!(
            r.span.start <= r.span.end && r.span.end <= data.len(),
            "{:?}",
            r.span
        );
    }
    for l in &ds.lints {
        assert!(
            l.span.start <= l.span.end && l.span.end <= data.len(),
            "{:?}",
            l.span
        );
    }
    let mut msg = b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbounced\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n".to_vec();
    msg.extend_from_slice(data);
    msg.extend_from_slice(b"\r\n--b--\r\n");
    let parsed = parse_message(&msg);
    if let Some(report) = find_report(&parsed) {
        assert!(report.status_entity < parsed.entities.len());
        assert!(report.report_entity < parsed.entities.len());
    }
});
