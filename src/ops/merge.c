/* Element-wise ops of two or more inputs (Add, Multiply; ONNX Sub, Div, PRelu), broadcast per axis: equal, or
 * one side 1. Keras keeps the batch axis and right-aligns the rest; NumPy (ONNX) right-aligns every axis. */
#include "ops.h"

clinfer_status merge_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    if (a->n_in < 2)
        return cf_fail(d, CLINFER_E_MODEL, "a merge layer should be called on a list of at least 2 inputs, got %d",
                       a->n_in);
    int numpy = a->n->a.broadcast == CF_BCAST_NUMPY;
    struct cf_shape o = *a->in[0];
    for (int k = 1; k < a->n_in; k++) {
        const struct cf_shape *s = a->in[k];
        struct cf_shape big = o.rank >= s->rank ? o : *s;
        const struct cf_shape *small = o.rank >= s->rank ? s : &o;
        struct cf_shape r = big;
        int off = big.rank - small->rank;
        int first = 0;
        if (!numpy && small->rank > 0) { /* Keras: the batch matches the batch */
            r.d[0] = (big.d[0] == small->d[0]) ? big.d[0] : CF_DIM_UNKNOWN;
            first = 1;
        }
        for (int i = first; i < small->rank; i++) {
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
    static const char *const what[] = {"sum", "product", "difference", "quotient", "PReLU", "maximum", "minimum"};
    enum cf_op op = a->n->op;
    int k = op == CF_OP_ADD ? 0 : op == CF_OP_MULTIPLY ? 1 : op == CF_OP_SUB ? 2 : op == CF_OP_DIV ? 3
          : op == CF_OP_PRELU ? 4 : op == CF_OP_MAXIMUM ? 5 : 6;
    cf_explain_line(sb, "element-wise %s of %d inputs, broadcast to one shape; params = 0", what[k], a->n_in);
}
