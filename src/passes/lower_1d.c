/* Lowering of the 1-D layers for a session: each becomes its 2-D op of height 1 between two views,
 *   x (N, W, C) -> Reshape (N, 1, W, C) -> Conv2D, pool ... (N, 1, Wo, Co) -> Reshape (N, Wo, Co)
 * (the views cost nothing: a (N, W, C) tensor is the (N, 1, W, C) one in memory), so the backends, the tuner and the
 * fusion passes see only the 2-D ops they know. The kernel (K, Cin, Cout) Keras makes is (1, K, Cin, Cout) as it
 * lies. The inserted views are hidden and named after their layer (conv1d/lift, conv1d/squeeze). */
#include <stdio.h>
#include <string.h>

#include "../ir/weights.h"
#include "../ops/ops.h"
#include "../util/alloc.h"
#include "passes.h"

/* Adds a hidden Reshape of node `from` to the non-batch dims of `to`. */
static int add_view(struct cf_graph *g, int from, const struct cf_shape *to, const char *layer, const char *what)
{
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.target.rank = to->rank - 1;
    for (int k = 1; k < to->rank; k++) a.target.d[k - 1] = to->d[k];
    char name[512];
    snprintf(name, sizeof name, "%s/%s", layer, what);
    int i = cf_graph_add(g, CF_OP_RESHAPE, name, "Reshape", &from, 1, &a, (struct cf_loc){0});
    if (i >= 0) g->nodes[i].hidden = 1;
    return i;
}

/* Moves node n to a copy in g reading `in`, its weights' values with it; returns its index or -1. */
static int move_node(struct cf_graph *g, struct cf_node *n, const int *in)
{
    int i = cf_graph_add_copy(g, n, in);
    if (i < 0) return -1;
    g->nodes[i].n_values = n->n_values, g->nodes[i].values = n->values;
    n->n_values = 0, n->values = NULL;
    return i;
}

clinfer_status cf_lower_1d(struct cf_graph **gp, struct cf_weights *w, int *layer_node, struct cf_diag *d)
{
    struct cf_graph *g = *gp;
    int n1d = 0;
    for (int i = 0; i < g->n_nodes; i++) n1d += cf_op_has(g->nodes[i].op, CF_T_1D);
    for (int i = 0; i < g->n_nodes; i++) layer_node[i] = i;
    if (!n1d) return CLINFER_OK;
    struct cf_graph *ng = cf_graph_new();
    int cap = g->n_nodes + 2 * n1d;
    int *reads = cf_malloc(sizeof(int) * (size_t)g->n_nodes); /* the node that holds old node i's value, as it was */
    int *count = cf_calloc((size_t)cap, sizeof(int));
    struct cf_tensor **t = cf_calloc((size_t)cap, sizeof *t);
    int *in = cf_malloc(sizeof(int) * (size_t)(g->n_nodes + 1));
    if (!ng || !reads || !count || !t || !in) goto oom;
    ng->layout = g->layout;
    ng->sequential_like = g->sequential_like;
    ng->list_inputs = g->list_inputs;
    if ((g->name && !(ng->name = cf_strdup(g->name))) || (g->file && !(ng->file = cf_strdup(g->file)))) goto oom;
    for (int i = 0; i < g->n_nodes; i++) {
        struct cf_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_in; k++) in[k] = reads[n->in[k]];
        int one_d = cf_op_has(n->op, CF_T_1D);
        struct cf_shape out = n->out, lifted = cf_shape_lift_1d(g, &n->out);
        if (one_d) {
            struct cf_shape x = cf_shape_lift_1d(g, &g->nodes[n->in[0]].out);
            if ((in[0] = add_view(ng, in[0], &x, n->name, "lift")) < 0) goto oom;
            n->op = cf_op_as_2d(n->op);
            n->out = lifted;
        }
        int j = move_node(ng, n, in);
        if (j < 0) goto oom;
        layer_node[i] = reads[i] = j;
        if (i < w->n_nodes) {
            count[j] = w->count[i], t[j] = w->t[i];
            w->count[i] = 0, w->t[i] = NULL;
            for (int k = 0; one_d && k < count[j]; k++) {
                struct cf_weight *wd = &t[j][k].desc;
                if (wd->rank == 3) { /* the kernel: (K, Cin/G, Cout) -> (1, K, Cin/G, Cout) */
                    memmove(wd->dims + 1, wd->dims, 3 * sizeof wd->dims[0]);
                    wd->dims[0] = 1;
                    wd->rank = 4;
                }
            }
        }
        if (one_d && !cf_shape_equal(&lifted, &out) && (reads[i] = add_view(ng, j, &out, n->name, "squeeze")) < 0)
            goto oom;
    }
    if (!(ng->inputs = cf_malloc(sizeof(int) * (size_t)(g->n_inputs + 1))) ||
        !(ng->outputs = cf_malloc(sizeof(int) * (size_t)(g->n_outputs + 1))))
        goto oom;
    for (int k = 0; k < g->n_inputs; k++) ng->inputs[k] = reads[g->inputs[k]];
    for (int k = 0; k < g->n_outputs; k++) ng->outputs[k] = reads[g->outputs[k]];
    ng->n_inputs = g->n_inputs;
    ng->n_outputs = g->n_outputs;
    cf_weights_free(w);
    w->n_nodes = ng->n_nodes, w->count = count, w->t = t;
    cf_free(reads);
    cf_free(in);
    cf_graph_free(g);
    *gp = ng;
    return CLINFER_OK;
oom: /* (what moved is freed here; the rest stays with g and w, which the caller frees) */
    cf_weights_free(&(struct cf_weights){ng ? ng->n_nodes : 0, count, t});
    cf_graph_free(ng);
    cf_free(reads);
    cf_free(in);
    return cf_fail_oom(d);
}
