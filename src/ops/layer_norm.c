/* LayerNormalization over the last axis: each position's C values normalised by their own mean and variance,
 *   y = (x - mean) / sqrt(var + eps) · gamma + beta        (var the mean of (x - mean)^2)
 *   params = 2·C (gamma when scale, beta when center), trainable. Other axes are refused. */
#include "ops.h"

clinfer_status layer_norm_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    const struct cf_shape *x = a->in[0];
    int ax = a->n->a.axis < 0 ? x->rank + a->n->a.axis : a->n->a.axis;
    if (ax != x->rank - 1)
        return cf_fail(d, CLINFER_E_UNSUPPORTED, "axis %d is not supported (only the last axis, -1)", a->n->a.axis);
    if (x->rank < 2 || x->d[ax] < 0) return cf_fail(d, CLINFER_E_MODEL, "the last axis must have a defined size");
    a->n->out = *x;
    return CLINFER_OK;
}

int layer_norm_weights(const struct cf_op_args *a, struct cf_weight *w)
{
    int64_t c = a->in[0]->d[a->in[0]->rank - 1];
    int n = 0;
    if (a->n->a.scale) w[n++] = (struct cf_weight){"gamma", 1, {c}, 1};
    if (a->n->a.center) w[n++] = (struct cf_weight){"beta", 1, {c}, 1};
    return n;
}

void layer_norm_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    long long c = (long long)a->in[0]->d[a->in[0]->rank - 1];
    int k = a->n->a.scale + a->n->a.center;
    cf_explain_line(sb, "y = (x - mean) / sqrt(var + %g) · gamma + beta over the last axis's %lld values", (double)a->n->a.epsilon, c);
    cf_explain_line(sb, "params = %d·C = %d·%lld = %lld (trainable)", k, k, c, k * c);
}
