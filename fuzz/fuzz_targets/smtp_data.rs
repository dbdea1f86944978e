//! `smtp::data::DataReceiver` fed the same bytes whole and in a chunking chosen by the input:
//! no panic, and the outcome (where the data ends, the message, the findings) must not depend
//! on how the bytes were split. Also the BDAT receiver and the DATA helpers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::smtp::data::{
    dot_stuff, dot_unstuff, encode_data, lint_data, normalize_crlf, BdatReceiver, DataReceiver,
    Feed,
};

/// Feeds `data` in chunks of the given sizes (cycled); returns bytes consumed and the result.
fn run(
    data: &[u8],
    max: usize,
    sizes: &[u8],
) -> (Option<usize>, mailscope_core::smtp::data::ReceivedData) {
    let mut rx = DataReceiver::new(max);
    let mut offset = 0;
    let mut end = None;
    let mut i = 0;
    while offset < data.len() {
        let size = sizes
            .get(i % sizes.len().max(1))
            .map_or(data.len(), |&s| usize::from(s) + 1);
        i += 1;
        let chunk = &data[offset..data.len().min(offset + size)];
        match rx.feed(chunk) {
            Feed::NeedMore => offset += chunk.len(),
            Feed::Complete { consumed } => {
                assert!(
                    consumed <= chunk.len(),
                    "consumed {consumed} of a {}-byte chunk",
                    chunk.len()
                );
                end = Some(offset + consumed);
                break;
            }
        }
    }
    assert_eq!(rx.is_complete(), end.is_some());
    (end, rx.finish())
}

fuzz_target!(|input: &[u8]| {
    let Some((&n, rest)) = input.split_first() else {
        return;
    };
    let n = usize::from(n % 16);
    let (sizes, data) = rest.split_at(n.min(rest.len()));
    let max = if sizes.first().is_some_and(|s| s & 1 == 1) {
        64
    } else {
        1 << 20
    };
    let whole = run(data, max, &[]);
    let chunked = run(data, max, sizes);
    assert_eq!(whole, chunked, "chunking {sizes:?} changed the outcome");

    // Stuffing then receiving gives the message back (after CRLF normalisation).
    let encoded = encode_data(data);
    let mut expected = normalize_crlf(data).bytes;
    if encoded.added_final_crlf {
        expected.extend_from_slice(b"\r\n");
    }
    let (end, received) = run(&encoded.wire, usize::MAX, sizes);
    assert_eq!(
        end,
        Some(encoded.wire.len()),
        "the terminator ends the encoded data"
    );
    assert_eq!(received.body, expected, "DATA round trip");
    let _ = lint_data(data);
    let _ = (dot_unstuff(data), dot_stuff(data));

    let mut bdat = BdatReceiver::new(max);
    let mut offset = 0;
    for (i, &s) in sizes.iter().enumerate() {
        let last = i + 1 == sizes.len();
        bdat.begin_chunk(u64::from(s), last);
        while bdat.remaining() > 0 && offset < data.len() {
            let used = bdat.feed(&data[offset..]);
            assert!(used <= data.len() - offset);
            if used == 0 {
                break;
            }
            offset += used;
        }
    }
    let _ = (bdat.size(), bdat.size_exceeded(), bdat.is_last());
    let _ = bdat.finish();
});
