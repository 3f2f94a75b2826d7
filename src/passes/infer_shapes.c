/* Shape inference: runs every node's shape rule (src/ops) in topological order. */
#include "passes.h"

#include <string.h>

#include "../ops/ops.h"
#include "../util/alloc.h"
#include "../util/checked.h"

clinfer_status cf_infer_node(struct cf_graph *g, int idx, struct cf_diag *d)
{
    struct cf_node *n = &g->nodes[idx];
    const struct cf_shape *small[4];
    const struct cf_shape **in = small;
    if (n->n_in > 4 && !(in = cf_malloc(sizeof *in * (size_t)n->n_in))) return cf_fail_oom(d);
    for (int i = 0; i < n->n_in; i++) in[i] = &g->nodes[n->in[i]].out;
    struct cf_op_args args = {g, n, in, n->n_in};
    struct cf_diag local = {0};
    clinfer_status st = cf_op_verbs(n->op)->infer(&args, &local);
    if (st == CLINFER_OK) {
        for (int i = 0; i < n->out.rank; i++)
            if (n->out.d[i] < CF_DIM_UNKNOWN) {
                st = cf_fail(&local, CLINFER_E_MODEL, "dimension %d of the output would be negative", i);
                break;
            }
        if (st == CLINFER_OK && n->out.rank > 1) {
            int64_t p = 1;
            for (int i = 1; i < n->out.rank; i++)
                if (n->out.d[i] >= 0 && (!cf_mul_ok(p, n->out.d[i], &p) || p > CF_MAX_TENSOR_ELEMS)) {
                    char buf[160];
                    cf_shape_format(&n->out, buf, sizeof buf);
                    st = cf_fail(&local, CLINFER_E_LIMIT,
                                 "the output %s has more than 2^36 elements per item (256 GiB of floats)", buf);
                    break;
                }
        }
        if (st == CLINFER_OK) {
            struct cf_weight w[CF_MAX_WEIGHTS];
            int nw = cf_op_verbs(n->op)->weights(&args, w);
            for (int k = 0; k < nw && st == CLINFER_OK; k++)
                if (cf_prod(w[k].dims, w[k].rank) < 0 || cf_prod(w[k].dims, w[k].rank) > CF_MAX_TENSOR_ELEMS)
                    st = cf_fail(&local, CLINFER_E_LIMIT, "its weight '%s' would have more than 2^36 elements",
                                 w[k].name);
        }
    }
    if (in != small) cf_free((void *)in);
    if (st != CLINFER_OK)
        return cf_fail_at(d, n->loc, st, "layer '%s' (%s): %s", n->name, n->type, local.msg);
    return CLINFER_OK;
}

clinfer_status cf_infer_shapes(struct cf_graph *g, int64_t batch, struct cf_diag *d)
{
    for (int i = 0; i < g->n_nodes; i++) {
        clinfer_status st = cf_infer_node(g, i, d);
        if (st) return st;
        struct cf_node *n = &g->nodes[i];
        if (cf_op_has(n->op, CF_T_INPUT) && batch > 0 && n->out.d[0] < 0) n->out.d[0] = batch;
    }
    return CLINFER_OK;
}
