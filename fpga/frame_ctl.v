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
 * The session's control state (ST_W = 49 bits, in_st / out_st; the
 * layout below is for MAX_BS = 16, seq_validator's, and the code reads
 * the group positions as fixed), one-hot so that each lane's step is an AND-OR of the previous lane's bits and
 * the lane's byte flags, with no counter to increment and no compare:
 *   [0]      NOT S_BEGIN with 0 bytes matched (so all zeros, a new
 *            stream, expects `8=FIX` at its first byte);
 *   [4:1]    S_BEGIN, 1..4 bytes of `8=FIX` matched;
 *   [9:5]    S_HUNT, 0..4 bytes of `8=FIX` matched;
 *   [23:10]  S_BSV, frame index 5..18;
 *   [24] S_9, [25] S_9EQ;
 *   [33:26]  S_BL, 0..7 BodyLength digits;
 *   [40:34]  S_BODY: 0..5 `3`, `5`, `=`, MsgType bytes 0, 1, 2 next;
 *            6 after MsgType (fields);
 *   [47:41]  S_TRL, trailer byte 0..6 next;
 *   [48]     psoh: the previous byte was SOH (meaningful in S_TRL).
 * (fix_parse_step's names: S_* frame states, R_* GARBLED reasons.)
 *
 * Outputs per lane j < count: ev[j] (a frame ends here: complete, or
 * garbled with reason[3j +: 3] = fix_parse_step's R_*), bl_acc[j] (the
 * SOH ending an accepted BodyLength: the body starts at j + 1),
 * garb_body[j] (garbled inside a body, i.e. MsgType not first: the only
 * GARBLED lanes body_end's count needs, and they do not depend on the
 * CheckSum flags) and
 * lane_st[ST_W*j +: ST_W], the state before lane j (a frame's first
 * byte is the lane in S_BEGIN with 0 bytes matched, or 4 lanes before
 * the lane where S_HUNT with 4 matched sees `X`).
 *
 * Structure: a lane's step is an AND-OR of the previous lane's state
 * bits and its byte's flags (one-hot: no counter, no compare). The
 * session's state is run through the beat as if nothing ended in it
 * (the carried run: a frame's end or garbled byte leaves no bit set), so
 * that run never feeds a GARBLED term back into S_HUNT. What follows an
 * event depends on the data alone (within 8 bytes a new frame reaches
 * no BodyLength SOH, body or trailer, so no per-session flag), so it is
 * computed for every lane: S_HUNT reading lane i again after a garbled
 * byte there, S_BEGIN from lane i after a frame ending at lane i - 1;
 * the carried run's event, at most one, picks one of them. Those runs
 * may hold the beat's second event. See docs/VALIDATOR.md for the
 * depth.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module frame_ctl #(
    parameter MAX_BS = 16,
    parameter ST_W = 49
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
    output reg  [7:0]      garb_body,
    output reg  [ST_W*8-1:0] lane_st
);

localparam [2:0] R_BEGIN = 3'd1, R_BODYLEN = 3'd2, R_TOOLONG = 3'd3,
                 R_MSGTYPE = 3'd4, R_TRAILER = 3'd5, R_CHECKSUM = 3'd6;
localparam NBS = MAX_BS - 2;  // BeginString index 5 .. 2 + MAX_BS
// The working state: the one-hot state (bit 0 S_BEGIN with 0 matched,
// here not inverted), then cr, sm[7:0] and the OR of the S_BSV, S_BL and
// S_BODY groups.
localparam IW = ST_W + 12;
localparam EW = 7;  // {g, done, reason[2:0], acc, g_msgtype}

// One lane's step. With fb = 0 a frame's end or garbled byte leaves no
// state bit set (the caller picks the continuation); with fb = 1 it goes
// to S_BEGIN / S_HUNT.
function automatic [IW+EW-1:0] step(input [IW-1:0] x, input [7:0] b, input fb,
                                     input lt5, input gt, input sml, input [2:0] lo,
                                     input lastc, input ck);
    reg [4:0] bg, hu, m, nbg, nhu;
    reg [NBS-1:0] bs, nbs;
    reg n9, n9eq, nn9, nn9eq, psoh, npsoh, cr, ncr, in_bs, in_bl, in_bd;
    reg nin_bs, nin_bl, nin_bd;
    reg [7:0] bl, nbl, sm, nsm;
    reg [6:0] bd, nbd, tr, ntr;
    reg soh, dig, c8, ceq, c9, c1, c0, c3, c5, cx;
    reg g_begin, g_bodylen, g_toolong, g_msgtype, g_trailer, g_checksum, g, done, acc,
        body_last, found;
    reg [2:0] why;
    begin
        {in_bd, in_bl, in_bs, sm, cr, psoh, tr, bd, bl, n9eq, n9, bs, hu, bg} = x;
        soh = b == 8'h01;
        dig = b >= "0" && b <= "9";
        c8 = b == "8";
        ceq = b == "=";
        c9 = b == "9";
        c1 = b == "1";
        c0 = b == "0";
        c3 = b == "3";
        c5 = b == "5";
        cx = b == "X";
        m = {cx, b == "I", b == "F", ceq, c8};  // `8=FIX`, byte k
        g_begin = |(bg & ~m) || (bs[NBS-1] && !soh);
        g_bodylen = (n9 && !c9) || (n9eq && !ceq)
                    || (in_bl && soh && (bl[0] || lt5)) || (in_bl && !soh && !dig);
        g_toolong = (in_bl && !bl[0] && soh && !lt5 && gt) || (bl[7] && dig);
        g_msgtype = (bd[0] && !c3) || (bd[1] && !c5) || (bd[2] && !ceq) || (bd[3] && soh);
        g_trailer = (tr[0] && !(psoh && c1)) || (tr[1] && !c0) || (tr[2] && !ceq)
                    || (|tr[5:3] && !dig) || (tr[6] && !soh);
        g_checksum = tr[6] && soh && !ck;
        g = g_begin || g_bodylen || g_toolong || g_msgtype || g_trailer || g_checksum;
        done = tr[6] && soh && ck;
        acc = in_bl && !bl[0] && soh && !lt5 && !gt;
        body_last = in_bd && ((cr && lastc) || sm[1]);
        why = g_begin ? R_BEGIN : g_bodylen ? R_BODYLEN : g_toolong ? R_TOOLONG
            : g_msgtype ? R_MSGTYPE : g_trailer ? R_TRAILER : g_checksum ? R_CHECKSUM : 3'd0;

        nbg = {bg[3:0] & m[3:0], fb && done};
        found = (bg[4] || hu[4]) && cx;
        nbs = {bs[NBS-2:0] & {(NBS-1){!soh}}, found};
        nn9 = in_bs && soh;
        nn9eq = n9 && c9;
        nbl = {bl[6:0] & {7{dig}}, n9eq && ceq};
        nbd[0] = acc;
        nbd[1] = bd[0] && c3;
        nbd[2] = bd[1] && c5;
        nbd[3] = bd[2] && ceq;
        nbd[4] = bd[3] && !soh;
        nbd[5] = bd[4] && !soh;
        nbd[6] = (bd[4] && soh) || bd[5] || bd[6];
        nbd[6:1] = nbd[6:1] & {6{!body_last}};
        ntr = {tr[5:3] & {3{dig}}, tr[2] && ceq, tr[1] && c0, tr[0] && psoh && c1,
               body_last && !g_msgtype};
        nhu[0] = ((fb && g) || |(hu & ~m)) && !c8;
        nhu[1] = ((fb && g) || hu[0] || |(hu[4:1] & ~m[4:1])) && c8;
        nhu[4:2] = hu[3:1] & m[3:1];
        npsoh = in_bd ? soh : psoh && !(done || found);
        ncr = cr && !acc;
        nsm = acc ? (sml ? 8'd1 << lo : 8'd0) : sm >> 1;
        nin_bs = found || (in_bs && !soh && !bs[NBS-1]);
        nin_bl = (n9eq && ceq) || (in_bl && dig && !bl[7]);
        nin_bd = acc || (in_bd && !body_last && !g_msgtype);
        step = {nin_bd, nin_bl, nin_bs, nsm, ncr, npsoh, ntr, nbd, nbl, nn9eq, nn9, nbs, nhu, nbg,
                g, done, why, acc, g_msgtype};
    end
endfunction

/* verilator lint_off UNUSEDSIGNAL */
function automatic [ST_W-1:0] ext(input [IW-1:0] x);  // the bits the session keeps
    ext = {x[ST_W-1:1], !x[0]};
endfunction
/* verilator lint_on UNUSEDSIGNAL */

// The carried run: from in_st, each lane as if nothing ended before it.
reg [IW-1:0] r [0:8];
reg [EW-1:0] re [0:7];
// The continuations, from the data alone: ch[i] after a garbled byte at
// lane i (S_HUNT reading lane i again), cb[i] after a frame ending at
// lane i - 1 (S_BEGIN from lane i). cx_*[i][j]: the state before lane j.
reg [IW-1:0] chs [0:7][0:8];
reg [IW-1:0] cbs [1:8][0:8];
reg [EW-1:0] che [0:7][0:7];
reg [EW-1:0] cbe [1:8][0:7];
reg [IW-1:0] zero_st, hunt_st, begin_st, s, cont;
reg [IW+EW-1:0] t;
reg [7:0] eg, ed;  // the carried run's garbled byte / frame end, by lane
integer i, j;

always @* begin
    zero_st = {IW{1'b0}};
    hunt_st = zero_st;
    hunt_st[5] = 1'b1;
    begin_st = zero_st;
    begin_st[0] = 1'b1;
    // Continuations (no per-session input: they can reach no BodyLength
    // SOH, body or trailer within the beat).
    for (i = 0; i < 8; i = i + 1) begin
        for (j = 0; j <= 8; j = j + 1) chs[i][j] = zero_st;
        chs[i][i] = hunt_st;
        for (j = i; j < 8; j = j + 1) begin
            t = step(chs[i][j], data[8*j +: 8], 1'b1, 1'b0, 1'b0, 1'b0, 3'd0, 1'b0, 1'b0);
            chs[i][j+1] = t[IW+EW-1:EW];
            che[i][j] = t[EW-1:0];
        end
        for (j = 0; j < i; j = j + 1) che[i][j] = {EW{1'b0}};
    end
    for (i = 1; i <= 8; i = i + 1) begin
        for (j = 0; j <= 8; j = j + 1) cbs[i][j] = zero_st;
        cbs[i][i] = begin_st;
        for (j = 0; j < 8; j = j + 1) cbe[i][j] = {EW{1'b0}};
        for (j = i; j < 8; j = j + 1) begin
            t = step(cbs[i][j], data[8*j +: 8], 1'b1, 1'b0, 1'b0, 1'b0, 3'd0, 1'b0, 1'b0);
            cbs[i][j+1] = t[IW+EW-1:EW];
            cbe[i][j] = t[EW-1:0];
        end
    end

    // The carried run.
    r[0] = {3'd0, 8'd0, 1'b1, in_st[ST_W-1:1], !in_st[0]};
    r[0][IW-1] = |in_st[40:34];
    r[0][IW-2] = |in_st[33:26];
    r[0][IW-3] = |in_st[23:10];
    for (j = 0; j < 8; j = j + 1) begin
        t = step(r[j], data[8*j +: 8], 1'b0, bl_lt5[j], bl_gt[j], bl_small[j], bl_lo[3*j +: 3],
                 last_c[j], ck_ok[j]);
        r[j+1] = t[IW+EW-1:EW];
        re[j] = t[EW-1:0];
        eg[j] = t[6] && j < count;
        ed[j] = t[5] && j < count;
    end

    // Each lane: the carried run until its event, then that event's
    // continuation.
    {ev, garb, bl_acc, garb_body} = 32'd0;
    reason = 24'd0;
    out_st = {ST_W{1'b0}};
    for (j = 0; j < 8; j = j + 1) begin
        s = r[j];
        for (i = 0; i < j; i = i + 1) begin
            if (eg[i]) s = s | chs[i][j];
            if (ed[i]) s = s | cbs[i+1][j];
        end
        lane_st[ST_W*j +: ST_W] = ext(s);
        if (j < count) begin
            t[EW-1:0] = re[j];
            for (i = 0; i < j; i = i + 1) begin
                if (eg[i]) t[EW-1:0] = t[EW-1:0] | che[i][j];
                if (ed[i]) t[EW-1:0] = t[EW-1:0] | cbe[i+1][j];
            end
            ev[j] = t[6] || t[5];
            garb[j] = t[6];
            reason[3*j +: 3] = t[4:2];
            bl_acc[j] = re[j][1];
            garb_body[j] = re[j][0];
        end
    end
    // The state after the beat: the continuations' and the carried run's
    // states at lane `count` are picked first (the continuations' from the
    // data alone), then the carried event chooses.
    s = r[0];
    for (j = 1; j <= 8; j = j + 1) if (count == j[3:0]) s = r[j];
    for (i = 0; i < 8; i = i + 1) begin
        cont = chs[i][0];
        for (j = 1; j <= 8; j = j + 1) if (count == j[3:0]) cont = chs[i][j];
        if (eg[i]) s = s | cont;
        cont = cbs[i+1][0];
        for (j = 1; j <= 8; j = j + 1) if (count == j[3:0]) cont = cbs[i+1][j];
        if (ed[i]) s = s | cont;
    end
    out_st = ext(s);
end

endmodule

`resetall
