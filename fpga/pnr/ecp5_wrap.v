/*
 * ecp5_wrap: seq_validator with every port registered, for place and
 * route (scripts/pnr_ecp5.sh). The validator has 141 input and 290
 * output bits, more than the package's pins, so:
 *
 *   inputs:  a 141-bit shift register fed from pin `din` drives every
 *            input port (each input is a flip-flop);
 *   outputs: every output port is captured in a flip-flop, then folded
 *            by a registered XOR tree onto pin `dout`, so no output can
 *            be optimized away and every path from the validator's
 *            registers ends in a register.
 *
 * Paths the timing report covers are thus register to register: the
 * validator's own, plus one LUT level at the edges of the wrapper.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module ecp5_wrap (
    input  wire clk,
    input  wire rst_pin,
    input  wire din,
    output reg  dout
);

localparam IN_W = 64 + 8 + 1 + 1 + 16 + 1 + 16 + 1 + 32 + 1;  // 141
localparam OUT_W = 1 + 256 + 1 + 32;                           // 290
localparam G1 = (OUT_W + 5) / 6;                               // 49
localparam G2 = (G1 + 5) / 6;                                  // 9

reg rst;
reg [IN_W-1:0] in_q;
always @(posedge clk) begin
    rst <= rst_pin;
    in_q <= {in_q[IN_W-2:0], din};
end

wire [63:0] tdata;
wire [7:0] tkeep;
wire tvalid, tlast, v_ready, ctl_wr, ctl_rd;
wire [15:0] tuser, ctl_addr;
wire [31:0] ctl_wdata;
assign {tdata, tkeep, tvalid, tlast, tuser, v_ready, ctl_addr, ctl_wr, ctl_wdata, ctl_rd} = in_q;

wire tready, v_valid;
wire [255:0] v_data;
wire [31:0] ctl_rdata;

seq_validator dut (
    .clk(clk), .rst(rst),
    .s_axis_tdata(tdata), .s_axis_tkeep(tkeep), .s_axis_tvalid(tvalid),
    .s_axis_tready(tready), .s_axis_tlast(tlast), .s_axis_tuser(tuser),
    .m_axis_verdict_tdata(v_data), .m_axis_verdict_tvalid(v_valid),
    .m_axis_verdict_tready(v_ready),
    .ctl_addr(ctl_addr), .ctl_wr(ctl_wr), .ctl_wdata(ctl_wdata), .ctl_rd(ctl_rd),
    .ctl_rdata(ctl_rdata)
);

reg [OUT_W-1:0] out_q;
reg [G1-1:0] x1;
reg [G2-1:0] x2;
wire [G1*6-1:0] out_pad = {{(G1*6-OUT_W){1'b0}}, out_q};
wire [G2*6-1:0] x1_pad = {{(G2*6-G1){1'b0}}, x1};
integer g;
always @(posedge clk) begin
    out_q <= {tready, v_data, v_valid, ctl_rdata};
    for (g = 0; g < G1; g = g + 1) x1[g] <= ^out_pad[6*g +: 6];
    for (g = 0; g < G2; g = g + 1) x2[g] <= ^x1_pad[6*g +: 6];
    dout <= ^x2;
end

endmodule

`resetall
