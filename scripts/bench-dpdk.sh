#!/usr/bin/env bash
# Per-message cost of the DPDK path against the kernel path, alternated in
# one run (see docs/PERFORMANCE.md, "DPDK path"). Needs root and DPDK.
#   scripts/bench-dpdk.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
cargo build --release -q -p gapless-bench --features dpdk --bin transport_rtt --bin engine_rtt
bin=target/release
for r in $(seq "$rounds"); do
  echo "# round $r: transport only (one thread drives both ends), 221-byte message"
  $bin/transport_rtt kernel 200000
  $bin/transport_rtt dpdk 200000 2>/dev/null
  echo "# round $r: two Gapless engines, order -> echo, one in flight"
  $bin/engine_rtt kernel 50000
  $bin/engine_rtt dpdk 50000 2>/dev/null
done
echo "# callgrind: user-space instructions per round trip (transport only)"
for io in kernel dpdk; do
  for n in 2000 12000; do
    valgrind --tool=callgrind --callgrind-out-file="target/cg.$io.$n" --collect-atstart=no \
      --toggle-collect='*measured_round_trips*' $bin/transport_rtt $io $n >/dev/null 2>&1
  done
  a=$(callgrind_annotate "target/cg.$io.2000" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",","",$1); print $1}')
  b=$(callgrind_annotate "target/cg.$io.12000" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",","",$1); print $1}')
  # measured_round_trips runs n/10 warm-up + n round trips.
  echo "{\"bench\": \"callgrind_transport\", \"io\": \"$io\", \"instructions_per_round_trip\": $(( (b - a) / 11000 ))}"
done
