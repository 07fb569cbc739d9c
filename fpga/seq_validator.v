/*
 * seq_validator: frames FIX messages in TCP payload streams and checks
 * each message's MsgSeqNum(34) against its session's expected seq.
 *
 * Input: AXI-Stream of in-order TCP payload bytes, DATA_BYTES per beat,
 * byte 0 in tdata[7:0]. tkeep marks valid bytes (any pattern; null bytes
 * are skipped). tuser is the session (connection) index, < SESSIONS; it
 * may change on any beat. tlast marks a segment end and does not affect
 * framing: each session's parser state persists across beats and
 * segments, so a tag or value may straddle any boundary.
 *
 * Output: one 256-bit verdict record per frame (m_axis_verdict_*):
 *
 *   [15:0]    session     [23:16]  kind        [31:24]  flags
 *   [39:32]   reason      [47:40]  MsgType[0]  [55:48]  MsgType[1]
 *   [87:56]   seq         [119:88] expected    [151:120] aux
 *   [215:152] offset      [247:216] len        [255:248] 0
 *
 * kind: 0 IN_ORDER, 1 GAP (aux = last missing seq), 2 DUPLICATE,
 * 3 TOO_LOW, 4 SEQUENCE_RESET / 5 GAP_FILL (aux = NewSeqNo), 6 GARBLED
 * (reason 1..6), 7 BAD_SEQ, 8 DISABLED. flags: 1 PossDup, 2 GapFill,
 * 4 backward reset, 8 MsgType longer than two bytes. offset is the
 * frame's first byte in the session's stream, len its length (for
 * GARBLED: up to the offending byte).
 *
 * Timing: one beat per cycle. A record is valid on m_axis_verdict the
 * third rising edge after the one that accepted the beat holding the
 * frame's last (or offending) byte, when the FIFO ahead of it is empty.
 * s_axis_tready drops only while more than DEPTH - 6 records wait, i.e.
 * when the verdict consumer stalls.
 *
 * Pipeline: A accepts a beat and reads the session's parser state;
 * B runs DATA_BYTES chained fix_parse_step and writes the state back
 * (forwarded to a back-to-back beat of the same session); C classifies
 * up to two events (seq_classify) against the expected-seq table and
 * pushes their records into verdict_fifo.
 *
 * Control port (ctl_*): 32-bit registers, byte addresses, reads return
 * on ctl_rdata the cycle after ctl_rd; see docs/VALIDATOR.md.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module seq_validator #(
    parameter DATA_BYTES = 8,
    parameter SESSIONS = 64,
    parameter USER_W = 16,
    parameter MAX_BS = 16,
    parameter MAX_BODY_DEFAULT = 65536
) (
    input  wire                    clk,
    input  wire                    rst,

    input  wire [DATA_BYTES*8-1:0] s_axis_tdata,
    input  wire [DATA_BYTES-1:0]   s_axis_tkeep,
    input  wire                    s_axis_tvalid,
    output reg                     s_axis_tready,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire                    s_axis_tlast,
    input  wire [USER_W-1:0]       s_axis_tuser,
    /* verilator lint_on UNUSEDSIGNAL */

    output wire [255:0]            m_axis_verdict_tdata,
    output wire                    m_axis_verdict_tvalid,
    input  wire                    m_axis_verdict_tready,

    input  wire [15:0]             ctl_addr,
    input  wire                    ctl_wr,
    input  wire [31:0]             ctl_wdata,
    input  wire                    ctl_rd,
    output reg  [31:0]             ctl_rdata
);

localparam SESS_W = SESSIONS > 1 ? $clog2(SESSIONS) : 1;
localparam PS_W = 184;          // parser state, see fix_parse_step
localparam ST_W = PS_W + 64;    // plus the stream offset
localparam FIFO_LOG2 = 3;
localparam [FIFO_LOG2:0] READY_MAX = 2;  // 2**FIFO_LOG2 - 6
localparam [7:0] K_GAP = 8'd1, K_GARBLED = 8'd6;
localparam [15:0] ID_SESSIONS = SESSIONS;
localparam [7:0] ID_BYTES = DATA_BYTES;

// ---------------------------------------------------------------- control
reg [23:0] max_body;
reg [31:0] expected [0:SESSIONS-1];
reg [SESSIONS-1:0] enabled;
reg [SESSIONS-1:0] fresh;       // stream reset pending: start from state 0
reg [63:0] n_msgs, n_gaps, n_garbled;
reg [31:0] hi_latch;

wire ctl_sess_sel = ctl_addr[15:12] == 4'h1;
wire [SESS_W-1:0] ctl_sess = ctl_addr[SESS_W+2:3];
wire ctl_sess_ok = ctl_sess_sel && {23'd0, ctl_addr[11:3]} < SESSIONS;

// ---------------------------------------------------------------- stage A
wire accept = s_axis_tvalid && s_axis_tready;
wire [SESS_W-1:0] in_sess = s_axis_tuser[SESS_W-1:0];

reg [ST_W-1:0] state_mem [0:SESSIONS-1];
reg [ST_W-1:0] ram_q;
reg b_valid, b_fwd;
reg [DATA_BYTES*8-1:0] b_data;
reg [DATA_BYTES-1:0] b_keep;
reg [SESS_W-1:0] b_sess;
reg [ST_W-1:0] b_last_next;     // the state B wrote last cycle

// ---------------------------------------------------------------- stage B
wire [ST_W-1:0] b_cur = fresh[b_sess] ? {ST_W{1'b0}} : b_fwd ? b_last_next : ram_q;
wire [63:0] b_off = b_cur[ST_W-1:PS_W];

wire [PS_W-1:0] ps [0:DATA_BYTES];
wire [DATA_BYTES-1:0] ev, ev_garbled, ev_seq_ok, ev_new_ok;
wire [2:0] ev_reason [0:DATA_BYTES-1];
wire [23:0] ev_len [0:DATA_BYTES-1];
wire [31:0] ev_seq [0:DATA_BYTES-1];
wire [31:0] ev_new [0:DATA_BYTES-1];
wire [7:0] ev_flags [0:DATA_BYTES-1];
wire [15:0] ev_mt [0:DATA_BYTES-1];
wire [63:0] ev_off [0:DATA_BYTES-1];
reg [7:0] kept_before [0:DATA_BYTES];  // kept bytes before lane i

assign ps[0] = b_cur[PS_W-1:0];
integer kb;
always @* begin
    kept_before[0] = 8'd0;
    for (kb = 0; kb < DATA_BYTES; kb = kb + 1) begin
        kept_before[kb+1] = kept_before[kb] + {7'd0, b_keep[kb]};
    end
end

genvar i;
generate
    for (i = 0; i < DATA_BYTES; i = i + 1) begin : lane
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

        assign {fst, idx, cnt, blen, sum, ck, psoh, hunt, fs, seen, seq, seq_nd, seq_bad,
                nseq, new_nd, new_bad, pd, gf, mt, mlong} = ps[i];
        assign ps[i+1] = {m_fst, m_idx, m_cnt, m_blen, m_sum, m_ck, m_psoh, m_hunt, m_fs,
                          m_seen, m_seq, m_seq_nd, m_seq_bad, m_nseq, m_new_nd, m_new_bad,
                          m_pd, m_gf, m_mt, m_mlong};
        // The frame's first byte: this byte's stream offset - (len - 1).
        assign ev_off[i] = b_off + {56'd0, kept_before[i]} + 64'd1 - {40'd0, ev_len[i]};

        fix_parse_step #(.MAX_BS(MAX_BS)) step (
            .s_byte(b_data[8*i +: 8]), .s_valid(b_keep[i]), .max_body(max_body),
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
            .m_ev(ev[i]), .m_ev_garbled(ev_garbled[i]), .m_ev_reason(ev_reason[i]),
            .m_ev_len(ev_len[i]), .m_ev_seq_ok(ev_seq_ok[i]), .m_ev_seq(ev_seq[i]),
            .m_ev_new_ok(ev_new_ok[i]), .m_ev_new(ev_new[i]), .m_ev_flags(ev_flags[i]),
            .m_ev_mt(ev_mt[i])
        );
    end
endgenerate

wire [ST_W-1:0] b_next = {b_off + {56'd0, kept_before[DATA_BYTES]}, ps[DATA_BYTES]};

// The first two events of the beat (frames are long enough that a beat
// never completes more than two: see docs/VALIDATOR.md).
localparam EV_W = 1 + 3 + 24 + 1 + 32 + 1 + 32 + 8 + 16 + 64;
reg [EV_W-1:0] sel0, sel1;
reg sel0_v, sel1_v;
reg [3:0] n_ev;
integer k;
always @* begin
    {sel0, sel1, sel0_v, sel1_v} = 0;
    n_ev = 4'd0;
    for (k = 0; k < DATA_BYTES; k = k + 1) begin
        n_ev = n_ev + {3'd0, ev[k]};
        if (ev[k]) begin
            if (!sel0_v) begin
                sel0_v = 1'b1;
                sel0 = {ev_garbled[k], ev_reason[k], ev_len[k], ev_seq_ok[k], ev_seq[k],
                        ev_new_ok[k], ev_new[k], ev_flags[k], ev_mt[k], ev_off[k]};
            end else if (!sel1_v) begin
                sel1_v = 1'b1;
                sel1 = {ev_garbled[k], ev_reason[k], ev_len[k], ev_seq_ok[k], ev_seq[k],
                        ev_new_ok[k], ev_new[k], ev_flags[k], ev_mt[k], ev_off[k]};
            end
        end
    end
end

// ---------------------------------------------------------------- stage C
reg c_valid0, c_valid1;
reg [EV_W-1:0] c_ev0, c_ev1;
reg [SESS_W-1:0] c_sess;

wire [31:0] exp0 = expected[c_sess];
wire en = enabled[c_sess];

wire [255:0] rec0, rec1;
wire [31:0] exp1, exp2;
wire [7:0] kind0, kind1;

verdict_record #(.EV_W(EV_W), .SESS_W(SESS_W)) r0 (
    .ev(c_ev0), .valid(c_valid0), .session(c_sess), .enabled(en), .expected(exp0),
    .record(rec0), .kind(kind0), .next_expected(exp1)
);
verdict_record #(.EV_W(EV_W), .SESS_W(SESS_W)) r1 (
    .ev(c_ev1), .valid(c_valid1), .session(c_sess), .enabled(en), .expected(exp1),
    .record(rec1), .kind(kind1), .next_expected(exp2)
);

wire [FIFO_LOG2:0] fifo_count;
verdict_fifo #(.WIDTH(256), .DEPTH_LOG2(FIFO_LOG2)) fifo (
    .clk(clk), .rst(rst),
    .s_data0(rec0), .s_valid0(c_valid0), .s_data1(rec1), .s_valid1(c_valid1),
    .m_axis_tdata(m_axis_verdict_tdata), .m_axis_tvalid(m_axis_verdict_tvalid),
    .m_axis_tready(m_axis_verdict_tready), .count(fifo_count)
);

// ---------------------------------------------------------------- clocked
always @(posedge clk) begin
    if (accept) ram_q <= state_mem[in_sess];
    if (b_valid) state_mem[b_sess] <= b_next;
end

integer s;
always @(posedge clk) begin
    // A: take a beat.
    b_valid <= accept;
    if (accept) begin
        b_data <= s_axis_tdata;
        b_keep <= s_axis_tkeep;
        b_sess <= in_sess;
        b_fwd <= b_valid && b_sess == in_sess;
    end
    // B: parse it.
    c_valid0 <= b_valid && sel0_v;
    c_valid1 <= b_valid && sel1_v;
    c_ev0 <= sel0;
    c_ev1 <= sel1;
    c_sess <= b_sess;
    if (b_valid) begin
        b_last_next <= b_next;
        fresh[b_sess] <= 1'b0;
    end
    // C: classify and count.
    if (c_valid0) begin
        expected[c_sess] <= exp2;
        n_msgs <= n_msgs + {63'd0, kind0 != K_GARBLED} + {63'd0, c_valid1 && kind1 != K_GARBLED};
        n_gaps <= n_gaps + {63'd0, kind0 == K_GAP} + {63'd0, c_valid1 && kind1 == K_GAP};
        n_garbled <= n_garbled + {63'd0, kind0 == K_GARBLED}
                     + {63'd0, c_valid1 && kind1 == K_GARBLED};
    end
    s_axis_tready <= fifo_count <= READY_MAX;

    // Control writes win over the pipeline's updates of the same cycle.
    if (ctl_wr) begin
        if (ctl_addr == 16'h0008) max_body <= ctl_wdata[23:0];
        if (ctl_sess_ok && !ctl_addr[2]) expected[ctl_sess] <= ctl_wdata;
        if (ctl_sess_ok && ctl_addr[2]) begin
            enabled[ctl_sess] <= ctl_wdata[0];
            if (ctl_wdata[1]) fresh[ctl_sess] <= 1'b1;
        end
    end
    if (ctl_rd) begin
        ctl_rdata <= 32'd0;
        case (ctl_addr)
            16'h0000: ctl_rdata <= 32'h47504C53;  // "GPLS"
            16'h0004: ctl_rdata <= {ID_SESSIONS, ID_BYTES, 8'd1};
            16'h0008: ctl_rdata <= {8'd0, max_body};
            16'h0010: {hi_latch, ctl_rdata} <= n_msgs;
            16'h0018: {hi_latch, ctl_rdata} <= n_gaps;
            16'h0020: {hi_latch, ctl_rdata} <= n_garbled;
            16'h0014, 16'h001C, 16'h0024: ctl_rdata <= hi_latch;
            default: begin
                if (ctl_sess_ok && !ctl_addr[2]) ctl_rdata <= expected[ctl_sess];
                if (ctl_sess_ok && ctl_addr[2]) ctl_rdata <= {30'd0, fresh[ctl_sess], enabled[ctl_sess]};
            end
        endcase
    end

    if (rst) begin
        b_valid <= 1'b0;
        b_fwd <= 1'b0;
        c_valid0 <= 1'b0;
        c_valid1 <= 1'b0;
        s_axis_tready <= 1'b0;
        max_body <= MAX_BODY_DEFAULT[23:0];
        enabled <= {SESSIONS{1'b1}};
        fresh <= {SESSIONS{1'b1}};
        {n_msgs, n_gaps, n_garbled} <= 192'd0;
        for (s = 0; s < SESSIONS; s = s + 1) expected[s] <= 32'd1;
    end
end

`ifndef SYNTHESIS
// Frames of >= 22 bytes and the hunt's 7-byte minimum bound a beat to two
// events; a third would be lost, so the simulation stops on one.
always @(posedge clk) begin
    if (b_valid && n_ev > 4'd2) begin
        $display("seq_validator: more than two events in one beat");
        $stop;
    end
end
`endif

endmodule

`resetall
