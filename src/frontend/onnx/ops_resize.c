/* Resize (opsets 10-19) and Upsample (7-9) by integer factors of H and W, as the resize IR op runs them:
 *   nearest: asymmetric coordinates with floor (PyTorch's 'nearest'), or half_pixel / pytorch_half_pixel with either
 *            rounding (the same source pixels for integer factors);
 *   linear:  half_pixel / pytorch_half_pixel (PyTorch's align_corners=False), align_corners, asymmetric.
 * The scales come from a constant input (or Upsample-7's attribute), else from constant sizes; N and C keep theirs.
 * Anything else (cubic, fractional factors, a region of interest, antialiasing down) is an error that says so. */
#include <math.h>
#include <string.h>

#include "../../ops/ops.h"
#include "onnx_ops.h"

clinfer_status cf_onnx_op_resize(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                 struct oval *out)
{
    int upsample = strcmp(n->op_type, "Upsample") == 0;
    int x;
    clinfer_status st = cf_onnx_as_ir(X, in[0], &x);
    if (st) return st;
    const struct cf_shape *xs = cf_onnx_ir_shape(X, x);
    if (xs->rank != 4) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "only 4-D (N, C, H, W) inputs are supported");
    /* the scales: Upsample-7's attribute, Upsample-9 / Resize-10's input 1, Resize-11's input 2 (or sizes, 3) */
    double scale[CF_MAX_RANK];
    int ns = 0;
    int scales_at = upsample || X->opset < 11 ? 1 : 2;
    const Onnx__AttributeProto *sa = cf_onnx_attr(n, "scales");
    if (upsample && sa) {
        for (size_t k = 0; k < sa->n_floats && k < CF_MAX_RANK; k++) scale[ns++] = sa->floats[k];
    } else if (n_in > scales_at && in[scales_at] && !(in[scales_at]->c && in[scales_at]->c->n == 0)) {
        struct ctensor *c;
        if ((st = cf_onnx_need_const(X, in[scales_at], "scales", 1, &c))) return st;
        if (c->type != CT_FLOAT) return cf_onnx_fail(X, CLINFER_E_MODEL, "scales must be floats");
        for (int64_t k = 0; k < c->n && k < CF_MAX_RANK; k++) scale[ns++] = c->f[k];
    } else if (!upsample && n_in > 3 && in[3]) {
        int64_t sizes[CF_MAX_RANK];
        int nz;
        if ((st = cf_onnx_const_ints(X, in[3], "sizes", sizes, CF_MAX_RANK, &nz))) return st;
        for (int k = 0; k < nz && k < xs->rank; k++) scale[ns++] = xs->d[k] > 0 ? (double)sizes[k] / (double)xs->d[k] : 0;
    } else {
        return cf_onnx_fail(X, CLINFER_E_MODEL, "neither scales nor sizes is given");
    }
    if (cf_onnx_attr(n, "axes")) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "attribute 'axes' is not supported");
    if (ns != 4) return cf_onnx_fail(X, CLINFER_E_MODEL, "%d scales for a 4-D input", ns);
    if (scale[0] != 1 || scale[1] != 1)
        return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "scaling the batch or the channels (%g, %g) is not supported",
                            scale[0], scale[1]);
    struct cf_attrs a;
    cf_attrs_default(&a);
    for (int k = 0; k < 2; k++) {
        double s = scale[2 + k];
        if (!(s >= 1) || s != floor(s) || s > 4096)
            return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "scale %g of %s is not supported (integer factors only)", s,
                                k ? "W" : "H");
        a.resize[k] = (int)s;
    }
    char mode[32], coord[32], nearest[32];
    cf_onnx_attr_s(n, "mode", "nearest", mode, sizeof mode);
    cf_onnx_attr_s(n, "coordinate_transformation_mode", upsample || X->opset < 11 ? "asymmetric" : "half_pixel", coord,
                   sizeof coord);
    cf_onnx_attr_s(n, "nearest_mode", "round_prefer_floor", nearest, sizeof nearest);
    int half = strcmp(coord, "half_pixel") == 0 || strcmp(coord, "pytorch_half_pixel") == 0;
    if (strcmp(mode, "nearest") == 0) {
        int floor_like = (strcmp(coord, "asymmetric") == 0 && (upsample || X->opset < 11 || strcmp(nearest, "floor") == 0)) ||
                         (half && (strcmp(nearest, "round_prefer_floor") == 0 || strcmp(nearest, "round_prefer_ceil") == 0));
        if (!floor_like)
            return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED,
                                "nearest with coordinate_transformation_mode '%s' and nearest_mode '%s' is not supported",
                                coord, nearest);
        a.resize_linear = 0;
    } else if (strcmp(mode, "linear") == 0 || strcmp(mode, "bilinear") == 0) {
        if (half) a.resize_linear = CF_RESIZE_HALF_PIXEL;
        else if (strcmp(coord, "align_corners") == 0) a.resize_linear = CF_RESIZE_ALIGN_CORNERS;
        else if (strcmp(coord, "asymmetric") == 0) a.resize_linear = CF_RESIZE_ASYMMETRIC;
        else
            return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "linear with coordinate_transformation_mode '%s' is not supported",
                                coord);
    } else {
        return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "mode '%s' is not supported (nearest and linear are)", mode);
    }
    return cf_onnx_add_ir(X, CF_OP_RESIZE, &a, &x, 1, &out->ir);
}
