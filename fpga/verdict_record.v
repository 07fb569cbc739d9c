/*
 * verdict_record: builds one 256-bit verdict record (layout in
 * seq_validator.v and docs/VALIDATOR.md) from a parser event, and the
 * session's expected seq after it (combinational).
 *
 * Event layout (EV_W bits, MSB first): garbled, reason[2:0], len[23:0],
 * seq_ok, seq[31:0], new_ok, new[31:0], flags[7:0], msg_type[15:0],
 * offset[63:0].
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verdict_record #(
    parameter EV_W = 182,
    parameter SESS_W = 6
) (
    input  wire [EV_W-1:0]   ev,
    input  wire              valid,
    input  wire [SESS_W-1:0] session,
    input  wire              enabled,
    input  wire [31:0]       expected,

    output wire [255:0]      record,
    output wire [7:0]        kind,
    output wire [31:0]       next_expected
);

wire        garbled = ev[181];
wire [ 2:0] reason  = ev[180:178];
wire [23:0] len     = ev[177:154];
wire        seq_ok  = ev[153];
wire [31:0] seq     = ev[152:121];
wire        new_ok  = ev[120];
wire [31:0] new_seq = ev[119:88];
wire [ 7:0] flags   = ev[87:80];
wire [15:0] mt      = ev[79:64];
wire [63:0] offset  = ev[63:0];

wire [7:0] c_kind, c_flags;
wire [31:0] c_aux, c_next;

seq_classify classify (
    .enabled(enabled), .expected(expected), .seq_ok(seq_ok), .seq(seq),
    .new_ok(new_ok), .new_seq(new_seq), .flags_in(flags), .msg_type(mt),
    .kind(c_kind), .flags(c_flags), .aux(c_aux), .next_expected(c_next)
);

assign kind = garbled ? 8'd6 : c_kind;
assign next_expected = (valid && !garbled) ? c_next : expected;

wire [15:0] sess16 = {{(16-SESS_W){1'b0}}, session};

assign record = garbled
    ? {8'd0, 8'd0, len, offset, 32'd0, expected, 32'd0, 16'd0, 5'd0, reason, 8'd0, kind, sess16}
    : {8'd0, 8'd0, len, offset, c_aux, expected, seq_ok ? seq : 32'd0, mt[7:0], mt[15:8],
       8'd0, c_flags, kind, sess16};

endmodule

`resetall
