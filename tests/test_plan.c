/* Buffer planning: exact offsets for small graphs, and over many random graphs (chains, branches, joins) no two
 * buffers alive at the same time overlap and the planned arena computes what separate buffers compute. */
#include "helpers.h"

#include "backend/backend.h"
#include "frontend/frontend.h"
#include "passes/passes.h"
#include "runtime/weights.h"
#include "passes/plan.h"

static struct cf_graph *graph_of(const char *script, int64_t batch)
{
    struct cf_graph *g = NULL;
    struct cf_diag d = {0};
    cr_assert_eq(cf_keras_load("plan.py", script, strlen(script), CLINFER_STYLE_AUTO, &g, &d), CLINFER_OK, "%s", d.msg);
    cr_assert_eq(cf_infer_shapes(g, batch, &d), CLINFER_OK, "%s", d.msg);
    return g;
}

static void expect_offsets(const char *script, const size_t *want, int n, size_t arena, size_t naive)
{
    struct cf_graph *g = graph_of(script, 1);
    struct cf_plan p;
    struct cf_diag d = {0};
    cr_assert_eq(cf_plan_buffers(g, 64, 0, &p, &d), CLINFER_OK, "%s", d.msg);
    cr_assert_eq(g->n_nodes, n);
    for (int i = 0; i < n; i++)
        cr_expect_eq(p.offset[i], want[i], "%s: offset %zu, want %zu", g->nodes[i].name, p.offset[i], want[i]);
    cr_expect_eq(p.arena_bytes, arena, "arena %zu, want %zu", p.arena_bytes, arena);
    cr_expect_eq(p.naive_bytes, naive, "naive %zu, want %zu", p.naive_bytes, naive);
    cf_plan_free(&p);
    cf_graph_free(g);
}

Test(plan, reuses_buffer_after_last_consumer)
{
    /* input 32 B pinned at 0; dense_1 at 64; dense_2 at 128, then dense_1 is free; dense_3 (an output) takes
     * dense_1's block */
    static const size_t want[] = {0, 64, 128, 64};
    expect_offsets("x = layers.Input(shape=(8,))\ny = layers.Dense(16)(x)\ny = layers.Dense(16)(y)\n"
                   "y = layers.Dense(4)(y)\nmodel = Model(x, y)\n",
                   want, 4, 192, 32 + 64 + 64 + 16);
}

Test(plan, views_share_and_lone_activation_works_in_place)
{
    /* Flatten and Dropout are views of the conv's buffer, the ReLU writes over it; Dense gets a new block */
    static const size_t want[] = {0, 128, 128, 128, 128, 384};
    expect_offsets("x = layers.Input(shape=(4, 4, 2))\ny = layers.Conv2D(4, 1)(x)\ny = layers.Flatten()(y)\n"
                   "y = layers.Dropout(0.5)(y)\ny = layers.Activation('relu')(y)\ny = layers.Dense(3)(y)\n"
                   "model = Model(x, y)\n",
                   want, 6, 448, 128 + 4 * 256 + 12);
    struct cf_graph *g = graph_of("x = layers.Input(shape=(4, 4, 2))\ny = layers.Conv2D(4, 1)(x)\n"
                                  "y = layers.Flatten()(y)\ny = layers.Dropout(0.5)(y)\n"
                                  "y = layers.Activation('relu')(y)\ny = layers.Dense(3)(y)\nmodel = Model(x, y)\n",
                                  1);
    struct cf_plan p;
    struct cf_diag d = {0};
    cr_assert_eq(cf_plan_buffers(g, 64, 0, &p, &d), CLINFER_OK);
    cr_expect_eq(p.in_place[4], 1);
    cr_expect_eq(p.storage[2], 1);
    cr_expect_eq(p.storage[3], 1);
    cf_plan_free(&p);
    cf_graph_free(g);
}

Test(plan, branches_and_joins)
{
    /* order: input, a, b, c, add, out; a lives until c; add takes a's block, out the merged b+c block */
    static const size_t want[] = {0, 64, 128, 192, 64, 128};
    expect_offsets("x = layers.Input(shape=(8,))\na = layers.Dense(8)(x)\nb = layers.Dense(8)(a)\n"
                   "c = layers.Dense(8)(a)\ns = layers.Add()([b, c])\ny = layers.Dense(2)(s)\nmodel = Model(x, y)\n",
                   want, 6, 256, 5 * 32 + 8);
}

Test(plan, activation_not_in_place_when_its_input_is_read_later)
{
    struct cf_graph *g = graph_of("x = layers.Input(shape=(8,))\na = layers.Dense(8)(x)\n"
                                  "r = layers.Activation('relu')(a)\ns = layers.Add()([a, r])\nmodel = Model(x, s)\n",
                                  1);
    struct cf_plan p;
    struct cf_diag d = {0};
    cr_assert_eq(cf_plan_buffers(g, 64, 0, &p, &d), CLINFER_OK);
    cr_expect_eq(p.in_place[2], 0);
    cr_expect_neq(p.offset[2], p.offset[1]);
    cf_plan_free(&p);
    cf_graph_free(g);
}

Test(plan, inputs_and_outputs_are_pinned)
{
    /* the activation reads the input (pinned) and feeds an output: no in-place, nothing reused */
    struct cf_graph *g = graph_of("x = layers.Input(shape=(8,))\nr = layers.Activation('relu')(x)\n"
                                  "y = layers.Dense(8)(r)\nmodel = Model(x, [r, y])\n",
                                  1);
    struct cf_plan p;
    struct cf_diag d = {0};
    cr_assert_eq(cf_plan_buffers(g, 64, 0, &p, &d), CLINFER_OK);
    cr_expect_eq(p.in_place[1], 0);
    cr_expect_eq(p.last[0], 3);
    cr_expect_eq(p.last[1], 3);
    cf_plan_free(&p);
    cf_graph_free(g);
}

Test(plan, unbound_batch_is_an_error)
{
    struct cf_graph *g = graph_of("x = layers.Input(shape=(8,))\ny = layers.Dense(8)(x)\nmodel = Model(x, y)\n", 0);
    struct cf_plan p;
    struct cf_diag d = {0};
    cr_assert_eq(cf_plan_buffers(g, 64, 0, &p, &d), CLINFER_E_ARG);
    cr_assert_not_null(strstr(d.msg, "has an unknown dimension; bind the batch first"), "%s", d.msg);
    cf_graph_free(g);
}

/* --- random graphs --- */

static uint64_t rng_state;
static int rnd(int n)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (int)((rng_state >> 33) % (uint64_t)n);
}

/* A random model: Dense layers of a few widths, activations, dropouts, Adds of equal widths and Concatenates;
 * every tensor nobody reads is an output. */
static char *random_model(int nodes)
{
    size_t cap = 256 + (size_t)nodes * 160;
    char *s = malloc(cap);
    int width[256], used[256] = {0};
    size_t n = (size_t)sprintf(s, "t0 = layers.Input(shape=(8,))\n");
    width[0] = 8;
    int count = 1;
    for (int i = 0; i < nodes; i++) {
        int a = rnd(count), kind = rnd(6), b = -1;
        if (kind == 3 || kind == 4) {
            for (int tries = 0; tries < 8 && b < 0; tries++) {
                int c = rnd(count);
                if (c != a && (kind == 4 || width[c] == width[a])) b = c;
            }
            if (b < 0) kind = 0;
        }
        static const int widths[] = {4, 8, 16, 40};
        switch (kind) {
        case 0: case 5:
            width[count] = widths[rnd(4)];
            n += (size_t)sprintf(s + n, "t%d = layers.Dense(%d)(t%d)\n", count, width[count], a);
            break;
        case 1:
            width[count] = width[a];
            n += (size_t)sprintf(s + n, "t%d = layers.Activation('tanh')(t%d)\n", count, a);
            break;
        case 2:
            width[count] = width[a];
            n += (size_t)sprintf(s + n, "t%d = layers.Dropout(0.1)(t%d)\n", count, a);
            break;
        case 3:
            width[count] = width[a];
            n += (size_t)sprintf(s + n, "t%d = layers.Add()([t%d, t%d])\n", count, a, b);
            used[b] = 1;
            break;
        case 4:
            width[count] = width[a] + width[b];
            n += (size_t)sprintf(s + n, "t%d = layers.Concatenate()([t%d, t%d])\n", count, a, b);
            used[b] = 1;
            break;
        }
        used[a] = 1;
        count++;
    }
    n += (size_t)sprintf(s + n, "model = Model(t0, [");
    int first = 1;
    for (int i = 1; i < count; i++)
        if (!used[i]) {
            n += (size_t)sprintf(s + n, "%st%d", first ? "" : ", ", i);
            first = 0;
        }
    sprintf(s + n, "])\n");
    return s;
}

static void run_ref(const struct cf_graph *g, const struct cf_plan *p, const struct cf_weights *w, const float *in,
                    float **outs)
{
    struct cf_exec x = {g, p, w};
    void *state;
    struct cf_diag d = {0};
    cr_assert_eq(cf_backend_ref.prepare(&x, "ref", &state, &d), CLINFER_OK, "%s", d.msg);
    cf_backend_ref.write(state, p->offset[g->inputs[0]], in, p->bytes[g->inputs[0]], &d);
    for (int i = 0; i < g->n_nodes; i++) cf_backend_ref.run_node(state, i, &d);
    for (int k = 0; k < g->n_outputs; k++)
        cf_backend_ref.read(state, p->offset[g->outputs[k]], outs[k], p->bytes[g->outputs[k]], &d);
    cf_backend_ref.release(state);
}

Test(plan, random_graphs_never_overlap_live_buffers)
{
    rng_state = 20261128;
    for (int round = 0; round < 300; round++) {
        char *script = random_model(2 + rnd(40));
        struct cf_graph *g = graph_of(script, 1 + rnd(3));
        struct cf_plan p, naive;
        struct cf_diag d = {0};
        cr_assert_eq(cf_plan_buffers(g, 64, 0, &p, &d), CLINFER_OK, "%s", d.msg);
        cr_assert_eq(cf_plan_buffers(g, 64, 1, &naive, &d), CLINFER_OK, "%s", d.msg);
        cr_assert_leq(p.arena_bytes, naive.arena_bytes);
        for (int i = 0; i < g->n_nodes; i++) {
            if (p.storage[i] != i) continue;
            int start_i = g->nodes[i].op == CF_OP_INPUT ? -1 : i;
            cr_assert_leq(p.offset[i] + p.bytes[i], p.arena_bytes);
            for (int j = i + 1; j < g->n_nodes; j++) {
                if (p.storage[j] != j) continue;
                int start_j = g->nodes[j].op == CF_OP_INPUT ? -1 : j;
                int live_together = start_j <= p.last[i] && start_i <= p.last[j];
                int disjoint = p.offset[i] + p.bytes[i] <= p.offset[j] || p.offset[j] + p.bytes[j] <= p.offset[i];
                cr_assert(!live_together || disjoint, "round %d: %s [%zu,+%zu) and %s [%zu,+%zu) overlap\n%s",
                          round, g->nodes[i].name, p.offset[i], p.bytes[i], g->nodes[j].name, p.offset[j], p.bytes[j],
                          script);
            }
        }
        /* the planned arena computes what separate buffers compute */
        if (round % 10 == 0) {
            cf_count(g);
            struct cf_weights w;
            cr_assert_eq(cf_weights_init(g, CF_INIT_RANDOM, (uint64_t)round, &w, &d), CLINFER_OK);
            float in[3 * 8];
            for (int k = 0; k < 24; k++) in[k] = (float)rnd(1000) / 500.0f - 1.0f;
            float *a[64], *b[64];
            cr_assert_leq(g->n_outputs, 64);
            for (int k = 0; k < g->n_outputs; k++) {
                a[k] = calloc(p.bytes[g->outputs[k]], 1);
                b[k] = calloc(p.bytes[g->outputs[k]], 1);
            }
            run_ref(g, &p, &w, in, a);
            run_ref(g, &naive, &w, in, b);
            for (int k = 0; k < g->n_outputs; k++) {
                cr_assert(memcmp(a[k], b[k], p.bytes[g->outputs[k]]) == 0, "round %d: output %d differs\n%s", round,
                          k, script);
                free(a[k]);
                free(b[k]);
            }
            cf_weights_free(&w);
        }
        cf_plan_free(&p);
        cf_plan_free(&naive);
        cf_graph_free(g);
        free(script);
    }
}

Test(fold, activation_joins_the_layer_before)
{
    /* Conv -> BatchNorm -> ReLU(6): the BN into the weights, the ReLU into the conv's epilogue, both views.
     * The second conv is read twice: its activations stay layers of their own. Softmax is never folded. */
    struct cf_graph *g = graph_of("x = layers.Input(shape=(6, 6, 2))\n"
                                  "y = layers.Conv2D(4, 3)(x)\ny = layers.BatchNormalization()(y)\n"
                                  "y = layers.ReLU(max_value=6.0, negative_slope=0.1)(y)\n"
                                  "z = layers.Conv2D(4, 1)(y)\na = layers.Activation('tanh')(z)\n"
                                  "b = layers.LeakyReLU(0.2)(z)\ny = layers.Add()([a, b])\n"
                                  "y = layers.Dense(3)(y)\ny = layers.Activation('softmax')(y)\nmodel = Model(x, y)\n",
                                  1);
    struct cf_weights w;
    struct cf_diag d = {0};
    cr_assert_eq(cf_weights_init(g, CF_INIT_KERAS, 1, &w, &d), CLINFER_OK, "%s", d.msg);
    cr_expect_eq(cf_fold_batch_norm(g, &w), 1);
    cr_expect_eq(cf_fold_activation(g), 1);
    cr_expect_eq(g->nodes[1].a.act, CF_ACT_RELU);
    cr_expect_float_eq(g->nodes[1].a.max_value, 6.0f, 1e-6);
    cr_expect_float_eq(g->nodes[1].a.alpha, 0.1f, 1e-6);
    cr_expect_eq(g->nodes[2].op, CF_OP_IDENTITY);
    cr_expect_eq(g->nodes[3].op, CF_OP_IDENTITY);
    cr_expect_eq(g->nodes[4].a.act, CF_ACT_LINEAR);
    cr_expect_eq(g->nodes[5].op, CF_OP_ACTIVATION);
    cr_expect_eq(g->nodes[6].op, CF_OP_ACTIVATION);
    cr_expect_eq(g->nodes[9].op, CF_OP_ACTIVATION);
    cf_weights_free(&w);
    cf_graph_free(g);
}

Test(fold, max_pool_joins_the_conv_before)
{
    /* Conv -> BatchNorm -> ReLU -> MaxPool(2): the pool goes into the conv's epilogue, the conv and the views between
     * take the pooled shape. A pool with stride 1, one with padding, and one after a conv read twice stay layers. */
    struct cf_graph *g = graph_of("x = layers.Input(shape=(9, 9, 2))\n"
                                  "y = layers.Conv2D(4, 3)(x)\ny = layers.BatchNormalization()(y)\ny = layers.ReLU()(y)\n"
                                  "y = layers.MaxPooling2D(2)(y)\n"
                                  "a = layers.MaxPooling2D(2, strides=1)(layers.Conv2D(4, 1)(y))\n"
                                  "b = layers.MaxPooling2D(2, padding='same')(layers.Conv2D(4, 1)(y))\n"
                                  "c = layers.Conv2D(4, 1)(y)\nd = layers.MaxPooling2D(2)(c)\ne = layers.Activation('relu')(c)\n"
                                  "model = Model(x, [a, b, d, e])\n",
                                  1);
    struct cf_weights w;
    struct cf_diag d = {0};
    cr_assert_eq(cf_weights_init(g, CF_INIT_KERAS, 1, &w, &d), CLINFER_OK, "%s", d.msg);
    cr_expect_eq(cf_fold_batch_norm(g, &w), 1);
    cr_expect_eq(cf_fold_activation(g), 1);
    cr_expect_eq(cf_fold_pool(g), 1);
    cr_expect_eq(g->nodes[1].a.fused_pool, 2);
    for (int i = 1; i <= 4; i++) {
        cr_expect_eq(g->nodes[i].out.d[1], 3, "%s: %lld rows", g->nodes[i].name, (long long)g->nodes[i].out.d[1]);
        cr_expect_eq(g->nodes[i].out.d[2], 3);
    }
    cr_expect_eq(g->nodes[4].op, CF_OP_IDENTITY);
    for (int i = 5; i < g->n_nodes; i++) {
        if (g->nodes[i].op == CF_OP_CONV2D) cr_expect_eq(g->nodes[i].a.fused_pool, 0, "%s", g->nodes[i].name);
        if (strstr(g->nodes[i].name, "max_pooling")) cr_expect_eq(g->nodes[i].op, CF_OP_MAX_POOL2D, "%s", g->nodes[i].name);
    }
    cf_weights_free(&w);
    cf_graph_free(g);
}
