/*
 * cksum_prefix: stage 5 of the line-rate pipeline (issue 12, item 1), not
 * yet instantiated by seq_validator. Combinational.
 *
 * CheckSum by per-lane prefix sums instead of a byte-by-byte
 * accumulator that restarts with every frame: the session carries one
 * running sum (mod 256) of every byte of its stream, and for a compacted
 * beat each lane gets that sum up to and including its byte:
 *
 *   lane_sum[j] = in_sum + data[0] + ... + data[j]   (mod 256), j < count
 *   out_sum     = in_sum + data[0] + ... + data[count-1]
 *
 * where in_sum = in_sa + in_sb and out_sum = out_sa + out_sb (below).
 *
 * A frame's CheckSum (the sum of its bytes from its first byte to the
 * body's last, body_end's `last` lane) is then the difference of two
 * snapshots, lane_sum at the body's last byte minus the running sum
 * just before the frame's first byte (lane_sum of the lane before it,
 * or in_sum): the caller takes both with the frame's other fields and
 * subtracts outside the per-session loop. A snapshot kept in the
 * session's state can be taken without the carry chain, as
 * (in_sa, in_sb, beat_pre[j]) (beat_pre: the beat's own prefix sums,
 * from data alone), and added up later. The prefix sums depend on the
 * beat alone; the only per-session recurrence is the running sum, kept
 * in carry-save form (sum = in_sa + in_sb mod 256) so that it is one
 * full-adder level per bit and no carry chain: out_sa/out_sb is the
 * carry-save sum of in_sa, in_sb and the beat's total. The lane sums
 * are full additions outside the loop. Input lanes at or above count
 * must be 0 (beat_compact's output is), so the beat's total needs no
 * select by count; lane_sum reads 0 there.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module cksum_prefix (
    input  wire [63:0] data,
    input  wire [3:0]  count,
    input  wire [7:0]  in_sa,
    input  wire [7:0]  in_sb,
    output reg  [63:0] lane_sum,
    output reg  [63:0] beat_pre,
    output reg  [7:0]  out_sa,
    output reg  [7:0]  out_sb
);

// Prefix sums of the beat alone, a two-level tree per lane.
reg [7:0] p [0:7];
reg [7:0] pair [0:3];
integer j;
always @* begin
    for (j = 0; j < 4; j = j + 1) pair[j] = data[16*j +: 8] + data[16*j+8 +: 8];
    p[0] = data[7:0];
    p[1] = pair[0];
    p[2] = pair[0] + data[23:16];
    p[3] = pair[0] + pair[1];
    p[4] = (pair[0] + pair[1]) + data[39:32];
    p[5] = (pair[0] + pair[1]) + pair[2];
    p[6] = (pair[0] + pair[1]) + (pair[2] + data[55:48]);
    p[7] = (pair[0] + pair[1]) + (pair[2] + pair[3]);
    for (j = 0; j < 8; j = j + 1) beat_pre[8*j +: 8] = p[j];
    lane_sum = 64'd0;
    for (j = 0; j < 8; j = j + 1)
        if (j < count) lane_sum[8*j +: 8] = in_sa + in_sb + p[j];
    out_sa = in_sa ^ in_sb ^ p[7];
    out_sb = {(in_sa[6:0] & in_sb[6:0]) | (in_sa[6:0] & p[7][6:0]) | (in_sb[6:0] & p[7][6:0]),
              1'b0};
end

endmodule

`resetall
