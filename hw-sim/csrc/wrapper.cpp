// A C interface to the Verilated seq_validator: one call per clock cycle.

#include <cstdint>
#include <cstring>
#include "verilated.h"
#include "Vseq_validator.h"
#ifdef GV_WAVES
#include "verilated_fst_c.h"
#endif

extern "C" {

struct gv_pins {
    uint64_t tdata;
    uint16_t tuser;
    uint16_t ctl_addr;
    uint32_t ctl_wdata;
    uint8_t tkeep, tvalid, tlast, v_ready, ctl_wr, ctl_rd, rst, pad;
};

struct gv_out {
    uint32_t v_data[8];
    uint32_t ctl_rdata;
    uint8_t tready, v_valid, pad[2];
};

struct gv_sim {
    VerilatedContext ctx;
    Vseq_validator *top;
#ifdef GV_WAVES
    VerilatedFstC *fst;
#endif
    uint64_t time;
};

gv_sim *gv_new(const char *fst_path) {
    gv_sim *s = new gv_sim();
    s->top = new Vseq_validator(&s->ctx);
    s->time = 0;
#ifdef GV_WAVES
    s->fst = nullptr;
    if (fst_path) {
        s->ctx.traceEverOn(true);
        s->fst = new VerilatedFstC;
        s->top->trace(s->fst, 99);
        s->fst->open(fst_path);
    }
#else
    (void)fst_path;
#endif
    s->top->clk = 0;
    s->top->eval();
    return s;
}

void gv_free(gv_sim *s) {
    s->top->final();
#ifdef GV_WAVES
    if (s->fst) {
        s->fst->close();
        delete s->fst;
    }
#endif
    delete s->top;
    delete s;
}

static void dump(gv_sim *s) {
#ifdef GV_WAVES
    if (s->fst) s->fst->dump(s->time);
#endif
    s->time++;
}

// Applies `in` before a rising edge, clocks, and reports the outputs
// after it.
void gv_cycle(gv_sim *s, const gv_pins *in, gv_out *out) {
    Vseq_validator *t = s->top;
    t->rst = in->rst;
    t->s_axis_tdata = in->tdata;
    t->s_axis_tkeep = in->tkeep;
    t->s_axis_tvalid = in->tvalid;
    t->s_axis_tlast = in->tlast;
    t->s_axis_tuser = in->tuser;
    t->m_axis_verdict_tready = in->v_ready;
    t->ctl_addr = in->ctl_addr;
    t->ctl_wr = in->ctl_wr;
    t->ctl_wdata = in->ctl_wdata;
    t->ctl_rd = in->ctl_rd;
    t->clk = 0;
    t->eval();
    dump(s);
    t->clk = 1;
    t->eval();
    dump(s);
    std::memcpy(out->v_data, t->m_axis_verdict_tdata.data(), sizeof out->v_data);
    out->ctl_rdata = t->ctl_rdata;
    out->tready = t->s_axis_tready;
    out->v_valid = t->m_axis_verdict_tvalid;
}

}
