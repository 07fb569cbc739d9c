`resetall
// Testbench for body_end: 300,000 random beats (0..8 lanes) of
// BodyLength ends (values 0 to 9,999,999, most of them 5..300) and
// garbled lanes, the session state chained from beat to beat, against
// the sequential rule of body_end.v run lane by lane with integers:
// every lane's last-body-byte flag, and after every beat whether the
// body is still open and how many of its bytes are still to come
// (in_rem - 10 * in_owe, in_rem read as BCD). Also bl_lt5 and bl_gt_max
// against integer compares with a random MAX_BODY.
// Run: scripts/rtl_tb.sh (verilator --binary --timing).

`timescale 1ns / 1ps
`default_nettype none

module tb_body_end;

logic [3:0] count = 0;
logic [7:0] bl_end = 0, garb = 0;
logic [27:0] bl_bcd = 0;
logic [31:0] max_bcd = 0;
logic in_act = 0;
logic [27:0] in_rem = 0;
logic in_owe = 0;
wire [7:0] last, last_c;
wire bl_lt5, bl_gt_max, out_act;
wire [27:0] out_rem;
wire out_owe;

body_end dut (
    .count(count), .bl_end(bl_end), .bl_bcd(bl_bcd), .max_bcd(max_bcd), .garb(garb),
    .in_act(in_act), .in_rem(in_rem), .in_owe(in_owe),
    .last(last), .last_c(last_c), .bl_lt5(bl_lt5), .bl_gt_max(bl_gt_max),
    .out_act(out_act), .out_rem(out_rem), .out_owe(out_owe)
);

function automatic logic [31:0] to_bcd(input longint v);
    logic [31:0] r = 0;
    for (int d = 0; d < 8; d++) begin
        r[4*d +: 4] = 4'(v % 10);
        v = v / 10;
    end
    return r;
endfunction

function automatic longint from_bcd(input logic [27:0] b);
    longint r = 0;
    for (int d = 6; d >= 0; d--) r = r * 10 + longint'(b[4*d +: 4]);
    return r;
endfunction

logic s_act = 0;
logic [27:0] s_rem = 0;
logic s_owe = 0;

// The reference state.
bit act = 0;
longint rem = 0;

int errors = 0, lasts = 0, same_beat = 0, next_beat = 0, long_bodies = 0, bl_checks = 0;
task automatic fail(input string what);
    if (errors < 10) $display("FAIL %s", what);
    errors++;
endtask

initial begin
    for (int b = 0; b < 300000; b++) begin
        int n = $urandom_range(0, 3) == 0 ? $urandom_range(0, 8) : 8;
        longint bl = 0;
        int bl_lane = -1;
        bit want_last [8];
        longint since_bl = -1;
        logic [31:0] bl32;
        {bl_end, garb} = 0;
        // One BodyLength end per beat at most (frames are >= 22 bytes),
        // mostly while no body is open.
        if (n > 0 && $urandom_range(0, 99) < (act ? 1 : 25)) begin
            int roll = $urandom_range(1, 100);
            bl_lane = $urandom_range(0, n - 1);
            bl_end[bl_lane] = 1;
            if (roll <= 5) bl = $urandom_range(0, 4);
            else if (roll <= 50) bl = $urandom_range(5, 20);
            else if (roll <= 90) bl = $urandom_range(21, 300);
            else if (roll <= 99) bl = $urandom_range(301, 99999);
            else bl = $urandom_range(100000, 9999999);
        end
        bl32 = to_bcd(bl);
        bl_bcd = bl32[27:0];
        max_bcd = $urandom_range(0, 1) ? to_bcd(bl + $urandom_range(0, 2) - 1)
                                        : to_bcd($urandom_range(0, 16777215));
        for (int j = 0; j < n; j++)
            if ($urandom_range(0, 999) < (act && rem > 5000 ? 4 : 1)) garb[j] = 1;
        // The caller garbles a BodyLength below 5 at its SOH; 1..4 are
        // sometimes let through, to count as well.
        if (bl_lane >= 0 && (bl == 0 || (bl < 5 && $urandom_range(0, 1)))) garb[bl_lane] = 1;
        count = 4'(n);
        // The session state is the DUT's own output of the last beat.
        {in_act, in_rem, in_owe} = {s_act, s_rem, s_owe};
        #1;
        for (int j = 0; j < 8; j++) want_last[j] = 0;
        // The carried count's last lane, garbs and BodyLength ends aside.
        for (int j = 0; j < 8; j++)
            if (last_c[j] != (j < n && act && rem == j + 1))
                fail($sformatf("beat %0d lane %0d last_c %0d", b, j, last_c[j]));
        for (int j = 0; j < n; j++) begin
            if (garb[j]) act = 0;
            else if (bl_end[j]) begin
                act = 1;
                rem = bl;
                since_bl = 0;
            end else if (act) begin
                rem--;
                if (rem == 0) begin
                    want_last[j] = 1;
                    act = 0;
                end
            end
        end
        for (int j = 0; j < 8; j++) begin
            if (last[j] != want_last[j]) fail($sformatf("beat %0d lane %0d last %0d", b, j, last[j]));
            if (want_last[j]) begin
                lasts++;
                if (since_bl == 0) same_beat++;
            end
        end
        if (out_act != act) fail($sformatf("beat %0d act %0d want %0d", b, out_act, act));
        if (act && from_bcd(out_rem) - 10 * longint'(out_owe) != rem)
            fail($sformatf("beat %0d rem %0d-10*%0d want %0d", b, from_bcd(out_rem), out_owe, rem));
        if (act && rem > 1000) long_bodies++;
        if (bl_lane >= 0) begin
            bl_checks++;
            if (bl_lt5 != (bl < 5)) fail($sformatf("beat %0d bl_lt5 of %0d", b, bl));
            if (bl_gt_max != (bl > from_bcd(max_bcd[27:0]) + 10000000 * longint'(max_bcd[31:28])))
                fail($sformatf("beat %0d bl_gt_max of %0d", b, bl));
        end
        {s_act, s_rem, s_owe} = {out_act, out_rem, out_owe};
    end
    $display("tb_body_end: %0d bodies ended (%0d in the beat of their BodyLength), %0d beats inside bodies over 1000 bytes, %0d BodyLength checks",
             lasts, same_beat, long_bodies, bl_checks);
    if (errors == 0 && lasts > 10000 && same_beat > 100 && long_bodies > 10000) $display("tb_body_end: PASS");
    else $display("tb_body_end: %0d FAILURES", errors);
    $finish;
end

endmodule
