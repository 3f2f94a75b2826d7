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
        if (e > floor_abs + t->rtol * fabs(y)) {
            s->bad++;
            if (s->first_bad < 0) s->first_bad = j;
        }
    }
    s->nmse = sum_b2 > 0 ? sum_d2 / sum_b2 : (sum_d2 > 0 ? INFINITY : 0);
    s->pass = s->one_sided == 0 && (double)s->bad <= t->max_outliers * (double)n;
}

void cf_compare_default_tol(const struct cf_graph *g, int i, double *rtol, double *atol)
{
    (void)g;
    (void)i;
    *rtol = 1e-4;
    *atol = 1e-5;
}
