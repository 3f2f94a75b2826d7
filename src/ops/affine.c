/* Per-channel affine maps that run as a BatchNormalization (passes/lower_affine.c computes its weights):
 *   Rescaling (Keras; and Keras' x * c, x + c on a tensor): y = x·scale + offset, scale and offset scalars; params 0.
 *   Normalization (Keras, its statistics stored): y = (x - mean) / max(sqrt(variance), 1e-7) along one axis;
 *     params = 2·C + 1: mean and variance of each channel and the count of samples they came from, none trainable. */
#include "ops.h"

clinfer_status affine_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    (void)d;
    a->n->out = *a->in[0];
    return CLINFER_OK;
}

void affine_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    cf_explain_line(sb, "y = x·%.9g + %.9g, element by element; params = 0", (double)a->n->a.affine_scale,
                    (double)a->n->a.affine_offset);
}

static int norm_axis(const struct cf_op_args *a)
{
    return a->n->a.axis < 0 ? a->in[0]->rank + a->n->a.axis : a->n->a.axis;
}

clinfer_status normalization_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    const struct cf_shape *x = a->in[0];
    int ax = norm_axis(a);
    if (ax < 1 || ax >= x->rank || x->d[ax] < 0) {
        char buf[128];
        cf_shape_format(x, buf, sizeof buf);
        return cf_fail(d, CLINFER_E_MODEL, "axis %d is not a defined axis of an input of shape %s", a->n->a.axis, buf);
    }
    a->n->out = *x;
    return CLINFER_OK;
}

int normalization_weights(const struct cf_op_args *a, struct cf_weight *w)
{
    int64_t c = a->in[0]->d[norm_axis(a)];
    w[0] = (struct cf_weight){"mean", 1, {c}, 0};
    w[1] = (struct cf_weight){"variance", 1, {c}, 0};
    w[2] = (struct cf_weight){"count", 0, {0}, 0};
    return 3;
}

void normalization_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    long long c = (long long)a->in[0]->d[norm_axis(a)];
    cf_explain_line(sb, "y = (x - mean) / max(sqrt(variance), 1e-7) along axis %d", a->n->a.axis);
    cf_explain_line(sb, "params = 2·C + 1 = 2·%lld + 1 = %lld: mean, variance and count (non-trainable)", c, 2 * c + 1);
}
