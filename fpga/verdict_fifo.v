/*
 * verdict_fifo: a first-word-fall-through FIFO that takes up to two
 * records per cycle (s_valid0, then s_valid1) and gives one per cycle on
 * an AXI-Stream master port.
 *
 * The writer must not write more than DEPTH - count entries: `count` is
 * exported so the producer can stop its source in time (seq_validator
 * deasserts s_axis_tready while count > DEPTH - 6).
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verdict_fifo #(
    parameter WIDTH = 256,
    parameter DEPTH_LOG2 = 3
) (
    input  wire                  clk,
    input  wire                  rst,

    input  wire [WIDTH-1:0]      s_data0,
    input  wire                  s_valid0,
    input  wire [WIDTH-1:0]      s_data1,
    input  wire                  s_valid1,

    output wire [WIDTH-1:0]      m_axis_tdata,
    output wire                  m_axis_tvalid,
    input  wire                  m_axis_tready,

    output reg  [DEPTH_LOG2:0]   count
);

localparam DEPTH = 2 ** DEPTH_LOG2;

reg [WIDTH-1:0] mem [0:DEPTH-1];
reg [DEPTH_LOG2-1:0] rd_ptr, wr_ptr;

wire pop = m_axis_tvalid && m_axis_tready;
wire [DEPTH_LOG2-1:0] wr_next = wr_ptr + {{(DEPTH_LOG2-1){1'b0}}, 1'b1};
wire [1:0] pushed = {1'b0, s_valid0} + {1'b0, s_valid1};

assign m_axis_tvalid = count != 0;
assign m_axis_tdata = mem[rd_ptr];

always @(posedge clk) begin
    if (s_valid0) mem[wr_ptr] <= s_data0;
    if (s_valid1) mem[s_valid0 ? wr_next : wr_ptr] <= s_data1;
    if (rst) begin
        rd_ptr <= 0;
        wr_ptr <= 0;
        count <= 0;
    end else begin
        wr_ptr <= wr_ptr + {{(DEPTH_LOG2-2){1'b0}}, pushed};
        rd_ptr <= rd_ptr + {{(DEPTH_LOG2-1){1'b0}}, pop};
        count <= count + {{(DEPTH_LOG2-1){1'b0}}, pushed} - {{DEPTH_LOG2{1'b0}}, pop};
    end
end

endmodule

`resetall
