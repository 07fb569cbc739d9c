/*
 * tag_detect: stage 2 of the line-rate pipeline (issue 12, item 1), not
 * yet instantiated by seq_validator. Combinational.
 *
 * Finds, in all lanes of a compacted beat (beat_compact's output) at
 * once, the '=' that ends each tag the validator reads, by looking back:
 * lane i ends tag T when byte i is '=', the bytes before it are T's
 * digits exactly, and the byte before those is SOH. The look-back reaches
 * into `hist`, the session's last four stream bytes before this beat
 * (oldest in [7:0]); a new stream starts with hist = four SOH bytes, so a
 * tag at offset 0 counts as following an SOH. `next_hist` is the
 * session's last four bytes after the beat, to be stored with its state.
 *
 * tag_end[8*i + t]: lane i ends tag t, t = 0 BeginString(8),
 * 1 BodyLength(9), 2 MsgType(35), 3 MsgSeqNum(34), 4 PossDupFlag(43),
 * 5 NewSeqNo(36), 6 CheckSum(10), 7 GapFillFlag(123). Lanes at or above
 * `count` never match.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module tag_detect (
    input  wire [63:0] data,
    input  wire [3:0]  count,
    input  wire [31:0] hist,
    output reg  [63:0] tag_end,
    output reg  [31:0] next_hist
);

localparam NT = 8;
// Tag literals, right-aligned, and their lengths.
localparam [24*NT-1:0] LIT = {"123", 8'd0, "10", 8'd0, "36", 8'd0, "43", 8'd0, "34",
                              8'd0, "35", 16'd0, "9", 16'd0, "8"};
localparam [2*NT-1:0] LEN = {2'd3, 2'd2, 2'd2, 2'd2, 2'd2, 2'd2, 2'd1, 2'd1};

// w[k]: hist bytes at k = 0..3, then the beat's lanes at k = 4..11.
wire [95:0] w = {data, hist};

function automatic [7:0] wb(input integer k);
    wb = w[8*k +: 8];
endfunction

integer i, t, n, k;
reg ok;
always @* begin
    tag_end = 64'd0;
    for (i = 0; i < 8; i = i + 1) begin
        for (t = 0; t < NT; t = t + 1) begin
            n = {30'd0, LEN[2*t +: 2]};
            ok = i < count && wb(i + 4) == "=" && wb(i + 3 - n) == 8'h01;
            for (k = 0; k < 3; k = k + 1)
                if (k < n && wb(i + 3 - k) != LIT[24*t + 8*k +: 8]) ok = 1'b0;
            tag_end[8*i + t] = ok;
        end
    end
    next_hist = hist;
    for (i = 1; i <= 8; i = i + 1)
        if (count == i[3:0]) next_hist = w[8*i +: 32];
end

endmodule

`resetall
