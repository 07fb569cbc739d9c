#!/usr/bin/env bash
# Echo throughput with 64 orders in flight (bench --bin flight): Gapless's
# `gapless run --app echo` (file store on) against the minimal
# busy-polling FIX echo (bench --bin fixecho), alternating, in a private
# network namespace; prints orders/s and the ratio of each pair. Then one
# more run of each under `perf stat` (which slows system calls, so its
# orders/s are not the figures) for the server's system calls per order,
# all its threads, busy-polling reads that find nothing included.
#   scripts/bench-echo.sh [ORDERS] [ROUNDS] [WINDOW]   (defaults 300000, 3, 64)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cargo build --release -q -p gapless -p gapless-bench
if [ -z "${GAPLESS_NETNS:-}" ]; then
  exec unshare -n env GAPLESS_NETNS=1 bash -c 'ip link set lo up && exec bash scripts/bench-echo.sh "$@"' bash "$@"
fi
count=${1:-300000}
rounds=${2:-3}
window=${3:-64}
bin=target/release
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=6300
syscalls() { # PID SECONDS: system calls the process makes meanwhile
  if command -v perf >/dev/null; then
    perf stat -x, -e raw_syscalls:sys_enter -p "$1" -- sleep "$2" 2>&1 | awk -F, '/sys_enter/{print $1}'
  fi
}
run() { # PID NAME [count]: flight against the server on $port
  local pid=$1 name=$2
  if [ "${3:-}" != count ]; then
    $bin/flight 127.0.0.1:$port "$count" "$window" "$name"; return
  fi
  syscalls "$pid" 60 > "$work/sc" & local sc=$!
  sleep 0.2
  $bin/flight 127.0.0.1:$port "$count" "$window" "$name" > /dev/null
  kill -INT $(pgrep -P $sc perf) 2>/dev/null || true
  wait $sc 2>/dev/null || true
  echo "{\"engine\":\"$name\",\"server_syscalls_per_order\":$(awk -v n="$(cat "$work/sc")" -v c="$count" 'BEGIN{printf "%.2f", n/c}')}"
}
gapless_echo() { # starts it on $port; sets pid
  printf '[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=%s\nFileStorePath=%s\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=ISLD\nTargetCompID=TW\n' \
    $port "$work/s$port" > "$work/$port.cfg"
  $bin/gapless run --config "$work/$port.cfg" --app echo > /dev/null & pid=$!; sleep 0.5
}
for r in $(seq 1 "$rounds"); do
  echo "# round $r"
  port=$((port+1)); $bin/fixecho 127.0.0.1:$port & pid=$!; sleep 0.3
  probe=$(run $pid fixecho); echo "$probe"; kill $pid; wait $pid 2>/dev/null || true
  port=$((port+1)); gapless_echo
  g=$(run $pid gapless); echo "$g"; kill -TERM $pid; wait $pid 2>/dev/null || true
  a=$(echo "$probe" | grep -o '"orders_per_s":[0-9]*' | cut -d: -f2)
  b=$(echo "$g" | grep -o '"orders_per_s":[0-9]*' | cut -d: -f2)
  echo "{\"bench\":\"echo_window_ratio\",\"round\":$r,\"gapless_over_fixecho\":$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.2f", b/a}')}"
done
echo "# system calls per order (under perf stat)"
port=$((port+1)); $bin/fixecho 127.0.0.1:$port & pid=$!; sleep 0.3
run $pid fixecho count; kill $pid; wait $pid 2>/dev/null || true
port=$((port+1)); gapless_echo
run $pid gapless count; kill -TERM $pid; wait $pid 2>/dev/null || true
