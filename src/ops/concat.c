/* Concatenate: inputs equal in every dim but the axis; the axis is summed (None if any is None). */
#include "ops.h"

static int concat_axis(const struct cf_op_args *a) { return a->n->a.axis < 0 ? a->in[0]->rank + a->n->a.axis : a->n->a.axis; }

clinfer_status concat_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    if (a->n_in < 2)
        return cf_fail(d, CLINFER_E_MODEL, "Concatenate should be called on a list of at least 2 inputs, got %d",
                       a->n_in);
    int ax = concat_axis(a);
    const struct cf_shape *s0 = a->in[0];
    int known_batch = 1; /* concatenating along the batch needs it known (ONNX graphs with fixed shapes) */
    for (int k = 0; k < a->n_in; k++) known_batch &= a->in[k]->d[0] >= 0;
    if (ax < (known_batch ? 0 : 1) || ax >= s0->rank)
        return cf_fail(d, CLINFER_E_MODEL, "axis %d is out of range for inputs of rank %d", a->n->a.axis, s0->rank);
    struct cf_shape o = *s0;
    for (int k = 1; k < a->n_in; k++) {
        const struct cf_shape *s = a->in[k];
        int ok = s->rank == s0->rank;
        for (int i = 1; ok && i < s->rank; i++)
            if (i != ax && s->d[i] != s0->d[i]) ok = 0;
        if (!ok) {
            char b0[128], b1[128];
            cf_shape_format(s0, b0, sizeof b0);
            cf_shape_format(s, b1, sizeof b1);
            return cf_fail(d, CLINFER_E_MODEL,
                           "Concatenate requires inputs with matching shapes except for the concat axis, got %s and %s",
                           b0, b1);
        }
        if (ax != 0 && o.d[0] != s->d[0]) o.d[0] = CF_DIM_UNKNOWN;
        o.d[ax] = (o.d[ax] < 0 || s->d[ax] < 0) ? CF_DIM_UNKNOWN : o.d[ax] + s->d[ax];
    }
    a->n->out = o;
    return CLINFER_OK;
}

void concat_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    int ax = concat_axis(a);
    cf_sb_printf(sb, "    axis %d = ", ax);
    for (int k = 0; k < a->n_in; k++) {
        int64_t v = a->in[k]->d[ax];
        if (v < 0) cf_sb_printf(sb, "%sNone", k ? " + " : "");
        else cf_sb_printf(sb, "%s%lld", k ? " + " : "", (long long)v);
    }
    if (a->n->out.d[ax] < 0) cf_sb_puts(sb, " = None; params = 0\n");
    else cf_sb_printf(sb, " = %lld; params = 0\n", (long long)a->n->out.d[ax]);
}
