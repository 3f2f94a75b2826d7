/* ReduceMean over a set of axes; kept as size 1 with keepdims. */
#include "ops.h"

clinfer_status reduce_mean_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    const struct cf_shape *x = a->in[0];
    unsigned axes = a->n->a.reduce_axes;
    if (axes >> x->rank) return cf_fail(d, CLINFER_E_MODEL, "an axis is out of range for rank %d", x->rank);
    struct cf_shape o = {0};
    for (int i = 0; i < x->rank; i++) {
        if (!(axes >> i & 1)) o.d[o.rank++] = x->d[i];
        else if (a->n->a.keepdims) o.d[o.rank++] = 1;
        else if (x->d[i] < 0) return cf_fail(d, CLINFER_E_UNSUPPORTED, "reducing the batch axis is not supported");
    }
    if (axes & 1 && !a->n->a.keepdims)
        return cf_fail(d, CLINFER_E_UNSUPPORTED, "reducing the batch axis without keepdims is not supported");
    a->n->out = o;
    return CLINFER_OK;
}

void reduce_mean_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    cf_sb_puts(sb, "    the mean over axes");
    for (int i = 0; i < CF_MAX_RANK; i++)
        if (a->n->a.reduce_axes >> i & 1) cf_sb_printf(sb, " %d", i);
    cf_sb_puts(sb, "; params = 0\n");
}
