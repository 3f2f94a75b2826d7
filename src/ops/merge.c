/* Add and Multiply: element-wise over two or more inputs, with Keras' broadcasting rule
 * (per axis: equal, or one side 1, or one side None -> None). */
#include "ops.h"

clinfer_status merge_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    if (a->n_in < 2)
        return cf_fail(d, CLINFER_E_MODEL, "a merge layer should be called on a list of at least 2 inputs, got %d",
                       a->n_in);
    struct cf_shape o = *a->in[0];
    for (int k = 1; k < a->n_in; k++) {
        const struct cf_shape *s = a->in[k];
        struct cf_shape big = o.rank >= s->rank ? o : *s;
        const struct cf_shape *small = o.rank >= s->rank ? s : &o;
        struct cf_shape r = big;
        /* batch: equal or None */
        r.d[0] = (big.d[0] == small->d[0]) ? big.d[0] : CF_DIM_UNKNOWN;
        int off = big.rank - small->rank;
        for (int i = 1; i < small->rank; i++) {
            int64_t x = big.d[off + i], y = small->d[i];
            if (x < 0 || y < 0) r.d[off + i] = CF_DIM_UNKNOWN;
            else if (x == 1) r.d[off + i] = y;
            else if (y == 1) r.d[off + i] = x;
            else if (x != y) {
                char b0[128], b1[128];
                cf_shape_format(&o, b0, sizeof b0);
                cf_shape_format(s, b1, sizeof b1);
                return cf_fail(d, CLINFER_E_MODEL, "operands could not be broadcast together with shapes %s %s", b0,
                               b1);
            }
        }
        o = r;
    }
    a->n->out = o;
    return CLINFER_OK;
}

void merge_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    cf_explain_line(sb, "element-wise %s of %d inputs of the same shape; params = 0",
                    a->n->op == CF_OP_ADD ? "sum" : "product", a->n_in);
}
