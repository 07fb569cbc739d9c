/*
 * seq_classify: a well-formed frame's verdict against the session's
 * expected inbound seq (combinational).
 *
 * The same table as `gapless::validator::classify`:
 *
 *   SequenceReset (35=4) without GapFillFlag: SEQUENCE_RESET, expected
 *     becomes NewSeqNo unless that is lower (then FLAG_BACKWARD, kept);
 *   seq > expected: GAP, aux = seq - 1 (the last missing seq);
 *   seq < expected: DUPLICATE with PossDupFlag=Y, else TOO_LOW;
 *   SequenceReset-GapFill at expected: GAP_FILL, expected becomes
 *     NewSeqNo unless that is not higher (then FLAG_BACKWARD, kept);
 *   otherwise IN_ORDER, expected + 1.
 *
 * A frame without a valid MsgSeqNum (or a SequenceReset without a valid
 * NewSeqNo) is BAD_SEQ; on a disabled session every frame is DISABLED.
 * Neither moves expected.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module seq_classify (
    input  wire        enabled,
    input  wire [31:0] expected,
    input  wire        seq_ok,
    input  wire [31:0] seq,
    input  wire        new_ok,
    input  wire [31:0] new_seq,
    input  wire [ 7:0] flags_in,
    input  wire [15:0] msg_type,

    output reg  [ 7:0] kind,
    output reg  [ 7:0] flags,
    output reg  [31:0] aux,
    output reg  [31:0] next_expected
);

localparam [7:0] K_IN_ORDER = 8'd0, K_GAP = 8'd1, K_DUPLICATE = 8'd2, K_TOO_LOW = 8'd3,
                 K_SEQ_RESET = 8'd4, K_GAP_FILL = 8'd5, K_BAD_SEQ = 8'd7, K_DISABLED = 8'd8;

localparam [7:0] FLAG_POSS_DUP = 8'd1, FLAG_GAP_FILL = 8'd2, FLAG_BACKWARD = 8'd4;

wire is_reset = msg_type == {"4", 8'h00};
wire gap_fill = (flags_in & FLAG_GAP_FILL) != 8'd0;

always @* begin
    kind = K_IN_ORDER;
    flags = flags_in;
    aux = 32'd0;
    next_expected = expected;
    if (!enabled) begin
        kind = K_DISABLED;
    end else if (!seq_ok || (is_reset && !new_ok)) begin
        kind = K_BAD_SEQ;
    end else if (is_reset && !gap_fill) begin
        kind = K_SEQ_RESET;
        aux = new_seq;
        if (new_seq >= expected) next_expected = new_seq;
        else flags = flags_in | FLAG_BACKWARD;
    end else if (seq > expected) begin
        kind = K_GAP;
        aux = seq - 32'd1;
    end else if (seq < expected) begin
        kind = (flags_in & FLAG_POSS_DUP) != 8'd0 ? K_DUPLICATE : K_TOO_LOW;
    end else if (is_reset) begin
        kind = K_GAP_FILL;
        aux = new_seq;
        if (new_seq > expected) next_expected = new_seq;
        else flags = flags_in | FLAG_BACKWARD;
    end else begin
        next_expected = expected + 32'd1;
    end
end

endmodule

`resetall
