/* Reference Dense: y[r][u] = act(sum_c x[r][c]·W[c][u] + b[u]) for every leading position r. */
#include "ref.h"

void ref_dense(const struct ref_args *a)
{
    const struct cf_shape *xs = a->in_shape[0];
    int64_t cin = xs->d[xs->rank - 1], units = a->n->a.filters;
    int64_t rows = cf_shape_elems_per_item(xs) / cin * xs->d[0];
    const struct cf_tensor *k = cf_weights_get(a->w, a->node, "kernel"), *b = cf_weights_get(a->w, a->node, "bias");
    for (int64_t r = 0; r < rows; r++)
        for (int64_t u = 0; u < units; u++) {
            double acc = b ? b->data[u] : 0.0;
            for (int64_t c = 0; c < cin; c++) acc += (double)a->in[0][r * cin + c] * k->data[c * units + u];
            a->out[r * units + u] = (float)acc;
        }
    ref_apply_act(&a->n->a, a->out, rows * units, units);
}
