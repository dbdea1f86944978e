#!/usr/bin/env bash
# Runs every fuzz target (or those in $TARGETS) for a fixed time, two at a time, and prints each run's last stats
# line. Usage: fuzz/run-all.sh [seconds per target] [log dir]
# Seeds: fuzz/seeds/<target>/ (what `cargo xtask test` uses too), and the golden .eml corpus for
# the message targets.
set -u
cd "$(dirname "$0")"
SECS=${1:-150}
LOGS=${2:-/tmp/mailscope-fuzz-logs}
mkdir -p "$LOGS"
TARGETS=${TARGETS:-$(cargo fuzz list)}

seed() {
    local t=$1 dir=corpus/$1
    mkdir -p "$dir"
    cp seeds/"$t"/* "$dir/" 2>/dev/null
    case $t in
    mime_parse | mime_inspect) find .. -name '*.eml' -not -path '*/target/*' -exec cp {} "$dir/" \; ;;
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
