#!/usr/bin/env bash
# Runs every check and test of the project on a fresh machine:
# installs what is missing, then format, lint, docs, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

echo "== fmt";    cargo fmt --all -- --check
echo "== clippy"; cargo clippy --workspace --all-targets -- -D warnings
echo "== clippy (verilator)"; cargo clippy -p gapless --features verilator --all-targets -- -D warnings
echo "== clippy (dpdk)"; cargo clippy -p gapless -p gapless-bench --features gapless-bench/dpdk --all-targets -- -D warnings
echo "== library-only build"  # an embedder compiles no CLI or plotter
cargo build -q -p gapless --no-default-features
if cargo tree -p gapless --no-default-features -e normal | grep -E '^.*(clap|indicatif|plotters) '; then
  echo "a library-only build pulls in a CLI dependency (above)"; exit 1
fi
echo "== docs";   RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
RUSTDOCFLAGS="-D warnings" cargo doc -p gapless --features dpdk --no-deps --quiet
echo "== rtl";    bash scripts/rtl_tb.sh && bash scripts/synth.sh
echo "== pnr";    bash scripts/pnr_ecp5.sh
echo "== waves";  cargo test -q -p gapless-hw-sim --features waves
echo "== tests";  cargo test --workspace
# The RTL in the loop (feature `verilator`): the differential run against
# the software model, and the engine with Validator=verilator.
echo "== tests (verilator)"; cargo test -p gapless --features verilator --test rtl_differential --test run_validator
# The DPDK path (feature `dpdk`): user-space TCP over DPDK ring ports in one
# process, and over net_af_packet on a veth between two network namespaces
# against QuickFIX on kernel TCP. Each test file is its own process (one
# EAL per process). They need root; they skip with a reason otherwise.
echo "== tests (dpdk)"; cargo test -p gapless --features dpdk --test dpdk_ring --test dpdk_veth --test dpdk_no_alloc --test io_flag --lib
# 20 s per fuzz target (nightly; installs cargo-fuzz if missing). The long
# run is `scripts/fuzz.sh 3600`.
echo "== fuzz";   bash scripts/fuzz.sh 20

