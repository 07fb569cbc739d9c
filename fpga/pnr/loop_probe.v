/*
 * loop_probe: a measurement harness, not a design. It closes the line-
 * rate pipeline's per-session loop with the pieces built so far, so that
 * scripts/synth.sh can report the assembled loop's depth register to
 * register: sess_state (64 sessions, a 46-bit word) hands the session's
 * word to body_end (the body count) and cksum_prefix (the carry-save
 * running sum), whose results go back into it. The beat's inputs and
 * the outputs are registered, so every path is register to register.
 * The frame control loop (issue 12) is not in it: it is not built.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module loop_probe (
    input  wire        clk,
    input  wire        rst,
    input  wire        a_valid,
    input  wire [5:0]  a_sess,
    input  wire [63:0] a_data,
    input  wire [3:0]  a_count,
    input  wire [7:0]  a_bl_end,
    input  wire [27:0] a_bl_bcd,
    input  wire [7:0]  a_garb,
    input  wire [31:0] a_max_bcd,
    output reg  [7:0]  last_q,
    output reg  [63:0] sums_q,
    output reg         checks_q
);

reg [63:0] b_data;
reg [3:0] b_count;
reg [7:0] b_bl_end, b_garb;
reg [27:0] b_bl_bcd;
reg [31:0] max_bcd;
always @(posedge clk) begin
    if (a_valid) {b_data, b_count, b_bl_end, b_garb, b_bl_bcd} <= {a_data, a_count, a_bl_end, a_garb, a_bl_bcd};
    max_bcd <= a_max_bcd;
end

/* verilator lint_off UNUSEDSIGNAL */
wire b_valid;
wire [5:0] b_sess;
/* verilator lint_on UNUSEDSIGNAL */
wire [45:0] cur, nxt;
sess_state #(.W(46), .SESSIONS(64)) st (
    .clk(clk), .rst(rst), .a_valid(a_valid), .a_sess(a_sess),
    .b_valid(b_valid), .b_sess(b_sess), .b_cur(cur), .b_next(nxt), .clr(1'b0), .clr_sess(6'd0)
);

wire [7:0] last;
wire lt5, gt;
wire [63:0] lane_sum, beat_pre;
body_end be (
    .count(b_count), .bl_end(b_bl_end), .bl_bcd(b_bl_bcd), .max_bcd(max_bcd), .garb(b_garb),
    .in_act(cur[45]), .in_rem(cur[44:17]), .in_owe(cur[16]),
    .last(last), .bl_lt5(lt5), .bl_gt_max(gt),
    .out_act(nxt[45]), .out_rem(nxt[44:17]), .out_owe(nxt[16])
);
cksum_prefix ck (
    .data(b_data), .count(b_count), .in_sa(cur[15:8]), .in_sb(cur[7:0]),
    .lane_sum(lane_sum), .beat_pre(beat_pre), .out_sa(nxt[15:8]), .out_sb(nxt[7:0])
);

always @(posedge clk) begin
    last_q <= last;
    sums_q <= lane_sum ^ beat_pre;
    checks_q <= lt5 ^ gt;
end

endmodule

`resetall
