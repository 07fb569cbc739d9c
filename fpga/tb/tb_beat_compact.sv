`resetall
// Testbench for beat_compact: random beats with random tkeep (empty and
// full included) and bytes biased to SOH, '=', the digits and their ASCII
// neighbours ('/', ':'), against a reference compaction; random consumer
// stalls lose and reorder nothing; with the consumer always ready one
// beat passes per cycle with a latency of one cycle, and an empty output
// register never holds s_ready low.
// Run: scripts/rtl_tb.sh (verilator --binary --timing).

`timescale 1ns / 1ps
`default_nettype none

module tb_beat_compact;

logic clk = 0;
always #1 clk <= ~clk;
logic rst = 1;

logic [63:0] s_data = 0;
logic [7:0] s_keep = 0;
logic [16:0] s_side = 0;
logic s_valid = 0;
wire s_ready;
wire [63:0] m_data;
wire [3:0] m_count;
wire [7:0] m_soh, m_eq, m_digit;
wire [31:0] m_bcd;
wire [16:0] m_side;
wire m_valid;
logic m_ready = 1;

beat_compact dut (
    .clk(clk), .rst(rst),
    .s_data(s_data), .s_keep(s_keep), .s_side(s_side), .s_valid(s_valid), .s_ready(s_ready),
    .m_data(m_data), .m_count(m_count), .m_soh(m_soh), .m_eq(m_eq), .m_digit(m_digit),
    .m_bcd(m_bcd), .m_side(m_side), .m_valid(m_valid), .m_ready(m_ready)
);

// The expected output of one beat, packed.
typedef struct packed {
    logic [63:0] data;
    logic [3:0] count;
    logic [7:0] soh, eq, digit;
    logic [31:0] bcd;
    logic [16:0] side;
} out_t;

function automatic out_t compact(input logic [63:0] d, input logic [7:0] k, input logic [16:0] side);
    out_t o = '0;
    int n = 0;
    for (int i = 0; i < 8; i++) begin
        if (k[i]) begin
            logic [7:0] b = d[8*i +: 8];
            o.data[8*n +: 8] = b;
            o.soh[n] = b == 8'h01;
            o.eq[n] = b == "=";
            o.digit[n] = b >= "0" && b <= "9";
            o.bcd[4*n +: 4] = (b >= "0" && b <= "9") ? 4'(b - "0") : 4'h0;
            n++;
        end
    end
    o.count = 4'(n);
    o.side = side;
    return o;
endfunction

function automatic logic [7:0] rand_byte();
    case ($urandom_range(0, 7))
        0: return 8'h01;
        1: return "=";
        2, 3: return 8'("0" + $urandom_range(0, 9));
        4: return "/";
        5: return ":";
        default: return 8'($urandom_range(0, 255));
    endcase
endfunction

function automatic logic [7:0] rand_keep();
    case ($urandom_range(0, 5))
        0: return 8'h00;
        1: return 8'hff;
        default: return 8'($urandom_range(0, 255));
    endcase
endfunction

out_t want [$];
int errors = 0, got = 0, digits_seen = 0, soh_seen = 0;
longint cycle = 0, last_take = -10, last_out = -10, max_lat = 0;
longint takes [$];
longint lat_max = 0;
always @(posedge clk) if (!rst && s_valid && s_ready) takes.push_back(cycle);
// An empty output register always takes a beat (no lost cycle).
always @(posedge clk) if (!rst && !m_valid && !s_ready) begin
    $display("FAIL s_ready low with the output register empty");
    errors++;
end

always @(posedge clk) begin
    cycle <= cycle + 1;
    if (!rst && m_valid && m_ready) begin
        out_t o = {m_data, m_count, m_soh, m_eq, m_digit, m_bcd, m_side};
        if (want.size() == 0) begin
            $display("FAIL output with nothing expected: %h", o);
            errors++;
        end else begin
            out_t w = want.pop_front();
            if (o != w) begin
                $display("FAIL beat %0d: got %h, want %h", got, o, w);
                errors++;
            end
        end
        if (takes.size() > 0) begin
            longint lat = cycle - takes.pop_front();
            if (lat > lat_max) lat_max = lat;
        end
        got++;
        digits_seen += $countones(m_digit);
        soh_seen += $countones(m_soh);
    end
end

task automatic run(input int beats, input int pct, output longint cycles, output longint stalls);
    longint c0 = cycle;
    stalls = 0;
    for (int n = 0; n < beats; n++) begin
        // Under stalls, idle input cycles now and then let the output
        // register empty while the consumer is not ready.
        if (pct < 100 && $urandom_range(0, 3) == 0) begin
            s_valid = 0;
            repeat ($urandom_range(1, 3)) begin
                m_ready = $urandom_range(1, 100) <= pct;
                @(posedge clk);
                #0.1;
            end
        end
        for (int i = 0; i < 8; i++) s_data[8*i +: 8] = rand_byte();
        s_keep = rand_keep();
        s_side = 17'($urandom_range(0, 131071));
        s_valid = 1;
        want.push_back(compact(s_data, s_keep, s_side));
        forever begin
            m_ready = $urandom_range(1, 100) <= pct;
            #0.1;
            if (s_ready) break;
            stalls++;
            @(posedge clk);
            #0.1;
        end
        @(posedge clk);
        #0.1;
    end
    s_valid = 0;
    m_ready = 1;
    repeat (4) @(posedge clk);
    #0.1;
    cycles = cycle - c0;
endtask

longint cyc, st;
initial begin
    repeat (3) @(posedge clk);
    #0.1 rst = 0;

    // Random consumer stalls.
    run(4000, 50, cyc, st);
    if (want.size() != 0) begin $display("FAIL %0d beats lost", want.size()); errors++; end
    if (got != 4000) begin $display("FAIL got %0d beats, want 4000", got); errors++; end
    if (st == 0) begin $display("FAIL the stall phase never stalled"); errors++; end

    // Consumer always ready: no stall, one beat per cycle (plus the
    // 4-cycle settle of run()), every output the cycle after its input.
    // (cyc counts the driver's cycles, so only the stalls and the
    // latency say anything about the design.)
    got = 0;
    lat_max = 0;
    run(1000, 100, cyc, st);
    if (st != 0) begin $display("FAIL %0d stalls at line rate", st); errors++; end
    if (lat_max != 1) begin $display("FAIL latency %0d cycles, want 1", lat_max); errors++; end
    if (got != 1000 || want.size() != 0) begin $display("FAIL line rate: %0d out", got); errors++; end
    if (digits_seen == 0 || soh_seen == 0) begin $display("FAIL classes never seen"); errors++; end

    if (errors == 0) $display("tb_beat_compact: PASS");
    else $display("tb_beat_compact: %0d FAILURES", errors);
    $finish;
end

endmodule

`resetall
