#!/usr/bin/env bash
# Lints fpga/ with Verilator -Wall (warnings are errors) and runs every
# module's testbench (fpga/tb/tb_<module>.sv) under `verilator --binary`.
set -euo pipefail
cd "$(dirname "$0")/.."
RTL=(fpga/seq_validator.v fpga/fix_parse_step.v fpga/seq_classify.v fpga/verdict_record.v fpga/verdict_fifo.v)
# Stages of the line-rate pipeline (issue 12) not yet in seq_validator.
STAGES=(beat_compact tag_detect value_merge body_end cksum_prefix bcd_to_bin seq_classify_bcd sess_state frame_ctl)
verilator --lint-only -Wall --top-module seq_validator "${RTL[@]}"
for m in "${STAGES[@]}"; do
  verilator --lint-only -Wall --top-module "$m" "fpga/$m.v"
  RTL+=("fpga/$m.v")
done
echo "rtl: lint clean (verilator -Wall)"
out=target/rtl_tb
mkdir -p "$out"
fail=0
for tb in fpga/tb/tb_*.sv; do
  name=$(basename "$tb" .sv)
  verilator --binary --timing -Wno-fatal -Wno-WIDTH -Wno-DECLFILENAME --top-module "$name" \
    --Mdir "$out/$name" -o "$name" "$tb" "${RTL[@]}" >"$out/$name.build.log" 2>&1 \
    || { echo "rtl: $name failed to build, see $out/$name.build.log"; fail=1; continue; }
  result=$("$out/$name/$name" | grep -E "^tb_.*: " || true)
  echo "rtl: $result"
  [[ "$result" == *": PASS" ]] || fail=1
done
exit $fail
