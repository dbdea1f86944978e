//! Content-Transfer-Encoding decoders: `codec::base64::decode` (lenient, with defects) and
//! `decode_strict`, `mime::transfer::decode_quoted_printable`. Defect spans lie inside the
//! input; output is never longer than the input allows; what the encoders make decodes back
//! exactly and without defects.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::codec::base64;
use mailscope_core::mime::transfer::{
    decode_quoted_printable, encode_quoted_printable, LineEnding,
};

fuzz_target!(|data: &[u8]| {
    let b = base64::decode(data);
    assert!(
        b.bytes.len() <= data.len() / 4 * 3 + 3,
        "{} from {}",
        b.bytes.len(),
        data.len()
    );
    for d in &b.defects {
        assert!(
            d.span.start <= d.span.end && d.span.end <= data.len(),
            "{:?}",
            d.span
        );
    }
    if let Ok(strict) = base64::decode_strict(data) {
        assert_eq!(strict, b.bytes, "strict and lenient agree on valid input");
    }
    let q = decode_quoted_printable(data);
    assert!(q.bytes.len() <= data.len());
    for d in &q.defects {
        assert!(
            d.span.start <= d.span.end && d.span.end <= data.len(),
            "{:?}",
            d.span
        );
    }
    // Round trips of the encoders.
    let encoded = base64::encode(data);
    assert_eq!(
        base64::decode_strict(encoded.as_bytes()).ok().as_deref(),
        Some(data)
    );
    let wrapped = base64::encode_wrapped(data, 76);
    let back = base64::decode(&wrapped);
    assert!(back.defects.is_empty(), "{:?}", back.defects);
    assert_eq!(back.bytes, data);
    for ending in [LineEnding::Crlf, LineEnding::Lf] {
        let qp = encode_quoted_printable(data, ending);
        let back = decode_quoted_printable(qp.as_bytes());
        assert!(back.defects.is_empty(), "{:?} in {qp:?}", back.defects);
        assert_eq!(back.bytes, data, "{qp:?}");
    }
});
