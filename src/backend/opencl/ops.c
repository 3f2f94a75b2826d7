/* The OpenCL backend's op table: the launch of each op's generic kernels (ops/), as ref.c has its own. A layer that a
 * tuned family takes (tuned.c) runs that family's kernel instead. NULL rows are the ops no kernel ever runs: views and
 * inputs (ops.def's VIEW and INPUT: the session skips them); tests/test_ops.c holds every other op to a row. */
#include "launch.h"

static const cf_cl_run_fn table[CF_OP_COUNT] = {
    [CF_OP_CONV2D] = cf_cl_conv2d,
    [CF_OP_DEPTHWISE_CONV2D] = cf_cl_depthwise,
    [CF_OP_SEPARABLE_CONV2D] = cf_cl_depthwise,
    [CF_OP_CONV2D_TRANSPOSE] = cf_cl_conv2d_transpose,
    [CF_OP_MAX_POOL2D] = cf_cl_pool2d,
    [CF_OP_AVG_POOL2D] = cf_cl_pool2d,
    [CF_OP_GLOBAL_AVG_POOL2D] = cf_cl_global_pool2d,
    [CF_OP_GLOBAL_MAX_POOL2D] = cf_cl_global_pool2d,
    [CF_OP_DENSE] = cf_cl_dense,
    [CF_OP_BATCH_NORM] = cf_cl_batch_norm,
    [CF_OP_ACTIVATION] = cf_cl_activation,
    [CF_OP_ZERO_PAD2D] = cf_cl_zero_pad2d,
    [CF_OP_ADD] = cf_cl_merge,
    [CF_OP_MULTIPLY] = cf_cl_merge,
    [CF_OP_CONCAT] = cf_cl_concat,
    [CF_OP_SUB] = cf_cl_merge,
    [CF_OP_DIV] = cf_cl_merge,
    [CF_OP_PRELU] = cf_cl_merge,
    [CF_OP_MAXIMUM] = cf_cl_merge,
    [CF_OP_MINIMUM] = cf_cl_merge,
    [CF_OP_CONSTANT] = cf_cl_constant,
    [CF_OP_MATMUL] = cf_cl_matmul,
    [CF_OP_TRANSPOSE] = cf_cl_transpose,
    [CF_OP_SLICE] = cf_cl_slice,
    [CF_OP_PAD] = cf_cl_pad,
    [CF_OP_LRN] = cf_cl_lrn,
    [CF_OP_REDUCE_MEAN] = cf_cl_reduce_mean,
    [CF_OP_DEPTH_TO_SPACE] = cf_cl_depth_to_space,
    [CF_OP_RESIZE] = cf_cl_resize,
    [CF_OP_LAYER_NORM] = cf_cl_layer_norm,
};

cf_cl_run_fn cf_cl_op(enum cf_op op) { return (unsigned)op < CF_OP_COUNT ? table[op] : NULL; }
