/* Flatten: (N, d1, ..., dk) -> (N, d1·...·dk); every dim but the batch must be known. A view, never a copy. */
#include "ops.h"

clinfer_status flatten_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    const struct cf_shape *x = a->in[0];
    int64_t p = cf_shape_elems_per_item(x);
    if (x->rank < 2 || p < 0) {
        char buf[128];
        cf_shape_format(x, buf, sizeof buf);
        return cf_fail(d, CLINFER_E_MODEL, "Flatten needs a fully defined input shape (all but the batch), got %s",
                       buf);
    }
    a->n->out.rank = 2;
    a->n->out.d[0] = x->d[0];
    a->n->out.d[1] = p;
    return CLINFER_OK;
}

void flatten_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    cf_sb_puts(sb, "    units = ");
    cf_sb_dims(sb, a->in[0]);
    cf_sb_printf(sb, " = %lld; params = 0\n", (long long)a->n->out.d[1]);
}
