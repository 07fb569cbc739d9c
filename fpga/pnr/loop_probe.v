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
 * in the same loop: its 49-bit state, and the frame's CheckSum state
 * (the running sum before its first byte, and the frame's sum once its
 * body has ended)
 * join the session's word; body_end takes its garbled-in-body lanes and
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
    output reg  [47:0] ctl_q,
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

localparam CW = 49;  // frame_ctl's state
localparam W = WITH_CTL ? 46 + CW + 16 : 46;
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

wire [47:0] ctl_out;
generate
    if (WITH_CTL) begin : ctl
        wire [CW-1:0] in_st = cur[46 +: CW];
        wire [7:0] snap = cur[46 + CW +: 8], fsum = cur[54 + CW +: 8];
        wire [7:0] in_sum = cur[15:8] + cur[7:0];
        wire [7:0] ev, garb, bl_acc, garb_body;
        wire [23:0] reason;
        wire [CW-1:0] out_st;
        wire [CW*8-1:0] lane_st;
        reg [7:0] ck_ok;
        wire small = b_bl_bcd[27:4] == 24'd0 && b_bl_bcd[3:0] <= 4'd7;
        frame_ctl fc (
            .data(b_data), .count(b_count), .bl_lt5({8{lt5}}), .bl_gt({8{gt}}),
            .bl_small({8{small}}), .bl_lo({8{b_bl_bcd[2:0]}}), .last_c(last_c), .ck_ok(ck_ok),
            .in_st(in_st), .out_st(out_st), .ev(ev), .garb(garb), .reason(reason),
            .bl_acc(bl_acc), .garb_body(garb_body), .lane_st(lane_st)
        );
        assign be_bl_end = bl_acc;
        assign be_garb = garb_body;
        // The state after lane j: lane_st[j + 1], out_st after the last.
        // Bits (frame_ctl.v): 0 NOT S_BEGIN with 0 matched, 9 S_HUNT with
        // 4 matched, 10 S_BSV at index 5, 41 S_TRL before its first byte.
        wire [CW*9-1:0] st_after = {out_st, lane_st[CW*8-1:CW]};
        reg [7:0] n_snap, n_fsum;
        integer j;
        always @* begin
            n_snap = snap;
            n_fsum = fsum;
            for (j = 0; j < 8; j = j + 1) begin
                // The trailer's SOH at lane 7 of a body that ended at lane 0.
                // (The frame started in an earlier beat: it is >= 22 bytes.)
                ck_ok[j] = ((j == 7 && lane_st[CW + 41]) ? lane_sum[7:0] - snap : fsum) == b_ck;
                if (j < b_count) begin
                    // A frame starts here (S_BEGIN, 0 matched), or 4 bytes back (the hunt's X).
                    if (!lane_st[CW*j])
                        n_snap = j == 0 ? in_sum : lane_sum[8*(j-1) +: 8];
                    if (lane_st[CW*j + 9] && st_after[CW*j + 10])
                        n_snap = lane_sum[8*j +: 8] - 8'd92;
                    if (st_after[CW*j + 41])
                        n_fsum = lane_sum[8*j +: 8] - snap;
                end
            end
        end
        assign nxt[46 +: CW] = out_st;
        assign nxt[46 + CW +: 8] = n_snap;
        assign nxt[54 + CW +: 8] = n_fsum;
        assign ctl_out = {ev, garb, reason, bl_acc};
    end else begin : no_ctl
        assign be_bl_end = b_bl_end;
        assign be_garb = b_garb;
        assign ctl_out = 48'd0;
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
