/* The register-blocked direct conv (cl/conv2d_blocked.cl): each work-item P output pixels of a row x V float16
 * vectors of output channels, NHWC or NCHW, with a fused max pool when one follows (whole windows per block). Grouped
 * convs too where a group's output channels are whole blocks of 16 (RegNet's groups of 16). */
#include <stdio.h>
#include <string.h>

#include "conv_weights.h"

/* a grouped conv's output channels a group (0 for a plain one) */
static int64_t group_co(const struct cf_exec *x, const struct cf_node *n)
{
    return n->a.groups > 1 ? cf_conv_co(x, n) / n->a.groups : 0;
}

static int fits(const struct cf_exec *x, const struct cf_node *n)
{
    if (cf_plain_conv(n)) return 1;
    return n->op == CF_OP_CONV2D && n->n_in == 1 && strcmp(cf_family_layer(x, n), "conv") == 0 &&
           group_co(x, n) % 16 == 0;
}

/* whole pool windows a block, and a grouped conv's blocks each in one group */
static int valid(const struct cf_exec *x, const struct cf_node *n, const struct cf_algo *a)
{
    int64_t cog = group_co(x, n);
    return a->a % cf_pool_of(n) == 0 && (cog == 0 || cog % (16 * a->b) == 0);
}

static int candidates(const struct cf_tune_env *E, const struct cf_node *n, int full, struct cf_algo *out)
{
    const struct cf_exec *x = E->x;
    int64_t wo = cf_conv_wo(x, n), vmax = cf_round16(cf_conv_co(x, n)) / 16;
    static const int ps[] = {1, 2, 3, 4, 6, 8, 12, 16};
    static const int vs[] = {1, 2, 4, 8};
    int k = 0, pool = cf_pool_of(n), halved = cf_cl_float16_halved(E->dev);
    for (size_t vi = 0; vi < 4; vi++) {
        int v = vs[vi];
        if (v > vmax) break;
        for (size_t pi = 0; pi < sizeof ps / sizeof ps[0]; pi++) {
            int p = ps[pi];
            /* with a fused pool: whole windows per block, and room for the running maximum */
            if (p * v > 32 || (p > 1 && p > wo) || p % pool || (pool > 1 && 2 * p * v > 40)) continue;
            /* fast: the block shapes that won on PoCL, with AVX-512 (8-16 px x 1 vector, 6-12 px x 2, 4-6 px x 4,
             * 2 px x 8) or where a float16 is two registers (4-12 of them: 2-6 px x 1, 1-3 px x 2, 1 px x 4) */
            int shortlist = halved ? (v == 1 && p >= 2 && p <= 6 && p != 3) || (v == 2 && p <= 3) || (v == 4 && p == 1)
                                   : (v == 1 && p >= 8) || (v == 2 && p >= 6 && p <= 12) || (v == 4 && (p == 4 || p == 6)) ||
                                         (v == 8 && p == 2);
            struct cf_algo a = {CF_ALGO_CONV_BLOCKED, p, v};
            if ((!full && !(shortlist || (wo < 8 && p == wo))) || !valid(x, n, &a)) continue;
            out[k++] = a;
        }
    }
    return k;
}

static clinfer_status build(const struct cf_tune_env *E, int node, const struct cf_algo *a, const char *defs,
                            struct cf_tuned *t, struct cf_diag *d)
{
    (void)defs;
    const struct cf_exec *x = E->x;
    const struct cf_node *n = &x->g->nodes[node];
    int64_t co16 = cf_round16(cf_conv_co(x, n));
    t->gws[2] = (size_t)(co16 / (16 * a->b) + (co16 % (16 * a->b) != 0)); /* pixel blocks x rows x channel blocks */
    t->gws[0] = (size_t)((cf_conv_wo(x, n) + a->a - 1) / a->a);
    t->gws[1] = (size_t)(n->out.d[0] * n->out.d[x->g->layout == CF_LAYOUT_NCHW ? 2 : 1]);
    return cf_conv_pack_blocks(E, node, a->b, t, d);
}

static void describe(const struct cf_algo *a, const struct cf_node *n, char *out, size_t size)
{
    snprintf(out, size, n->a.fused_pool > 1 ? "blocked %dpx x %dv+pool" : "blocked %dpx x %dv", a->a, a->b);
}

const struct cf_family cf_family_blocked = {
    CF_ALGO_CONV_BLOCKED, "conv", "blocked", 2, {64, 64}, "P pixels x V float16 vectors of channels a work-item", 1,
    "conv2d_blocked.cl", "conv2d_blocked_f32", fits, candidates, valid, cf_defines_pv, build, NULL, describe,
    .class_fixed = ""};
