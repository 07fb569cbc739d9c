#!/usr/bin/env bash
# The main job: `gapless sim` with its defaults (about 10 s), after
# installing what is missing. Extra arguments go to `gapless sim`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cargo build --release -q -p gapless
exec ./target/release/gapless sim "$@"
