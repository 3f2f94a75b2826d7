/* NCHW pooling at a stride of 1 or 2 along the row (cl/pool2d_rows.cl): each work-item P output rows of a plane as
 * float16 vectors, each input row loaded once and cut into one window per tap for every output row that reads it. */
#include <stdio.h>

#include "family.h"

static int fits(const struct cf_exec *x, const struct cf_node *n)
{
    /* each tap's window within a vector of the block's, rows of up to 256 */
    return (n->op == CF_OP_MAX_POOL2D || n->op == CF_OP_AVG_POOL2D) && n->n_in == 1 && x->g->layout == CF_LAYOUT_NCHW &&
           cf_row_windows(&n->a, 2) && n->out.d[3] <= 256;
}

/* P rows per work-item, P x NV accumulators at most 24 */
static int candidates(const struct cf_tune_env *E, const struct cf_node *n, int full, struct cf_algo *out)
{
    (void)E;
    int64_t ho = n->out.d[2], nv = (n->out.d[3] + 15) / 16;
    static const int ps[] = {1, 2, 4, 8, 16};
    int k = 0;
    for (size_t i = 0; i < 5; i++) {
        int p = ps[i];
        if (p > 1 && (p > ho || p * nv > 24)) break;
        if (!full && p < 4 && !(p * 2 > ho || p * 2 * nv > 24)) continue; /* fast: 4 rows and up, or the most */
        out[k++] = (struct cf_algo){CF_ALGO_POOL_ROWS, p, 1};
    }
    return k;
}

static int valid(const struct cf_exec *x, const struct cf_node *n, const struct cf_algo *a)
{
    (void)x;
    (void)n;
    return a->b == 1;
}

/* no weights: row blocks x (image, channel) planes */
static clinfer_status build(const struct cf_tune_env *E, int node, const struct cf_algo *a, const char *defs,
                            struct cf_tuned *t, struct cf_diag *d)
{
    (void)defs;
    (void)d;
    const struct cf_node *n = &E->x->g->nodes[node];
    t->gws[0] = (size_t)((n->out.d[2] + a->a - 1) / a->a);
    t->gws[1] = (size_t)(n->out.d[0] * n->out.d[1]);
    t->gws[2] = 1;
    return CLINFER_OK;
}

static void describe(const struct cf_algo *a, const struct cf_node *n, char *out, size_t size)
{
    (void)n;
    snprintf(out, size, "pool %d rows", a->a);
}

const struct cf_family cf_family_pool_rows = {
    CF_ALGO_POOL_ROWS, "pool", "rows", 1, {64, 0}, "NCHW pooling, P output rows a work-item", 1, "pool2d_rows.cl",
    "pool2d_rows_f32", fits, candidates, valid, cf_defines_p, build, NULL, describe,
    .class_fixed = "W WO"};
