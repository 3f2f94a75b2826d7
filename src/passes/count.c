/* Counting: parameters (trainable / non-trainable) from each layer's weight tensors, and MACs. */
#include "passes.h"

#include "../ops/ops.h"
#include "../util/checked.h"

void cf_count(struct cf_graph *g)
{
    for (int i = 0; i < g->n_nodes; i++) {
        struct cf_node *n = &g->nodes[i];
        const struct cf_shape *small[4];
        const struct cf_shape **in = small;
        int n_in = n->n_in < 4 ? n->n_in : 4; /* no op with weights or MACs has more than one input */
        for (int k = 0; k < n_in; k++) in[k] = &g->nodes[n->in[k]].out;
        struct cf_op_args args = {g, n, in, n->n_in < 4 ? n->n_in : 4};
        const struct cf_op_verbs *v = cf_op_verbs(n->op);
        struct cf_weight w[CF_MAX_WEIGHTS];
        int nw = v->weights(&args, w);
        n->params_trainable = n->params_non_trainable = 0;
        for (int k = 0; k < nw; k++) {
            int64_t e = cf_prod(w[k].dims, w[k].rank);
            if (e < 0) e = 0;
            if (w[k].trainable && n->trainable) n->params_trainable += e;
            else n->params_non_trainable += e;
        }
        if (n->shares >= 0) /* a later call of a shared layer: its weights are the first call's */
            n->params_trainable = n->params_non_trainable = 0;
        if (n->file_params >= 0) { /* ONNX: the initializers it reads, each counted once */
            n->params_trainable = n->file_params;
            n->params_non_trainable = 0;
        }
        n->macs = v->macs(&args);
    }
}

void cf_totals(const struct cf_graph *g, struct cf_totals *t)
{
    t->trainable = t->non_trainable = t->macs = t->output_bytes = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const struct cf_node *n = &g->nodes[i];
        t->trainable += n->params_trainable;
        t->non_trainable += n->params_non_trainable;
        if (t->macs >= 0) t->macs = n->macs < 0 ? -1 : t->macs + n->macs;
        int64_t e = cf_shape_elems_per_item(&n->out);
        if (t->output_bytes >= 0) t->output_bytes = e < 0 ? -1 : t->output_bytes + e * 4;
    }
}
