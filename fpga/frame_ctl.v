/*
 * frame_ctl: the frame control loop of the line-rate pipeline (issue
 * 12, item 1), for all lanes of a compacted beat (beat_compact's
 * output); not yet instantiated by seq_validator. Combinational.
 *
 * Decides, lane by lane, where frames start and end and which byte
 * makes a frame GARBLED, by the rules of fix_parse_step (the contract
 * in engine/src/validator/mod.rs), but only the control part of them:
 * no decimal arithmetic, no CheckSum sum, no body count and no field
 * values. Those come in as per-lane flags from the other stages, and
 * are read only at the lanes where the rules consult them:
 *
 *   bl_lt5[j], bl_gt[j]  at the SOH ending BodyLength: the value is < 5
 *                        / > MAX_BODY (body_end's bl_lt5 / bl_gt_max
 *                        for the value value_merge ends at lane j);
 *   bl_small[j], bl_lo[j] the same value is <= 7, and its low digit
 *                        (a body that may end in this same beat);
 *   last_c[j]            a body carried in from the previous beat has
 *                        its last byte at lane j (body_end, from the
 *                        carried count alone);
 *   ck_ok[j]             at the trailer's SOH: the CheckSum digits equal
 *                        the frame's sum (cksum_prefix's lane sums).
 * Other lanes' values of these flags do not matter.
 *
 * The session's control state (ST_W bits, in_st / out_st; all zeros is
 * a new stream, expecting `8=FIX` at its first byte):
 *   fst[2:0]  frame state, encoded as fix_parse_step's S_*;
 *   k[4:0]    S_BEGIN: `8=FIX` bytes matched (the frame index);
 *             S_HUNT: `8=FIX` bytes matched; S_BSV: the frame index;
 *   cnt[2:0]  BodyLength digits (S_BL) / trailer byte (S_TRL);
 *   fs[2:0]   S_BODY: 0..5 `3`, `5`, `=`, MsgType bytes 0, 1, 2;
 *             6 after MsgType (fields);
 *   psoh      S_BODY: the previous byte was SOH.
 *
 * Outputs per lane j < count: ev[j] (a frame ends here: complete, or
 * garbled with reason[3j +: 3] = fix_parse_step's R_*), bl_acc[j] (the
 * SOH ending an accepted BodyLength: the body starts at j + 1) and
 * lane_st[ST_W*j +: ST_W], the state before lane j (a frame's first
 * byte is the lane with S_BEGIN, k = 0, or 4 lanes before the lane
 * where S_HUNT with k = 4 sees `X`). A lane chain: see docs/VALIDATOR.md
 * for its depth.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module frame_ctl #(
    parameter MAX_BS = 16,
    parameter ST_W = 15
) (
    input  wire [63:0]     data,
    input  wire [3:0]      count,
    input  wire [7:0]      bl_lt5,
    input  wire [7:0]      bl_gt,
    input  wire [7:0]      bl_small,
    input  wire [23:0]     bl_lo,
    input  wire [7:0]      last_c,
    input  wire [7:0]      ck_ok,

    input  wire [ST_W-1:0] in_st,
    output reg  [ST_W-1:0] out_st,

    output reg  [7:0]      ev,
    output reg  [7:0]      garb,
    output reg  [23:0]     reason,
    output reg  [7:0]      bl_acc,
    output reg  [ST_W*8-1:0] lane_st
);

localparam [2:0] S_BEGIN = 3'd0, S_BSV = 3'd1, S_9 = 3'd2, S_9EQ = 3'd3,
                 S_BL = 3'd4, S_BODY = 3'd5, S_TRL = 3'd6, S_HUNT = 3'd7;
localparam [2:0] R_BEGIN = 3'd1, R_BODYLEN = 3'd2, R_TOOLONG = 3'd3,
                 R_MSGTYPE = 3'd4, R_TRAILER = 3'd5, R_CHECKSUM = 3'd6;
localparam [4:0] BSV_LAST = 2 + MAX_BS;

function automatic [7:0] begin_char_at(input [4:0] i);
    case (i)
        5'd0: begin_char_at = "8";
        5'd1: begin_char_at = "=";
        5'd2: begin_char_at = "F";
        5'd3: begin_char_at = "I";
        default: begin_char_at = "X";
    endcase
endfunction

// The lane's state; `src` says how a body open at this lane ends in
// this beat: 1 carried in (last_c), 2 begun in this beat and short
// (`r` bytes left), 0 begun in this beat and too long to end in it.
reg [2:0] fst, cnt, fs, r;
reg [4:0] k;
reg psoh;
reg [1:0] src;
reg g;
reg [2:0] why;
reg [7:0] b;
reg soh, dig, body_last;
integer j;

always @* begin
    {fst, k, cnt, fs, psoh} = in_st;
    src = 2'd1;
    r = 3'd0;
    {ev, garb, bl_acc} = 24'd0;
    reason = 24'd0;
    lane_st = {ST_W*8{1'b0}};
    for (j = 0; j < 8; j = j + 1) begin
        lane_st[ST_W*j +: ST_W] = {fst, k, cnt, fs, psoh};
        b = data[8*j +: 8];
        soh = b == 8'h01;
        dig = b >= "0" && b <= "9";
        g = 1'b0;
        why = 3'd0;
        body_last = 1'b0;
        if (j < count) begin
            case (fst)
                S_BEGIN: begin
                    if (b != begin_char_at(k)) {g, why} = {1'b1, R_BEGIN};
                    else k = k + 5'd1;
                    if (!g && k == 5'd5) fst = S_BSV;
                end
                S_BSV: begin
                    if (soh) fst = S_9;
                    else if (k == BSV_LAST) {g, why} = {1'b1, R_BEGIN};
                    else k = k + 5'd1;
                end
                S_9: if (b == "9") fst = S_9EQ;
                     else {g, why} = {1'b1, R_BODYLEN};
                S_9EQ: if (b == "=") {fst, cnt} = {S_BL, 3'd0};
                       else {g, why} = {1'b1, R_BODYLEN};
                S_BL: begin
                    if (soh) begin
                        if (cnt == 3'd0 || bl_lt5[j]) begin
                            {g, why} = {1'b1, R_BODYLEN};
                        end else if (bl_gt[j]) begin
                            {g, why} = {1'b1, R_TOOLONG};
                        end else begin
                            {fst, fs, psoh} = {S_BODY, 3'd0, 1'b0};
                            bl_acc[j] = 1'b1;
                            src = bl_small[j] ? 2'd2 : 2'd0;
                            r = bl_lo[3*j +: 3];
                        end
                    end else if (dig) begin
                        if (cnt == 3'd7) {g, why} = {1'b1, R_TOOLONG};
                        else cnt = cnt + 3'd1;
                    end else begin
                        {g, why} = {1'b1, R_BODYLEN};
                    end
                end
                S_BODY: begin
                    body_last = src == 2'd1 ? last_c[j] : src == 2'd2 && r == 3'd1;
                    r = r - 3'd1;
                    psoh = soh;
                    case (fs)
                        3'd0: if (b == "3") fs = 3'd1; else {g, why} = {1'b1, R_MSGTYPE};
                        3'd1: if (b == "5") fs = 3'd2; else {g, why} = {1'b1, R_MSGTYPE};
                        3'd2: if (b == "=") fs = 3'd3; else {g, why} = {1'b1, R_MSGTYPE};
                        3'd3: if (soh) {g, why} = {1'b1, R_MSGTYPE}; else fs = 3'd4;
                        3'd4: fs = soh ? 3'd6 : 3'd5;
                        default: fs = 3'd6;
                    endcase
                    if (body_last) {fst, cnt} = {S_TRL, 3'd0};
                end
                S_TRL: begin
                    cnt = cnt + 3'd1;
                    case (cnt)
                        3'd1: if (!psoh || b != "1") {g, why} = {1'b1, R_TRAILER};
                        3'd2: if (b != "0") {g, why} = {1'b1, R_TRAILER};
                        3'd3: if (b != "=") {g, why} = {1'b1, R_TRAILER};
                        3'd4, 3'd5, 3'd6: if (!dig) {g, why} = {1'b1, R_TRAILER};
                        default: begin
                            if (!soh) {g, why} = {1'b1, R_TRAILER};
                            else if (!ck_ok[j]) {g, why} = {1'b1, R_CHECKSUM};
                            else begin
                                ev[j] = 1'b1;
                                {fst, k, cnt, fs, psoh} = {S_BEGIN, 5'd0, 3'd0, 3'd0, 1'b0};
                            end
                        end
                    endcase
                end
                default: begin  // S_HUNT
                    if (k == 5'd4 && b == "X") begin
                        {fst, k} = {S_BSV, 5'd5};
                        psoh = 1'b0;
                    end else if (k != 5'd4 && b == begin_char_at(k)) begin
                        k = k + 5'd1;
                    end else begin
                        k = {4'd0, b == "8"};
                    end
                end
            endcase
            if (g) begin
                ev[j] = 1'b1;
                garb[j] = 1'b1;
                reason[3*j +: 3] = why;
                {fst, k, cnt, fs, psoh} = {S_HUNT, 4'd0, b == "8", 3'd0, 3'd0, 1'b0};
            end
        end
    end
    out_st = {fst, k, cnt, fs, psoh};
end

endmodule

`resetall
