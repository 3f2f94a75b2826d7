/* Comparing a layer's outputs from two devices: the rule an element passes by, and the figures a report gives. */
#ifndef CF_COMPARE_H
#define CF_COMPARE_H

#include <stdint.h>

/* An element a (the device) against b (the reference) passes when
 *     |a - b| <= atol * scale + rtol * |b|,   scale = max |b| over the layer's finite values,
 * so that the absolute part follows the layer's own magnitude; non-finite values pass only against the same value
 * (a NaN against a NaN, +Inf against +Inf); a non-finite value on one side only always fails. A layer passes when at
 * most max_outliers of its elements (a fraction) fail by size and none fails by non-finiteness. */
struct cf_cmp_tol {
    double rtol, atol, max_outliers;
};

struct cf_cmp_stats {
    int64_t n;                   /* elements */
    int64_t bad;                 /* past tolerance (finite on both sides) */
    int64_t one_sided;           /* non-finite on one side only, or different non-finite values */
    int64_t nonfinite_a, nonfinite_b;
    int64_t first_bad;           /* the first failing element, -1 when none */
    double max_abs, max_rel;     /* over finite pairs; rel = |a - b| / max(|b|, atol * scale) */
    double scale;                /* max |b| over finite b */
    double rms_b;                /* the reference's root mean square, finite values */
    double nmse;                 /* sum (a - b)^2 / sum b^2 over finite pairs (0 when b is all 0 and a equals it) */
    double worst;                /* max |a - b| / (atol * scale + rtol * |b|): <= 1 within tolerance */
    int pass;
};

struct cf_graph;
/* The default tolerance of every node of g (rtol and atol alike, tol[i] for node i): the rounding its op adds (by
 * its numeric class in ops.def and, for sums, the square root of their length) on top of the largest its inputs
 * carry (docs/compare.md). */
void cf_compare_default_tols(const struct cf_graph *g, double *tol);

void cf_compare_values(const float *a, const float *b, int64_t n, const struct cf_cmp_tol *t, struct cf_cmp_stats *s);

#endif
