/*
 * value_merge: stage 3 of the line-rate pipeline (issue 12, item 1), not
 * yet instantiated by seq_validator. Combinational.
 *
 * One tag's value (e.g. MsgSeqNum) as BCD digits, merged for all lanes
 * of a compacted beat at once: no decimal arithmetic and no lane-by-lane
 * chain. The inputs are per-lane flags from beat_compact (SOH, digit and
 * its BCD nibble) and tag_detect (`tend`: this lane is the '=' ending the
 * tag), zero at and above `count`; and the session's accumulator `in_*`
 * from the previous beat.
 *
 * The result is what this sequential rule gives, lane 0 first:
 *   tend:           start a value (act = 1, nd = 0, val = 0, bad = 0);
 *   SOH while act:  the value ends here: end[j], with nd/val/bad; act = 0;
 *   other while act: a digit is appended (val = val*16 + bcd, nd + 1)
 *                   unless nd is already NDIG; a non-digit or an
 *                   eleventh digit sets bad.
 * Built in parallel instead: for lane j, the last start before it, the
 * run of digit lanes before it, and one one-hot mux of nibble windows.
 *
 * Outputs: end[j] and, per lane, the value ending there (e_nd, e_val,
 * e_bad: nd and val are meaningful only without bad); out_* is the
 * accumulator after the beat, for the session's state.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module value_merge #(
    parameter NDIG = 10
) (
    input  wire [3:0]          count,
    input  wire [7:0]          soh,
    input  wire [7:0]          digit,
    input  wire [31:0]         bcd,
    input  wire [7:0]          tend,

    input  wire                in_act,
    input  wire [4:0]          in_nd,
    input  wire [4*NDIG-1:0]   in_val,
    input  wire                in_bad,

    output reg  [7:0]          e_end,
    output reg  [5*8-1:0]      e_nd,
    output reg  [4*NDIG*8-1:0] e_val,
    output reg  [7:0]          e_bad,

    output reg                 out_act,
    output reg  [4:0]          out_nd,
    output reg  [4*NDIG-1:0]   out_val,
    output reg                 out_bad
);

localparam VW = 4 * NDIG;

// st_*[j]: the accumulator just before lane j (j = 0..8).
reg act [0:8];
reg [4:0] nd [0:8];
reg [VW-1:0] val [0:8];
reg bad [0:8];

// The beat's nibbles, lane 0 most significant: {bcd[0], bcd[1], ...}.
reg [31:0] nib;
integer j, r, k;
reg started, alldig, last_start;
/* verilator lint_off UNUSEDSIGNAL */
reg [VW+32-1:0] wide;  // only the low VW bits are kept
/* verilator lint_on UNUSEDSIGNAL */
always @* begin
    for (k = 0; k < 8; k = k + 1) nib[4*(7-k) +: 4] = bcd[4*k +: 4];
    for (j = 0; j <= 8; j = j + 1) begin
        // Inside a value before lane j: the last start or SOH before j is
        // a start, or there is none and the carry is inside one.
        act[j] = in_act;
        for (k = 0; k < j; k = k + 1) begin
            if (tend[k]) act[j] = 1'b1;
            if (soh[k]) act[j] = 1'b0;
        end
        // From the carry (no start before j) or from the last start r.
        started = 1'b0;
        for (k = 0; k < j; k = k + 1) if (tend[k]) started = 1'b1;
        nd[j] = 5'd0;
        val[j] = {VW{1'b0}};
        bad[j] = 1'b0;
        if (!started) begin
            alldig = 1'b1;
            for (k = 0; k < j; k = k + 1) if (!digit[k]) alldig = 1'b0;
            nd[j] = in_nd + j[4:0];
            wide = {in_val, nib} >> (32 - 4 * j);
            val[j] = wide[VW-1:0];
            bad[j] = in_bad || !alldig || nd[j] > NDIG;
        end
        for (r = 0; r < j; r = r + 1) begin
            // r is the last start before j.
            last_start = tend[r];
            for (k = r + 1; k < j; k = k + 1) if (tend[k]) last_start = 1'b0;
            if (last_start) begin
                alldig = 1'b1;
                for (k = r + 1; k < j; k = k + 1) if (!digit[k]) alldig = 1'b0;
                nd[j] = j[4:0] - r[4:0] - 5'd1;
                wide = {{VW{1'b0}}, nib} >> (32 - 4 * j);
                val[j] = wide[VW-1:0] & ~({VW{1'b1}} << (4 * (j - r - 1)));
                bad[j] = !alldig || nd[j] > NDIG;
            end
        end
    end
    for (j = 0; j < 8; j = j + 1) begin
        e_end[j] = soh[j] && act[j];
        e_nd[5*j +: 5] = nd[j];
        e_val[VW*j +: VW] = val[j];
        e_bad[j] = bad[j];
    end
    {out_act, out_nd, out_val, out_bad} = {act[0], nd[0], val[0], bad[0]};
    for (j = 1; j <= 8; j = j + 1)
        if (count == j[3:0]) {out_act, out_nd, out_val, out_bad} = {act[j], nd[j], val[j], bad[j]};
end

endmodule

`resetall
