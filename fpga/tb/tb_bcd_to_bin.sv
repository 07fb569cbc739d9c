`resetall
// Testbench for bcd_to_bin: 200,000 random 10-digit BCD values (any
// number of leading zeros, all nines, values either side of 2^32),
// offered on random cycles, against $unsigned arithmetic: every output's
// binary value, m_fits (< 2^32), its side band, in order, and the fixed
// latency of 4 cycles.
// Run: scripts/rtl_tb.sh (verilator --binary --timing).

`timescale 1ns / 1ps
`default_nettype none

module tb_bcd_to_bin;

logic clk = 0, rst = 1;
logic [39:0] s_bcd = 0;
logic [15:0] s_side = 0;
logic s_valid = 0;
wire [33:0] m_bin;
wire m_fits;
wire [15:0] m_side;
wire m_valid;

bcd_to_bin #(.SIDE_W(16)) dut (
    .clk(clk), .rst(rst), .s_bcd(s_bcd), .s_side(s_side), .s_valid(s_valid),
    .m_bin(m_bin), .m_fits(m_fits), .m_side(m_side), .m_valid(m_valid)
);

always #5 clk = !clk;

function automatic logic [39:0] to_bcd(input longint v);
    logic [39:0] r = 0;
    for (int d = 0; d < 10; d++) begin
        r[4*d +: 4] = 4'(v % 10);
        v = v / 10;
    end
    return r;
endfunction

longint want_q [$];
int side_q [$];
longint in_cycle [$];
longint cycle = 0;
int errors = 0, outs = 0, big = 0;
task automatic fail(input string what);
    if (errors < 10) $display("FAIL %s", what);
    errors++;
endtask

always @(posedge clk) begin
    cycle <= cycle + 1;
    if (!rst && m_valid) begin
        if (want_q.size() == 0) fail("output without input");
        else begin
            longint w = want_q.pop_front();
            int sd = side_q.pop_front();
            longint c = in_cycle.pop_front();
            if (m_bin != 34'(w)) fail($sformatf("value %0d got %0d", w, m_bin));
            if (m_fits != (w < 64'h100000000)) fail($sformatf("fits of %0d", w));
            if (m_side != 16'(sd)) fail($sformatf("side of %0d", w));
            if (cycle - c != 4) fail($sformatf("latency %0d", cycle - c));
            if (w >= 64'h100000000) big++;
            outs++;
        end
    end
end

initial begin
    repeat (3) @(posedge clk);
    rst <= 0;
    for (int n = 0; n < 200000; ) begin
        @(negedge clk);
        s_valid = $urandom_range(0, 3) != 0;
        if (s_valid) begin
            longint v;
            int roll = $urandom_range(1, 100);
            if (roll <= 30) v = {$urandom, $urandom} % 64'd10000000000;
            else if (roll <= 60) v = $urandom_range(0, 99999);
            else if (roll <= 90) v = 64'h100000000 + longint'($signed($urandom_range(0, 2000))) - 1000;
            else if (roll <= 95) v = 64'd9999999999;
            else v = {$urandom, $urandom} % (64'd10 ** $urandom_range(0, 10));
            s_bcd = to_bcd(v);
            s_side = 16'(n);
            want_q.push_back(v);
            side_q.push_back(n);
            in_cycle.push_back(cycle);
            n++;
        end
    end
    @(negedge clk);
    s_valid = 0;
    repeat (8) @(posedge clk);
    if (want_q.size() != 0) fail($sformatf("%0d values never came out", want_q.size()));
    $display("tb_bcd_to_bin: %0d values converted, %0d of them >= 2^32", outs, big);
    if (errors == 0 && outs == 200000) $display("tb_bcd_to_bin: PASS");
    else $display("tb_bcd_to_bin: %0d FAILURES", errors);
    $finish;
end

endmodule
