`resetall
// Testbench for value_merge: 200,000 random beats of per-lane flags (tag
// ends, SOH, digits, other bytes; 0..8 lanes), the accumulator chained
// from beat to beat, against the sequential rule of value_merge.v run
// lane by lane: every lane's end flag, the value ending there (bad, and
// digits and BCD when not bad) and the accumulator after the beat.
// Values of up to 14 digits cover the 10-digit overflow.
// Run: scripts/rtl_tb.sh (verilator --binary --timing).

`timescale 1ns / 1ps
`default_nettype none

module tb_value_merge;

localparam NDIG = 10;
localparam VW = 4 * NDIG;

logic [3:0] count = 0;
logic [7:0] soh = 0, digit = 0, tend = 0;
logic [31:0] bcd = 0;
logic in_act = 0, in_bad = 0;
logic [4:0] in_nd = 0;
logic [VW-1:0] in_val = 0;
wire [7:0] e_end, e_bad;
wire [39:0] e_nd;
wire [VW*8-1:0] e_val;
wire out_act, out_bad;
wire [4:0] out_nd;
wire [VW-1:0] out_val;

value_merge #(.NDIG(NDIG)) dut (
    .count(count), .soh(soh), .digit(digit), .bcd(bcd), .tend(tend),
    .in_act(in_act), .in_nd(in_nd), .in_val(in_val), .in_bad(in_bad),
    .e_end(e_end), .e_nd(e_nd), .e_val(e_val), .e_bad(e_bad),
    .out_act(out_act), .out_nd(out_nd), .out_val(out_val), .out_bad(out_bad)
);

// The reference accumulator.
bit act = 0, bad = 0;
int nd = 0;
logic [VW-1:0] val = 0;

int errors = 0, ends = 0, good_ends = 0, long_ends = 0, overflows = 0, carried = 0;
task automatic fail(input string what);
    if (errors < 10) $display("FAIL %s", what);
    errors++;
endtask

initial begin
    for (int b = 0; b < 200000; b++) begin
        int n = $urandom_range(0, 8);
        // Mostly digits, so long values and overflows occur.
        int digit_pct = $urandom_range(0, 1) ? 90 : 60;
        {soh, digit, tend, bcd} = 0;
        for (int j = 0; j < n; j++) begin
            int roll = $urandom_range(1, 100);
            if (roll <= digit_pct) begin
                digit[j] = 1;
                bcd[4*j +: 4] = 4'($urandom_range(0, 9));
            end else if (roll <= digit_pct + (100 - digit_pct) / 3) soh[j] = 1;
            else if (roll <= digit_pct + 2 * (100 - digit_pct) / 3) tend[j] = 1;
        end
        count = 4'(n);
        {in_act, in_nd, in_val, in_bad} = {act, 5'(nd), val, bad};
        if (act && nd > 0) carried++;
        #1;
        for (int j = 0; j < n; j++) begin
            bit want_end = soh[j] && act;
            if (e_end[j] != want_end) fail($sformatf("beat %0d lane %0d end", b, j));
            if (want_end) begin
                ends++;
                if (e_bad[j] != bad) fail($sformatf("beat %0d lane %0d bad %0d", b, j, e_bad[j]));
                if (!bad) begin
                    good_ends++;
                    if (nd >= 8) long_ends++;
                    if (e_nd[5*j +: 5] != 5'(nd)) fail($sformatf("beat %0d lane %0d nd", b, j));
                    if (e_val[VW*j +: VW] != val)
                        fail($sformatf("beat %0d lane %0d val %h want %h", b, j,
                                       e_val[VW*j +: VW], val));
                end
            end
            // The sequential rule.
            if (tend[j]) begin
                act = 1; nd = 0; val = 0; bad = 0;
            end else if (act && soh[j]) begin
                act = 0;
            end else if (act) begin
                if (digit[j] && nd < NDIG) begin
                    val = {val[VW-5:0], bcd[4*j +: 4]};
                    nd++;
                end else begin
                    if (!bad && digit[j]) overflows++;
                    bad = 1;
                end
            end
        end
        if (out_act != act) fail($sformatf("beat %0d out_act", b));
        if (act) begin
            if (out_bad != bad) fail($sformatf("beat %0d out_bad", b));
            if (!bad && (out_nd != 5'(nd) || out_val != val))
                fail($sformatf("beat %0d out nd %0d val %h, want %0d %h", b, out_nd, out_val, nd, val));
        end
        // Carry the model's state, as the session's state RAM would the
        // design's (when not inside a value the rest is unused).
        if (!act) begin nd = 0; val = 0; bad = 0; end
    end
    if (good_ends == 0 || long_ends == 0 || overflows == 0 || carried == 0) begin
        $display("FAIL coverage: %0d good ends, %0d of 8+ digits, %0d overflows, %0d carried",
                 good_ends, long_ends, overflows, carried);
        errors++;
    end
    $display("tb_value_merge: %0d values ended (%0d well-formed, %0d of 8+ digits), %0d overflows, %0d beats entered inside a value",
             ends, good_ends, long_ends, overflows, carried);
    if (errors == 0) $display("tb_value_merge: PASS");
    else $display("tb_value_merge: %0d FAILURES", errors);
    $finish;
end

endmodule

`resetall
