//! Mailbox search (`GET /api/messages?q=`): `api::search::Query::parse` on the first line of the
//! input (total: a query or a typed error, within its byte and term limits), then the query
//! matched against the search fields of the rest read as a message. No panic, no hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::api::search::{
    Query, SearchFields, MAX_QUERY_BYTES, MAX_TERMS, MAX_TEXT_BYTES,
};
use mailscope_core::api::MessageMeta;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let (query, message) = data.split_at(split);
    let query = String::from_utf8_lossy(query);
    let Ok(q) = Query::parse(&query) else {
        return;
    };
    assert!(query.len() <= MAX_QUERY_BYTES && q.terms.len() <= MAX_TERMS);
    let meta: MessageMeta = serde_json::from_value(serde_json::json!({
        "id": 1,
        "envelope": {"from": "", "params": {"size": null, "body": null, "smtputf8": false,
            "ret": null, "envid": null, "auth": null, "other": []}, "rcpts": []},
        "headline": mailscope_core::mime::headline::Headline::read(message),
    }))
    .expect("metadata");
    let fields = SearchFields::of(&meta, message);
    assert!(fields.text.len() <= MAX_TEXT_BYTES * 4, "text bounded");
    let _ = q.matches(&fields);
});
