// Testbench for verdict_record: the 256-bit record layout of a complete
// and of a garbled frame.
// Run: scripts/rtl_tb.sh

`timescale 1ns / 1ps
`default_nettype none

module tb_verdict_record;

logic [181:0] ev = 0;
logic valid = 1;
logic [5:0] session = 6'd3;
wire [255:0] record;
wire [7:0] kind;
wire [31:0] next_expected;

verdict_record dut (
    .ev(ev), .valid(valid), .session(session), .enabled(1'b1), .expected(32'd7),
    .record(record), .kind(kind), .next_expected(next_expected)
);

int errors = 0;
task automatic check(input string what, input longint actual, input longint want);
    if (actual != want) begin
        $display("FAIL %s: got %0d, want %0d", what, actual, want);
        errors++;
    end
endtask

initial begin
    // garbled, reason, len, seq_ok, seq, new_ok, new, flags, mt, offset
    ev = {1'b0, 3'd0, 24'd37, 1'b1, 32'd9, 1'b0, 32'd0, 8'd1, "D", 8'h00, 64'd1000};
    #1;
    check("session", record[15:0], 3);
    check("kind gap", record[23:16], 1);
    check("flags", record[31:24], 1);
    check("msg type", record[55:40], {8'h00, "D"});
    check("seq", record[87:56], 9);
    check("expected", record[119:88], 7);
    check("aux", record[151:120], 8);
    check("offset", record[215:152], 1000);
    check("len", record[247:216], 37);
    check("gap keeps expected", next_expected, 7);
    ev = {1'b1, 3'd6, 24'd32, 1'b1, 32'd9, 1'b0, 32'd0, 8'd1, "D", 8'h00, 64'd5};
    #1;
    check("garbled kind", kind, 6);
    check("garbled reason", record[39:32], 6);
    check("garbled has no seq", record[87:56], 0);
    check("garbled has no flags", record[31:24], 0);
    check("garbled keeps expected", next_expected, 7);
    if (errors == 0) $display("tb_verdict_record: PASS");
    else $display("tb_verdict_record: %0d FAILURES", errors);
    $finish;
end

endmodule
