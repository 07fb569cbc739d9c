/*
 * loop_probe: a measurement harness, not a design. It closes the line-
 * rate pipeline's per-session loop with the pieces built so far, so that
 * scripts/synth.sh can report the assembled loop's depth register to
 * register: sess_state (64 sessions, a 46-bit word) hands the session's
 * word to body_end (the body count) and cksum_prefix (the carry-save
 * running sum), whose results go back into it. The beat's inputs and
 * the outputs are registered, so every path is register to register.
 *
 * WITH_CTL = 1 closes frame_ctl (the frame control loop, a lane chain)
 * in the same loop: its 15-bit state, and the frame's CheckSum snapshots
 * (the running sum before its first byte and at its body's last byte)
 * join the session's word; body_end takes its garbled lanes and
 * accepted BodyLength ends from frame_ctl, and frame_ctl its carried
 * body's last lane from body_end and each lane's CheckSum compare from
 * the lane sums. The BodyLength value is still one registered input for
 * the beat (not value_merge's per-lane values), and nothing reads field
 * values, offsets or the sequencing table: a lower bound on the loop.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module loop_probe #(
    parameter WITH_CTL = 0
) (
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
    input  wire [7:0]  a_ck,
    output reg  [7:0]  last_q,
    output reg  [15:0] ctl_q,
    output reg  [63:0] sums_q,
    output reg         checks_q
);

reg [63:0] b_data;
reg [3:0] b_count;
reg [7:0] b_bl_end, b_garb, b_ck;
reg [27:0] b_bl_bcd;
reg [31:0] max_bcd;
always @(posedge clk) begin
    if (a_valid) {b_data, b_count, b_bl_end, b_garb, b_bl_bcd, b_ck} <= {a_data, a_count, a_bl_end, a_garb, a_bl_bcd, a_ck};
    max_bcd <= a_max_bcd;
end

localparam W = WITH_CTL ? 46 + 15 + 16 : 46;
/* verilator lint_off UNUSEDSIGNAL */
wire b_valid;
wire [5:0] b_sess;
/* verilator lint_on UNUSEDSIGNAL */
wire [W-1:0] cur, nxt;
sess_state #(.W(W), .SESSIONS(64)) st (
    .clk(clk), .rst(rst), .a_valid(a_valid), .a_sess(a_sess),
    .b_valid(b_valid), .b_sess(b_sess), .b_cur(cur), .b_next(nxt), .clr(1'b0), .clr_sess(6'd0)
);

wire [7:0] last, last_c, be_bl_end, be_garb;
wire lt5, gt;
wire [63:0] lane_sum, beat_pre;
body_end be (
    .count(b_count), .bl_end(be_bl_end), .bl_bcd(b_bl_bcd), .max_bcd(max_bcd), .garb(be_garb),
    .in_act(cur[45]), .in_rem(cur[44:17]), .in_owe(cur[16]),
    .last(last), .last_c(last_c), .bl_lt5(lt5), .bl_gt_max(gt),
    .out_act(nxt[45]), .out_rem(nxt[44:17]), .out_owe(nxt[16])
);
cksum_prefix ck (
    .data(b_data), .count(b_count), .in_sa(cur[15:8]), .in_sb(cur[7:0]),
    .lane_sum(lane_sum), .beat_pre(beat_pre), .out_sa(nxt[15:8]), .out_sb(nxt[7:0])
);

wire [15:0] ctl_out;
generate
    if (WITH_CTL) begin : ctl
        wire [14:0] in_st = cur[60:46];
        wire [7:0] snap = cur[68:61], bsum = cur[76:69];
        wire [7:0] in_sum = cur[15:8] + cur[7:0];
        wire [7:0] ev, garb, bl_acc;
        wire [23:0] reason;
        wire [14:0] out_st;
        wire [15*8-1:0] lane_st;
        reg [7:0] ck_ok;
        wire small = b_bl_bcd[27:4] == 24'd0 && b_bl_bcd[3:0] <= 4'd7;
        frame_ctl fc (
            .data(b_data), .count(b_count), .bl_lt5({8{lt5}}), .bl_gt({8{gt}}),
            .bl_small({8{small}}), .bl_lo({8{b_bl_bcd[2:0]}}), .last_c(last_c), .ck_ok(ck_ok),
            .in_st(in_st), .out_st(out_st), .ev(ev), .garb(garb), .reason(reason),
            .bl_acc(bl_acc), .lane_st(lane_st)
        );
        assign be_bl_end = bl_acc;
        assign be_garb = garb;
        // The state after lane j: lane_st[j + 1], out_st after the last.
        wire [15*9-1:0] st_after = {out_st, lane_st[15*8-1:15]};
        reg [7:0] n_snap, n_bsum;
        integer j;
        always @* begin
            n_snap = snap;
            n_bsum = bsum;
            for (j = 0; j < 8; j = j + 1) begin
                ck_ok[j] = ((j == 7 && lane_st[14:12] == 3'd5 && lane_st[15*1+14 -: 3] == 3'd6)
                            ? lane_sum[7:0] : bsum) - snap == b_ck;
                if (j < b_count) begin
                    // A frame starts here (S_BEGIN, index 0), or 4 bytes back (the hunt's X).
                    if (lane_st[15*j+12 +: 3] == 3'd0 && lane_st[15*j+7 +: 5] == 5'd0)
                        n_snap = j == 0 ? in_sum : lane_sum[8*(j-1) +: 8];
                    if (lane_st[15*j+12 +: 3] == 3'd7 && st_after[15*j+12 +: 3] == 3'd1)
                        n_snap = lane_sum[8*j +: 8] - 8'd92;
                    if (lane_st[15*j+12 +: 3] == 3'd5 && st_after[15*j+12 +: 3] == 3'd6)
                        n_bsum = lane_sum[8*j +: 8];
                end
            end
        end
        assign nxt[60:46] = out_st;
        assign nxt[68:61] = n_snap;
        assign nxt[76:69] = n_bsum;
        assign ctl_out = {ev ^ bl_acc, garb ^ reason[7:0] ^ reason[15:8] ^ reason[23:16]};
    end else begin : no_ctl
        assign be_bl_end = b_bl_end;
        assign be_garb = b_garb;
        assign ctl_out = 16'd0;
    end
endgenerate

always @(posedge clk) begin
    last_q <= last;
    sums_q <= lane_sum ^ beat_pre;
    checks_q <= lt5 ^ gt;
    ctl_q <= ctl_out;
end

endmodule

`resetall
