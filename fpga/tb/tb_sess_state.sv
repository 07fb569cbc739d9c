`resetall
// Testbench for sess_state, closing its loop through cksum_prefix (the
// session's running stream sum in carry-save form): 200,000 cycles of
// beats from 8 sessions, the session chosen so that back-to-back beats
// of one session (forwarding), A-B-A (the RAM one cycle later), and
// longer gaps all occur often, with idle cycles and stream resets (clr,
// also on the cycle a beat of that session is accepted and while one is
// in B). Every beat's lane sums are checked against a per-session
// byte-by-byte sum, in order, resets included. Counts the cases.
// Run: scripts/rtl_tb.sh (verilator --binary --timing).

`timescale 1ns / 1ps
`default_nettype none

module tb_sess_state;

localparam S = 8;
logic clk = 0, rst = 1;
logic a_valid = 0, clr = 0;
logic [2:0] a_sess = 0, clr_sess = 0;
wire b_valid;
wire [2:0] b_sess;
wire [15:0] b_cur, b_next;
logic [63:0] a_data = 0, b_data = 0;
logic [3:0] a_count = 0, b_count = 0;
wire [63:0] lane_sum, beat_pre;

sess_state #(.W(16), .SESSIONS(S)) dut (
    .clk(clk), .rst(rst), .a_valid(a_valid), .a_sess(a_sess),
    .b_valid(b_valid), .b_sess(b_sess), .b_cur(b_cur), .b_next(b_next),
    .clr(clr), .clr_sess(clr_sess)
);
cksum_prefix loop_fn (
    .data(b_data), .count(b_count), .in_sa(b_cur[15:8]), .in_sb(b_cur[7:0]),
    .lane_sum(lane_sum), .beat_pre(beat_pre), .out_sa(b_next[15:8]), .out_sb(b_next[7:0])
);

always #5 clk = !clk;
// The beat's data follows it into B.
always @(posedge clk) if (a_valid) {b_data, b_count} <= {a_data, a_count};

byte unsigned sums [S];
logic [63:0] want_q [$];
int errors = 0, beats = 0, b2b = 0, aba = 0, clr_hits = 0;
task automatic fail(input string what);
    if (errors < 10) $display("FAIL %s", what);
    errors++;
endtask

always @(posedge clk) begin
    if (!rst && b_valid) begin
        logic [63:0] w = want_q.pop_front();
        for (int j = 0; j < 8; j++)
            if (j < b_count && lane_sum[8*j +: 8] != w[8*j +: 8])
                fail($sformatf("beat %0d session %0d lane %0d", beats, b_sess, j));
        beats++;
    end
end

initial begin
    int prev1 = 0, prev2 = 0;
    bit v1 = 0, v2 = 0;
    repeat (3) @(posedge clk);
    @(negedge clk);
    rst = 0;
    for (int c = 0; c < 200000; c++) begin
        int roll = $urandom_range(1, 100);
        a_valid = $urandom_range(0, 4) != 0;
        if (roll <= 40) a_sess = 3'(prev1);
        else if (roll <= 70) a_sess = 3'(prev2);
        else a_sess = 3'($urandom_range(0, S - 1));
        clr = $urandom_range(0, 49) == 0;
        clr_sess = $urandom_range(0, 1) ? a_sess : 3'($urandom_range(0, S - 1));
        if (clr) begin
            sums[clr_sess] = 0;
            if (a_valid && clr_sess == a_sess) clr_hits++;
        end
        if (a_valid) begin
            logic [63:0] w = 0;
            int n = $urandom_range(0, 8);
            a_data = 0;
            for (int j = 0; j < n; j++) begin
                a_data[8*j +: 8] = 8'($urandom);
                sums[a_sess] += a_data[8*j +: 8];
                w[8*j +: 8] = sums[a_sess];
            end
            a_count = 4'(n);
            want_q.push_back(w);
            if (v1 && prev1 == a_sess) b2b++;
            else if (v2 && prev2 == a_sess && v1) aba++;
            {prev2, v2} = {prev1, v1};
            prev1 = a_sess;
        end
        v1 = a_valid;
        if (!a_valid) v2 = 0;
        @(negedge clk);
    end
    a_valid = 0;
    clr = 0;
    repeat (4) @(negedge clk);
    $display("tb_sess_state: %0d beats, %0d back to back, %0d A-B-A, %0d resets on the beat's own edge",
             beats, b2b, aba, clr_hits);
    if (errors == 0 && want_q.size() == 0 && b2b > 10000 && aba > 10000 && clr_hits > 100)
        $display("tb_sess_state: PASS");
    else $display("tb_sess_state: %0d FAILURES", errors);
    $finish;
end

endmodule
