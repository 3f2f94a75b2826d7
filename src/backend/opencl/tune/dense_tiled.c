/* Dense as a tiled GEMM (cl/dense_fast.cl, dense_tiled_f32): each work-item R units x MR rows, the weights transposed
 * once at load to [units][cin]; with one row block, the output-major GEMV. Row blocks vary fastest across work-items,
 * so the ones that read a block of units' weights run together and share it in the cache. */
#include <stdio.h>

#include "family.h"

static int fits(const struct cf_exec *x, const struct cf_node *n)
{
    (void)x;
    return n->op == CF_OP_DENSE && n->n_in == 1;
}

static int candidates(const struct cf_tune_env *E, const struct cf_node *n, int full, struct cf_algo *out)
{
    (void)E;
    int64_t rows = cf_dense_rows(n);
    static const int rs[] = {1, 2, 4, 8};
    static const int ms[] = {1, 2, 4, 8};
    int k = 0;
    for (size_t mi = 0; mi < 4; mi++) {
        int mr = ms[mi];
        if (mr > 1 && mr > rows) break;
        for (size_t ri = 0; ri < 4; ri++) {
            int r = rs[ri];
            if (r * mr > 32 || r > n->a.filters) continue;
            /* fast: at one row the split-K GEMV stands for the GEMVs (as fast, and its weights need no copy) */
            if (!full && !((mr == 1 && rows == 2 && (r == 4 || r == 8)) || (rows > 2 && mr >= 4 && r == 4) ||
                           (rows > 2 && mr == 2 && r == 8)))
                continue;
            out[k++] = (struct cf_algo){CF_ALGO_DENSE_TILED, r, mr};
        }
    }
    return k;
}

static void defines(const struct cf_algo *a, char *out, size_t size) { snprintf(out, size, "-DR=%d -DMR=%d", a->a, a->b); }

struct transpose {
    const float *k;
    int64_t rows, co;
};

/* [cin][units] -> [units][cin] in tiles of 8 rows x 16 units: 8 cache lines read, whatever the stride (64 rows of a
 * power-of-two stride share too few cache sets), and 16 runs of 8 floats written */
static void fill(const void *ctx, float *w)
{
    const struct transpose *T = ctx;
    for (int64_t r0 = 0; r0 < T->rows; r0 += 8)
        for (int64_t c0 = 0; c0 < T->co; c0 += 16)
            for (int64_t c = c0; c < c0 + 16 && c < T->co; c++)
                for (int64_t r = r0; r < r0 + 8 && r < T->rows; r++) w[c * T->rows + r] = T->k[r * T->co + c];
}

static clinfer_status build(const struct cf_tune_env *E, int node, const struct cf_algo *a, const char *defs,
                            struct cf_tuned *t, struct cf_diag *d)
{
    (void)defs;
    const struct cf_node *n = &E->x->g->nodes[node];
    const struct cf_tensor *k = cf_weights_get(E->x->w, node, "kernel");
    int64_t co = n->a.filters, rows_in = k->desc.dims[0];
    t->gws[0] = (size_t)((cf_dense_rows(n) + a->b - 1) / a->b); /* row blocks x unit blocks */
    t->gws[1] = (size_t)((co + a->a - 1) / a->a);
    t->gws[2] = 1;
    struct transpose T = {k->data, rows_in, co};
    return cf_tune_pack(E, node, (size_t)(rows_in * co + 16), fill, &T, co, co, t, d);
}

static void describe(const struct cf_algo *a, const struct cf_node *n, char *out, size_t size)
{
    (void)n;
    if (a->b == 1) snprintf(out, size, "gemv %du", a->a);
    else snprintf(out, size, "tiled %dr x %du", a->b, a->a);
}

const struct cf_family cf_family_dense_tiled = {
    CF_ALGO_DENSE_TILED, "dense", "tiled", 2, {64, 64}, "U units x R rows a work-item", 1, "dense_fast.cl",
    "dense_tiled_f32", fits, candidates, NULL, defines, build, NULL, describe, .class_fixed = "",
    .arg_names = "U:R"};
