/*
 * beat_compact: the first stage of the line-rate pipeline (issue 12,
 * item 1), not yet instantiated by seq_validator.
 *
 * Moves a beat's kept bytes (any tkeep pattern) to lanes 0..count-1 in
 * order, and classifies every lane in parallel: SOH (0x01), '=', ASCII
 * digit, and the digit's BCD value. Later stages then see dense beats
 * and per-lane flags, so no per-session loop compares bytes or walks
 * tkeep.
 *
 * One registered stage with an AXI-Stream style handshake: s_ready is
 * high while the output register is empty or being taken, so with
 * m_ready held high one beat passes per cycle, latency one cycle. A beat
 * with no kept byte comes out with count 0 (its side band, e.g. tlast,
 * still matters). Lanes at or above count read 0, flags clear.
 * `side` (session, tlast, ...) travels with the beat unchanged.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module beat_compact #(
    parameter DATA_BYTES = 8,
    parameter SIDE_W = 17
) (
    input  wire                            clk,
    input  wire                            rst,

    input  wire [DATA_BYTES*8-1:0]         s_data,
    input  wire [DATA_BYTES-1:0]           s_keep,
    input  wire [SIDE_W-1:0]               s_side,
    input  wire                            s_valid,
    output wire                            s_ready,

    output reg  [DATA_BYTES*8-1:0]         m_data,
    output reg  [$clog2(DATA_BYTES+1)-1:0] m_count,
    output reg  [DATA_BYTES-1:0]           m_soh,
    output reg  [DATA_BYTES-1:0]           m_eq,
    output reg  [DATA_BYTES-1:0]           m_digit,
    output reg  [DATA_BYTES*4-1:0]         m_bcd,
    output reg  [SIDE_W-1:0]               m_side,
    output reg                             m_valid,
    input  wire                            m_ready
);

localparam CNT_W = $clog2(DATA_BYTES + 1);

assign s_ready = !m_valid || m_ready;
wire take = s_valid && s_ready;

// Input lane i goes to output lane pos[i] = kept lanes below i.
reg [CNT_W-1:0] pos [0:DATA_BYTES];
integer i, j;
always @* begin
    pos[0] = {CNT_W{1'b0}};
    for (i = 0; i < DATA_BYTES; i = i + 1) pos[i+1] = pos[i] + {{(CNT_W-1){1'b0}}, s_keep[i]};
end

// Per input lane: the byte's classes, then the one-hot selects.
reg [DATA_BYTES*8-1:0] c_data;
reg [DATA_BYTES-1:0] c_soh, c_eq, c_digit;
reg [DATA_BYTES*4-1:0] c_bcd;
always @* begin
    c_data = {DATA_BYTES*8{1'b0}};
    {c_soh, c_eq, c_digit} = {3*DATA_BYTES{1'b0}};
    c_bcd = {DATA_BYTES*4{1'b0}};
    for (j = 0; j < DATA_BYTES; j = j + 1) begin
        for (i = j; i < DATA_BYTES; i = i + 1) begin
            if (s_keep[i] && pos[i] == j[CNT_W-1:0]) begin
                c_data[8*j +: 8] = c_data[8*j +: 8] | s_data[8*i +: 8];
                c_soh[j] = c_soh[j] | (s_data[8*i +: 8] == 8'h01);
                c_eq[j] = c_eq[j] | (s_data[8*i +: 8] == "=");
                c_digit[j] = c_digit[j] | (s_data[8*i+4 +: 4] == 4'h3 && s_data[8*i +: 4] <= 4'h9);
                c_bcd[4*j +: 4] = c_bcd[4*j +: 4] | s_data[8*i +: 4];
            end
        end
        if (!c_digit[j]) c_bcd[4*j +: 4] = 4'h0;
    end
end

always @(posedge clk) begin
    if (take) begin
        m_data <= c_data;
        m_count <= pos[DATA_BYTES];
        m_soh <= c_soh;
        m_eq <= c_eq;
        m_digit <= c_digit;
        m_bcd <= c_bcd;
        m_side <= s_side;
    end
    if (take) m_valid <= 1'b1;
    else if (m_ready) m_valid <= 1'b0;
    if (rst) m_valid <= 1'b0;
end

endmodule

`resetall
