/* Transpose: out.d[i] = in.d[perm[i]]. */
#include "ops.h"

clinfer_status transpose_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    const struct cf_shape *x = a->in[0];
    const int *p = a->n->a.perm;
    int seen = 0;
    for (int i = 0; i < x->rank; i++) {
        if (p[i] < 0 || p[i] >= x->rank || (seen >> p[i] & 1))
            return cf_fail(d, CLINFER_E_MODEL, "perm is not a permutation of the %d axes", x->rank);
        seen |= 1 << p[i];
    }
    a->n->out.rank = x->rank;
    for (int i = 0; i < x->rank; i++) a->n->out.d[i] = x->d[p[i]];
    return CLINFER_OK;
}

void transpose_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    cf_sb_puts(sb, "    axes in the order (");
    for (int i = 0; i < a->n->out.rank; i++) cf_sb_printf(sb, "%s%d", i ? ", " : "", a->n->a.perm[i]);
    cf_sb_puts(sb, "); params = 0\n");
}
