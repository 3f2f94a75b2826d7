/* BatchNormalization (inference): y = gamma·(x - mean)/sqrt(var + eps) + beta along one axis.
 *   params = 4·C: gamma and beta trainable (when scale / center), moving mean and variance not. */
#include "ops.h"

static int bn_axis(const struct cf_op_args *a) { return a->n->a.axis < 0 ? a->in[0]->rank + a->n->a.axis : a->n->a.axis; }

clinfer_status batch_norm_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    const struct cf_shape *x = a->in[0];
    int ax = bn_axis(a);
    char buf[128];
    cf_shape_format(x, buf, sizeof buf);
    if (ax < 1 || ax >= x->rank)
        return cf_fail(d, CLINFER_E_MODEL, "axis %d is out of range for an input of shape %s", a->n->a.axis, buf);
    if (x->d[ax] < 0)
        return cf_fail(d, CLINFER_E_MODEL, "axis %d of the input should have a defined dimension, got %s",
                       a->n->a.axis, buf);
    a->n->out = *x;
    return CLINFER_OK;
}

int batch_norm_weights(const struct cf_op_args *a, struct cf_weight *w)
{
    int64_t c = a->in[0]->d[bn_axis(a)];
    int n = 0;
    if (a->n->a.scale) w[n++] = (struct cf_weight){"gamma", 1, {c}, 1};
    if (a->n->a.center) w[n++] = (struct cf_weight){"beta", 1, {c}, 1};
    w[n++] = (struct cf_weight){"moving_mean", 1, {c}, 0};
    w[n++] = (struct cf_weight){"moving_variance", 1, {c}, 0};
    return n;
}

void batch_norm_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    long long c = (long long)a->in[0]->d[bn_axis(a)];
    int k = a->n->a.scale + a->n->a.center;
    cf_explain_line(sb, "params = %d·C = %d·%lld = %lld: %s%s%s (trainable) + moving mean, variance (non-trainable)",
                    k + 2, k + 2, c, (k + 2) * c, a->n->a.scale ? "gamma" : "", k == 2 ? ", " : "",
                    a->n->a.center ? "beta" : "");
}
