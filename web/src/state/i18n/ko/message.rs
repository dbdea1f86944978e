//! The Message view: composer, opener, inspector (parts, headers, bodies, source, findings).

pub(super) const ENTRIES: &[(&str, &str)] = &[
    // Tabs and composer.
    ("Compose", "작성"),
    ("Inspect", "검사"),
    ("From", "보낸 사람"),
    ("To", "받는 사람"),
    ("Cc", "참조"),
    ("Subject", "제목"),
    ("Text body", "텍스트 본문"),
    ("HTML body", "HTML 본문"),
    ("Attachments", "첨부 파일"),
    ("{name} ({type}, {n} bytes)", "{name} ({type}, {n}바이트)"),
    ("Remove {name}", "{name} 제거"),
    (
        "Date: {date} · Message-ID: {id} · boundary seed {seed}",
        "Date: {date} · Message-ID: {id} · 경계 시드 {seed}",
    ),
    ("New date, ID and seed", "날짜, ID, 시드 새로 만들기"),
    ("Building…", "만드는 중…"),
    ("Produced message", "만들어진 메시지"),
    ("Cannot build: {error}", "만들 수 없습니다: {error}"),
    ("{n} bytes, {lines} lines", "{n}바이트, {lines}줄"),
    ("Download .eml", ".eml 내려받기"),
    (" encoded-word ", " encoded-word "),
    (" folded line ", " 접힌 줄 "),
    (" line end", " 줄 끝"),
    (
        "folded: this line continues the field above",
        "접힘: 이 줄은 위 필드에 이어집니다",
    ),
    ("Show all {n} lines", "{n}줄 모두 보기"),
    // Opening.
    ("drop a file (an .eml)", "파일(.eml)을 끌어다 놓으세요"),
    ("paste a message first", "먼저 메시지를 붙여 넣으세요"),
    ("Open a message", "메시지 열기"),
    ("Open an .eml file", ".eml 파일 열기"),
    (
        "or drop one anywhere in this box, or paste below.",
        "또는 이 상자 안에 끌어다 놓거나 아래에 붙여 넣으세요.",
    ),
    ("Paste a message", "메시지 붙여 넣기"),
    ("Message source", "메시지 원본"),
    ("From: …\nSubject: …\n\nBody", "From: …\nSubject: …\n\n본문"),
    (
        "Line ends typed or pasted here become CR LF.",
        "여기에 입력하거나 붙여 넣은 줄 끝은 CR LF가 됩니다.",
    ),
    ("Inspect pasted text", "붙여 넣은 텍스트 검사"),
    (
        "Reading {name}: {loaded} of {total} bytes",
        "{name} 읽는 중: {total}바이트 중 {loaded}바이트",
    ),
    (
        "The page stays usable while the message is read and parsed in the background.",
        "메시지를 백그라운드에서 읽고 파싱하는 동안에도 페이지를 계속 쓸 수 있습니다.",
    ),
    (
        "Parsing {name} ({size} bytes)…",
        "{name} 파싱 중 ({size}바이트)…",
    ),
    // Summary and part tree.
    ("Summary", "요약"),
    ("(no subject)", "(제목 없음)"),
    ("Date", "날짜"),
    ("Files", "파일"),
    (
        "{name} · bytes: {bytes} · lines: {lines} · parts: {parts} · findings: {findings}",
        "{name} · 바이트: {bytes} · 줄: {lines} · 파트: {parts} · 발견 사항: {findings}",
    ),
    ("Parts", "파트"),
    ("message", "메시지"),
    ("(unclosed)", "(닫히지 않음)"),
    // Headers and encoded-words.
    ("Message header", "메시지 헤더"),
    ("Header of part {section}", "파트 {section}의 헤더"),
    (
        "No header fields (the defaults of RFC 2045 apply).",
        "헤더 필드가 없습니다 (RFC 2045 기본값이 적용됩니다).",
    ),
    ("Field", "필드"),
    ("Raw", "원본"),
    ("Decoded", "디코딩 결과"),
    ("Encoded-words explained: {n}", "encoded-word 설명: {n}개"),
    ("B: base64 (RFC 2047 §4.1)", "B: base64 (RFC 2047 §4.1)"),
    (
        "Q: quoted-printable, _ is a space (RFC 2047 §4.2)",
        "Q: quoted-printable, _는 공백 (RFC 2047 §4.2)",
    ),
    (
        "unknown encoding (RFC 2047 §4)",
        "알 수 없는 인코딩 (RFC 2047 §4)",
    ),
    ("Charset: ", "문자 집합: "),
    (" (language {l}, RFC 2231 §5)", " (언어 {l}, RFC 2231 §5)"),
    ("Encoding: ", "인코딩: "),
    ("Encoded text: ", "인코딩된 텍스트: "),
    ("Bytes ({n}): ", "바이트 ({n}): "),
    ("Text: ", "텍스트: "),
    (
        " (not decoded: left as written)",
        " (디코딩하지 않음: 쓰인 그대로 둠)",
    ),
    (
        " (whitespace before it dropped: adjacent encoded-words, RFC 2047 §6.2)",
        " (앞의 공백 제거: 인접한 encoded-word, RFC 2047 §6.2)",
    ),
    // Bodies.
    ("Body", "본문"),
    ("Body: {type}", "본문: {type}"),
    (
        "Parts in this container: {n}. Pick one in the tree.",
        "이 컨테이너의 파트: {n}개. 트리에서 하나를 고르세요.",
    ),
    ("Body of {part}", "{part}의 본문"),
    (
        "{n} bytes decoded from {cte} ({m} bytes)",
        "{cte}({m}바이트)에서 디코딩한 {n}바이트",
    ),
    ("Content", "내용"),
    ("Hex", "16진수"),
    ("Download {name}", "{name} 내려받기"),
    (
        "Show more ({shown} of {n} bytes shown)",
        "더 보기 ({n}바이트 중 {shown}바이트 표시)",
    ),
    ("HTML of {part}", "{part}의 HTML"),
    (
        "Shown in a sandbox: no scripts, no remote images or styles.",
        "샌드박스에서 표시합니다: 스크립트, 원격 이미지와 스타일은 막습니다.",
    ),
    (
        "Inline parts (cid:) shown from this message: {n}.",
        "이 메시지에서 가져와 표시한 인라인 파트(cid:): {n}개.",
    ),
    (
        "cid: references that name no part of this message: {n}.",
        "이 메시지에 없는 파트를 가리키는 cid: 참조: {n}개.",
    ),
    (
        "Remote images or styles blocked: {n}.",
        "막은 원격 이미지나 스타일: {n}개.",
    ),
    ("Show more text", "텍스트 더 보기"),
    (
        "{n} bytes of {type}: see the Hex tab or download it.",
        "{type} {n}바이트: 16진수 탭에서 보거나 내려받으세요.",
    ),
    ("image part", "이미지 파트"),
    // Source.
    ("Raw source", "원본 소스"),
    ("Source", "소스"),
    ("lines {a}–{b} of {n}", "{n}줄 중 {a}–{b}줄"),
    ("First", "처음"),
    ("Previous", "이전"),
    ("Next", "다음"),
    ("Last", "마지막"),
    (
        "selected: bytes {a}–{b} ({n} bytes)",
        "선택: {a}–{b}바이트 ({n}바이트)",
    ),
    // Findings and DSN.
    ("Findings", "발견 사항"),
    ("Findings ({n})", "발견 사항 ({n})"),
    ("None.", "없음."),
    (
        " — {reference}, bytes {a}–{b}",
        " — {reference}, {a}–{b}바이트",
    ),
    (", part {section}", ", 파트 {section}"),
    ("{n} more not shown.", "{n}개 더 있음 (표시 안 함)."),
    ("Delivery status", "배달 상태"),
    (
        "Delivery status notification (RFC 3464)",
        "배달 상태 알림 (RFC 3464)",
    ),
];
