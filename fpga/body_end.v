/*
 * body_end: stage 4 of the line-rate pipeline (issue 12, item 1), not
 * yet instantiated by seq_validator. Combinational.
 *
 * Finds the lane holding a frame body's last byte from BodyLength(9),
 * with no binary conversion of BodyLength and no per-byte countdown:
 * BodyLength stays in BCD (7 digits, as value_merge gives it) and the
 * session carries the body bytes still to come as BCD, decremented once
 * per beat.
 *
 * Inputs, per lane of a compacted beat (zero at and above `count`):
 *   bl_end[s]  lane s is the SOH ending a well-formed BodyLength whose
 *              value is bl_bcd (the caller, from value_merge for tag 9);
 *   garb[a]    the frame is given up at lane a (garbled): no body byte
 *              from a on counts.
 * The sequential rule this gives, lane 0 first, for lanes j < count:
 *   garb[j]:    act = 0;
 *   else bl_end[j]: act = 1, rem = BodyLength (the body starts at j + 1);
 *   else act:   rem -= 1; rem == 0: last[j] = 1, act = 0.
 *
 * The session state is (in_act, in_rem, in_owe): the body bytes still to
 * come are in_rem - 10 * in_owe, with in_rem BCD (in_owe: digit 1 owes a
 * lend to digit 0). A beat that ends BodyLength at lane g takes that
 * beat's body bytes (count - g - 1, at most 7) off digit 0 only, leaving
 * any lend owed; the next beat settles it together with its own count
 * (digit 0 minus count lends at most 1, so digit 1 gives at most 2).
 * So no multi-digit arithmetic is done on BodyLength in the beat that
 * ends it, the loop's subtract has no adder in front of it, and only a
 * body ending in that same beat (BodyLength at most 7) is found by a
 * compare of its low digit.
 *
 * last_c is the carried body's last lane from the carried count alone,
 * whatever this beat's garb and bl_end say (frame_ctl's input, which
 * must not wait for frame_ctl's own garbled lanes).
 *
 * Also, for the caller's BodyLength checks (same beat as bl_end):
 * bl_lt5 = BodyLength < 5, bl_gt_max = BodyLength > max_bcd (MAX_BODY in
 * BCD, 8 digits since it is a 24-bit register).
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module body_end (
    input  wire [3:0]  count,
    input  wire [7:0]  bl_end,
    input  wire [27:0] bl_bcd,
    input  wire [31:0] max_bcd,
    input  wire [7:0]  garb,

    input  wire        in_act,
    input  wire [27:0] in_rem,
    input  wire        in_owe,

    output reg  [7:0]  last,
    output reg  [7:0]  last_c,
    output wire        bl_lt5,
    output wire        bl_gt_max,

    output reg         out_act,
    output reg  [27:0] out_rem,
    output reg         out_owe
);

assign bl_lt5 = bl_bcd[27:4] == 24'd0 && bl_bcd[3:0] < 4'd5;
// Digit by digit, then the most significant digit that differs decides
// (a binary compare of the packed nibbles would chain a 32-bit carry).
wire [31:0] bl8 = {4'd0, bl_bcd};
reg [7:0] gt1, eq1;
reg [3:0] gt2, eq2;
reg [1:0] gt3;
reg eq3;
integer q;
always @* begin
    for (q = 0; q < 8; q = q + 1) begin
        gt1[q] = bl8[4*q +: 4] > max_bcd[4*q +: 4];
        eq1[q] = bl8[4*q +: 4] == max_bcd[4*q +: 4];
    end
    for (q = 0; q < 4; q = q + 1) begin
        gt2[q] = gt1[2*q+1] || (eq1[2*q+1] && gt1[2*q]);
        eq2[q] = eq1[2*q+1] && eq1[2*q];
    end
    for (q = 0; q < 2; q = q + 1) gt3[q] = gt2[2*q+1] || (eq2[2*q+1] && gt2[2*q]);
    eq3 = eq2[3] && eq2[2];
end
assign bl_gt_max = gt3[1] || (eq3 && gt3[0]);

// BodyLength at most 7: the body may end in the beat that ends it.
wire bl_small = bl_bcd[27:4] == 24'd0 && bl_bcd[3:0] <= 4'd7;
// The carried count at most 15: the body may end in this beat.
wire rem_small = in_rem[27:8] == 20'd0 && in_rem[7:4] <= 4'd1;  // at most 19
wire [4:0] rem_lo = (in_rem[4] ? 5'd10 : 5'd0) + {1'b0, in_rem[3:0]};  // when rem_small

// in_rem - 10 * in_owe - count, in BCD, digit by digit; only used when
// that is > 0. Digit 0 lends at most 1 (count is at most 8), so digit 1
// gives up to 2 (that and in_owe); digits 2..6 lend 1 while the borrow
// runs through zeros.
reg [27:0] dec;
reg signed [4:0] t0;
reg [1:0] b1;
reg borrow;
integer d;
always @* begin
    dec = in_rem;
    t0 = $signed({1'b0, in_rem[3:0]}) - $signed({1'b0, count});
    dec[3:0] = t0[4] ? 4'(t0 + 5'sd10) : t0[3:0];
    b1 = {1'b0, t0[4]} + {1'b0, in_owe};
    borrow = in_rem[7:4] < {2'd0, b1};
    dec[7:4] = borrow ? in_rem[7:4] + 4'd10 - {2'd0, b1} : in_rem[7:4] - {2'd0, b1};
    for (d = 2; d < 7; d = d + 1) begin
        if (borrow) begin
            if (in_rem[4*d +: 4] == 4'd0) begin
                dec[4*d +: 4] = 4'd9;
            end else begin
                dec[4*d +: 4] = in_rem[4*d +: 4] - 4'd1;
                borrow = 1'b0;
            end
        end
    end
end

reg [3:0] g;     // the last lane < count with a garb or BodyLength end
reg g_any, g_bl;
integer gl;
always @* begin
    g = 4'd0;
    {g_any, g_bl} = 2'b00;
    for (gl = 0; gl < 8; gl = gl + 1) begin
        if (gl < count && (garb[gl] || bl_end[gl])) begin
            g = gl[3:0];
            g_any = 1'b1;
            g_bl = !garb[gl];
        end
    end
end

// The beat that ends BodyLength at lane g: its body bytes in this beat,
// count - g - 1 (0..7), come off digit 0 there, a lend from digit 1
// left owing (out_owe) for the next beat.
reg [3:0] bl_d0;
reg bl_owe;
reg signed [4:0] u0;
always @* begin
    u0 = $signed({1'b0, bl_bcd[3:0]}) - $signed({1'b0, count - g - 4'd1});
    bl_owe = u0[4];
    bl_d0 = u0[4] ? 4'(u0 + 5'sd10) : u0[3:0];
end

integer j, s, k;
reg clear;       // a garb or a BodyLength end at or before lane j
reg ok;
reg same_beat_end;
always @* begin
    last = 8'd0;
    last_c = 8'd0;
    for (j = 0; j < 8; j = j + 1) begin
        // Counted from the carried state.
        clear = 1'b0;
        for (k = 0; k <= j; k = k + 1) if (garb[k] || bl_end[k]) clear = 1'b1;
        if (j < count && in_act && rem_small
            && rem_lo == (in_owe ? 5'd10 : 5'd0) + j[4:0] + 5'd1)
            last_c[j] = 1'b1;
        if (last_c[j] && !clear) last[j] = 1'b1;
        // Counted from a BodyLength ending at lane s < j in this beat.
        for (s = 0; s < j; s = s + 1) begin
            ok = bl_end[s] && !garb[s] && bl_small && bl_bcd[3:0] == 4'(j - s);
            for (k = s + 1; k <= j; k = k + 1) if (garb[k] || bl_end[k]) ok = 1'b0;
            if (j < count && ok) last[j] = 1'b1;
        end
    end

    same_beat_end = bl_small && {1'b0, bl_bcd[3:0]} + g + 4'd1 <= {1'b0, count};

    out_act = 1'b0;
    out_rem = in_rem;
    out_owe = 1'b0;
    if (!g_any) begin
        // Still counting from the carry unless the body ends in this beat
        // (bytes to come, rem_lo - 10 * in_owe, at most count).
        out_act = in_act && !(rem_small && rem_lo <= (in_owe ? 5'd10 : 5'd0) + {1'b0, count});
        out_rem = dec;
    end else if (g_bl && !same_beat_end) begin
        out_act = 1'b1;
        out_rem = {bl_bcd[27:4], bl_d0};
        out_owe = bl_owe;
    end
end

endmodule

`resetall
