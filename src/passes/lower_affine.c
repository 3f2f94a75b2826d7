/* Lowering of the per-channel affine maps for a session: Rescaling (y = x·s + o) and Normalization
 * (y = (x - mean) / max(sqrt(var), 1e-7)) become the BatchNormalization y = gamma·(x - mean)/sqrt(var + eps) + beta
 * with eps 0 and
 *   Rescaling:      gamma = s, beta = o, mean = 0, var = 1
 *   Normalization:  gamma = 1, beta = 0, mean = mean, var = max(var, 1e-14)
 * in place (same node, same index), so that the backends see only the BatchNormalization they run, and the fusion
 * passes may fold it as they fold any. */
#include <string.h>

#include "../ir/weights.h"
#include "../util/alloc.h"
#include "passes.h"

clinfer_status cf_lower_affine(struct cf_graph *g, struct cf_weights *w, struct cf_diag *d)
{
    for (int i = 0; i < g->n_nodes; i++) {
        struct cf_node *n = &g->nodes[i];
        if (!cf_op_has(n->op, CF_T_AS_BN)) continue;
        int axis = n->a.axis < 0 ? n->out.rank + n->a.axis : n->a.axis;
        if (n->op == CF_OP_AFFINE) axis = n->out.rank - 1;
        int64_t c = n->out.d[axis];
        struct cf_tensor *t = cf_calloc(4, sizeof *t);
        if (!t) return cf_fail_oom(d);
        static const char *const names[4] = {"gamma", "beta", "moving_mean", "moving_variance"};
        for (int k = 0; k < 4; k++) {
            t[k].desc = (struct cf_weight){names[k], 1, {c}, k < 2};
            if (!(t[k].data = cf_malloc(sizeof(float) * (size_t)c))) {
                for (int j = 0; j < k; j++) cf_free(t[j].data);
                cf_free(t);
                return cf_fail_oom(d);
            }
        }
        const struct cf_tensor *mean = NULL, *var = NULL;
        for (int k = 0; k < w->count[i]; k++) {
            if (strcmp(w->t[i][k].desc.name, "mean") == 0) mean = &w->t[i][k];
            if (strcmp(w->t[i][k].desc.name, "variance") == 0) var = &w->t[i][k];
        }
        for (int64_t j = 0; j < c; j++) {
            if (n->op == CF_OP_AFFINE) {
                t[0].data[j] = n->a.affine_scale;
                t[1].data[j] = n->a.affine_offset;
                t[2].data[j] = 0.0f;
                t[3].data[j] = 1.0f;
            } else {
                float v = var ? var->data[j] : 1.0f;
                t[0].data[j] = 1.0f;
                t[1].data[j] = 0.0f;
                t[2].data[j] = mean ? mean->data[j] : 0.0f;
                t[3].data[j] = v > 1e-14f ? v : 1e-14f; /* (NaN stays NaN) */
            }
        }
        for (int k = 0; k < w->count[i]; k++) cf_free(w->t[i][k].data);
        cf_free(w->t[i]);
        w->t[i] = t;
        w->count[i] = 4;
        n->op = CF_OP_BATCH_NORM;
        n->a.axis = axis;
        n->a.epsilon = 0.0f;
        n->a.scale = n->a.center = 1;
    }
    return CLINFER_OK;
}
