#!/usr/bin/env bash
# Gap → ResendRequest on the wire against the hot path's own turn: per
# round, an echo ping-pong (client write → one hot-path turn → reply on
# the wire → client read) and the gap scenario (client write of a message
# beyond a gap → the same turn → ResendRequest on the wire → client read)
# against fresh Gapless acceptors, then the gap scenario against QuickFIX,
# alternating, in a private network namespace. The ResendRequest adds
# nothing to an echo's turn but building one admin message instead of
# the echo: the difference of the p50s is what it costs.
#   scripts/bench-gap.sh [ROUNDS]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cargo build --release -q -p gapless -p gapless-bench
bash bench/quickfix/build.sh
if [ -z "${GAPLESS_NETNS:-}" ]; then
  exec unshare -n env GAPLESS_NETNS=1 bash -c 'ip link set lo up && exec bash scripts/bench-gap.sh "$@"' bash "$@"
fi
rounds=${1:-3}
bin=target/release
qf=target/qf-bench
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
acceptor() { # PORT DIR
  cat > "$2.cfg" <<CFG
[DEFAULT]
ConnectionType=acceptor
SocketAcceptPort=$1
FileStorePath=$2
[SESSION]
BeginString=FIX.4.4
SenderCompID=ISLD
TargetCompID=TW
CFG
  $bin/gapless run --config "$2.cfg" --app echo >/dev/null &
  sleep 0.5
}
port=6200
for r in $(seq 1 "$rounds"); do
  echo "# round $r"
  port=$((port+1)); acceptor $port "$work/e$port"
  $bin/pingpong fix 127.0.0.1:$port 20000 gapless-echo; kill %% 2>/dev/null || true; wait 2>/dev/null || true
  port=$((port+1)); acceptor $port "$work/g$port"
  $bin/gapbench 127.0.0.1:$port 2000 5 gapless; kill %% 2>/dev/null || true; wait 2>/dev/null || true
  port=$((port+1)); $qf/qf_bench acceptor $port echo file "$work/qf$port" & sleep 0.5
  $bin/gapbench 127.0.0.1:$port 2000 5 quickfix; kill %% 2>/dev/null || true; wait 2>/dev/null || true
done
