/*
 * sess_state: the per-session state RAM of the line-rate pipeline
 * (issue 12, item 1), not yet instantiated by seq_validator.
 *
 * Holds W bits of state for each of SESSIONS sessions and hands the
 * right one to the per-session loop one beat per cycle, whatever the
 * order of sessions: A accepts a beat (a_valid, a_sess) and reads the
 * RAM; in the next cycle B gets the session's state on b_cur and must
 * give the state after the beat on b_next, which is written back at the
 * end of that cycle. A beat of the same session accepted right behind
 * (back to back) gets b_next forwarded instead of the RAM's stale word;
 * one cycle further apart the RAM already holds it. `clr` (e.g. the
 * control port's RESET_STREAM) makes the session's next beat start
 * from all zeros: the first beat accepted at or after the clr edge sees
 * zeros (the beat already in B finishes on the old state, and the one
 * behind it starts from zeros, not from that). After `rst` every
 * session starts from zeros. The pending flag is looked up when the
 * beat is accepted, so B's select has no per-session mux in it.
 *
 * The loop a design closes through this module is b_cur -> (its
 * logic) -> b_next -> b_last / RAM; b_cur itself is one 3-way select
 * (zeros, forwarded word, RAM word) on top of whatever the loop adds.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sess_state #(
    parameter W = 16,
    parameter SESSIONS = 64,
    parameter SESS_W = SESSIONS > 1 ? $clog2(SESSIONS) : 1
) (
    input  wire              clk,
    input  wire              rst,

    input  wire              a_valid,
    input  wire [SESS_W-1:0] a_sess,

    output reg               b_valid,
    output reg  [SESS_W-1:0] b_sess,
    output wire [W-1:0]      b_cur,
    input  wire [W-1:0]      b_next,

    input  wire              clr,
    input  wire [SESS_W-1:0] clr_sess
);

reg [W-1:0] mem [0:SESSIONS-1];
reg [W-1:0] ram_q, b_last;
reg b_fwd, b_fresh;
reg [SESSIONS-1:0] fresh;

assign b_cur = b_fresh ? {W{1'b0}} : b_fwd ? b_last : ram_q;

always @(posedge clk) begin
    if (a_valid) ram_q <= mem[a_sess];
    if (b_valid) mem[b_sess] <= b_next;
end

always @(posedge clk) begin
    b_valid <= a_valid;
    if (a_valid) begin
        b_sess <= a_sess;
        b_fwd <= b_valid && b_sess == a_sess;
        // Pending reset of this session, or one arriving at this edge.
        b_fresh <= fresh[a_sess] || (clr && clr_sess == a_sess);
    end
    if (b_valid) b_last <= b_next;
    // A beat accepted at this edge takes a pending reset (b_fresh);
    // otherwise a clr stays pending until the session's next beat.
    if (a_valid && (fresh[a_sess] || (clr && clr_sess == a_sess))) fresh[a_sess] <= 1'b0;
    if (clr && !(a_valid && a_sess == clr_sess)) fresh[clr_sess] <= 1'b1;
    if (rst) begin
        b_valid <= 1'b0;
        b_fwd <= 1'b0;
        fresh <= {SESSIONS{1'b1}};
    end
end

endmodule

`resetall
