/*
 * bcd_to_bin: BCD to binary for the verdict record (issue 12, item 1),
 * in stages of its own outside the per-session loop, not yet
 * instantiated by seq_validator.
 *
 * The line-rate loop keeps MsgSeqNum and NewSeqNo as up to 10 BCD digits
 * (value_merge); the record carries them in binary. This converts one
 * 10-digit value per cycle, fully pipelined, latency 4 cycles, with no
 * constant multiplier and no long carry chain in any stage:
 *   1: each digit times its power of ten (a 4-input table per bit),
 *      then carry-save adders, 10 rows to 5;
 *   2: carry-save adders, 5 rows to 2;
 *   3: the low 17 bits of the two rows added, the carry registered;
 *   4: the high 17 bits added with that carry.
 * m_fits is m_bin < 2^32 (a MsgSeqNum must fit 32 bits). `s_side` (e.g.
 * the record's other fields) travels alongside with the same latency.
 * No handshake: one value in and one out every cycle (s_valid/m_valid
 * mark them), so it sits in a pipeline that never stalls or before a
 * FIFO that absorbs the consumer's stalls.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module bcd_to_bin #(
    parameter SIDE_W = 1
) (
    input  wire              clk,
    input  wire              rst,
    input  wire [39:0]       s_bcd,
    input  wire [SIDE_W-1:0] s_side,
    input  wire              s_valid,
    output reg  [33:0]       m_bin,
    output wire              m_fits,
    output reg  [SIDE_W-1:0] m_side,
    output reg               m_valid
);

// Carry-save adder: three rows to two (sum, carry shifted left).
function automatic [67:0] csa(input [33:0] a, input [33:0] b, input [33:0] c);
    csa = {a ^ b ^ c, {(a[32:0] & b[32:0]) | (a[32:0] & c[32:0]) | (b[32:0] & c[32:0]), 1'b0}};
endfunction

reg [33:0] t [0:9];
reg [33:0] r1 [0:4];
reg [33:0] r2a, r2b;
reg [16:0] lo3;
reg [16:0] hi3a, hi3b;
reg c3;
reg [SIDE_W-1:0] side1, side2, side3;
reg val1, val2, val3;
reg [67:0] k0, k1, k2, k3, k4, k5, k6, k7;
integer i;
always @* begin
    for (i = 0; i < 10; i = i + 1) t[i] = {30'd0, s_bcd[4*i +: 4]} * (34'd10 ** i);
    // 1: 10 rows to 5 (two CSA levels).
    k0 = csa(t[0], t[1], t[2]);
    k1 = csa(t[3], t[4], t[5]);
    k2 = csa(t[6], t[7], t[8]);
    k3 = csa(k0[67:34], k0[33:0], k1[67:34]);
    k4 = csa(k1[33:0], k2[67:34], k2[33:0]);
    // 2: 5 rows to 2 (three CSA levels).
    k5 = csa(r1[0], r1[1], r1[2]);
    k6 = csa(k5[67:34], k5[33:0], r1[3]);
    k7 = csa(k6[67:34], k6[33:0], r1[4]);
end

always @(posedge clk) begin
    r1[0] <= k3[67:34];
    r1[1] <= k3[33:0];
    r1[2] <= k4[67:34];
    r1[3] <= k4[33:0];
    r1[4] <= t[9];
    r2a <= k7[67:34];
    r2b <= k7[33:0];
    // 3, 4: the two rows added, low half first.
    {c3, lo3} <= {1'b0, r2a[16:0]} + {1'b0, r2b[16:0]};
    hi3a <= r2a[33:17];
    hi3b <= r2b[33:17];
    m_bin <= {hi3a + hi3b + {16'd0, c3}, lo3};
    {side1, side2, side3, m_side} <= {s_side, side1, side2, side3};
    {val1, val2, val3, m_valid} <= {s_valid, val1, val2, val3};
    if (rst) {val1, val2, val3, m_valid} <= 4'd0;
end

assign m_fits = m_bin[33:32] == 2'd0;

endmodule

`resetall
