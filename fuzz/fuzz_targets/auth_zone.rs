//! RFC 1035 master files (`mailscope auth --records`): `auth::zone::Zone::parse`; every record
//! read is answered back for its own name. No panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::auth::zone::Zone;
use mailscope_core::auth::{Query, Record, RecordType};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(zone) = Zone::parse(text) {
        for (name, record) in zone.records().take(50) {
            let rtype = match record {
                Record::A(_) => RecordType::A,
                Record::Aaaa(_) => RecordType::Aaaa,
                Record::Mx { .. } => RecordType::Mx,
                Record::Txt(_) => RecordType::Txt,
                Record::Ptr(_) => RecordType::Ptr,
            };
            let answer = zone.answer(&Query::new(name, rtype));
            assert!(
                answer.records().contains(record),
                "{name} {record}: {answer:?}"
            );
        }
    }
});
