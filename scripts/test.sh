#!/usr/bin/env bash
# Runs every check and test of the project on a fresh machine:
# installs what is missing, then format, lint, docs, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

echo "== fmt";    cargo fmt --all -- --check
echo "== clippy"; cargo clippy --workspace --all-targets -- -D warnings
echo "== docs";   RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
echo "== rtl";    bash scripts/rtl_tb.sh && bash scripts/synth.sh
echo "== waves";  cargo test -q -p gapless-hw-sim --features waves
echo "== tests";  cargo test --workspace
# 20 s per fuzz target (nightly; installs cargo-fuzz if missing). The long
# run is `scripts/fuzz.sh 3600`.
echo "== fuzz";   bash scripts/fuzz.sh 20
