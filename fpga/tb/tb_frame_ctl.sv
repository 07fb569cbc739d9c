`resetall
// Testbench for frame_ctl against the byte-serial framer it replaces:
// a random stream of FIX frames (good ones; flipped, dropped and
// inserted bytes; truncations; long BeginStrings; BodyLength empty, < 5,
// too long, 8+ digits, wrong; MsgType missing or empty; bad trailers and
// CheckSums; junk with `8=FIX` fragments between frames) is cut into
// beats of 0 to 8 bytes and run through frame_ctl (its state chained
// from out_st) and through 8 chained fix_parse_step (the reference,
// its 184-bit state chained). The per-lane flags frame_ctl reads are
// derived from the reference's state at that lane (BodyLength value,
// carried body count, CheckSum digits and sum), and are random at every
// lane where the rules must not read them. Checked at every lane: the
// event, garbled, reason, BodyLength-accepted and garbled-in-body flags,
// and the control state before the lane (one state bit set, the same
// state as the reference's).
// Run: scripts/rtl_tb.sh (verilator --binary --timing).

`timescale 1ns / 1ps
`default_nettype none

module tb_frame_ctl;

localparam PS_W = 184;
localparam ST_W = 49;
localparam [2:0] S_BEGIN = 3'd0, S_BSV = 3'd1, S_BL = 3'd4, S_BODY = 3'd5, S_TRL = 3'd6,
                 S_HUNT = 3'd7;

logic [63:0] data = 0;
logic [3:0] count = 0;
logic [7:0] bl_lt5 = 0, bl_gt = 0, bl_small = 0, last_c = 0, ck_ok = 0;
logic [23:0] bl_lo = 0;
logic [ST_W-1:0] in_st = 0;
wire [ST_W-1:0] out_st;
wire [7:0] ev, garb, bl_acc, garb_body;
wire [23:0] reason;
wire [ST_W*8-1:0] lane_st;
logic [23:0] max_body = 24'd65536;

frame_ctl dut (
    .data(data), .count(count), .bl_lt5(bl_lt5), .bl_gt(bl_gt), .bl_small(bl_small),
    .bl_lo(bl_lo), .last_c(last_c), .ck_ok(ck_ok), .in_st(in_st), .out_st(out_st),
    .ev(ev), .garb(garb), .reason(reason), .bl_acc(bl_acc), .garb_body(garb_body), .lane_st(lane_st)
);

// The reference: 8 byte steps chained, as the old seq_validator does.
logic [PS_W-1:0] ref_st = 0;
wire [PS_W-1:0] ps [0:8];
wire [7:0] r_ev, r_garb;
wire [2:0] r_reason [0:7];
assign ps[0] = ref_st;
genvar i;
generate
    for (i = 0; i < 8; i = i + 1) begin : lane
        wire [2:0] fst, m_fst, cnt, m_cnt, hunt, m_hunt;
        wire [23:0] idx, m_idx, blen, m_blen;
        wire [7:0] sum, m_sum;
        wire [9:0] ck, m_ck;
        wire psoh, m_psoh, seq_bad, m_seq_bad, new_bad, m_new_bad, mlong, m_mlong;
        wire [4:0] fs, m_fs;
        wire [3:0] seen, m_seen, seq_nd, m_seq_nd, new_nd, m_new_nd;
        wire [33:0] seq, m_seq, nseq, m_nseq;
        wire [1:0] pd, m_pd, gf, m_gf;
        wire [15:0] mt, m_mt;
        /* verilator lint_off UNUSEDSIGNAL */
        wire [23:0] e_len;
        wire e_seq_ok, e_new_ok;
        wire [31:0] e_seq, e_new;
        wire [7:0] e_flags;
        wire [15:0] e_mt;
        /* verilator lint_on UNUSEDSIGNAL */
        assign {fst, idx, cnt, blen, sum, ck, psoh, hunt, fs, seen, seq, seq_nd, seq_bad,
                nseq, new_nd, new_bad, pd, gf, mt, mlong} = ps[i];
        assign ps[i+1] = {m_fst, m_idx, m_cnt, m_blen, m_sum, m_ck, m_psoh, m_hunt, m_fs,
                          m_seen, m_seq, m_seq_nd, m_seq_bad, m_nseq, m_new_nd, m_new_bad,
                          m_pd, m_gf, m_mt, m_mlong};
        fix_parse_step step (
            .s_byte(data[8*i +: 8]), .s_valid(i < count), .max_body(max_body),
            .s_fst(fst), .s_idx(idx), .s_cnt(cnt), .s_blen(blen), .s_sum(sum), .s_ck(ck),
            .s_psoh(psoh), .s_hunt(hunt), .s_fs(fs), .s_seen(seen),
            .s_seq(seq), .s_seq_nd(seq_nd), .s_seq_bad(seq_bad),
            .s_new(nseq), .s_new_nd(new_nd), .s_new_bad(new_bad),
            .s_pd(pd), .s_gf(gf), .s_mt(mt), .s_mlong(mlong),
            .m_fst(m_fst), .m_idx(m_idx), .m_cnt(m_cnt), .m_blen(m_blen), .m_sum(m_sum),
            .m_ck(m_ck), .m_psoh(m_psoh), .m_hunt(m_hunt), .m_fs(m_fs), .m_seen(m_seen),
            .m_seq(m_seq), .m_seq_nd(m_seq_nd), .m_seq_bad(m_seq_bad),
            .m_new(m_nseq), .m_new_nd(m_new_nd), .m_new_bad(m_new_bad),
            .m_pd(m_pd), .m_gf(m_gf), .m_mt(m_mt), .m_mlong(m_mlong),
            .m_ev(r_ev[i]), .m_ev_garbled(r_garb[i]), .m_ev_reason(r_reason[i]),
            .m_ev_len(e_len), .m_ev_seq_ok(e_seq_ok), .m_ev_seq(e_seq),
            .m_ev_new_ok(e_new_ok), .m_ev_new(e_new), .m_ev_flags(e_flags), .m_ev_mt(e_mt)
        );
    end
endgenerate

// ------------------------------------------------------------ the stream
byte s [$];

task automatic put(input string t);
    for (int q = 0; q < t.len(); q++) s.push_back(t[q]);
endtask

function automatic string num(input longint v);
    return $sformatf("%0d", v);
endfunction

function automatic byte rand_byte();
    case ($urandom_range(0, 11))
        0: return 8'h01;
        1: return "=";
        2: return "8";
        3: return "9";
        4: return "1";
        5: return "0";
        6: return "3";
        7: return "5";
        8: return "X";
        9: return "F";
        10: return 8'("0" + $urandom_range(0, 9));
        default: return 8'($urandom_range(0, 255));
    endcase
endfunction

// One frame, mostly good, sometimes broken in one of many ways.
task automatic frame();
    string bs, body, head, mt;
    byte f [$];
    int sum, bl, roll;
    f.delete();
    sum = 0;
    roll = $urandom_range(0, 99);
    case ($urandom_range(0, 9))
        0: bs = "FIXT.1.1";
        1: bs = "FIX.4.2";
        2: bs = roll < 10 ? "FIX.4.4.123456789abc" : "FIX.4.4.12345678";  // 17 / 16 bytes
        default: bs = "FIX.4.4";
    endcase
    case ($urandom_range(0, 5))
        0: mt = "D";
        1: mt = "AE";
        2: mt = "ABC";
        default: mt = "0";
    endcase
    body = (roll == 11) ? "" : (roll == 12) ? "34=5\001" : {"35=", (roll == 13) ? "" : mt, "\001"};
    // MsgType not first, garbled at an `8` that starts `8=FIX`, garbled
    // again 6 bytes on: two GARBLED in one beat, the second in the hunt.
    if (roll >= 47 && roll < 50) body = {"8=FIX\001Q35=", mt, "\001"};
    repeat ($urandom_range(0, 6)) begin
        case ($urandom_range(0, 7))
            0: body = {body, "34=", num($urandom_range(0, 99999)), "\001"};
            1: body = {body, "43=Y\001"};
            2: body = {body, "10=123\001"};
            3: body = {body, "9=12\001"};
            4: body = {body, "58=a=b\0018=FIX\001"};
            5: body = {body, "36=", num($urandom_range(0, 999)), "\001"};
            default: body = {body, "49=SNDR\001"};
        endcase
    end
    if (roll == 14 && body.len() > 0) body = body.substr(0, body.len() - 2);  // no SOH at the end
    bl = body.len();
    if (roll == 15) bl = bl + int'($urandom_range(0, 6)) - 3;
    if (roll == 16) bl = $urandom_range(0, 4);
    if (roll == 17) bl = $urandom_range(10000000, 99999999);
    if (roll == 18) bl = max_body + $urandom_range(1, 100);
    head = {"8=", bs, "\001", "9=", (roll == 19) ? "" : num(bl), (roll == 20) ? "x" : "", "\001"};
    for (int q = 0; q < head.len(); q++) f.push_back(head[q]);
    for (int q = 0; q < body.len(); q++) f.push_back(body[q]);
    foreach (f[q]) sum += f[q];
    sum = sum % 256;
    if (roll == 21) sum = (sum + 1) % 256;
    begin
        string trl = $sformatf("10=%03d\001", sum);
        if (roll == 22) trl = "10=12\001";
        if (roll == 23) trl = "1=123\001";
        for (int q = 0; q < trl.len(); q++) f.push_back(trl[q]);
    end
    // Random damage: a flipped, dropped or inserted byte, or a truncation.
    if (roll >= 24 && roll < 36) f[$urandom_range(0, f.size() - 1)] = rand_byte();
    if (roll >= 36 && roll < 40) f.delete($urandom_range(0, f.size() - 1));
    if (roll >= 40 && roll < 44) f.insert($urandom_range(0, f.size() - 1), rand_byte());
    if (roll >= 44 && roll < 47) begin
        int keep = $urandom_range(1, f.size() - 1);
        while (f.size() > keep) void'(f.pop_back());
    end
    foreach (f[q]) s.push_back(f[q]);
    // Junk between frames now and then.
    if ($urandom_range(0, 9) == 0) begin
        case ($urandom_range(0, 3))
            0: put("8=FI");
            1: put($urandom_range(0, 1) ? "88=F8=FIX" : "88=FIX\001Q");
            2: put("xx8=");
            default: repeat ($urandom_range(1, 12)) s.push_back(rand_byte());
        endcase
    end
endtask

// ------------------------------------------------------------ checking
int errors = 0;
int n_ok = 0, n_garb [1:6], n_hunt = 0, n_same_beat = 0, n_carried = 0, n_straddle = 0;
int n_two = 0, n_two_garb = 0;  // beats with two events; both GARBLED
task automatic fail(input string what);
    if (errors < 10) $display("FAIL %s", what);
    errors++;
endtask

// frame_ctl's one-hot state as {fst, k, cnt, fs, psoh} in the old
// framer's terms (meaningful when exactly one state bit is set).
function automatic [14:0] decode(input [ST_W-1:0] x);
    logic [3:0] fst = 4'd0;
    logic [4:0] k = 0;
    logic [2:0] cnt = 0, fs = 0;
    for (int i = 0; i < 5; i++) if ((i == 0 ? !x[0] : x[i])) {fst, k} = {4'd0, 5'(i)};
    for (int i = 0; i < 5; i++) if (x[5 + i]) {fst, k} = {4'd7, 5'(i)};
    for (int i = 0; i < 14; i++) if (x[10 + i]) {fst, k} = {4'd1, 5'(5 + i)};
    if (x[24]) fst = 4'd2;
    if (x[25]) fst = 4'd3;
    for (int i = 0; i < 8; i++) if (x[26 + i]) {fst, cnt} = {4'd4, 3'(i)};
    for (int i = 0; i < 7; i++) if (x[34 + i]) {fst, fs} = {4'd5, 3'(i)};
    for (int i = 0; i < 7; i++) if (x[41 + i]) {fst, cnt} = {4'd6, 3'(i)};
    return {fst[2:0], k, cnt, fs, x[48]};
endfunction

function automatic [2:0] f_fst(input [PS_W-1:0] p); return p[183:181]; endfunction
function automatic [23:0] f_idx(input [PS_W-1:0] p); return p[180:157]; endfunction
function automatic [2:0] f_cnt(input [PS_W-1:0] p); return p[156:154]; endfunction
function automatic [23:0] f_blen(input [PS_W-1:0] p); return p[153:130]; endfunction
function automatic [7:0] f_sum(input [PS_W-1:0] p); return p[129:122]; endfunction
function automatic [9:0] f_ck(input [PS_W-1:0] p); return p[121:112]; endfunction
function automatic f_psoh(input [PS_W-1:0] p); return p[111]; endfunction
function automatic [2:0] f_hunt(input [PS_W-1:0] p); return p[110:108]; endfunction
function automatic [4:0] f_fs(input [PS_W-1:0] p); return p[107:103]; endfunction

initial begin
    for (int run = 0; run < 4; run++) begin
        // A small MAX_BODY in some runs, so that long bodies are refused.
        max_body = run == 1 ? 24'd60 : run == 3 ? 24'd9999999 : 24'd65536;
        s.delete();
        while (s.size() < 150000) frame();
        ref_st = 0;
        in_st = 0;
        for (int p = 0; p < s.size(); ) begin
            int n = $urandom_range(0, 3) == 0 ? $urandom_range(0, 8) : 8;
            logic carried;
            longint blen0;
            if (p + n > s.size()) n = s.size() - p;
            data = 0;
            for (int j = 0; j < n; j++) data[8*j +: 8] = s[p + j];
            count = 4'(n);
            #1;
            // The flags frame_ctl reads, from the reference; random elsewhere.
            carried = f_fst(ps[0]) == S_BODY;
            blen0 = f_blen(ps[0]);
            for (int j = 0; j < 8; j++) begin
                {bl_lt5[j], bl_gt[j], bl_small[j], last_c[j], ck_ok[j]} = 5'($urandom);
                bl_lo[3*j +: 3] = 3'($urandom);
                if (f_fst(ps[j]) == S_BL) begin
                    logic [23:0] v = f_blen(ps[j]);
                    bl_lt5[j] = f_blen(ps[j]) < 5;
                    bl_gt[j] = f_blen(ps[j]) > max_body;
                    bl_small[j] = f_blen(ps[j]) <= 7;
                    bl_lo[3*j +: 3] = v <= 7 ? v[2:0] : 3'($urandom);
                end
                if (carried) last_c[j] = blen0 == j + 1;
                if (f_fst(ps[j]) == S_TRL && f_cnt(ps[j]) == 3'd6)
                    ck_ok[j] = f_ck(ps[j]) == {2'd0, f_sum(ps[j])};
            end
            #1;
            for (int j = 0; j < n; j++) begin
                logic [14:0] d = decode(lane_st[ST_W*j +: ST_W]);
                logic [2:0] fst = d[14:12];
                logic [4:0] k = d[11:7];
                logic [2:0] cnt = d[6:4];
                logic [2:0] fs = d[3:1];
                logic psoh = d[0];
                int hot = $countones({!lane_st[ST_W*j], lane_st[ST_W*j+1 +: 47]});
                logic [2:0] rfst = f_fst(ps[j]);
                logic [4:0] rfs = f_fs(ps[j]);
                string at = $sformatf("offset %0d lane %0d (ref state %0d)", p + j, j, rfst);
                if (hot != 1) fail({at, $sformatf(": %0d state bits set", hot)});
                if (fst != rfst) fail({at, $sformatf(": state %0d", fst)});
                if ((rfst == S_BEGIN || rfst == S_BSV) && k != 5'(f_idx(ps[j])))
                    fail({at, $sformatf(": k %0d, idx %0d", k, f_idx(ps[j]))});
                if (rfst == S_HUNT && k != {2'd0, f_hunt(ps[j])})
                    fail({at, $sformatf(": k %0d, hunt %0d", k, f_hunt(ps[j]))});
                if ((rfst == S_BL || rfst == S_TRL) && cnt != f_cnt(ps[j])) fail({at, ": cnt"});
                if (rfst == S_BODY && fs != (rfs > 5'd6 ? 3'd6 : rfs[2:0])) fail({at, ": fs"});
                if (rfst == S_TRL && psoh != f_psoh(ps[j])) fail({at, ": psoh"});
                if (ev[j] != r_ev[j] || garb[j] != r_garb[j]
                    || (r_garb[j] && reason[3*j +: 3] != r_reason[j]))
                    fail({at, $sformatf(": event %0d/%0d/%0d, want %0d/%0d/%0d", ev[j], garb[j],
                          reason[3*j +: 3], r_ev[j], r_garb[j], r_reason[j])});
                if (bl_acc[j] != (rfst == S_BL && f_fst(ps[j+1]) == S_BODY))
                    fail({at, ": bl_acc"});
                if (garb_body[j] != (r_garb[j] && r_reason[j] == 3'd4)) fail({at, ": garb_body"});
                if (r_ev[j] && !r_garb[j]) n_ok++;
                if (r_garb[j]) n_garb[r_reason[j]]++;
                if (rfst == S_HUNT && f_fst(ps[j+1]) == S_BSV) n_hunt++;
                if (rfst == S_BODY && f_fst(ps[j+1]) == S_TRL) begin
                    if (carried) n_carried++;
                    else n_same_beat++;
                end
                if (r_ev[j] && !r_garb[j] && j < 6) n_straddle++;
            end
            if ($countones(r_ev & ((9'd1 << n) - 1)) >= 2) begin
                n_two++;
                if ($countones(r_garb & ((9'd1 << n) - 1)) >= 2) n_two_garb++;
            end
            if (out_st != lane_st[0 +: ST_W] && n == 0) fail("out_st of an empty beat");
            in_st = out_st;
            ref_st = ps[8];
            p += n;
        end
    end
    for (int q = 1; q <= 6; q++)
        if (n_garb[q] < 20) fail($sformatf("GARBLED reason %0d only %0d times", q, n_garb[q]));
    if (n_ok < 1000 || n_hunt < 1000 || n_same_beat < 20 || n_carried < 1000 || n_two_garb < 20)
        fail("coverage");
    $display("tb_frame_ctl: 600,000 bytes in 4 runs: %0d frames complete, garbled by reason %0d %0d %0d %0d %0d %0d, %0d found by the hunt, bodies ending in their BodyLength's beat %0d, in a later beat %0d; %0d beats with two events, %0d of them both GARBLED",
             n_ok, n_garb[1], n_garb[2], n_garb[3], n_garb[4], n_garb[5], n_garb[6], n_hunt,
             n_same_beat, n_carried, n_two, n_two_garb);
    if (errors == 0) $display("tb_frame_ctl: PASS");
    else $display("tb_frame_ctl: %0d FAILURES", errors);
    $finish;
end

endmodule

`resetall
