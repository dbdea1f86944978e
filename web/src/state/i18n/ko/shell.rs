//! The application shell: header, navigation, view titles.

pub(super) const ENTRIES: &[(&str, &str)] = &[
    ("Session", "세션"),
    ("Message", "메시지"),
    ("Tools", "도구"),
    ("Learn", "학습"),
    ("Mailbox", "메일함"),
    ("Views", "보기"),
    ("Language", "언어"),
    ("English", "영어"),
    ("Korean", "한국어"),
    ("Loading {language}…", "{language} 불러오는 중…"),
    ("{language} text could not be loaded: {error} — showing English", "{language} 텍스트를 불러오지 못했습니다: {error} — 영어로 표시합니다"),
    ("mailscope-core version", "mailscope-core 버전"),
    ("core v{version}", "코어 v{version}"),
    ("Compose an SMTP session and step through it line by line, against the built-in server or a real one through the relay.", "SMTP 세션을 구성하고 한 줄씩 따라가 보세요. 내장 서버나 릴레이를 거친 실제 서버를 상대로 실행합니다."),
    ("Compose a message or open an .eml file and inspect it byte by byte: the part tree, headers raw and decoded, and every defect.", "메시지를 작성하거나 .eml 파일을 열어 바이트 단위로 살펴보세요. 파트 트리, 원본과 디코딩된 헤더, 모든 결함을 보여 줍니다."),
    ("Decoders and lookups for the pieces of mail you meet on the wire.", "전송 중에 만나는 메일 조각을 위한 디코더와 조회 도구입니다."),
    ("Guided lessons on SMTP and MIME: each step explained, and a Try it that runs live against the in-browser server or the sandbox of mailscope serve.", "SMTP와 MIME 안내 학습: 단계마다 설명이 있고, '직접 해 보기'는 브라우저 내장 서버나 mailscope serve의 샌드박스에서 실시간으로 실행됩니다."),
    ("Messages received by the sandbox SMTP server of mailscope serve.", "mailscope serve의 샌드박스 SMTP 서버가 받은 메시지입니다."),
];
