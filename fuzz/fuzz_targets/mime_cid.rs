//! RFC 2392 `cid:` URLs: `mime::cid::rewrite_cid_urls`, `content_id`, `cid_url_target`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::mime::cid::{cid_matches, content_id, rewrite_cid_urls, MAX_CID_REFERENCES};

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    // Nothing resolved: the text comes back unchanged.
    let kept = rewrite_cid_urls(&html, |_| None);
    assert_eq!(kept.text, html, "an unresolved rewrite changed the text");
    assert_eq!(kept.replaced, 0);
    // Everything resolved: each question answered is one replacement, within the limit.
    let mut asked = 0;
    let all = rewrite_cid_urls(&html, |id| {
        asked += 1;
        Some(format!("data:{}", id.len()))
    });
    assert_eq!(all.replaced, asked, "replacements != resolver answers");
    assert!(all.replaced <= MAX_CID_REFERENCES);
    // The same references are counted either way (an empty `cid:` is never resolved).
    assert_eq!(
        all.replaced + all.unresolved,
        kept.unresolved,
        "the references counted depend on the resolver"
    );
    assert_eq!(all.over_limit, kept.over_limit);
    let _ = (content_id(&html), cid_matches(&html, &html));
});
