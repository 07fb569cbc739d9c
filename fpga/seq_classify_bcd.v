/*
 * seq_classify_bcd: seq_classify with MsgSeqNum, NewSeqNo and the
 * expected seq in BCD (10 digits), for the line-rate pipeline (issue 12,
 * item 1), not yet instantiated by seq_validator. Combinational.
 *
 * The loop that classifies a frame and moves its session's expected seq
 * then needs no BCD-to-binary conversion: values merged as BCD digits
 * (value_merge) are compared digit by digit with a tree (the numeric
 * order of equal-length BCD numbers), and expected + 1 and seq - 1 are a
 * BCD increment and decrement whose carry is a prefix AND of per-digit
 * flags. The binary record fields come from bcd_to_bin afterwards.
 *
 * Same table and outputs as seq_classify (kind, flags), with aux and
 * next_expected in BCD. seq_ok / new_ok are the caller's "well-formed
 * value" (1..10 digits, no other byte); a value of 2^32 or more is not a
 * valid seq here as there (seq_classify sees it through the 34-bit
 * accumulator's top bits), and expected + 1 wraps from 4294967295 to 0
 * like the 32-bit binary register.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module seq_classify_bcd (
    input  wire        enabled,
    input  wire [39:0] expected,
    input  wire        seq_ok,
    input  wire [39:0] seq,
    input  wire        new_ok,
    input  wire [39:0] new_seq,
    input  wire [ 7:0] flags_in,
    input  wire [15:0] msg_type,

    output reg  [ 7:0] kind,
    output reg  [ 7:0] flags,
    output reg  [39:0] aux,
    output reg  [39:0] next_expected
);

localparam [7:0] K_IN_ORDER = 8'd0, K_GAP = 8'd1, K_DUPLICATE = 8'd2, K_TOO_LOW = 8'd3,
                 K_SEQ_RESET = 8'd4, K_GAP_FILL = 8'd5, K_BAD_SEQ = 8'd7, K_DISABLED = 8'd8;
localparam [7:0] FLAG_POSS_DUP = 8'd1, FLAG_GAP_FILL = 8'd2, FLAG_BACKWARD = 8'd4;
localparam [39:0] MAX_32 = 40'h4294967295;

// a > b and a == b for 10-digit BCD: per digit, then a tree from the most
// significant digit down (no 40-bit carry chain).
function automatic [1:0] cmp(input [39:0] a, input [39:0] b);
    reg [15:0] gt, eq;
    integer q, w;
    begin
        gt = 16'd0;
        eq = 16'hFFFF;
        for (q = 0; q < 10; q = q + 1) begin
            gt[q] = a[4*q +: 4] > b[4*q +: 4];
            eq[q] = a[4*q +: 4] == b[4*q +: 4];
        end
        for (w = 1; w < 16; w = w * 2) begin
            for (q = 0; q + w < 16; q = q + 2 * w) begin
                gt[q] = gt[q + w] || (eq[q + w] && gt[q]);
                eq[q] = eq[q + w] && eq[q];
            end
        end
        cmp = {gt[0], eq[0]};
    end
endfunction

function automatic [39:0] bcd_inc(input [39:0] a);
    reg c;
    integer q;
    begin
        bcd_inc = a;
        c = 1'b1;
        for (q = 0; q < 10; q = q + 1) begin
            if (c) bcd_inc[4*q +: 4] = a[4*q +: 4] == 4'd9 ? 4'd0 : a[4*q +: 4] + 4'd1;
            c = c && a[4*q +: 4] == 4'd9;
        end
    end
endfunction

function automatic [39:0] bcd_dec(input [39:0] a);
    reg b;
    integer q;
    begin
        bcd_dec = a;
        b = 1'b1;
        for (q = 0; q < 10; q = q + 1) begin
            if (b) bcd_dec[4*q +: 4] = a[4*q +: 4] == 4'd0 ? 4'd9 : a[4*q +: 4] - 4'd1;
            b = b && a[4*q +: 4] == 4'd0;
        end
    end
endfunction

wire is_reset = msg_type == {"4", 8'h00};
wire gap_fill = (flags_in & FLAG_GAP_FILL) != 8'd0;
wire [1:0] c_seq_exp = cmp(seq, expected);
wire [1:0] c_new_exp = cmp(new_seq, expected);
wire seq_gt = c_seq_exp[1], seq_eq = c_seq_exp[0];
wire new_gt = c_new_exp[1], new_eq = c_new_exp[0];
/* verilator lint_off UNUSEDSIGNAL */
wire [1:0] c_seq_max = cmp(seq, MAX_32);  // only "greater" is used
wire [1:0] c_new_max = cmp(new_seq, MAX_32);
/* verilator lint_on UNUSEDSIGNAL */
wire seq_fits = !c_seq_max[1], new_fits = !c_new_max[1];

always @* begin
    kind = K_IN_ORDER;
    flags = flags_in;
    aux = 40'd0;
    next_expected = expected;
    if (!enabled) begin
        kind = K_DISABLED;
    end else if (!(seq_ok && seq_fits) || (is_reset && !(new_ok && new_fits))) begin
        kind = K_BAD_SEQ;
    end else if (is_reset && !gap_fill) begin
        kind = K_SEQ_RESET;
        aux = new_seq;
        if (new_gt || new_eq) next_expected = new_seq;
        else flags = flags_in | FLAG_BACKWARD;
    end else if (seq_gt) begin
        kind = K_GAP;
        aux = bcd_dec(seq);
    end else if (!seq_eq) begin
        kind = (flags_in & FLAG_POSS_DUP) != 8'd0 ? K_DUPLICATE : K_TOO_LOW;
    end else if (is_reset) begin
        kind = K_GAP_FILL;
        aux = new_seq;
        if (new_gt) next_expected = new_seq;
        else flags = flags_in | FLAG_BACKWARD;
    end else begin
        next_expected = expected == MAX_32 ? 40'd0 : bcd_inc(expected);
    end
end

endmodule

`resetall
