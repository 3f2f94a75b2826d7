/* Flatten: (d0, ..., dk) -> (d0·...·d(axis-1), d(axis)·...·dk); Keras flattens from axis 1 (all but the batch).
 * A view, never a copy. */
#include "ops.h"

clinfer_status flatten_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    const struct cf_shape *x = a->in[0];
    int axis = a->n->a.axis < 0 ? x->rank + a->n->a.axis : a->n->a.axis;
    char buf[128];
    cf_shape_format(x, buf, sizeof buf);
    if (axis < 0 || axis > x->rank) return cf_fail(d, CLINFER_E_MODEL, "axis %d is out of range for %s", a->n->a.axis, buf);
    int64_t lead = cf_prod(x->d, axis), rest = cf_prod(x->d + axis, x->rank - axis);
    if (rest < 0 || (axis > 1 && lead < 0))
        return cf_fail(d, CLINFER_E_MODEL, "Flatten needs a fully defined input shape (all but the batch), got %s", buf);
    a->n->out.rank = 2;
    a->n->out.d[0] = axis == 1 ? x->d[0] : lead;
    a->n->out.d[1] = rest;
    return CLINFER_OK;
}

void flatten_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    cf_sb_puts(sb, "    units = ");
    cf_sb_dims(sb, a->in[0]);
    cf_sb_printf(sb, " = %lld; params = 0\n", (long long)a->n->out.d[1]);
}
