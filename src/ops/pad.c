/* Pad (ONNX): every axis grows by its begin and end pads (negative pads crop); constant, reflect or edge. */
#include "ops.h"
#include "../util/checked.h"

clinfer_status pad_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    const struct cf_shape *x = a->in[0];
    const struct cf_attrs *at = &a->n->a;
    struct cf_shape o = *x;
    for (int i = 0; i < x->rank; i++) {
        if (x->d[i] < 0) {
            if (at->pad_begin[i] || at->pad_end[i])
                return cf_fail(d, CLINFER_E_UNSUPPORTED, "padding axis %d, whose size is unknown, is not supported", i);
            continue;
        }
        int64_t b = at->pad_begin[i], e = at->pad_end[i];
        if (b < -CF_MAX_ELEMS || b > CF_MAX_ELEMS || e < -CF_MAX_ELEMS || e > CF_MAX_ELEMS)
            return cf_fail(d, CLINFER_E_LIMIT, "pads (%lld, %lld) of axis %d are too large", (long long)b, (long long)e, i);
        o.d[i] = x->d[i] + b + e; /* each term within 2^50: no overflow */
        if (o.d[i] > CF_MAX_ELEMS) return cf_fail(d, CLINFER_E_LIMIT, "axis %d would have %lld elements, too many", i, (long long)o.d[i]);
        if (o.d[i] < 1) return cf_fail(d, CLINFER_E_MODEL, "axis %d would have %lld elements", i, (long long)o.d[i]);
        if (at->pad_mode == CF_PADMODE_REFLECT && (at->pad_begin[i] >= x->d[i] || at->pad_end[i] >= x->d[i]))
            return cf_fail(d, CLINFER_E_MODEL, "reflect pads of axis %d must be smaller than its size %lld", i,
                           (long long)x->d[i]);
    }
    a->n->out = o;
    return CLINFER_OK;
}

void pad_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    static const char *const modes[] = {"constant", "reflect", "edge"};
    cf_sb_printf(sb, "    %s pads (begin, end) per axis:", modes[a->n->a.pad_mode]);
    for (int i = 0; i < a->n->out.rank; i++)
        cf_sb_printf(sb, " (%lld, %lld)", (long long)a->n->a.pad_begin[i], (long long)a->n->a.pad_end[i]);
    cf_sb_puts(sb, "; params = 0\n");
}
