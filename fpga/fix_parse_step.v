/*
 * fix_parse_step: one byte of the FIX framer (combinational).
 *
 * The framer's whole per-session state goes in on s_*, the state after
 * byte `s_byte` comes out on m_*. seq_validator chains DATA_BYTES of
 * these per beat, so a tag or value may straddle any byte, beat or
 * segment boundary: nothing but this state crosses them.
 *
 * Frame format (the contract in engine/src/validator/mod.rs):
 *
 *   8=FIX<begin string, <= MAX_BS bytes>\x01 9=<1..7 digits>\x01
 *   35=<MsgType>\x01 ... <BodyLength bytes in all, last one \x01>
 *   10=<3 digits>\x01
 *
 * CheckSum is the sum mod 256 of every byte from `8` to the SOH before
 * `10=`. The first byte that breaks a rule is the *offending byte*: the
 * step reports a garbled event there (m_ev_len = bytes from the frame's
 * first byte up to and including it) and hunts for `8=FIX`, the
 * offending byte included. Inside a framed body it reads, first
 * occurrence only, MsgType(35), MsgSeqNum(34), NewSeqNo(36),
 * PossDupFlag(43) and GapFillFlag(123); tags match as exact bytes.
 *
 * State fields:
 *   fst   frame state (S_*), idx  index of the next byte in the frame,
 *   cnt   digits of BodyLength / position in the trailer,
 *   blen  BodyLength, then body bytes still to come, sum  running CheckSum,
 *   ck    CheckSum digits, psoh previous byte was SOH, hunt `8=FIX` bytes
 *   matched while hunting, fs  field state (F_*), seen first-occurrence
 *   bits {gf, pd, new, seq}, seq/new value accumulators (acc, digit count,
 *   non-digit seen), pd/gf value state (0 empty, 1 "Y", 2 = Y, 3 other),
 *   mt   MsgType's first two bytes, mlong MsgType longer than two bytes.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module fix_parse_step #(
    parameter MAX_BS = 16
) (
    input  wire [ 7:0] s_byte,
    input  wire        s_valid,
    input  wire [23:0] max_body,

    input  wire [ 2:0] s_fst,
    input  wire [23:0] s_idx,
    input  wire [ 2:0] s_cnt,
    input  wire [23:0] s_blen,
    input  wire [ 7:0] s_sum,
    input  wire [ 9:0] s_ck,
    input  wire        s_psoh,
    input  wire [ 2:0] s_hunt,
    input  wire [ 4:0] s_fs,
    input  wire [ 3:0] s_seen,
    input  wire [33:0] s_seq,
    input  wire [ 3:0] s_seq_nd,
    input  wire        s_seq_bad,
    input  wire [33:0] s_new,
    input  wire [ 3:0] s_new_nd,
    input  wire        s_new_bad,
    input  wire [ 1:0] s_pd,
    input  wire [ 1:0] s_gf,
    input  wire [15:0] s_mt,
    input  wire        s_mlong,

    output reg  [ 2:0] m_fst,
    output reg  [23:0] m_idx,
    output reg  [ 2:0] m_cnt,
    output reg  [23:0] m_blen,
    output reg  [ 7:0] m_sum,
    output reg  [ 9:0] m_ck,
    output reg         m_psoh,
    output reg  [ 2:0] m_hunt,
    output reg  [ 4:0] m_fs,
    output reg  [ 3:0] m_seen,
    output reg  [33:0] m_seq,
    output reg  [ 3:0] m_seq_nd,
    output reg         m_seq_bad,
    output reg  [33:0] m_new,
    output reg  [ 3:0] m_new_nd,
    output reg         m_new_bad,
    output reg  [ 1:0] m_pd,
    output reg  [ 1:0] m_gf,
    output reg  [15:0] m_mt,
    output reg         m_mlong,

    // An event at this byte: a complete frame or a garbled one.
    output reg         m_ev,
    output reg         m_ev_garbled,
    output reg  [ 2:0] m_ev_reason,
    output reg  [23:0] m_ev_len,
    // The complete frame's sequencing fields.
    output reg         m_ev_seq_ok,
    output reg  [31:0] m_ev_seq,
    output reg         m_ev_new_ok,
    output reg  [31:0] m_ev_new,
    output reg  [ 7:0] m_ev_flags,
    output reg  [15:0] m_ev_mt
);

// Frame states.
localparam [2:0] S_BEGIN = 3'd0, S_BSV = 3'd1, S_9 = 3'd2, S_9EQ = 3'd3,
                 S_BL = 3'd4, S_BODY = 3'd5, S_TRL = 3'd6, S_HUNT = 3'd7;

// Field states inside the body.
localparam [4:0] F_35_3 = 5'd0, F_35_5 = 5'd1, F_35_EQ = 5'd2, F_MT0 = 5'd3,
                 F_MT1 = 5'd4, F_MT2 = 5'd5, F_START = 5'd6, F_OTHER = 5'd7,
                 F_3 = 5'd8, F_4 = 5'd9, F_1 = 5'd10, F_12 = 5'd11,
                 F_34 = 5'd12, F_36 = 5'd13, F_43 = 5'd14, F_123 = 5'd15,
                 V_SEQ = 5'd16, V_NEW = 5'd17, V_PD = 5'd18, V_GF = 5'd19;

// GarbleReason codes.
localparam [2:0] R_BEGIN = 3'd1, R_BODYLEN = 3'd2, R_TOOLONG = 3'd3,
                 R_MSGTYPE = 3'd4, R_TRAILER = 3'd5, R_CHECKSUM = 3'd6;

localparam [7:0] SOH = 8'h01;

// Sum of "8=FIX" mod 256, for a frame found by the hunt.
localparam [7:0] SUM_8FIX = 8'd92;

wire       is_digit = s_byte >= "0" && s_byte <= "9";
wire [3:0] digit = s_byte[3:0];  // meaningful when is_digit
wire       is_soh = s_byte == SOH;

reg       garb;
reg [2:0] garb_reason;

function [7:0] begin_char_at(input [2:0] i);
    case (i)
        3'd0: begin_char_at = "8";
        3'd1: begin_char_at = "=";
        3'd2: begin_char_at = "F";
        3'd3: begin_char_at = "I";
        default: begin_char_at = "X";
    endcase
endfunction

// A value accumulator step: up to 10 digits kept, any non-digit marks bad.
function [38:0] acc_step(input [33:0] acc, input [3:0] nd, input bad, input [7:0] b);
    begin
        acc_step = {acc, nd, bad};
        if (b < "0" || b > "9") begin
            acc_step[0] = 1'b1;
        end else if (nd < 4'd11) begin
            acc_step[4:1] = nd + 4'd1;
            if (nd < 4'd10) begin
                acc_step[38:5] = (acc << 3) + (acc << 1) + {30'd0, b[3:0]};
            end
        end
    end
endfunction

// A flag value step: "Y" exactly, or not.
function [1:0] flag_step(input [1:0] st, input [7:0] b);
    flag_step = (st == 2'd0 && b == "Y") ? 2'd1 : 2'd3;
endfunction

function [1:0] flag_end(input [1:0] st);
    flag_end = st == 2'd1 ? 2'd2 : 2'd3;
endfunction

// A tag `=` seen: the value is read on its first occurrence only.
function [4:0] first_value(input seen, input [4:0] value_state);
    first_value = seen ? F_OTHER : value_state;
endfunction

always @* begin
    m_fst = s_fst;
    m_idx = s_idx;
    m_cnt = s_cnt;
    m_blen = s_blen;
    m_sum = s_sum;
    m_ck = s_ck;
    m_psoh = s_psoh;
    m_hunt = s_hunt;
    m_fs = s_fs;
    m_seen = s_seen;
    {m_seq, m_seq_nd, m_seq_bad} = {s_seq, s_seq_nd, s_seq_bad};
    {m_new, m_new_nd, m_new_bad} = {s_new, s_new_nd, s_new_bad};
    m_pd = s_pd;
    m_gf = s_gf;
    m_mt = s_mt;
    m_mlong = s_mlong;

    m_ev = 1'b0;
    m_ev_garbled = 1'b0;
    m_ev_reason = 3'd0;
    m_ev_len = s_idx + 24'd1;
    m_ev_seq_ok = s_seen[0] && !s_seq_bad && s_seq_nd != 4'd0 && s_seq_nd <= 4'd10
                  && s_seq[33:32] == 2'd0;
    m_ev_seq = s_seq[31:0];
    m_ev_new_ok = s_seen[1] && !s_new_bad && s_new_nd != 4'd0 && s_new_nd <= 4'd10
                  && s_new[33:32] == 2'd0;
    m_ev_new = s_new[31:0];
    m_ev_flags = {4'd0, s_mlong, 1'b0, s_gf == 2'd2, s_pd == 2'd2};
    m_ev_mt = s_mt;

    garb = 1'b0;
    garb_reason = 3'd0;

    if (s_valid) begin
        m_idx = s_idx + 24'd1;
        if (s_fst != S_TRL && s_fst != S_HUNT) begin
            m_sum = s_sum + s_byte;
        end
        case (s_fst)
            S_BEGIN: begin
                if (s_byte != begin_char_at(s_idx[2:0])) begin
                    {garb, garb_reason} = {1'b1, R_BEGIN};
                end else if (s_idx == 24'd4) begin
                    m_fst = S_BSV;
                end
            end
            S_BSV: begin
                if (is_soh) begin
                    m_fst = S_9;
                end else if (s_idx == 2 + MAX_BS) begin
                    {garb, garb_reason} = {1'b1, R_BEGIN};
                end
            end
            S_9: begin
                if (s_byte == "9") m_fst = S_9EQ;
                else {garb, garb_reason} = {1'b1, R_BODYLEN};
            end
            S_9EQ: begin
                if (s_byte == "=") {m_fst, m_cnt, m_blen} = {S_BL, 3'd0, 24'd0};
                else {garb, garb_reason} = {1'b1, R_BODYLEN};
            end
            S_BL: begin
                if (is_soh) begin
                    if (s_cnt == 3'd0 || s_blen < 24'd5) begin
                        {garb, garb_reason} = {1'b1, R_BODYLEN};
                    end else if (s_blen > max_body) begin
                        {garb, garb_reason} = {1'b1, R_TOOLONG};
                    end else begin
                        {m_fst, m_fs} = {S_BODY, F_35_3};
                    end
                end else if (is_digit) begin
                    if (s_cnt == 3'd7) begin
                        {garb, garb_reason} = {1'b1, R_TOOLONG};
                    end else begin
                        m_cnt = s_cnt + 3'd1;
                        m_blen = (s_blen << 3) + (s_blen << 1) + {20'd0, digit};
                    end
                end else begin
                    {garb, garb_reason} = {1'b1, R_BODYLEN};
                end
            end
            S_BODY: begin
                m_blen = s_blen - 24'd1;
                m_psoh = is_soh;
                if (s_blen == 24'd1) {m_fst, m_cnt, m_ck} = {S_TRL, 3'd0, 10'd0};
                case (s_fs)
                    F_35_3: if (s_byte == "3") m_fs = F_35_5;
                            else {garb, garb_reason} = {1'b1, R_MSGTYPE};
                    F_35_5: if (s_byte == "5") m_fs = F_35_EQ;
                            else {garb, garb_reason} = {1'b1, R_MSGTYPE};
                    F_35_EQ: if (s_byte == "=") m_fs = F_MT0;
                             else {garb, garb_reason} = {1'b1, R_MSGTYPE};
                    F_MT0: if (is_soh) {garb, garb_reason} = {1'b1, R_MSGTYPE};
                           else {m_mt[15:8], m_fs} = {s_byte, F_MT1};
                    F_MT1: if (is_soh) m_fs = F_START;
                           else {m_mt[7:0], m_fs} = {s_byte, F_MT2};
                    F_MT2: if (is_soh) m_fs = F_START;
                           else {m_mlong, m_fs} = {1'b1, F_OTHER};
                    F_START: begin
                        case (s_byte)
                            "3": m_fs = F_3;
                            "4": m_fs = F_4;
                            "1": m_fs = F_1;
                            SOH: m_fs = F_START;
                            default: m_fs = F_OTHER;
                        endcase
                    end
                    F_3: m_fs = s_byte == "4" ? F_34 : s_byte == "6" ? F_36
                              : is_soh ? F_START : F_OTHER;
                    F_4: m_fs = s_byte == "3" ? F_43 : is_soh ? F_START : F_OTHER;
                    F_1: m_fs = s_byte == "2" ? F_12 : is_soh ? F_START : F_OTHER;
                    F_12: m_fs = s_byte == "3" ? F_123 : is_soh ? F_START : F_OTHER;
                    F_34, F_36, F_43, F_123: begin
                        if (s_byte == "=") begin
                            case (s_fs)
                                F_34: {m_fs, m_seen[0]} = {first_value(s_seen[0], V_SEQ), 1'b1};
                                F_36: {m_fs, m_seen[1]} = {first_value(s_seen[1], V_NEW), 1'b1};
                                F_43: {m_fs, m_seen[2]} = {first_value(s_seen[2], V_PD), 1'b1};
                                default: {m_fs, m_seen[3]} = {first_value(s_seen[3], V_GF), 1'b1};
                            endcase
                        end else begin
                            m_fs = is_soh ? F_START : F_OTHER;
                        end
                    end
                    V_SEQ: if (is_soh) m_fs = F_START;
                           else {m_seq, m_seq_nd, m_seq_bad} = acc_step(s_seq, s_seq_nd, s_seq_bad, s_byte);
                    V_NEW: if (is_soh) m_fs = F_START;
                           else {m_new, m_new_nd, m_new_bad} = acc_step(s_new, s_new_nd, s_new_bad, s_byte);
                    V_PD: if (is_soh) {m_fs, m_pd} = {F_START, flag_end(s_pd)};
                          else m_pd = flag_step(s_pd, s_byte);
                    V_GF: if (is_soh) {m_fs, m_gf} = {F_START, flag_end(s_gf)};
                          else m_gf = flag_step(s_gf, s_byte);
                    default: if (is_soh) m_fs = F_START;
                endcase
            end
            S_TRL: begin
                m_cnt = s_cnt + 3'd1;
                case (s_cnt)
                    3'd0: if (!s_psoh || s_byte != "1") {garb, garb_reason} = {1'b1, R_TRAILER};
                    3'd1: if (s_byte != "0") {garb, garb_reason} = {1'b1, R_TRAILER};
                    3'd2: if (s_byte != "=") {garb, garb_reason} = {1'b1, R_TRAILER};
                    3'd3, 3'd4, 3'd5: begin
                        if (is_digit) m_ck = (s_ck << 3) + (s_ck << 1) + {6'd0, digit};
                        else {garb, garb_reason} = {1'b1, R_TRAILER};
                    end
                    default: begin
                        if (!is_soh) begin
                            {garb, garb_reason} = {1'b1, R_TRAILER};
                        end else if (s_ck != {2'd0, s_sum}) begin
                            {garb, garb_reason} = {1'b1, R_CHECKSUM};
                        end else begin
                            m_ev = 1'b1;
                            m_fst = S_BEGIN;
                        end
                    end
                endcase
            end
            default: begin  // S_HUNT
                if (s_hunt == 3'd4 && s_byte == "X") begin
                    {m_fst, m_idx, m_sum} = {S_BSV, 24'd5, SUM_8FIX};
                end else if (s_hunt != 3'd4 && s_byte == begin_char_at(s_hunt)) begin
                    m_hunt = s_hunt + 3'd1;
                end else begin
                    m_hunt = s_byte == "8" ? 3'd1 : 3'd0;
                end
            end
        endcase

        if (garb) begin
            m_ev = 1'b1;
            m_ev_garbled = 1'b1;
            m_ev_reason = garb_reason;
            m_fst = S_HUNT;
            m_hunt = s_byte == "8" ? 3'd1 : 3'd0;
        end
        // A new frame starts with clean fields.
        if (m_ev || (s_fst == S_HUNT && m_fst == S_BSV)) begin
            if (m_ev) m_idx = 24'd0;
            m_seen = 4'd0;
            {m_seq, m_seq_nd, m_seq_bad} = 39'd0;
            {m_new, m_new_nd, m_new_bad} = 39'd0;
            {m_pd, m_gf, m_mt, m_mlong, m_psoh} = 22'd0;
            if (m_ev) m_sum = 8'd0;
        end
    end
end


endmodule

`resetall
