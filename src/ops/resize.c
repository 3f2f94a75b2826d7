/* UpSampling2D (Keras) and Resize / Upsample (ONNX, integer factors): H and W multiplied by integer factors:
 *   nearest:  y[i] = x[floor(i / s)]
 *   bilinear: y[i] = x at (i + 0.5) / s - 0.5, linear between the two nearest rows (cols), clamped at the edges
 *             (half-pixel centres, as tf.image.resize and jax.image.resize place them; ONNX also has align_corners,
 *             o·(n - 1)/(no - 1), and asymmetric, o/s: graph.h's CF_RESIZE_*)
 *   params = 0 */
#include "ops.h"

clinfer_status resize_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    int64_t c;
    clinfer_status st = cf_require_4d(a, a->in[0], &c, d);
    if (st) return st;
    const struct cf_attrs *at = &a->n->a;
    int ax[2] = {cf_axis_h(a->g), cf_axis_w(a->g)};
    a->n->out = *a->in[0];
    for (int i = 0; i < 2; i++) {
        int64_t x = a->in[0]->d[ax[i]];
        if (at->resize[i] < 1) return cf_fail(d, CLINFER_E_MODEL, "size (%d, %d) must be positive", at->resize[0], at->resize[1]);
        if (x >= 0 && x > ((int64_t)1 << 31) / at->resize[i])
            return cf_fail(d, CLINFER_E_LIMIT, "the output would have more than 2^31 %s", i ? "cols" : "rows");
        a->n->out.d[ax[i]] = x < 0 ? x : x * at->resize[i];
    }
    return CLINFER_OK;
}

void resize_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    const struct cf_attrs *at = &a->n->a;
    int ax[2] = {cf_axis_h(a->g), cf_axis_w(a->g)};
    static const char *const label[2] = {"rows", "cols"};
    for (int i = 0; i < 2; i++) {
        long long x = (long long)a->in[0]->d[ax[i]];
        if (x < 0) cf_explain_line(sb, "%s: O = None (the input dimension is None)", label[i]);
        else cf_explain_line(sb, "%s: O = W·s = %lld·%d = %lld", label[i], x, at->resize[i], x * at->resize[i]);
    }
    static const char *const how[] = {"nearest: each value repeated", "bilinear, half-pixel centres",
                                      "bilinear, corners aligned", "bilinear, asymmetric (o / s)"};
    cf_explain_line(sb, "%s; params = 0", how[at->resize_linear & 3]);
}
