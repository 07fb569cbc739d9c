#!/usr/bin/env bash
# Benchmarks (a) parse+validate+seq-check, (b) inbound throughput with the
# file store, (c) echo round trip, and the gap scenario — Gapless, QuickFIX C++ and raw TCP in
# one run, in a private network namespace (QuickFIX acceptors listen on
# every interface). Prints one JSON line per measurement.
#   scripts/bench.sh [ROUNDS]   (ROUNDS repeats (b) and (c), alternating)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cargo build --release -q -p gapless -p gapless-bench
bash bench/quickfix/build.sh
if [ -z "${GAPLESS_NETNS:-}" ]; then
  exec unshare -n env GAPLESS_NETNS=1 bash -c 'ip link set lo up && exec bash scripts/bench.sh "$@"' bash "$@"
fi
rounds=${1:-2}
bin=target/release
qf=target/qf-bench
dict="$(python3 -c 'import sys;print(sys.prefix)')/share/quickfix/FIX44.xml"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

echo "# (a) parse + validate + sequence-check of a ~220-byte ExecutionReport"
$qf/qf_parse bench/fixtures/exec_report.fix "$dict" 200
$bin/parse 2000
$bin/parse 500 "$dict"

gapless_acceptor() { # PORT APP DIR
  cat > "$3.cfg" <<CFG
[DEFAULT]
ConnectionType=acceptor
SocketAcceptPort=$1
FileStorePath=$3
[SESSION]
BeginString=FIX.4.4
SenderCompID=ISLD
TargetCompID=TW
CFG
  $bin/gapless run --config "$3.cfg" --app "$2" >/dev/null &
  sleep 0.5
}

port=6000
for r in $(seq 1 "$rounds"); do
  echo "# (b) inbound throughput, file store on (round $r)"
  port=$((port+1)); $qf/qf_bench acceptor $port sink file "$work/qfa$port" 200000 & sleep 0.5
  $qf/qf_bench initiator $port 200000 "$work/qfi$port"; kill %% 2>/dev/null || true; wait 2>/dev/null || true
  port=$((port+1)); $qf/qf_bench acceptor $port sink file "$work/qfb$port" & sleep 0.5
  $bin/blast 127.0.0.1:$port 1000000 quickfix-fast-sender; kill %% 2>/dev/null || true; wait 2>/dev/null || true
  port=$((port+1)); gapless_acceptor $port null "$work/g$port"
  $bin/blast 127.0.0.1:$port 1000000 gapless; kill %% 2>/dev/null || true; wait 2>/dev/null || true

  echo "# (c) echo round trip (round $r)"
  port=$((port+1)); $bin/rawecho 127.0.0.1:$port & sleep 0.3
  $bin/pingpong raw 127.0.0.1:$port 20000 raw; kill %% 2>/dev/null || true; wait 2>/dev/null || true
  port=$((port+1)); gapless_acceptor $port echo "$work/e$port"
  $bin/pingpong fix 127.0.0.1:$port 20000 gapless; kill %% 2>/dev/null || true; wait 2>/dev/null || true
  port=$((port+1)); $qf/qf_bench acceptor $port echo file "$work/qfe$port" & sleep 0.5
  $bin/pingpong fix 127.0.0.1:$port 20000 quickfix; kill %% 2>/dev/null || true; wait 2>/dev/null || true

  echo "# gap scenario: skip 5 seqs, time to ResendRequest and to release (round $r)"
  port=$((port+1)); gapless_acceptor $port echo "$work/gg$port"
  $bin/gapbench 127.0.0.1:$port 2000 5 gapless; kill %% 2>/dev/null || true; wait 2>/dev/null || true
  port=$((port+1)); $qf/qf_bench acceptor $port echo file "$work/qfg$port" & sleep 0.5
  $bin/gapbench 127.0.0.1:$port 2000 5 quickfix; kill %% 2>/dev/null || true; wait 2>/dev/null || true
done

echo "# (c) plotted together, ratios to raw TCP (last round)"
$bin/plot out/bench/echo.svg out/bench/echo_raw.hgrm out/bench/echo_gapless.hgrm out/bench/echo_quickfix.hgrm
