// Testbench for verdict_fifo: two pushes per cycle come out one per
// cycle, in order, across a stalled reader.
// Run: scripts/rtl_tb.sh

`timescale 1ns / 1ps
`default_nettype none

module tb_verdict_fifo;

logic clk = 0;
always #1 clk <= ~clk;
logic rst = 1;
logic [15:0] d0 = 0, d1 = 0;
logic v0 = 0, v1 = 0, ready = 0;
wire [15:0] q;
wire qv;
wire [3:0] count;

verdict_fifo #(.WIDTH(16), .DEPTH_LOG2(3)) dut (
    .clk(clk), .rst(rst), .s_data0(d0), .s_valid0(v0), .s_data1(d1), .s_valid1(v1),
    .m_axis_tdata(q), .m_axis_tvalid(qv), .m_axis_tready(ready), .count(count)
);

int errors = 0;
int next_out = 1;
always @(posedge clk) begin
    if (qv && ready) begin
        if (q != next_out[15:0]) begin
            $display("FAIL: got %0d, want %0d", q, next_out);
            errors++;
        end
        next_out <= next_out + 1;
    end
end

initial begin
    repeat (2) @(posedge clk);
    #0.1 rst = 0;
    // 1, 2 together; 3 alone; 4 as the second port's only write; 5, 6.
    {d0, v0, d1, v1} = {16'd1, 1'b1, 16'd2, 1'b1}; @(posedge clk); #0.1;
    {d0, v0, d1, v1} = {16'd3, 1'b1, 16'd0, 1'b0}; @(posedge clk); #0.1;
    {d0, v0, d1, v1} = {16'd0, 1'b0, 16'd4, 1'b1}; @(posedge clk); #0.1;
    {d0, v0, d1, v1} = {16'd5, 1'b1, 16'd6, 1'b1}; @(posedge clk); #0.1;
    {v0, v1} = 2'b00;
    if (count != 6) begin $display("FAIL: count %0d", count); errors++; end
    ready = 1;
    repeat (10) @(posedge clk);
    #0.1;
    if (next_out != 7 || qv) begin $display("FAIL: drained to %0d", next_out); errors++; end
    if (errors == 0) $display("tb_verdict_fifo: PASS");
    else $display("tb_verdict_fifo: %0d FAILURES", errors);
    $finish;
end

endmodule
