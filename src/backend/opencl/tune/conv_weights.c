/* Conv weights as the conv families' kernels read them: HWIO with the output channels padded to 16, or in blocks of
 * 16 output channels. */
#include "conv_weights.h"

clinfer_status cf_conv_pack(const struct cf_tune_env *E, int node, int depthwise, struct cf_tuned *t, struct cf_diag *d)
{
    const struct cf_exec *x = E->x;
    const struct cf_node *n = &x->g->nodes[node];
    const struct cf_tensor *k = &x->w->t[node][0];
    int64_t co = cf_conv_co(x, n), co16 = cf_round16(co);
    int64_t rows = depthwise ? (int64_t)n->a.kernel[0] * n->a.kernel[1] : k->desc.dims[0] * k->desc.dims[1] * k->desc.dims[2];
    struct cf_rows16 r = {k->data, rows, co, co16};
    return cf_tune_pack(E, node, (size_t)(rows * co16 + 16), cf_fill_rows16, &r, co, co16, t, d);
}

/* [rows][CO] as [CO16 / 16][rows][16]: a block of 16 output channels, contiguous */
static void fill_blocks16(const void *ctx, float *w)
{
    const struct cf_rows16 *r = ctx;
    for (int64_t b = 0; b < r->co16 / 16; b++)
        for (int64_t i = 0; i < r->rows; i++) {
            float *o = w + (b * r->rows + i) * 16;
            for (int64_t j = 0; j < 16; j++) o[j] = b * 16 + j < r->co ? r->k[i * r->co + b * 16 + j] : 0.0f;
        }
}

clinfer_status cf_conv_pack_blocks(const struct cf_tune_env *E, int node, int v, struct cf_tuned *t,
                                   struct cf_diag *d)
{
    const struct cf_exec *x = E->x;
    const struct cf_tensor *k = &x->w->t[node][0];
    int64_t co = cf_conv_co(x, E->x->g->nodes + node), cov = (co + 16 * v - 1) / (16 * v) * (16 * v);
    struct cf_rows16 r = {k->data, k->desc.dims[0] * k->desc.dims[1] * k->desc.dims[2], co, cov};
    return cf_tune_pack(E, node, (size_t)(r.rows * cov + 16), fill_blocks16, &r, co, cov, t, d);
}
