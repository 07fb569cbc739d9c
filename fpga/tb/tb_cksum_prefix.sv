`resetall
// Testbench for cksum_prefix: 200,000 random beats (0..8 lanes, lanes at
// and above count zero as beat_compact gives them), the beat's own prefix
// sums, the running sum
// chained from beat to beat in carry-save form (out_sa/out_sb to
// in_sa/in_sb), against a byte-by-byte sum
// of the whole stream: every lane's sum and the sum after the beat; and
// the CheckSum of random byte ranges of the stream (up to 300 bytes,
// starting and ending in any lane) as the difference of two lane sums,
// against a direct sum of the range.
// Run: scripts/rtl_tb.sh (verilator --binary --timing).

`timescale 1ns / 1ps
`default_nettype none

module tb_cksum_prefix;

logic [63:0] data = 0;
logic [3:0] count = 0;
logic [7:0] in_sa = 0, in_sb = 0;
wire [63:0] lane_sum, beat_pre;
wire [7:0] out_sa, out_sb;
wire [7:0] in_sum = in_sa + in_sb, out_sum = out_sa + out_sb;

cksum_prefix dut (.data(data), .count(count), .in_sa(in_sa), .in_sb(in_sb),
                  .lane_sum(lane_sum), .beat_pre(beat_pre), .out_sa(out_sa), .out_sb(out_sb));

byte unsigned stream [$];     // every byte so far
byte unsigned pre_sum [$];     // the DUT's running sum before each byte
int errors = 0, ranges = 0;
task automatic fail(input string what);
    if (errors < 10) $display("FAIL %s", what);
    errors++;
endtask

initial begin
    byte unsigned ref_sum = 0;
    logic [15:0] carry = 0;
    byte unsigned pre;
    for (int b = 0; b < 200000; b++) begin
        int n = $urandom_range(0, 3) == 0 ? $urandom_range(0, 8) : 8;
        data = 0;
        for (int j = 0; j < n; j++) data[8*j +: 8] = 8'($urandom);
        count = 4'(n);
        {in_sa, in_sb} = carry;
        #1;
        pre = 0;
        for (int j = 0; j < 8; j++) begin
            pre += data[8*j +: 8];
            if (beat_pre[8*j +: 8] != pre) fail($sformatf("beat %0d lane %0d beat_pre", b, j));
            if (j < n) begin
                pre_sum.push_back(j == 0 ? in_sum : lane_sum[8*(j-1) +: 8]);
                stream.push_back(data[8*j +: 8]);
                ref_sum += data[8*j +: 8];
                if (lane_sum[8*j +: 8] != ref_sum) fail($sformatf("beat %0d lane %0d", b, j));
            end else if (lane_sum[8*j +: 8] != 0) fail($sformatf("beat %0d lane %0d not 0", b, j));
        end
        if (out_sum != ref_sum) fail($sformatf("beat %0d out_sum", b));
        carry = {out_sa, out_sb};
    end
    // A frame's CheckSum from two snapshots: the sum through its last
    // byte minus the sum before its first.
    for (int r = 0; r < 20000; r++) begin
        int first = $urandom_range(0, stream.size() - 400);
        int lastb = first + $urandom_range(0, 299);
        byte unsigned want = 0, got;
        for (int i = first; i <= lastb; i++) want += stream[i];
        got = (lastb + 1 < pre_sum.size() ? pre_sum[lastb + 1] : out_sum) - pre_sum[first];
        if (got != want) fail($sformatf("range %0d..%0d", first, lastb));
        ranges++;
    end
    $display("tb_cksum_prefix: %0d bytes, %0d ranges", stream.size(), ranges);
    if (errors == 0) $display("tb_cksum_prefix: PASS");
    else $display("tb_cksum_prefix: %0d FAILURES", errors);
    $finish;
end

endmodule
