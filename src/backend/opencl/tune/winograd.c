/* Winograd F(2x2,3x3) for 3x3 stride-1 undilated convs (cl/winograd_f23.cl): the weights transformed once at load to
 * U = G g G^T, laid out [16][C][CO16]; each work-item P 2x2 tiles x V vectors of channels. */
#include <stdio.h>

#include "family.h"

static int fits(const struct cf_exec *x, const struct cf_node *n)
{
    (void)x;
    const struct cf_attrs *a = &n->a;
    return cf_plain_conv_nopool(n) && a->strides[0] == 1 && a->strides[1] == 1 && a->kernel[0] == 3 &&
           a->kernel[1] == 3 && a->dilation[0] == 1 && a->dilation[1] == 1;
}

/* P tiles x V vectors of channels: 4·P·V vectors live in the channel loop */
static int candidates(const struct cf_tune_env *E, const struct cf_node *n, int full, struct cf_algo *out)
{
    const struct cf_exec *x = E->x;
    int64_t tiles = (cf_conv_wo(x, n) + 1) / 2, vmax = cf_round16(cf_conv_co(x, n)) / 16;
    static const int ps[] = {1, 2, 3, 4, 6};
    static const int vs[] = {1, 2, 4};
    int k = 0;
    for (size_t vi = 0; vi < 3; vi++) {
        int v = vs[vi];
        if (v > vmax) break;
        for (size_t pi = 0; pi < 5; pi++) {
            int p = ps[pi];
            if (4 * p * v > 24 || (p > 1 && p > tiles)) continue;
            if (!full && !((v == 1 && (p == 4 || p == 6)) || (v == 2 && (p == 2 || p == 3)) || v == 4 ||
                           (tiles < 4 && p == tiles)))
                continue;
            out[k++] = (struct cf_algo){CF_ALGO_WINOGRAD, p, v};
        }
    }
    return k;
}

struct transform {
    const float *g;
    int64_t c, co, co16;
};

/* U = G g G^T for each (input, output) channel pair: g [3][3][C][CO] (HWIO), U [16][C][CO16], the padding zero.
 * G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1] */
static void fill(const void *ctx, float *u)
{
    const struct transform *T = ctx;
    for (int64_t ci = 0; ci < T->c; ci++)
        for (int64_t o = 0; o < T->co16; o++) {
            float gg[3][3], t[4][3];
            for (int ky = 0; ky < 3; ky++)
                for (int kx = 0; kx < 3; kx++) gg[ky][kx] = o < T->co ? T->g[((ky * 3 + kx) * T->c + ci) * T->co + o] : 0.0f;
            for (int kx = 0; kx < 3; kx++) { /* G g: the rows */
                t[0][kx] = gg[0][kx];
                t[1][kx] = 0.5f * (gg[0][kx] + gg[1][kx] + gg[2][kx]);
                t[2][kx] = 0.5f * (gg[0][kx] - gg[1][kx] + gg[2][kx]);
                t[3][kx] = gg[2][kx];
            }
            for (int r = 0; r < 4; r++) { /* (G g) G^T: the columns */
                float v[4] = {t[r][0], 0.5f * (t[r][0] + t[r][1] + t[r][2]), 0.5f * (t[r][0] - t[r][1] + t[r][2]), t[r][2]};
                for (int j = 0; j < 4; j++) u[((r * 4 + j) * T->c + ci) * T->co16 + o] = v[j];
            }
        }
}

static clinfer_status build(const struct cf_tune_env *E, int node, const struct cf_algo *a, const char *defs,
                            struct cf_tuned *t, struct cf_diag *d)
{
    (void)defs;
    const struct cf_exec *x = E->x;
    const struct cf_node *n = &x->g->nodes[node];
    const struct cf_tensor *k = &x->w->t[node][0];
    int64_t co = cf_conv_co(x, n), co16 = cf_round16(co), c = k->desc.dims[2];
    int nchw = x->g->layout == CF_LAYOUT_NCHW;
    t->gws[0] = (size_t)((co16 / 16 + a->b - 1) / a->b); /* channel vectors x tile blocks x images and tile rows */
    t->gws[1] = (size_t)(((cf_conv_wo(x, n) + 1) / 2 + a->a - 1) / a->a);
    t->gws[2] = (size_t)(n->out.d[0] * ((n->out.d[nchw ? 2 : 1] + 1) / 2));
    struct transform T = {k->data, c, co, co16};
    return cf_tune_pack(E, node, (size_t)(16 * c * co16 + 16), fill, &T, co, co16, t, d);
}

static void describe(const struct cf_algo *a, const struct cf_node *n, char *out, size_t size)
{
    (void)n;
    snprintf(out, size, "winograd %dt x %dv", a->a, a->b);
}

const struct cf_family cf_family_winograd = {
    CF_ALGO_WINOGRAD, "conv", "winograd", 2, {16, 8}, "3x3 stride-1 convolutions by Winograd F(2,3): P tiles x V", 0,
    "winograd_f23.cl", "winograd_f23_f32", fits, candidates, NULL, cf_defines_pv, build, NULL, describe,
    .class_fixed = ""};
