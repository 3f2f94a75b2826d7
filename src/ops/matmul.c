/* MatMul of two activations (NumPy's rule): (..., M, K) x (..., K, N) -> (..., M, N), the leading axes
 * broadcast. A MatMul by a constant matrix is a Dense layer instead.
 *   MACs = (leading elements)·M·K·N */
#include "ops.h"

clinfer_status matmul_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    const struct cf_shape *x = a->in[0], *y = a->in[1];
    char bx[128], by[128];
    cf_shape_format(x, bx, sizeof bx);
    cf_shape_format(y, by, sizeof by);
    if (x->rank < 2 || y->rank < 2)
        return cf_fail(d, CLINFER_E_UNSUPPORTED, "MatMul of 1-D operands is not supported: %s x %s", bx, by);
    if (x->d[x->rank - 1] != y->d[y->rank - 2] || x->d[x->rank - 1] < 0)
        return cf_fail(d, CLINFER_E_MODEL, "MatMul shapes do not fit: %s x %s", bx, by);
    struct cf_shape o = x->rank >= y->rank ? *x : *y;
    for (int i = 0; i < o.rank - 2; i++) {
        int ix = i - (o.rank - x->rank), iy = i - (o.rank - y->rank);
        int64_t dx = ix >= 0 ? x->d[ix] : 1, dy = iy >= 0 ? y->d[iy] : 1;
        if (dx != dy && dx != 1 && dy != 1)
            return cf_fail(d, CLINFER_E_MODEL, "MatMul leading axes do not broadcast: %s x %s", bx, by);
        o.d[i] = dx == 1 ? dy : dx;
    }
    o.d[o.rank - 2] = x->d[x->rank - 2];
    o.d[o.rank - 1] = y->d[y->rank - 1];
    a->n->out = o;
    return CLINFER_OK;
}

int64_t matmul_macs(const struct cf_op_args *a)
{
    const struct cf_shape *o = &a->n->out;
    int64_t lead = cf_prod(o->d + 1, o->rank - 1);
    int64_t d[] = {lead, a->in[0]->d[a->in[0]->rank - 1]};
    return cf_prod(d, 2);
}

void matmul_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    cf_explain_line(sb, "(M×K)·(K×N) with M = %lld, K = %lld, N = %lld; params = 0",
                    (long long)a->in[0]->d[a->in[0]->rank - 2], (long long)a->in[0]->d[a->in[0]->rank - 1],
                    (long long)a->in[1]->d[a->in[1]->rank - 1]);
}
