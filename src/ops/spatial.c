/* Helpers shared by the spatial ops: axes per layout, Keras' output-length rule and its explanation. */
#include "ops.h"

#include <stdarg.h>
#include <stdio.h>

#include "../util/checked.h"

const struct cf_op_verbs *cf_op_verbs(enum cf_op op)
{
    static const struct cf_op_verbs table[] = {
#define OP(id, name, infer, weights, macs, explain, scratch, traits, num) {infer, weights, macs, explain, scratch},
#include "../ir/ops.def"
#undef OP
    };
    return &table[op];
}

int64_t no_scratch(const struct cf_op_args *a)
{
    (void)a;
    return 0;
}

int64_t cf_op_scratch(const struct cf_graph *g, struct cf_node *n)
{
    const struct cf_shape *in[CF_MAX_RANK * 8];
    int k = 0;
    for (; k < n->n_in && k < (int)(sizeof in / sizeof in[0]); k++) in[k] = &g->nodes[n->in[k]].out;
    struct cf_op_args args = {g, n, in, k};
    return cf_op_verbs(n->op)->scratch(&args);
}

int cf_node_weights(const struct cf_graph *g, int i, struct cf_weight *w)
{
    struct cf_node *n = &g->nodes[i];
    const struct cf_shape *in[4] = {0};
    for (int k = 0; k < n->n_in && k < 4; k++) in[k] = &g->nodes[n->in[k]].out;
    struct cf_op_args args = {g, n, in, n->n_in < 4 ? n->n_in : 4};
    return cf_op_verbs(n->op)->weights(&args, w);
}

int cf_axis_h(const struct cf_graph *g) { return g->layout == CF_LAYOUT_NHWC ? 1 : 2; }
int cf_axis_w(const struct cf_graph *g) { return g->layout == CF_LAYOUT_NHWC ? 2 : 3; }
int cf_axis_c(const struct cf_graph *g) { return g->layout == CF_LAYOUT_NHWC ? 3 : 1; }

clinfer_status cf_require_4d(const struct cf_op_args *a, const struct cf_shape *s, int64_t *cin, struct cf_diag *d)
{
    char buf[128];
    cf_shape_format(s, buf, sizeof buf);
    if (s->rank != 4)
        return cf_fail(d, CLINFER_E_MODEL, "expected a 4-D input (batch, rows, cols, channels), got %s", buf);
    *cin = s->d[cf_axis_c(a->g)];
    if (*cin < 0)
        return cf_fail(d, CLINFER_E_MODEL, "the channel dimension of the input should be defined, got %s", buf);
    return CLINFER_OK;
}

int64_t cf_window_out(int64_t in, int k, int s, int dil, enum cf_padding p, int ceil_mode, int *pb, int *pe)
{
    if (in < 0) return -1;
    int64_t keff = (int64_t)k + (int64_t)(k - 1) * (dil - 1), o;
    switch (p) {
    case CF_PAD_VALID:
        *pb = *pe = 0;
        o = in - keff + 1;
        return o <= 0 ? 0 : (o + s - 1) / s;
    case CF_PAD_SAME:
    case CF_PAD_SAME_LOWER: {
        o = (in + s - 1) / s;
        int64_t total = (o - 1) * s + keff - in;
        if (total < 0) total = 0;
        *pb = (int)(p == CF_PAD_SAME ? total / 2 : total - total / 2);
        *pe = (int)(total - *pb);
        return o;
    }
    case CF_PAD_EXPLICIT:
        break;
    }
    int64_t span = in + *pb + *pe - keff;
    if (span < 0) return 0;
    o = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
    /* with ceil_mode the last window must start inside the input or its leading padding */
    if (ceil_mode && (o - 1) * s >= in + *pb) o--;
    return o;
}

clinfer_status cf_spatial_out(const struct cf_op_args *a, const char *what, int64_t *oh, int64_t *ow,
                              struct cf_diag *d)
{
    struct cf_attrs *at = &a->n->a;
    const struct cf_shape *x = a->in[0];
    int64_t h = x->d[cf_axis_h(a->g)], w = x->d[cf_axis_w(a->g)];
    *oh = cf_window_out(h, at->kernel[0], at->strides[0], at->dilation[0], at->padding, at->ceil_mode, &at->pads[0],
                        &at->pads[1]);
    *ow = cf_window_out(w, at->kernel[1], at->strides[1], at->dilation[1], at->padding, at->ceil_mode, &at->pads[2],
                        &at->pads[3]);
    if (*oh == 0 || *ow == 0) {
        int kh = at->kernel[0] + (at->kernel[0] - 1) * (at->dilation[0] - 1);
        int kw = at->kernel[1] + (at->kernel[1] - 1) * (at->dilation[1] - 1);
        char buf[128];
        if (a->one_d) {
            struct cf_shape steps = cf_shape_squeeze_1d(a->g, x);
            cf_shape_format(&steps, buf, sizeof buf);
            return cf_fail(d, CLINFER_E_MODEL, "%s %d%s is larger than the %lld steps of its input %s under padding=%s",
                           what, kw, at->dilation[1] > 1 ? " (dilated)" : "", (long long)w, buf,
                           at->padding == CF_PAD_EXPLICIT ? "'causal'" : "'valid'");
        }
        cf_shape_format(x, buf, sizeof buf);
        if (at->padding == CF_PAD_EXPLICIT)
            return cf_fail(d, CLINFER_E_MODEL, "%s %dx%d is larger than its %lldx%lld input %s with pads (%d, %d, %d, %d)",
                           what, kh, kw, (long long)h, (long long)w, buf, at->pads[0], at->pads[2], at->pads[1],
                           at->pads[3]);
        return cf_fail(d, CLINFER_E_MODEL,
                       "%s %dx%d%s is larger than its %lldx%lld input %s under padding='valid'", what, kh, kw,
                       (at->dilation[0] > 1 || at->dilation[1] > 1) ? " (dilated)" : "", (long long)h, (long long)w,
                       buf);
    }
    return CLINFER_OK;
}

void cf_explain_line(struct cf_strbuf *sb, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    cf_sb_printf(sb, "    %s\n", line);
}

static void explain_one(struct cf_strbuf *sb, const char *label, int64_t in, int k, int s, int dil,
                        const struct cf_attrs *at, int pb, int pe, int64_t out)
{
    char kexpr[64];
    int keff = k + (k - 1) * (dil - 1);
    if (dil > 1) {
        cf_explain_line(sb, "%sdilated kernel K = k + (k - 1)(D - 1) = %d + (%d - 1)(%d - 1) = %d", label, k, k, dil,
                        keff);
    }
    snprintf(kexpr, sizeof kexpr, "%d", keff);
    if (in < 0) {
        cf_explain_line(sb, "%sO = None (the input dimension is None)", label);
        return;
    }
    if (at->padding == CF_PAD_VALID) {
        int exact = (in - keff) % s == 0;
        cf_explain_line(sb, "%sO = %s(W - K + 2P)/S%s + 1 = %s(%lld - %s + 2·0)/%d%s + 1 = %lld", label,
                        exact ? "" : "⌊", exact ? "" : "⌋", exact ? "" : "⌊", (long long)in, kexpr, s,
                        exact ? "" : "⌋", (long long)out);
    } else if (at->padding == CF_PAD_EXPLICIT) {
        int exact = (in + pb + pe - keff) % s == 0;
        const char *o = exact ? "" : at->ceil_mode ? "⌈" : "⌊", *c = exact ? "" : at->ceil_mode ? "⌉" : "⌋";
        cf_explain_line(sb, "%sO = %s(W + Pb + Pe - K)/S%s + 1 = %s(%lld + %d + %d - %s)/%d%s + 1 = %lld", label, o, c, o,
                        (long long)in, pb, pe, kexpr, s, c, (long long)out);
    } else {
        int64_t total = (out - 1) * s + keff - in;
        if (total < 0) total = 0;
        cf_explain_line(sb, "%sO = ⌈W/S⌉ = ⌈%lld/%d⌉ = %lld ('same' pads P = max((O - 1)·S + K - W, 0) = "
                            "max(%lld·%d + %d - %lld, 0) = %lld: %d before, %d after)",
                        label, (long long)in, s, (long long)out, (long long)(out - 1), s, keff, (long long)in,
                        (long long)total, pb, pe);
    }
}

void cf_explain_spatial(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    const struct cf_attrs *at = &a->n->a;
    const struct cf_shape *x = a->in[0];
    int64_t h = x->d[cf_axis_h(a->g)], w = x->d[cf_axis_w(a->g)];
    int64_t oh = a->n->out.d[cf_axis_h(a->g)], ow = a->n->out.d[cf_axis_w(a->g)];
    if (a->one_d) { /* (its rows are the one of height 1; explicit pads are Keras' 'causal') */
        explain_one(sb, "steps: ", w, at->kernel[1], at->strides[1], at->dilation[1], at, at->pads[2], at->pads[3], ow);
        if (at->padding == CF_PAD_EXPLICIT)
            cf_explain_line(sb, "('causal' pads (K - 1)·D = (%d - 1)·%d = %d steps before, none after)", at->kernel[1],
                            at->dilation[1], at->pads[2]);
    } else if (h == w && at->kernel[0] == at->kernel[1] && at->strides[0] == at->strides[1] &&
        at->dilation[0] == at->dilation[1] && at->pads[0] == at->pads[2] && at->pads[1] == at->pads[3]) {
        explain_one(sb, "rows, cols: ", h, at->kernel[0], at->strides[0], at->dilation[0], at, at->pads[0], at->pads[1],
                    oh);
    } else {
        explain_one(sb, "rows: ", h, at->kernel[0], at->strides[0], at->dilation[0], at, at->pads[0], at->pads[1], oh);
        explain_one(sb, "cols: ", w, at->kernel[1], at->strides[1], at->dilation[1], at, at->pads[2], at->pads[3], ow);
    }
}

void cf_sb_dims(struct cf_strbuf *sb, const struct cf_shape *s)
{
    for (int i = 1; i < s->rank; i++) {
        if (s->d[i] < 0) cf_sb_printf(sb, "%sNone", i > 1 ? "·" : "");
        else cf_sb_printf(sb, "%s%lld", i > 1 ? "·" : "", (long long)s->d[i]);
    }
}

int64_t cf_prod(const int64_t *d, int n)
{
    int64_t p = 1;
    for (int i = 0; i < n; i++)
        if (d[i] < 0 || !cf_mul_ok(p, d[i], &p)) return -1;
    return p;
}

/* Ops that learn nothing and multiply nothing. */
int no_weights(const struct cf_op_args *a, struct cf_weight *w)
{
    (void)a;
    (void)w;
    return 0;
}

int64_t no_macs(const struct cf_op_args *a)
{
    (void)a;
    return 0;
}
