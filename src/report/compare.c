/* The comparison rule of compare.h, in two passes over a layer: its scale, then each element. */
#include "compare.h"

#include <math.h>

#include "../ir/graph.h"

void cf_compare_values(const float *a, const float *b, int64_t n, const struct cf_cmp_tol *t, struct cf_cmp_stats *s)
{
    *s = (struct cf_cmp_stats){.n = n, .first_bad = -1};
    double scale = 0, sum_b2 = 0, sum_d2 = 0;
    int64_t finite_b = 0;
    for (int64_t j = 0; j < n; j++)
        if (isfinite(b[j])) {
            double v = fabs((double)b[j]);
            if (v > scale) scale = v;
            sum_b2 += v * v;
            finite_b++;
        }
    s->scale = scale;
    s->rms_b = finite_b ? sqrt(sum_b2 / (double)finite_b) : 0;
    double floor_abs = t->atol * scale;
    sum_b2 = 0;
    for (int64_t j = 0; j < n; j++) {
        double x = a[j], y = b[j];
        int fx = isfinite(x), fy = isfinite(y);
        s->nonfinite_a += !fx;
        s->nonfinite_b += !fy;
        if (!fx || !fy) {
            int same = (isnan(x) && isnan(y)) || (!fx && !fy && x == y);
            if (!same) {
                s->one_sided++;
                if (s->first_bad < 0) s->first_bad = j;
            }
            continue;
        }
        double e = fabs(x - y);
        sum_d2 += e * e;
        sum_b2 += y * y;
        if (e > s->max_abs) s->max_abs = e;
        double den = fabs(y) > floor_abs ? fabs(y) : floor_abs;
        double r = den > 0 ? e / den : (e > 0 ? INFINITY : 0);
        if (r > s->max_rel) s->max_rel = r;
        double bound = floor_abs + t->rtol * fabs(y), w = bound > 0 ? e / bound : (e > 0 ? INFINITY : 0);
        if (w > s->worst) s->worst = w;
        if (e > bound) {
            s->bad++;
            if (s->first_bad < 0) s->first_bad = j;
        }
    }
    s->nmse = sum_b2 > 0 ? sum_d2 / sum_b2 : (sum_d2 > 0 ? INFINITY : 0);
    s->pass = s->one_sided == 0 && (double)s->bad <= t->max_outliers * (double)n;
}

/* float32's unit roundoff, 2^-24 */
#define EPS32 5.9604644775390625e-8

/* The values one output element of node n reduces (a conv's K·K·Cin/G, a dense layer's inputs, a global pool's
 * H·W): its MACs per output element, or its inputs' elements per output element when it multiplies nothing. */
static double reduction_length(const struct cf_graph *g, const struct cf_node *n)
{
    int64_t out = cf_shape_elems_per_item(&n->out), in = 0;
    if (out <= 0) return 1;
    for (int k = 0; k < n->n_in; k++) {
        int64_t e = cf_shape_elems_per_item(&g->nodes[n->in[k]].out);
        if (e > in) in = e;
    }
    double K = n->macs > 0                          ? (double)n->macs / (double)out
               : cf_op_has(n->op, CF_T_SPATIAL2D) ? (double)n->a.kernel[0] * n->a.kernel[1] /* a pool's window */
                                                  : (double)in / (double)out;
    return K > 1 ? K : 1;
}

/* The rounding an op adds, relative to its output's scale: none for data movement and max; a few roundings an
 * element for arithmetic (an average pool's sum over its window grows as below); a few ulp of the device's
 * exp/tanh/erf; a sum's error grows as the square root of its length (errors of random sign), here with a factor of
 * 8 for sums whose terms do not cancel at random. */
static double own_tol(const struct cf_graph *g, const struct cf_node *n)
{
    switch (cf_op_info(n->op)->num) {
    case CF_NUM_EXACT: return 0;
    case CF_NUM_ARITH: return 4 * sqrt(reduction_length(g, n)) * EPS32;
    case CF_NUM_FN: return 64 * EPS32;
    case CF_NUM_NORM: return 64 * EPS32;
    case CF_NUM_SUM: return 8 * sqrt(reduction_length(g, n)) * EPS32;
    }
    return 64 * EPS32;
}

void cf_compare_default_tols(const struct cf_graph *g, double *tol)
{
    /* each layer inherits the largest tolerance of its inputs (both devices run the whole model, so a layer's inputs
     * already differ by their own rounding) and adds its own, as independent errors add: in quadrature; nodes are in
     * a topological order */
    for (int i = 0; i < g->n_nodes; i++) {
        const struct cf_node *n = &g->nodes[i];
        double up = 0, own = own_tol(g, n);
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] < i && tol[n->in[k]] > up) up = tol[n->in[k]];
        tol[i] = sqrt(up * up + own * own);
    }
}
