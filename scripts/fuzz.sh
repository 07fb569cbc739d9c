#!/usr/bin/env bash
# Fuzzes every target in fuzz/ for SECONDS each (default 20: the short
# run for CI). Installs cargo-fuzz if it is missing; needs the nightly
# toolchain (`rustup toolchain install nightly`).
#
#   scripts/fuzz.sh            # 20 s per target
#   scripts/fuzz.sh 3600       # the long run: an hour per target
#   FUZZ_TARGETS="framer session" scripts/fuzz.sh 600
#
# New inputs go to fuzz/target/corpus/<target> (the committed seeds in
# fuzz/corpus/<target> are read, never written); a crash leaves its input
# in fuzz/artifacts/<target>/ and fails the script. Reproduce one with
# `cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>`.
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${1:-20}"
targets="${FUZZ_TARGETS:-framer session config dictionary journal tzif}"

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz: the nightly toolchain is missing: rustup toolchain install nightly" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

cd fuzz
for t in $targets; do
    work="target/corpus/$t"
    mkdir -p "$work"
    echo "== fuzz $t (${secs}s)"
    log="target/fuzz-$t.log"
    # -timeout: a single input running over 10 s is a hang, reported as a crash.
    rc=0
    cargo +nightly fuzz run "$t" "$work" "corpus/$t" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        tail -n 40 "$log" >&2
        echo "fuzz: $t failed (exit $rc); input in fuzz/artifacts/$t/, log in fuzz/$log" >&2
        exit 1
    fi
    grep -E "^Done [0-9]+ runs" "$log" || true
done
echo "fuzz: all targets ran ${secs}s without a crash"
