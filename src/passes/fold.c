/* Fusion, each a kernel launch and a pass over memory fewer; the fused layer becomes a view of the one before.
 * - A BatchNormalization that reads a Conv2D, DepthwiseConv2D or Dense (its only reader, with no activation of its
 *   own) is folded into that layer's weights,
 *   kernel'[..][c] = kernel[..][c]·s[c],  bias'[c] = (bias[c] - mean[c])·s[c] + beta[c],  s = gamma/sqrt(var + eps).
 * - Then an elementwise activation layer (ReLU, Clip, LeakyReLU, ...; not softmax) that reads such a layer becomes
 *   that layer's activation, applied in its kernel's epilogue.
 * - Then a MaxPooling2D of k x k windows, stride k, no padding, after a Conv2D (through those views) becomes the
 *   end of the conv's epilogue: the conv computes only the pixels the pool reads and writes the pooled output, a
 *   quarter of the memory traffic for k = 2. The views between take the pooled shape. */
#include <math.h>
#include <string.h>

#include "../ops/ops.h"
#include "../ir/weights.h"
#include "../util/alloc.h"
#include "passes.h"

/* the normalised axis is the layer's channels: the layout's for a window op, the last for Dense */
static int channel_axis_ok(const struct cf_graph *g, const struct cf_node *bn, const struct cf_node *layer)
{
    int rank = bn->out.rank, ax = bn->a.axis < 0 ? rank + bn->a.axis : bn->a.axis;
    if (!cf_op_has(layer->op, CF_T_SPATIAL2D)) return ax == rank - 1;
    return ax == (g->layout == CF_LAYOUT_NHWC ? 3 : 1) && rank == 4;
}

static struct cf_tensor *find(struct cf_weights *w, int node, const char *name)
{
    for (int k = 0; k < w->count[node]; k++)
        if (strcmp(w->t[node][k].desc.name, name) == 0) return &w->t[node][k];
    return NULL;
}

/* how many layers read each node's output; an output of the model counts twice (it keeps its own values) */
static int *count_readers(const struct cf_graph *g)
{
    int *readers = cf_calloc((size_t)g->n_nodes + 1, sizeof(int));
    if (!readers) return NULL;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++) readers[g->nodes[i].in[k]]++;
    for (int k = 0; k < g->n_outputs; k++) readers[g->outputs[k]] += 2;
    return readers;
}

/* the layer behind node c's chain of single-reader views (what earlier folds left behind) */
static int behind_views(const struct cf_graph *g, const int *readers, int c)
{
    while (g->nodes[c].op == CF_OP_IDENTITY && g->nodes[c].n_in == 1 && readers[c] == 1) c = g->nodes[c].in[0];
    return c;
}

/* a layer whose weights a BatchNormalization after it folds into (ops.def: FOLDS_BN; its first weight is the
 * kernel, channels last), given at load and with no activation of its own */
static int folds_bn(const struct cf_node *layer)
{
    return cf_op_has(layer->op, CF_T_FOLDS_BN) && layer->n_in == 1 && layer->a.act == CF_ACT_LINEAR;
}

int cf_fold_batch_norm(struct cf_graph *g, struct cf_weights *w)
{
    int folded = 0;
    int *readers = count_readers(g);
    if (!readers) return -1;
    for (int i = 0; i < g->n_nodes; i++) {
        struct cf_node *bn = &g->nodes[i];
        if (bn->op != CF_OP_BATCH_NORM || bn->n_in != 1) continue;
        int c = bn->in[0];
        struct cf_node *layer = &g->nodes[c];
        if (!folds_bn(layer) || readers[c] != 1 || !channel_axis_ok(g, bn, layer) || !w->count[c]) continue;
        const char *kname = w->t[c][0].desc.name;
        struct cf_tensor *kern = find(w, c, kname);
        struct cf_tensor *bias = find(w, c, "bias"), *gm = find(w, i, "gamma"), *bt = find(w, i, "beta"),
                         *mn = find(w, i, "moving_mean"), *vr = find(w, i, "moving_variance");
        if (!kern || !mn || !vr) continue;
        int64_t C = mn->desc.dims[0], n = 1;
        for (int r = 0; r < kern->desc.rank; r++) n *= kern->desc.dims[r];
        if (!bias) { /* the folded layer gets a bias */
            struct cf_tensor *t = cf_realloc(w->t[c], sizeof *t * (size_t)(w->count[c] + 1));
            if (!t) break;
            w->t[c] = t;
            float *zero = cf_calloc((size_t)C, sizeof(float));
            if (!zero) break;
            t[w->count[c]] = (struct cf_tensor){{"bias", 1, {C}, 1}, zero};
            bias = &t[w->count[c]++];
            kern = find(w, c, kname);
            layer->a.use_bias = 1;
        }
        for (int64_t ch = 0; ch < C; ch++) {
            double s = (gm ? gm->data[ch] : 1.0) / sqrt((double)vr->data[ch] + bn->a.epsilon);
            for (int64_t e = ch; e < n; e += C) kern->data[e] = (float)(kern->data[e] * s);
            bias->data[ch] = (float)(((double)bias->data[ch] - mn->data[ch]) * s + (bt ? bt->data[ch] : 0.0));
        }
        bn->op = CF_OP_IDENTITY;
        folded++;
    }
    cf_free(readers);
    return folded;
}

int cf_fold_noops(struct cf_graph *g)
{
    int folded = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        struct cf_node *n = &g->nodes[i];
        if (n->op != CF_OP_PAD && n->op != CF_OP_TRANSPOSE) continue;
        int noop = 1;
        for (int r = 0; r < n->out.rank; r++)
            if (n->op == CF_OP_PAD ? n->a.pad_begin[r] || n->a.pad_end[r] : n->a.perm[r] != r) noop = 0;
        if (noop) {
            n->op = CF_OP_IDENTITY;
            folded++;
        }
    }
    return folded;
}

/* whether node c (found behind views) can apply an activation as it stores (ops.def: EPILOGUE; weights given at
 * load, no activation of its own yet), read only here */
static int takes_act(const struct cf_graph *g, const int *readers, int c)
{
    const struct cf_node *n = &g->nodes[c];
    return cf_op_has(n->op, CF_T_EPILOGUE) && (n->n_in == 1 || cf_op_has(n->op, CF_T_MERGE)) &&
           n->a.act == CF_ACT_LINEAR && readers[c] == 1;
}

static void give_act(struct cf_node *layer, const struct cf_node *act)
{
    layer->a.act = act->a.act;
    layer->a.alpha = act->a.alpha;
    layer->a.beta = act->a.beta;
    layer->a.max_value = act->a.max_value;
    layer->a.threshold = act->a.threshold;
}

/* the activation that x · gate(x) is, when node h is such a gate: a Sigmoid (x · σ(x) = SiLU, how PyTorch exports
 * nn.SiLU) or PyTorch's Hardsigmoid, relu6(x + 3) / 6 (HardSigmoid with alpha 1/6 and beta 1/2: x · it = hard-swish,
 * how ONNX before opset 14 writes Hardswish); CF_ACT_LINEAR when it is none */
static enum cf_act gated(const struct cf_node *h)
{
    if (h->op != CF_OP_ACTIVATION || h->n_in != 1) return CF_ACT_LINEAR;
    if (h->a.act == CF_ACT_SIGMOID) return CF_ACT_SWISH;
    if (h->a.act == CF_ACT_HARD_SIGMOID && fabsf(h->a.alpha - 1.0f / 6.0f) <= 1e-7f && h->a.beta == 0.5f)
        return CF_ACT_HARD_SWISH;
    return CF_ACT_LINEAR;
}

int cf_fold_gates(struct cf_graph *g)
{
    int folded = 0;
    int *readers = count_readers(g);
    if (!readers) return -1;
    for (int i = 0; i < g->n_nodes; i++) {
        struct cf_node *mul = &g->nodes[i];
        if (mul->op != CF_OP_MULTIPLY || mul->n_in != 2 || mul->a.act != CF_ACT_LINEAR) continue;
        for (int k = 0; k < 2; k++) {
            int h = mul->in[k], x = mul->in[1 - k];
            struct cf_node *gate = &g->nodes[h];
            enum cf_act act = gated(gate);
            if (act == CF_ACT_LINEAR || gate->in[0] != x || readers[h] != 1 || !cf_shape_equal(&gate->out, &mul->out))
                continue;
            cf_act_set(&gate->a, act);
            mul->op = CF_OP_IDENTITY; /* the product is what the gate's node now makes */
            mul->in[0] = h;
            mul->n_in = 1;
            readers[x]--;
            folded++;
            break;
        }
    }
    cf_free(readers);
    return folded;
}

int cf_fold_activation(struct cf_graph *g)
{
    int folded = 0;
    int *readers = count_readers(g);
    if (!readers) return -1;
    for (int i = 0; i < g->n_nodes; i++) {
        struct cf_node *act = &g->nodes[i];
        if (!cf_op_has(act->op, CF_T_ACT) || act->n_in != 1 || act->a.act == CF_ACT_LINEAR ||
            act->a.act == CF_ACT_SOFTMAX || act->a.act == CF_ACT_LOG_SOFTMAX)
            continue;
        int c = behind_views(g, readers, act->in[0]);
        struct cf_node *layer = &g->nodes[c];
        if (takes_act(g, readers, c)) {
            give_act(layer, act);
        } else if (layer->op == CF_OP_CONCAT && readers[c] == 1) {
            /* act(concat(a, b, ...)) = concat(act(a), act(b), ...): into every input's epilogue, when each takes one
             * (Inception's branches) */
            int all = 1;
            for (int k = 0; k < layer->n_in; k++) all &= takes_act(g, readers, behind_views(g, readers, layer->in[k]));
            if (!all) continue;
            for (int k = 0; k < layer->n_in; k++) give_act(&g->nodes[behind_views(g, readers, layer->in[k])], act);
        } else {
            continue;
        }
        act->op = CF_OP_IDENTITY;
        folded++;
    }
    cf_free(readers);
    return folded;
}

int cf_fold_pool(struct cf_graph *g)
{
    int folded = 0;
    /* NHWC only: over NCHW the blocked kernel is the one family that can take a pool, and the rows and Winograd
     * kernels with the NCHW pooling kernel after them beat it (the VGG block at batch 32: 1.83 ms fused, 0.80 + 0.07
     * apart; LeNet's first conv 0.23 ms, 0.10 + 0.05) */
    if (g->layout != CF_LAYOUT_NHWC) return 0;
    int *readers = count_readers(g);
    if (!readers) return -1;
    for (int i = 0; i < g->n_nodes; i++) {
        struct cf_node *pool = &g->nodes[i];
        const struct cf_attrs *pa = &pool->a;
        int k = pa->kernel[0];
        if (pool->op != CF_OP_MAX_POOL2D || pool->n_in != 1 || k < 2 || k > 4 || pa->kernel[1] != k ||
            pa->strides[0] != k || pa->strides[1] != k || pa->dilation[0] != 1 || pa->dilation[1] != 1 ||
            pa->pads[0] || pa->pads[1] || pa->pads[2] || pa->pads[3] || pa->ceil_mode)
            continue;
        int c = behind_views(g, readers, pool->in[0]);
        struct cf_node *conv = &g->nodes[c];
        if (conv->op != CF_OP_CONV2D || conv->n_in != 1 || conv->a.groups != 1 || conv->a.fused_pool ||
            conv->a.act == CF_ACT_SOFTMAX || conv->a.act == CF_ACT_LOG_SOFTMAX || readers[c] != 1)
            continue;
        conv->a.fused_pool = k;
        for (int v = pool->in[0]; v != c; v = g->nodes[v].in[0]) g->nodes[v].out = pool->out;
        conv->out = pool->out;
        pool->op = CF_OP_IDENTITY;
        folded++;
    }
    cf_free(readers);
    return folded;
}
