`resetall
// Testbench for seq_classify_bcd: 300,000 random cases (seq, NewSeqNo
// and expected equal, next to each other, at 0 and 2^32 - 1, past 2^32,
// or random; MsgType 4 or other; PossDup and GapFill flags; enabled or
// not; well-formed or not) through seq_classify_bcd and, in binary,
// seq_classify: the same kind and flags, and aux and next_expected equal
// once read as BCD. Counts the kinds, which all must occur.
// Run: scripts/rtl_tb.sh (verilator --binary --timing).

`timescale 1ns / 1ps
`default_nettype none

module tb_seq_classify_bcd;

logic enabled = 1, seq_ok = 1, new_ok = 1;
logic [33:0] exp_v = 1, seq_v = 1, new_v = 1;  // 34 bits: values past 2^32 too
logic [7:0] flags_in = 0;
logic [15:0] msg_type = 0;
wire [7:0] kind_b, flags_b, kind_d, flags_d;
wire [31:0] aux_b, next_b;
wire [39:0] aux_d, next_d;

function automatic logic [39:0] to_bcd(input longint v);
    logic [39:0] r = 0;
    for (int d = 0; d < 10; d++) begin
        r[4*d +: 4] = 4'(v % 10);
        v = v / 10;
    end
    return r;
endfunction

function automatic longint from_bcd(input logic [39:0] b);
    longint r = 0;
    for (int d = 9; d >= 0; d--) r = r * 10 + longint'(b[4*d +: 4]);
    return r;
endfunction

// The binary reference sees what fix_parse_step gives it: a value of
// 2^32 or more is not ok.
seq_classify ref_c (
    .enabled(enabled), .expected(exp_v[31:0]), .seq_ok(seq_ok && seq_v[33:32] == 0),
    .seq(seq_v[31:0]), .new_ok(new_ok && new_v[33:32] == 0), .new_seq(new_v[31:0]),
    .flags_in(flags_in), .msg_type(msg_type),
    .kind(kind_b), .flags(flags_b), .aux(aux_b), .next_expected(next_b)
);
seq_classify_bcd dut (
    .enabled(enabled), .expected(to_bcd(exp_v[31:0])), .seq_ok(seq_ok), .seq(to_bcd(seq_v)),
    .new_ok(new_ok), .new_seq(to_bcd(new_v)), .flags_in(flags_in), .msg_type(msg_type),
    .kind(kind_d), .flags(flags_d), .aux(aux_d), .next_expected(next_d)
);

function automatic logic [33:0] pick(input logic [33:0] near);
    int roll = $urandom_range(1, 100);
    if (roll <= 30) return near;
    if (roll <= 60) return near + 34'($urandom_range(0, 4)) - 34'd2;
    if (roll <= 70) return 34'($urandom_range(0, 3));
    if (roll <= 80) return 34'hFFFFFFFF - 34'($urandom_range(0, 2));
    if (roll <= 85) return 34'h100000000 + 34'($urandom_range(0, 2));
    if (roll <= 90) return 34'd9999999999 - 34'($urandom_range(0, 1));
    return {2'd0, 32'($urandom)};
endfunction

int errors = 0;
int kinds [9];
initial begin
    for (int n = 0; n < 300000; n++) begin
        exp_v = {2'd0, 32'(pick(34'($urandom)))};
        seq_v = pick(exp_v);
        new_v = pick($urandom_range(0, 1) ? exp_v : seq_v);
        enabled = $urandom_range(0, 19) != 0;
        seq_ok = $urandom_range(0, 19) != 0;
        new_ok = $urandom_range(0, 9) != 0;
        flags_in = 8'($urandom_range(0, 3)) | ($urandom_range(0, 9) == 0 ? 8'd8 : 8'd0);
        msg_type = $urandom_range(0, 1) ? {"4", 8'h00} : ($urandom_range(0, 1) ? {"D", 8'h00} : "4A");
        #1;
        if (kind_d != kind_b || flags_d != flags_b || from_bcd(aux_d) != longint'(aux_b)
            || from_bcd(next_d) != longint'(next_b)) begin
            if (errors < 10)
                $display("FAIL exp %0d seq %0d new %0d: kind %0d/%0d flags %0d/%0d aux %0d/%0d next %0d/%0d",
                         exp_v, seq_v, new_v, kind_d, kind_b, flags_d, flags_b, from_bcd(aux_d),
                         aux_b, from_bcd(next_d), next_b);
            errors++;
        end
        if (kind_b < 9) kinds[kind_b]++;
    end
    $display("tb_seq_classify_bcd: in-order %0d gap %0d dup %0d too-low %0d reset %0d gap-fill %0d bad-seq %0d disabled %0d",
             kinds[0], kinds[1], kinds[2], kinds[3], kinds[4], kinds[5], kinds[7], kinds[8]);
    for (int k = 0; k < 9; k++) if (k != 6 && kinds[k] < 1000) errors++;
    if (errors == 0) $display("tb_seq_classify_bcd: PASS");
    else $display("tb_seq_classify_bcd: %0d FAILURES", errors);
    $finish;
end

endmodule
