/* Reference Dense, y[r][u] = act(sum_c x[r][c]·W[c][u] + b[u]) for every leading position r, and MatMul of two
 * activations with broadcast leading axes. */
#include "ref.h"

void ref_dense(const struct ref_args *a)
{
    const struct cf_shape *xs = a->in_shape[0];
    int64_t cin = xs->d[xs->rank - 1], units = a->n->a.filters;
    int64_t rows = ref_elems(xs) / cin;
    const float *k = ref_weight(a, "kernel"), *b = ref_weight(a, "bias");
    for (int64_t r = 0; r < rows; r++)
        for (int64_t u = 0; u < units; u++) {
            double acc = b ? b[u] : 0.0;
            for (int64_t c = 0; c < cin; c++) acc += (double)a->in[0][r * cin + c] * k[c * units + u];
            a->out[r * units + u] = (float)acc;
        }
    ref_apply_act(&a->n->a, a->out, rows * units, units);
}

void ref_matmul(const struct ref_args *a)
{
    const struct cf_shape *x = a->in_shape[0], *y = a->in_shape[1], *o = &a->n->out;
    int64_t M = x->d[x->rank - 2], K = x->d[x->rank - 1], N = y->d[y->rank - 1];
    int64_t batches = ref_elems(o) / (M * N);
    for (int64_t b = 0; b < batches; b++) {
        /* the leading coordinates of batch b, mapped into each operand (broadcast: stride 0 on size 1) */
        int64_t rem = b, xb = 0, yb = 0, xs = 1, ys = 1;
        for (int ax = o->rank - 3; ax >= 0; ax--) {
            int64_t c = rem % o->d[ax];
            rem /= o->d[ax];
            int ix = ax - (o->rank - x->rank), iy = ax - (o->rank - y->rank);
            if (ix >= 0) {
                xb += (x->d[ix] == 1 ? 0 : c) * xs;
                xs *= x->d[ix];
            }
            if (iy >= 0) {
                yb += (y->d[iy] == 1 ? 0 : c) * ys;
                ys *= y->d[iy];
            }
        }
        const float *xp = a->in[0] + xb * M * K, *yp = a->in[1] + yb * K * N;
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) {
                double acc = 0;
                for (int64_t k = 0; k < K; k++) acc += (double)xp[i * K + k] * yp[k * N + j];
                a->out[(b * M + i) * N + j] = (float)acc;
            }
    }
}
