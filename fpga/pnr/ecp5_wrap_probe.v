/*
 * ecp5_wrap_probe: loop_probe with every port registered, for place and
 * route (scripts/pnr_ecp5.sh with PNR_DESIGN=loop_probe), the same way
 * ecp5_wrap does it for seq_validator: a shift register from pin `din`
 * drives the 151 input bits, the 73 output bits are captured and folded
 * by a registered XOR tree onto pin `dout`. CTL is loop_probe's
 * WITH_CTL, which adds 8 input bits (a_ck) and 48 output bits (ctl_q).
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module ecp5_wrap_probe #(
    parameter CTL = 0
) (
    input  wire clk,
    input  wire rst_pin,
    input  wire din,
    output reg  dout
);

localparam IN_W = 1 + 6 + 64 + 4 + 8 + 28 + 8 + 32 + (CTL ? 8 : 0);  // 151
localparam OUT_W = 8 + 64 + 1 + (CTL ? 48 : 0);      // 73
localparam G1 = (OUT_W + 5) / 6;                     // 13 (CTL: 21)
localparam G2 = (G1 + 5) / 6;                        // 3 (CTL: 4)

reg rst;
reg [IN_W-1:0] in_q;
always @(posedge clk) begin
    rst <= rst_pin;
    in_q <= {in_q[IN_W-2:0], din};
end

wire a_valid;
wire [5:0] a_sess;
wire [63:0] a_data;
wire [3:0] a_count;
wire [7:0] a_bl_end, a_garb;
wire [27:0] a_bl_bcd;
wire [31:0] a_max_bcd;
wire [7:0] a_ck;
wire [158:0] in_x;
generate
    if (CTL) begin : ck_in
        assign in_x = in_q;
    end else begin : no_ck_in
        assign in_x = {in_q, 8'd0};
    end
endgenerate
assign {a_valid, a_sess, a_data, a_count, a_bl_end, a_bl_bcd, a_garb, a_max_bcd, a_ck} = in_x;

wire [7:0] last_q;
wire [63:0] sums_q;
wire checks_q;
wire [47:0] ctl_q;
loop_probe #(.WITH_CTL(CTL)) dut (
    .clk(clk), .rst(rst), .a_valid(a_valid), .a_sess(a_sess), .a_data(a_data),
    .a_count(a_count), .a_bl_end(a_bl_end), .a_bl_bcd(a_bl_bcd), .a_garb(a_garb),
    .a_max_bcd(a_max_bcd), .a_ck(a_ck), .last_q(last_q), .ctl_q(ctl_q), .sums_q(sums_q),
    .checks_q(checks_q)
);

reg [OUT_W-1:0] out_q;
reg [G1-1:0] x1;
reg [G2-1:0] x2;
wire [G1*6-1:0] out_pad = {{(G1*6-OUT_W){1'b0}}, out_q};
wire [G2*6-1:0] x1_pad = {{(G2*6-G1){1'b0}}, x1};
integer g;
always @(posedge clk) begin
    if (CTL) out_q <= OUT_W'({last_q, ctl_q, sums_q, checks_q});
    else out_q <= OUT_W'({last_q, sums_q, checks_q});
    for (g = 0; g < G1; g = g + 1) x1[g] <= ^out_pad[6*g +: 6];
    for (g = 0; g < G2; g = g + 1) x2[g] <= ^x1_pad[6*g +: 6];
    dout <= ^x2;
end

endmodule

`resetall
