`resetall
// Testbench for tag_detect: a long random FIX-like stream (the eight
// tags, near misses like 134, 034, 3, 12, and values holding '=', digits
// and tag-like text, plus junk bytes) cut into beats of 0..8 bytes,
// each beat's look-back history chained from next_hist, against a
// reference that matches tags on the whole stream. Every tag must be
// found in the lane of its '=' and nowhere else, including tags whose
// digits straddle beats.
// Run: scripts/rtl_tb.sh (verilator --binary --timing).

`timescale 1ns / 1ps
`default_nettype none

module tb_tag_detect;

logic [63:0] data = 0;
logic [3:0] count = 0;
logic [31:0] hist = {4{8'h01}};
wire [63:0] tag_end;
wire [31:0] next_hist;

tag_detect dut (
    .data(data), .count(count), .hist(hist), .tag_end(tag_end), .next_hist(next_hist)
);

string tags [8] = '{"8", "9", "35", "34", "43", "36", "10", "123"};
string others [8] = '{"134", "034", "3", "12", "58", "4", "1", "99"};
string vals [6] = '{"=", "34=", "8=", "1", "x", "35"};

byte s [$];

task automatic put(input string t);
    for (int i = 0; i < t.len(); i++) s.push_back(t[i]);
endtask

// Does tag `t` end at stream position p (s[p] == '=')? Four SOH bytes
// stand before the stream.
function automatic bit ref_match(input int p, input string t);
    int n = t.len();
    if (s[p] != "=") return 0;
    for (int k = 0; k < n; k++) begin
        int q = p - n + k;
        if (q < 0 || s[q] != t[k]) return 0;
    end
    return p - n - 1 < 0 ? 1 : s[p - n - 1] == 8'h01;
endfunction

int errors = 0, found = 0, straddled = 0;
int per_tag [8];
initial begin
    // The stream.
    for (int f = 0; f < 20000; f++) begin
        case ($urandom_range(0, 9))
            0, 1, 2, 3, 4, 5: put(tags[$urandom_range(0, 7)]);
            6, 7: put(others[$urandom_range(0, 7)]);
            8: put("");  // a field with no tag: "=..."
            default: begin  // junk
                repeat ($urandom_range(1, 4)) begin
                    byte b = byte'($urandom_range(0, 3) == 0 ? 8'h01 : 8'($urandom_range(32, 126)));
                    s.push_back(b);
                end
            end
        endcase
        s.push_back("=");
        repeat ($urandom_range(0, 3)) put(vals[$urandom_range(0, 5)]);
        s.push_back(8'h01);
    end

    // Beats of 0..8 bytes.
    for (int p = 0; p < s.size(); ) begin
        int n = $urandom_range(0, 8);
        if (p + n > s.size()) n = s.size() - p;
        data = 0;
        for (int j = 0; j < n; j++) data[8*j +: 8] = s[p + j];
        for (int j = n; j < 8; j++) data[8*j +: 8] = 8'($urandom_range(0, 255));
        count = 4'(n);
        #1;
        for (int j = 0; j < 8; j++) begin
            for (int t = 0; t < 8; t++) begin
                bit want = j < n && ref_match(p + j, tags[t]);
                if (tag_end[8*j + t] != want) begin
                    if (errors < 10)
                        $display("FAIL offset %0d lane %0d tag %s: got %0d want %0d", p + j, j,
                                 tags[t], tag_end[8*j + t], want);
                    errors++;
                end
                if (want) begin
                    found++;
                    per_tag[t]++;
                    if (j < tags[t].len()) straddled++;
                end
            end
        end
        // The history after the beat is the stream's last four bytes.
        for (int k = 0; k < 4; k++) begin
            int q = p + n - 4 + k;
            byte want_b = q < 0 ? 8'h01 : s[q];
            if (next_hist[8*k +: 8] != want_b) begin
                if (errors < 10) $display("FAIL next_hist byte %0d after offset %0d", k, p + n);
                errors++;
            end
        end
        hist = next_hist;
        p += n;
    end

    foreach (per_tag[t])
        if (per_tag[t] == 0) begin
            $display("FAIL tag %s never in the stream", tags[t]);
            errors++;
        end
    if (straddled == 0) begin $display("FAIL no tag straddled a beat"); errors++; end
    $display("tb_tag_detect: %0d bytes, %0d tags found, %0d straddling a beat", s.size(), found,
             straddled);
    if (errors == 0) $display("tb_tag_detect: PASS");
    else $display("tb_tag_detect: %0d FAILURES", errors);
    $finish;
end

endmodule

`resetall
