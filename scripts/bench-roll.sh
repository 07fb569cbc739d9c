#!/usr/bin/env bash
# Journal segment rolls on the hot path: echo round trips against a
# Gapless acceptor with the file store, once with 1 MiB segments (a roll
# every ~5,000 round trips) and once with the default 64 MiB (no roll in
# the run), alternating, in a private network namespace. If a roll
# stalled the hot path, the 1 MiB runs' max and p99.99 would show it.
# As deployed, the hot path is pinned (HotPathCore, the last core) and the
# client to another core (core 0); the store thread is not pinned.
#   scripts/bench-roll.sh [ROUND_TRIPS] [ROUNDS]   (defaults 200000, 2)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cargo build --release -q -p gapless -p gapless-bench
if [ -z "${GAPLESS_NETNS:-}" ]; then
  exec unshare -n env GAPLESS_NETNS=1 bash -c 'ip link set lo up && exec bash scripts/bench-roll.sh "$@"' bash "$@"
fi
count=${1:-200000}
rounds=${2:-2}
bin=target/release
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=6100
hot_core=$(( $(nproc) - 1 ))
for r in $(seq 1 "$rounds"); do
  for seg in 1048576 67108864; do
    port=$((port+1))
    dir="$work/store$port"
    cat > "$work/$port.cfg" <<CFG
[DEFAULT]
ConnectionType=acceptor
SocketAcceptPort=$port
FileStorePath=$dir
SegmentBytes=$seg
HotPathCore=$hot_core
[SESSION]
BeginString=FIX.4.4
SenderCompID=ISLD
TargetCompID=TW
CFG
    $bin/gapless run --config "$work/$port.cfg" --app echo > "$work/$port.out" &
    pid=$!
    sleep 0.5
    echo "# round $r, SegmentBytes=$seg"
    taskset -c 0 $bin/pingpong fix 127.0.0.1:$port "$count" "gapless-seg$seg"
    kill -TERM $pid; wait $pid || true
    echo "# journal files: $(find "$dir" -type f | wc -l); $(grep -h 'spare segment' "$work/$port.out" || echo 'no turn waited for a spare segment')"
  done
done
