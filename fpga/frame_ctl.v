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
 * The session's control state (ST_W = 49 bits, in_st / out_st), one-hot
 * so that each lane's step is an AND-OR of the previous lane's bits and
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
 * the lane where S_HUNT with 4 matched sees `X`). Still a lane chain:
 * see docs/VALIDATOR.md for its depth.
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

// One lane's state, one-hot groups.
reg [4:0] bg, hu;
reg [NBS-1:0] bs;
reg n9, n9eq;
reg [7:0] bl;
reg [6:0] bd;
reg [6:0] tr;
reg psoh;
// How a body open at this lane ends in this beat: cr carried in (last_c);
// sm[r] begun in this beat, r bytes to go; neither: too long for it.
reg cr;
reg [7:0] sm;
// Each group's OR, kept along the lanes by its own transitions (so no
// lane needs a wide OR of the group).
reg in_bs, in_bl, in_bd, nin_bs, nin_bl, nin_bd;

reg [4:0] nbg, nhu, m;
reg [NBS-1:0] nbs;
reg nn9, nn9eq;
reg [7:0] nbl, nsm;
reg [6:0] nbd, ntr;
reg npsoh, ncr;

reg [7:0] b;
reg soh, dig, c8, ceq, c9, c1, c0, c3, c5, cx;
reg g_begin, g_bodylen, g_toolong, g_msgtype, g_trailer, g_checksum, g, done, acc, inbody,
    body_last, found;
reg [ST_W-1:0] st [0:8];
integer j, q;

always @* begin
    {psoh, tr, bd, bl, n9eq, n9, bs, hu, bg[4:1]} = in_st[ST_W-1:1];
    bg[0] = !in_st[0];
    cr = 1'b1;
    sm = 8'd0;
    {in_bs, in_bl, in_bd} = {|bs, |bl, |bd};
    {ev, garb, bl_acc, garb_body} = 32'd0;
    reason = 24'd0;
    for (j = 0; j < 8; j = j + 1) begin
        st[j] = {psoh, tr, bd, bl, n9eq, n9, bs, hu, bg[4:1], !bg[0]};
        b = data[8*j +: 8];
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
        inbody = in_bd;

        // The offending byte, by reason.
        g_begin = |(bg & ~m) || (bs[NBS-1] && !soh);
        g_bodylen = (n9 && !c9) || (n9eq && !ceq)
                    || (in_bl && soh && (bl[0] || bl_lt5[j])) || (in_bl && !soh && !dig);
        g_toolong = (in_bl && !bl[0] && soh && !bl_lt5[j] && bl_gt[j]) || (bl[7] && dig);
        g_msgtype = (bd[0] && !c3) || (bd[1] && !c5) || (bd[2] && !ceq) || (bd[3] && soh);
        g_trailer = (tr[0] && !(psoh && c1)) || (tr[1] && !c0) || (tr[2] && !ceq)
                    || (|tr[5:3] && !dig) || (tr[6] && !soh);
        g_checksum = tr[6] && soh && !ck_ok[j];
        g = g_begin || g_bodylen || g_toolong || g_msgtype || g_trailer || g_checksum;
        done = tr[6] && soh && ck_ok[j];
        acc = in_bl && !bl[0] && soh && !bl_lt5[j] && !bl_gt[j];
        body_last = inbody && ((cr && last_c[j]) || sm[1]);

        // The next state; a garbled byte goes to S_HUNT whatever the rest.
        nbg = {bg[3:0] & m[3:0], done};
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
        // (A body's last byte is never one of MsgType's first four: BodyLength >= 5.)
        ntr = {tr[5:3] & {3{dig}}, tr[2] && ceq, tr[1] && c0, tr[0] && psoh && c1,
               body_last && !g_msgtype};
        // S_HUNT: the bytes of `8=FIX` matched so far, restarting on `8`.
        nhu[0] = (g || |(hu & ~m)) && !c8;
        nhu[1] = (g || hu[0] || |(hu[4:1] & ~m[4:1])) && c8;
        nhu[4:2] = hu[3:1] & m[3:1];
        npsoh = inbody ? soh : psoh && !(done || found);
        ncr = cr && !acc;
        nsm = acc ? (bl_small[j] ? 8'd1 << bl_lo[3*j +: 3] : 8'd0) : sm >> 1;
        // Every transition above leaves a state whose byte is not garbled,
        // so only S_HUNT needs g: nothing else is masked by it.
        nin_bs = found || (in_bs && !soh && !bs[NBS-1]);
        nin_bl = (n9eq && ceq) || (in_bl && dig && !bl[7]);
        nin_bd = acc || (in_bd && !body_last && !g_msgtype);

        if (j < count) begin
            ev[j] = g || done;
            garb[j] = g;
            bl_acc[j] = acc && !g;
            garb_body[j] = g_msgtype;
            reason[3*j +: 3] = g_begin ? R_BEGIN : g_bodylen ? R_BODYLEN : g_toolong ? R_TOOLONG
                             : g_msgtype ? R_MSGTYPE : g_trailer ? R_TRAILER
                             : g_checksum ? R_CHECKSUM : 3'd0;
        end
        {bg, hu, bs, n9, n9eq, bl, bd, tr, psoh, cr, sm, in_bs, in_bl, in_bd} =
            {nbg, nhu, nbs, nn9, nn9eq, nbl, nbd, ntr, npsoh, ncr, nsm, nin_bs, nin_bl, nin_bd};
    end
    st[8] = {psoh, tr, bd, bl, n9eq, n9, bs, hu, bg[4:1], !bg[0]};
    // Lanes at and above count leave the state as it is.
    out_st = st[0];
    for (q = 1; q <= 8; q = q + 1) if (count == q[3:0]) out_st = st[q];
    for (q = 0; q < 8; q = q + 1) lane_st[ST_W*q +: ST_W] = st[q];
end

endmodule

`resetall
