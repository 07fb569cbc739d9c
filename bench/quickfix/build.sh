#!/usr/bin/env bash
# Builds the QuickFIX C++ benchmarks into target/qf-bench/ (idempotent).
set -euo pipefail
cd "$(dirname "$0")"
out=../../target/qf-bench
mkdir -p "$out"
for p in qf_parse qf_bench; do
  if [ ! -x "$out/$p" ] || [ "$p.cpp" -nt "$out/$p" ] || [ common.h -nt "$out/$p" ]; then
    g++ -std=c++11 -w -O2 -o "$out/$p" "$p.cpp" -lquickfix -lpthread
  fi
done
