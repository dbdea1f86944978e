//! Shareable links: the "Copy link" button, its notes and the errors of a damaged link.

pub(super) const ENTRIES: &[(&str, &str)] = &[
    ("Copy link", "링크 복사"),
    ("Link ({n} characters)", "링크 ({n}자)"),
    ("The link holds the whole content; nothing is uploaded.", "링크에 내용 전체가 들어 있으며, 아무것도 업로드되지 않습니다."),
    ("Copied to the clipboard.", "클립보드에 복사했습니다."),
    ("The clipboard is not available: select the link and copy it.", "클립보드를 쓸 수 없습니다. 링크를 선택해서 직접 복사하세요."),
    ("This transcript includes an AUTH exchange: the link reveals the credentials, which base64 only encodes.", "이 트랜스크립트에는 AUTH 교환이 들어 있습니다. base64는 인코딩일 뿐이라 링크를 받은 사람은 인증 정보를 그대로 볼 수 있습니다."),
    ("Too large for a link: export the file instead.", "링크로 공유하기에는 너무 큽니다. 파일로 내보내세요."),
    ("Too large to share as a link: {size} KB, the limit is {limit} KB — export the file instead.", "링크로 공유하기에는 너무 큽니다: {size} KB (한도 {limit} KB). 파일로 내보내세요."),
    ("Nothing to share yet.", "아직 공유할 내용이 없습니다."),
    ("This link was made in another format version ({found}); this Mailscope reads v1 links.", "다른 형식 버전({found})으로 만든 링크입니다. 이 Mailscope는 v1 링크만 읽습니다."),
    ("This link holds an unknown kind of content ({found}).", "알 수 없는 종류의 내용({found})이 담긴 링크입니다."),
    ("This is not a Mailscope share link.", "Mailscope 공유 링크가 아닙니다."),
    ("This link is damaged (cut short or changed): {detail}.", "링크가 손상되었습니다(잘렸거나 바뀜): {detail}."),
    ("This link is damaged (cut short or changed): the compressed content breaks at byte {offset}.", "링크가 손상되었습니다(잘렸거나 바뀜): 압축된 내용이 {offset}번째 바이트에서 깨집니다."),
    ("This link holds a transcript, which opens in the Session view.", "트랜스크립트가 담긴 링크입니다. 세션 보기에서 열립니다."),
    ("This link holds a message, which opens in the Message view.", "메시지가 담긴 링크입니다. 메시지 보기에서 열립니다."),
    ("Opened the transcript shared in this link (below, under Import).", "이 링크로 공유된 트랜스크립트를 열었습니다(아래 가져오기 부분)."),
    ("Opened the message shared in this link.", "이 링크로 공유된 메시지를 열었습니다."),
    ("Cannot open the shared link:", "공유 링크를 열 수 없습니다:"),
];
