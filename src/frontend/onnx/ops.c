/* The ONNX op table: each supported operator, the attributes it takes, the inputs it needs, and its handler (the op
 * groups: ops_conv.c, ops_gemm.c, ops_eltwise.c, ops_shape.c); a node whose inputs are all constants is folded first
 * (fold.c). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../passes/passes.h"
#include "../../util/alloc.h"
#include "../../util/strbuf.h"
#include "onnx_ops.h"

static const struct onnx_op {
    const char *name;
    onnx_fn fn;
    const char *attrs; /* the attributes it takes, space-separated */
    int min_in;
} ops[] = {
    {"Conv", cf_onnx_op_conv_any, "auto_pad dilations group kernel_shape pads strides", 2},
    {"ConvTranspose", cf_onnx_op_conv_any, "auto_pad dilations group kernel_shape output_padding output_shape pads strides", 2},
    {"MaxPool", cf_onnx_op_conv_any, "auto_pad ceil_mode dilations kernel_shape pads storage_order strides", 1},
    {"AveragePool", cf_onnx_op_conv_any, "auto_pad ceil_mode count_include_pad dilations kernel_shape pads strides", 1},
    {"GlobalAveragePool", cf_onnx_op_global_pool, "", 1},
    {"GlobalMaxPool", cf_onnx_op_global_pool, "", 1},
    {"Gemm", cf_onnx_op_gemm, "alpha beta transA transB broadcast", 2},
    {"MatMul", cf_onnx_op_matmul, "", 2},
    {"Add", cf_onnx_op_binary, "broadcast axis", 2},
    {"Sub", cf_onnx_op_binary, "broadcast axis", 2},
    {"Mul", cf_onnx_op_binary, "broadcast axis", 2},
    {"Div", cf_onnx_op_binary, "broadcast axis", 2},
    {"Sum", cf_onnx_op_binary, "", 1},
    {"PRelu", cf_onnx_op_binary, "", 2},
    {"Relu", cf_onnx_op_activation, "", 1},
    {"LeakyRelu", cf_onnx_op_activation, "alpha", 1},
    {"Elu", cf_onnx_op_activation, "alpha", 1},
    {"Selu", cf_onnx_op_activation, "alpha gamma", 1},
    {"Sigmoid", cf_onnx_op_activation, "", 1},
    {"HardSigmoid", cf_onnx_op_activation, "alpha beta", 1},
    {"Gelu", cf_onnx_op_activation, "approximate", 1},
    {"Tanh", cf_onnx_op_activation, "", 1},
    {"Clip", cf_onnx_op_activation, "min max", 1},
    {"Softmax", cf_onnx_op_activation, "axis", 1},
    {"LogSoftmax", cf_onnx_op_activation, "axis", 1},
    {"Softplus", cf_onnx_op_activation, "", 1},
    {"Softsign", cf_onnx_op_activation, "", 1},
    {"Flatten", cf_onnx_op_flatten, "axis", 1},
    {"Reshape", cf_onnx_op_reshape, "allowzero shape", 1},
    {"Transpose", cf_onnx_op_transpose, "perm", 1},
    {"Concat", cf_onnx_op_concat, "axis", 1},
    {"Pad", cf_onnx_op_pad, "mode pads value", 1},
    {"BatchNormalization", cf_onnx_op_batch_norm, "epsilon momentum spatial training_mode is_test", 5},
    {"LRN", cf_onnx_op_lrn, "alpha beta bias size", 1},
    {"Dropout", cf_onnx_op_identity, "ratio seed is_test", 1},
    {"Identity", cf_onnx_op_identity, "", 1},
    {"Constant", cf_onnx_op_constant, "value value_float value_floats value_int value_ints", 0},
    {"ConstantOfShape", cf_onnx_op_constant_of_shape, "value", 1},
    {"Shape", cf_onnx_op_shape, "start end", 1},
    {"Gather", cf_onnx_op_fold_only, "axis", 2},
    {"Equal", cf_onnx_op_fold_only, "", 2},
    {"Where", cf_onnx_op_fold_only, "", 3},
    {"Expand", cf_onnx_op_fold_only, "", 2},
    {"Squeeze", cf_onnx_op_squeeze, "axes", 1},
    {"Unsqueeze", cf_onnx_op_squeeze, "axes", 1},
    {"ReduceMean", cf_onnx_op_reduce_mean, "axes keepdims noop_with_empty_axes", 1},
    {"DepthToSpace", cf_onnx_op_depth_to_space, "blocksize mode", 1},
    {"Slice", cf_onnx_op_slice, "starts ends axes", 1},
    {"Split", cf_onnx_op_split, "axis split num_outputs", 1},
    {"Cast", cf_onnx_op_cast, "to saturate", 1},
    {"Resize", cf_onnx_op_resize, "antialias axes coordinate_transformation_mode cubic_coeff_a exclude_outside "
               "extrapolation_value keep_aspect_ratio_policy mode nearest_mode", 1},
    {"Upsample", cf_onnx_op_resize, "mode scales", 1},
};


clinfer_status cf_onnx_node(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    const struct onnx_op *op = NULL;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0] && !op; i++)
        if (strcmp(ops[i].name, n->op_type) == 0) op = &ops[i];
    /* an activation of activations.def without attributes needs no row of its own (HardSwish) */
    enum cf_act act;
    static const struct onnx_op plain_activation = {"", cf_onnx_op_activation, "", 1};
    if (!op && cf_act_lookup_onnx(n->op_type, &act)) op = &plain_activation;
    if (!op) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "operator %s is not supported", n->op_type);
    for (size_t i = 0; i < n->n_attribute; i++) {
        const char *an = n->attribute[i]->name ? n->attribute[i]->name : "";
        int legacy = strcmp(an, "broadcast") == 0 || (strcmp(an, "axis") == 0 && strcmp(op->attrs, "broadcast axis") == 0);
        if (!cf_word_listed(op->attrs, an) || (legacy && X->opset >= 7))
            return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "attribute '%s' is not supported", an);
        clinfer_status st = cf_onnx_check_attr_type(X, n, n->attribute[i]);
        if (st) return st;
    }
    if (n_in < op->min_in)
        return cf_onnx_fail(X, CLINFER_E_MODEL, "%s needs at least %d input(s), got %d", n->op_type, op->min_in, n_in);
    for (int i = 0; i < op->min_in; i++)
        if (!in[i]) return cf_onnx_fail(X, CLINFER_E_MODEL, "its input %d is required but left empty", i + 1);
    /* every input a constant: cf_onnx_fold when clinfer can */
    int all_const = n_in > 0 || strcmp(n->op_type, "Constant") == 0;
    for (int i = 0; i < n_in; i++)
        if (in[i] && !in[i]->c) all_const = 0;
    if (all_const && n_in > 0) {
        int done;
        clinfer_status st = cf_onnx_fold(X, n, in, n_in, out, &done);
        if (st || done) return st;
    }
    return op->fn(X, n, in, n_in, out);
}
