// Testbench for seq_classify: every row of the sequencing table.
// Run: scripts/rtl_tb.sh

`timescale 1ns / 1ps
`default_nettype none

module tb_seq_classify;

logic enabled = 1, seq_ok = 1, new_ok = 0;
logic [31:0] expected = 5, seq = 5, new_seq = 0;
logic [7:0] flags_in = 0;
logic [15:0] msg_type = {"D", 8'h00};
wire [7:0] kind, flags;
wire [31:0] aux, next_expected;

seq_classify dut (
    .enabled(enabled), .expected(expected), .seq_ok(seq_ok), .seq(seq), .new_ok(new_ok),
    .new_seq(new_seq), .flags_in(flags_in), .msg_type(msg_type),
    .kind(kind), .flags(flags), .aux(aux), .next_expected(next_expected)
);

int errors = 0;
task automatic row(input string what, input int k, input int a, input int f, input int nx);
    #1;
    if (kind != k[7:0] || aux != a || flags != f[7:0] || next_expected != nx) begin
        $display("FAIL %s: kind %0d aux %0d flags %0d next %0d", what, kind, aux, flags,
                 next_expected);
        errors++;
    end
endtask

localparam [15:0] SEQ_RESET = {"4", 8'h00};

initial begin
    row("in order", 0, 0, 0, 6);
    seq = 9; row("gap", 1, 8, 0, 5);
    seq = 3; row("too low", 3, 0, 0, 5);
    flags_in = 1; row("duplicate", 2, 0, 1, 5);
    seq_ok = 0; row("bad seq", 7, 0, 1, 5);
    enabled = 0; row("disabled", 8, 0, 1, 5);
    {enabled, seq_ok, flags_in, msg_type} = {1'b1, 1'b1, 8'd2, SEQ_RESET};
    {seq, new_ok, new_seq} = {32'd5, 1'b1, 32'd9}; row("gap fill", 5, 9, 2, 9);
    new_seq = 5; row("gap fill not forward", 5, 5, 6, 5);
    seq = 7; new_seq = 9; row("gap fill beyond expected is a gap", 1, 6, 2, 5);
    flags_in = 0; new_seq = 2; row("reset backward", 4, 2, 4, 5);
    new_seq = 20; row("reset forward", 4, 20, 0, 20);
    new_ok = 0; row("reset without new seq", 7, 0, 0, 5);
    if (errors == 0) $display("tb_seq_classify: PASS");
    else $display("tb_seq_classify: %0d FAILURES", errors);
    $finish;
end

endmodule
