#!/usr/bin/env bash
# Runs every fuzz target (or those in $TARGETS) for a fixed time, two at a time, and prints each run's last stats
# line. Usage: fuzz/run-all.sh [seconds per target] [log dir]
# Seeds: the golden .eml corpus for the MIME targets, a few typical lines for the others.
set -u
cd "$(dirname "$0")"
SECS=${1:-150}
LOGS=${2:-/tmp/mailscope-fuzz-logs}
mkdir -p "$LOGS"
TARGETS=${TARGETS:-$(cargo fuzz list)}

seed() {
    local t=$1 dir=corpus/$1
    mkdir -p "$dir"
    case $t in
    mime_parse | mime_inspect) cp ../core/tests/fixtures/eml/*/*.eml "$dir/" 2>/dev/null ;;
    smtp_reply) printf '250-mx.example.org Hello\r\n250-SIZE 1000\r\n250 2.0.0 OK\r\n' >"$dir/seed" ;;
    smtp_command) printf 'EHLO a.example\r\nMAIL FROM:<a@b.c> SIZE=10 BODY=8BITMIME\r\nRCPT TO:<d@e.f> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;d@e.f\r\nBDAT 10 LAST\r\n' >"$dir/seed" ;;
    smtp_transcript) printf 'S: 220 mx ESMTP\nC: EHLO a\nS: 250-mx\nS: 250 PIPELINING\nC: MAIL FROM:<a@b>\nS: 250 OK\nC: DATA\nS: 354 go\nC: hi\nC: .\nS: 250 ok\nC: QUIT\nS: 221 bye\n' >"$dir/seed" ;;
    smtp_capability) printf 'mx.example Hello\nSIZE 1000\nAUTH PLAIN LOGIN\nPIPELINING\n8BITMIME\n' >"$dir/seed" ;;
    smtp_server) printf '\x01EHLO a\r\nAUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n' >"$dir/seed" ;;
    smtp_data) printf '\x03\x01\x05\x02Subject: x\r\n\r\n..dot\r\n.\r\nMAIL' >"$dir/seed" ;;
    smtp_auth) printf '\x80AGFsaWNlAHdvbmRlcmxhbmQ=\n*' >"$dir/seed" ;;
    mime_encoded_word) printf '=?EUC-KR?B?vsiz58fPvLy/5C4=?= =?ISO-2022-JP?B?GyRCJEskWyRzGyhC?= =?ISO-2022-CN?B?GyQpQQ4wIVZQDyBvaw==?=' >"$dir/seed" ;;
    mime_params) printf "attachment; filename*0*=UTF-8''%%E2%%82%%AC; filename*1=.txt; name=\"x\"" >"$dir/seed" ;;
    mime_address) printf '"A, B" <a@b.c>, =?UTF-8?Q?J=C3=B6rg?= <j@x>, undisclosed:;' >"$dir/seed" ;;
    mime_date) printf 'Tue, 1 Jul 2003 10:52:37 +0200' >"$dir/seed" ;;
    mime_cid) printf '<img src="cid:logo%%40example.org"><div style="background:url(cid:bg@x)">cid: text</div>' >"$dir/seed" ;;
    esac
}

run() {
    local t=$1
    seed "$t"
    RUSTC_BOOTSTRAP=1 cargo fuzz run "$t" -- -max_total_time="$SECS" -rss_limit_mb=2048 \
        -max_len=65536 -len_control=20 -timeout=20 >"$LOGS/$t.log" 2>&1
    echo "$t exit=$? $(grep -E '^#[0-9]+' "$LOGS/$t.log" | tail -1)"
}

lane() {
    for t in "$@"; do run "$t"; done
}

set -- $TARGETS
A=() B=()
i=0
for t in "$@"; do
    if ((i % 2 == 0)); then A+=("$t"); else B+=("$t"); fi
    i=$((i + 1))
done
lane "${A[@]}" &
lane "${B[@]}" &
wait
