/* UpSampling2D (Keras) and Resize / Upsample (ONNX, integer factors): H and W multiplied by integer factors:
 *   nearest:  y[i] = x[floor(i / s)]
 * Resizing and RandomCrop (Keras): H and W set, the scale s = W / O any (tf.image.resize and jax.image.resize without
 * antialiasing, half-pixel centres): nearest y[i] = x[min(floor((i + 0.5)·W / O), W - 1)], bilinear at
 * (i + 0.5)·W / O - 0.5; with crop_to_aspect_ratio (and RandomCrop at inference, tf.keras' smart_resize) first the
 * largest centred crop of the output's aspect ratio: Hc = min(H, int(W·Oh / Ow)), Wc = min(W, int(H·Ow / Oh)), from
 * int((H - Hc) / 2), int((W - Wc) / 2)
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
    struct cf_attrs *at = &a->n->a;
    int ax[2] = {cf_axis_h(a->g), cf_axis_w(a->g)};
    a->n->out = *a->in[0];
    if (at->resize_to[0] > 0) { /* a size: the region of the input it comes from */
        int64_t h = a->in[0]->d[ax[0]], w = a->in[0]->d[ax[1]], oh = at->resize_to[0], ow = at->resize_to[1];
        int64_t ch = h, cw = w;
        if (at->crop_aspect && h > 0 && w > 0) {
            ch = (int64_t)((double)(w * oh) / (double)ow);
            cw = (int64_t)((double)(h * ow) / (double)oh);
            ch = ch < h ? (ch > 1 ? ch : 1) : h;
            cw = cw < w ? (cw > 1 ? cw : 1) : w;
        }
        at->resize_box[0] = h > 0 ? (int64_t)((double)(h - ch) / 2) : 0;
        at->resize_box[1] = w > 0 ? (int64_t)((double)(w - cw) / 2) : 0;
        at->resize_box[2] = ch;
        at->resize_box[3] = cw;
        if (h == 0 || w == 0) return cf_fail(d, CLINFER_E_MODEL, "the input has no rows or no cols to resize");
        a->n->out.d[ax[0]] = oh;
        a->n->out.d[ax[1]] = ow;
        return CLINFER_OK;
    }
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
    if (at->resize_to[0] > 0) {
        if (at->crop_aspect)
            cf_explain_line(sb, "crop to the output's aspect ratio: rows %lld..%lld, cols %lld..%lld of the input",
                            (long long)at->resize_box[0], (long long)(at->resize_box[0] + at->resize_box[2] - 1),
                            (long long)at->resize_box[1], (long long)(at->resize_box[1] + at->resize_box[3] - 1));
        cf_explain_line(sb, "rows: O = %lld, cols: O = %lld (the sizes given); %s, half-pixel centres; params = 0",
                        (long long)at->resize_to[0], (long long)at->resize_to[1],
                        at->resize_linear ? "bilinear" : "nearest");
        return;
    }
    for (int i = 0; i < 2; i++) {
        long long x = (long long)a->in[0]->d[ax[i]];
        if (x < 0) cf_explain_line(sb, "%s: O = None (the input dimension is None)", label[i]);
        else cf_explain_line(sb, "%s: O = W·s = %lld·%d = %lld", label[i], x, at->resize[i], x * at->resize[i]);
    }
    static const char *const how[] = {"nearest: each value repeated", "bilinear, half-pixel centres",
                                      "bilinear, corners aligned", "bilinear, asymmetric (o / s)"};
    cf_explain_line(sb, "%s; params = 0", how[at->resize_linear & 3]);
}
