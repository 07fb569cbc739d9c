// Testbench for fix_parse_step: one byte per clock through a registered
// state, checking the events of good, garbled and straddling frames.
// Run: scripts/rtl_tb.sh

`timescale 1ns / 1ps
`default_nettype none

module tb_fix_parse_step;

localparam string HB1 = "8=FIX.4.4\0019=10\00135=0\00134=1\00110=165\001";
localparam string DUP2 = "8=FIX.4.4\0019=15\00135=D\00134=2\00143=Y\00110=189\001";

logic clk = 0;
always #1 clk <= ~clk;

logic [7:0] b = 0;
logic valid = 0;
logic [183:0] st = 0;
wire [183:0] nx;
wire ev, ev_garbled, seq_ok, new_ok;
wire [2:0] reason;
wire [23:0] len;
wire [31:0] seq, new_seq;
wire [7:0] flags;
wire [15:0] mt;

wire [2:0] fst = st[183:181];
fix_parse_step step (
    .s_byte(b), .s_valid(valid), .max_body(24'd65536),
    .s_fst(st[183:181]), .s_idx(st[180:157]), .s_cnt(st[156:154]), .s_blen(st[153:130]),
    .s_sum(st[129:122]), .s_ck(st[121:112]), .s_psoh(st[111]), .s_hunt(st[110:108]),
    .s_fs(st[107:103]), .s_seen(st[102:99]), .s_seq(st[98:65]), .s_seq_nd(st[64:61]),
    .s_seq_bad(st[60]), .s_new(st[59:26]), .s_new_nd(st[25:22]), .s_new_bad(st[21]),
    .s_pd(st[20:19]), .s_gf(st[18:17]), .s_mt(st[16:1]), .s_mlong(st[0]),
    .m_fst(nx[183:181]), .m_idx(nx[180:157]), .m_cnt(nx[156:154]), .m_blen(nx[153:130]),
    .m_sum(nx[129:122]), .m_ck(nx[121:112]), .m_psoh(nx[111]), .m_hunt(nx[110:108]),
    .m_fs(nx[107:103]), .m_seen(nx[102:99]), .m_seq(nx[98:65]), .m_seq_nd(nx[64:61]),
    .m_seq_bad(nx[60]), .m_new(nx[59:26]), .m_new_nd(nx[25:22]), .m_new_bad(nx[21]),
    .m_pd(nx[20:19]), .m_gf(nx[18:17]), .m_mt(nx[16:1]), .m_mlong(nx[0]),
    .m_ev(ev), .m_ev_garbled(ev_garbled), .m_ev_reason(reason), .m_ev_len(len),
    .m_ev_seq_ok(seq_ok), .m_ev_seq(seq), .m_ev_new_ok(new_ok), .m_ev_new(new_seq),
    .m_ev_flags(flags), .m_ev_mt(mt)
);

always @(posedge clk) st <= nx;

int errors = 0;
task automatic check(input string what, input longint actual, input longint want);
    if (actual != want) begin
        $display("FAIL %s: got %0d, want %0d", what, actual, want);
        errors++;
    end
endtask

// Feeds `s` one byte per clock; records the events seen.
int n_ev;
int ev_at [8];
int ev_kind [8];
task automatic feed(input string s);
    n_ev = 0;
    for (int i = 0; i < s.len(); i++) begin
        b = s[i];
        valid = 1;
        #0.1;
        if (ev) begin
            ev_at[n_ev] = i;
            ev_kind[n_ev] = ev_garbled ? int'(reason) : 0;
            n_ev++;
        end
        @(posedge clk); #0.1;
    end
    valid = 0;
endtask

initial begin
    @(posedge clk); #0.1;
    // A heartbeat: one event at its last byte, seq 1, MsgType "0".
    feed(HB1);
    check("events", n_ev, 1);
    check("at last byte", ev_at[0], 31);
    check("complete", ev_kind[0], 0);

    // Fields of a PossDup order, checked on the final byte.
    for (int i = 0; i < DUP2.len() - 1; i++) begin
        b = DUP2[i]; valid = 1; @(posedge clk); #0.1;
    end
    b = DUP2[DUP2.len() - 1]; #0.1;
    check("seq", seq, 2);
    check("seq ok", seq_ok, 1);
    check("poss dup flag", flags, 1);
    check("msg type", mt, {"D", 8'h00});
    check("len", len, 37);
    @(posedge clk); #0.1; valid = 0;

    // An invalid byte (skipped) changes nothing.
    b = "Q"; #0.1;
    check("no event when not valid", ev, 0);

    // Garbage, then a frame: one garbled event (reason 1) at the first
    // byte, then the hunt finds the frame.
    feed({"zz", HB1});
    check("garbled then frame", n_ev, 2);
    check("garbled at 0", ev_at[0], 0);
    check("reason begin", ev_kind[0], 1);
    check("frame found", ev_kind[1], 0);

    // A wrong checksum: garbled (6) at the final SOH.
    feed("8=FIX.4.4\0019=10\00135=0\00134=1\00110=166\001");
    check("bad checksum", ev_kind[0], 6);
    check("at final soh", ev_at[0], 31);
    // 9=999999999: too long (3) at its eighth digit, nothing buffered.
    feed("8=FIX.4.4\0019=999999999\001");
    check("too long", ev_kind[0], 3);
    check("at eighth digit", ev_at[0], 19);
    check("state hunts", fst, 7);

    if (errors == 0) $display("tb_fix_parse_step: PASS");
    else $display("tb_fix_parse_step: %0d FAILURES", errors);
    $finish;
end

endmodule
