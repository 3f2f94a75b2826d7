/* The Keras layer table (class -> op, signature) and the conversion of argument values to attributes. */
#include "layers.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define END {NULL, AK_ANY, T_IGNORE, 0}
#define REQ 1

/* The tail every conv-like signature shares after its own arguments. */
#define INIT_ARGS(prefix)                                                                              \
    {prefix "_initializer", AK_ANY, T_IGNORE, 0}, {"bias_initializer", AK_ANY, T_IGNORE, 0},           \
    {prefix "_regularizer", AK_ANY, T_IGNORE, 0}, {"bias_regularizer", AK_ANY, T_IGNORE, 0},           \
    {"activity_regularizer", AK_ANY, T_IGNORE, 0}, {prefix "_constraint", AK_ANY, T_IGNORE, 0},        \
    {"bias_constraint", AK_ANY, T_IGNORE, 0}

static const struct arg_spec conv2d_args[] = {
    {"filters", AK_INT_POS, T_FILTERS, REQ}, {"kernel_size", AK_INT2, T_KERNEL, REQ},
    {"strides", AK_INT2, T_STRIDES, 0}, {"padding", AK_PADDING, T_PADDING, 0},
    {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, {"dilation_rate", AK_INT2, T_DILATION, 0},
    {"groups", AK_INT_POS, T_GROUPS, 0}, {"activation", AK_ACT, T_ACT, 0}, {"use_bias", AK_BOOL, T_USE_BIAS, 0},
    INIT_ARGS("kernel"), END};

static const struct arg_spec conv1d_args[] = {
    {"filters", AK_INT_POS, T_FILTERS, REQ}, {"kernel_size", AK_INT1, T_KERNEL, REQ},
    {"strides", AK_INT1, T_STRIDES, 0}, {"padding", AK_PADDING_CAUSAL, T_PADDING, 0},
    {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, {"dilation_rate", AK_INT1, T_DILATION, 0},
    {"groups", AK_INT_POS, T_GROUPS, 0}, {"activation", AK_ACT, T_ACT, 0}, {"use_bias", AK_BOOL, T_USE_BIAS, 0},
    INIT_ARGS("kernel"), END};

static const struct arg_spec depthwise_args[] = {
    {"kernel_size", AK_INT2, T_KERNEL, REQ}, {"strides", AK_INT2, T_STRIDES, 0},
    {"padding", AK_PADDING, T_PADDING, 0}, {"depth_multiplier", AK_INT_POS, T_DM, 0},
    {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, {"dilation_rate", AK_INT2, T_DILATION, 0},
    {"activation", AK_ACT, T_ACT, 0}, {"use_bias", AK_BOOL, T_USE_BIAS, 0}, INIT_ARGS("depthwise"), END};

static const struct arg_spec separable_args[] = {
    {"filters", AK_INT_POS, T_FILTERS, REQ}, {"kernel_size", AK_INT2, T_KERNEL, REQ},
    {"strides", AK_INT2, T_STRIDES, 0}, {"padding", AK_PADDING, T_PADDING, 0},
    {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, {"dilation_rate", AK_INT2, T_DILATION, 0},
    {"depth_multiplier", AK_INT_POS, T_DM, 0}, {"activation", AK_ACT, T_ACT, 0},
    {"use_bias", AK_BOOL, T_USE_BIAS, 0}, {"depthwise_initializer", AK_ANY, T_IGNORE, 0},
    {"pointwise_initializer", AK_ANY, T_IGNORE, 0}, {"bias_initializer", AK_ANY, T_IGNORE, 0},
    {"depthwise_regularizer", AK_ANY, T_IGNORE, 0}, {"pointwise_regularizer", AK_ANY, T_IGNORE, 0},
    {"bias_regularizer", AK_ANY, T_IGNORE, 0}, {"activity_regularizer", AK_ANY, T_IGNORE, 0},
    {"depthwise_constraint", AK_ANY, T_IGNORE, 0}, {"pointwise_constraint", AK_ANY, T_IGNORE, 0},
    {"bias_constraint", AK_ANY, T_IGNORE, 0}, END};

static const struct arg_spec conv2d_transpose_args[] = {
    {"filters", AK_INT_POS, T_FILTERS, REQ}, {"kernel_size", AK_INT2, T_KERNEL, REQ},
    {"strides", AK_INT2, T_STRIDES, 0}, {"padding", AK_PADDING, T_PADDING, 0},
    {"output_padding", AK_OUTPAD, T_OUTPAD, 0}, {"data_format", AK_DATA_FORMAT, T_IGNORE, 0},
    {"dilation_rate", AK_INT2, T_DILATION, 0}, {"activation", AK_ACT, T_ACT, 0},
    {"use_bias", AK_BOOL, T_USE_BIAS, 0}, INIT_ARGS("kernel"), END};

static const struct arg_spec pool2d_args[] = {
    {"pool_size", AK_INT2, T_KERNEL, 0}, {"strides", AK_INT2_OR_NONE, T_STRIDES, 0},
    {"padding", AK_PADDING, T_PADDING, 0}, {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, END};

static const struct arg_spec pool1d_args[] = {
    {"pool_size", AK_INT1, T_KERNEL, 0}, {"strides", AK_INT1_OR_NONE, T_STRIDES, 0},
    {"padding", AK_PADDING, T_PADDING, 0}, {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, END};

static const struct arg_spec global_pool2d_args[] = {
    {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, {"keepdims", AK_BOOL, T_KEEPDIMS, 0}, END};

static const struct arg_spec flatten_args[] = {{"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, END};

static const struct arg_spec dense_args[] = {
    {"units", AK_INT_POS, T_FILTERS, REQ}, {"activation", AK_ACT, T_ACT, 0}, {"use_bias", AK_BOOL, T_USE_BIAS, 0},
    INIT_ARGS("kernel"), END};

static const struct arg_spec dropout_args[] = {
    {"rate", AK_FLOAT, T_RATE, REQ}, {"noise_shape", AK_ANY, T_IGNORE, 0}, {"seed", AK_ANY, T_IGNORE, 0}, END};

static const struct arg_spec batch_norm_args[] = {
    {"axis", AK_AXIS, T_AXIS, 0}, {"momentum", AK_FLOAT, T_IGNORE, 0}, {"epsilon", AK_FLOAT, T_EPS, 0},
    {"center", AK_BOOL, T_CENTER, 0}, {"scale", AK_BOOL, T_SCALE, 0}, {"beta_initializer", AK_ANY, T_IGNORE, 0},
    {"gamma_initializer", AK_ANY, T_IGNORE, 0}, {"moving_mean_initializer", AK_ANY, T_IGNORE, 0},
    {"moving_variance_initializer", AK_ANY, T_IGNORE, 0}, {"beta_regularizer", AK_ANY, T_IGNORE, 0},
    {"gamma_regularizer", AK_ANY, T_IGNORE, 0}, {"beta_constraint", AK_ANY, T_IGNORE, 0},
    {"gamma_constraint", AK_ANY, T_IGNORE, 0}, END};

static const struct arg_spec noise_args[] = { /* the noise layers: identities at inference */
    {"rate", AK_FLOAT, T_RATE, REQ}, {"noise_shape", AK_ANY, T_IGNORE, 0}, {"seed", AK_ANY, T_IGNORE, 0}, END};
static const struct arg_spec spatial_dropout_args[] = {
    {"rate", AK_FLOAT, T_RATE, REQ}, {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, {"noise_shape", AK_ANY, T_IGNORE, 0},
    {"seed", AK_ANY, T_IGNORE, 0}, END};
static const struct arg_spec gaussian_noise_args[] = {
    {"stddev", AK_FLOAT, T_IGNORE, REQ}, {"seed", AK_ANY, T_IGNORE, 0}, END};
/* the augmentation layers: random in training, the identity at inference (what clinfer runs) */
static const struct arg_spec random_flip_args[] = {
    {"mode", AK_ANY, T_IGNORE, 0}, {"seed", AK_ANY, T_IGNORE, 0}, {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, END};
static const struct arg_spec random_rotation_args[] = {
    {"factor", AK_ANY, T_IGNORE, REQ}, {"fill_mode", AK_ANY, T_IGNORE, 0}, {"interpolation", AK_ANY, T_IGNORE, 0},
    {"seed", AK_ANY, T_IGNORE, 0}, {"fill_value", AK_ANY, T_IGNORE, 0}, {"value_range", AK_ANY, T_IGNORE, 0},
    {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, END};
static const struct arg_spec random_zoom_args[] = {
    {"height_factor", AK_ANY, T_IGNORE, REQ}, {"width_factor", AK_ANY, T_IGNORE, 0}, {"fill_mode", AK_ANY, T_IGNORE, 0},
    {"interpolation", AK_ANY, T_IGNORE, 0}, {"seed", AK_ANY, T_IGNORE, 0}, {"fill_value", AK_ANY, T_IGNORE, 0},
    {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, END};
static const struct arg_spec random_translation_args[] = {
    {"height_factor", AK_ANY, T_IGNORE, REQ}, {"width_factor", AK_ANY, T_IGNORE, REQ}, {"fill_mode", AK_ANY, T_IGNORE, 0},
    {"interpolation", AK_ANY, T_IGNORE, 0}, {"seed", AK_ANY, T_IGNORE, 0}, {"fill_value", AK_ANY, T_IGNORE, 0},
    {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, END};
static const struct arg_spec random_contrast_args[] = {
    {"factor", AK_ANY, T_IGNORE, REQ}, {"seed", AK_ANY, T_IGNORE, 0}, {"value_range", AK_ANY, T_IGNORE, 0},
    {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, END};
static const struct arg_spec random_brightness_args[] = {
    {"factor", AK_ANY, T_IGNORE, REQ}, {"value_range", AK_ANY, T_IGNORE, 0}, {"seed", AK_ANY, T_IGNORE, 0},
    {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, END};
static const struct arg_spec center_crop_args[] = {
    {"height", AK_INT_POS, T_CROP_H, REQ}, {"width", AK_INT_POS, T_CROP_W, REQ},
    {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, END};
static const struct arg_spec resizing_args[] = {
    {"height", AK_INT_POS, T_RESIZE_H, REQ}, {"width", AK_INT_POS, T_RESIZE_W, REQ},
    {"interpolation", AK_INTERP, T_IGNORE, 0}, {"crop_to_aspect_ratio", AK_BOOL, T_CROP_ASPECT, 0},
    {"pad_to_aspect_ratio", AK_UNSET, T_IGNORE, 0}, {"fill_mode", AK_ANY, T_IGNORE, 0},
    {"fill_value", AK_ANY, T_IGNORE, 0}, {"antialias", AK_UNSET, T_IGNORE, 0},
    {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, END};
static const struct arg_spec random_crop_args[] = {
    {"height", AK_INT_POS, T_RESIZE_H, REQ}, {"width", AK_INT_POS, T_RESIZE_W, REQ}, {"seed", AK_ANY, T_IGNORE, 0},
    {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, END};
static const struct arg_spec rescaling_args[] = {
    {"scale", AK_FLOAT, T_AFFINE_SCALE, REQ}, {"offset", AK_FLOAT, T_AFFINE_OFFSET, 0}, END};
static const struct arg_spec normalization_args[] = {
    {"axis", AK_AXIS, T_AXIS, 0}, {"mean", AK_UNSET, T_IGNORE, 0}, {"variance", AK_UNSET, T_IGNORE, 0},
    {"invert", AK_UNSET, T_IGNORE, 0}, END};
static const struct arg_spec permute_args[] = {{"dims", AK_PERM, T_PERM, REQ}, END};
static const struct arg_spec layer_norm_args[] = {
    {"axis", AK_AXIS, T_AXIS, 0}, {"epsilon", AK_FLOAT, T_EPS, 0}, {"center", AK_BOOL, T_CENTER, 0},
    {"scale", AK_BOOL, T_SCALE, 0}, {"rms_scaling", AK_UNSET, T_IGNORE, 0}, {"beta_initializer", AK_ANY, T_IGNORE, 0},
    {"gamma_initializer", AK_ANY, T_IGNORE, 0}, {"beta_regularizer", AK_ANY, T_IGNORE, 0},
    {"gamma_regularizer", AK_ANY, T_IGNORE, 0}, {"beta_constraint", AK_ANY, T_IGNORE, 0},
    {"gamma_constraint", AK_ANY, T_IGNORE, 0}, END};
static const struct arg_spec upsampling2d_args[] = {
    {"size", AK_INT2, T_RESIZE, 0}, {"data_format", AK_DATA_FORMAT, T_IGNORE, 0},
    {"interpolation", AK_INTERP, T_IGNORE, 0}, END};
static const struct arg_spec cropping2d_args[] = {
    {"cropping", AK_ZPAD, T_ZPAD, 0}, {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, END};

static const struct arg_spec activation_args[] = {{"activation", AK_ACT, T_ACT, REQ}, END};
static const struct arg_spec relu_args[] = {
    {"max_value", AK_FLOAT_OR_NONE, T_MAXVAL, 0}, {"negative_slope", AK_FLOAT, T_ALPHA, 0},
    {"threshold", AK_FLOAT, T_THRESHOLD, 0}, END};
static const struct arg_spec leaky_relu_args[] = {{"alpha", AK_FLOAT, T_ALPHA, 0}, {"negative_slope", AK_FLOAT, T_ALPHA, 0}, END};
static const struct arg_spec softmax_args[] = {{"axis", AK_AXIS, T_AXIS, 0}, END};
static const struct arg_spec zero_pad2d_args[] = {
    {"padding", AK_ZPAD, T_ZPAD, 0}, {"data_format", AK_DATA_FORMAT, T_IGNORE, 0}, END};
static const struct arg_spec reshape_args[] = {{"target_shape", AK_TARGET, T_TARGET, REQ}, END};
static const struct arg_spec merge_args[] = {END};
static const struct arg_spec concat_args[] = {{"axis", AK_AXIS, T_AXIS, 0}, END};
static const struct arg_spec merge_fn_args[] = {{"inputs", AK_ANY, T_INPUTS, REQ}, END};
static const struct arg_spec concat_fn_args[] = {{"inputs", AK_ANY, T_INPUTS, REQ}, {"axis", AK_AXIS, T_AXIS, 0}, END};

static const struct arg_spec input_args[] = {
    {"shape", AK_SHAPE, T_SHAPE, 0}, {"batch_size", AK_INT_OR_NONE, T_BATCH_SIZE, 0}, {"name", AK_STR, T_NAME, 0},
    {"dtype", AK_DTYPE, T_IGNORE, 0}, {"sparse", AK_ANY, T_IGNORE, 0}, {"tensor", AK_ANY, T_IGNORE, 0},
    {"batch_shape", AK_BATCH_SHAPE, T_BATCH_SHAPE, 0}, {"ragged", AK_ANY, T_IGNORE, 0}, END};
static const struct arg_spec input_layer_args[] = {
    {"input_shape", AK_SHAPE, T_SHAPE, 0}, {"batch_size", AK_INT_OR_NONE, T_BATCH_SIZE, 0},
    {"dtype", AK_DTYPE, T_IGNORE, 0}, {"input_tensor", AK_ANY, T_IGNORE, 0}, {"sparse", AK_ANY, T_IGNORE, 0},
    {"name", AK_STR, T_NAME, 0}, {"batch_input_shape", AK_BATCH_SHAPE, T_BATCH_SHAPE, 0}, END};
static const struct arg_spec model_args[] = {
    {"inputs", AK_ANY, T_INPUTS, REQ}, {"outputs", AK_ANY, T_OUTPUTS, REQ}, {"name", AK_STR, T_NAME, 0}, END};
static const struct arg_spec sequential_args[] = {{"layers", AK_ANY, T_LAYERS, 0}, {"name", AK_STR, T_NAME, 0}, END};

const struct arg_spec cf_keras_common_args[] = {
    {"name", AK_STR, T_NAME, 0}, {"trainable", AK_BOOL, T_TRAINABLE, 0}, {"dtype", AK_DTYPE, T_IGNORE, 0},
    {"input_shape", AK_SHAPE, T_SHAPE, 0}, {"batch_input_shape", AK_BATCH_SHAPE, T_BATCH_SHAPE, 0},
    {"batch_size", AK_INT_OR_NONE, T_BATCH_SIZE, 0}, {"input_dim", AK_INT_POS, T_INPUT_DIM, 0},
    {"weights", AK_ANY, T_IGNORE, 0}, {"activity_regularizer", AK_ANY, T_IGNORE, 0},
    {"dynamic", AK_ANY, T_IGNORE, 0}, END};

/* the classes' own defaults and checks (the classes table's last two columns) */
static void flatten_defaults(struct cf_attrs *a) { a->axis = 1; }
static void zero_pad_defaults(struct cf_attrs *a) { a->pads[0] = a->pads[1] = a->pads[2] = a->pads[3] = 1; }
static void pool_defaults(struct cf_attrs *a)
{
    a->kernel[0] = a->kernel[1] = 2;
    a->strides[0] = a->strides[1] = 0; /* None: the pool size */
}

static void pool1d_defaults(struct cf_attrs *a)
{
    a->kernel[0] = 1, a->kernel[1] = 2;
    a->strides[0] = a->strides[1] = 0;
}

static void normalization_defaults(struct cf_attrs *a) { a->axis = -1; }
/* Resizing: bilinear unless told; RandomCrop at inference: the input's centre at the output's aspect ratio, resized
 * (tf.keras' smart_resize) */
static void bilinear_defaults(struct cf_attrs *a) { a->resize_linear = CF_RESIZE_HALF_PIXEL; }
static void crop_defaults(struct cf_attrs *a)
{
    a->resize_linear = CF_RESIZE_HALF_PIXEL;
    a->crop_aspect = 1;
}

static void cropping_defaults(struct cf_attrs *a) { a->pads[0] = a->pads[1] = a->pads[2] = a->pads[3] = 0; }
/* Cropping2D as a Slice of H and W (NHWC): (top, bottom), (left, right) off each */
static clinfer_status cropping_finish(const struct keras_class *c, struct cf_attrs *a, struct cf_loc loc,
                                      struct cf_diag *d)
{
    (void)c, (void)loc, (void)d;
    for (int i = 0; i < 2; i++) {
        a->slice_start[1 + i] = a->pads[2 * i];
        a->slice_end[1 + i] = a->pads[2 * i + 1] ? -(int64_t)a->pads[2 * i + 1] : CF_SLICE_END;
    }
    a->pads[0] = a->pads[1] = a->pads[2] = a->pads[3] = 0;
    return CLINFER_OK;
}

static clinfer_status pool_finish(const struct keras_class *c, struct cf_attrs *a, struct cf_loc loc, struct cf_diag *d)
{
    (void)c;
    (void)loc;
    (void)d;
    if (a->strides[0] == 0) {
        a->strides[0] = a->kernel[0];
        a->strides[1] = a->kernel[1];
    }
    return CLINFER_OK;
}

static clinfer_status conv_finish(const struct keras_class *c, struct cf_attrs *a, struct cf_loc loc, struct cf_diag *d)
{
    if ((a->strides[0] > 1 || a->strides[1] > 1) && (a->dilation[0] > 1 || a->dilation[1] > 1))
        return cf_fail_at(d, loc, CLINFER_E_MODEL, "%s: strides > 1 not supported in conjunction with dilation_rate > 1",
                          cf_keras_class_name(c));
    return CLINFER_OK;
}

/* 'causal' pads (K - 1)·D steps before and none after, so that output t sees inputs up to t */
static clinfer_status conv1d_finish(const struct keras_class *c, struct cf_attrs *a, struct cf_loc loc, struct cf_diag *d)
{
    if (a->padding == CF_PAD_EXPLICIT) a->pads[0] = a->pads[1] = a->pads[3] = 0, a->pads[2] = (a->kernel[1] - 1) * a->dilation[1];
    return conv_finish(c, a, loc, d);
}

#define L CF_ACT_LINEAR
static const struct keras_class classes[] = {
    /* name                      kind          op                        act               args                   canonical              defaults           finish */
    {"Input",                    K_INPUT_FN,   CF_OP_INPUT,              L,                input_args,            NULL,                  NULL,              NULL},
    {"InputLayer",               K_LAYER,      CF_OP_INPUT,              L,                input_layer_args,      NULL,                  NULL,              NULL},
    {"Conv2D",                   K_LAYER,      CF_OP_CONV2D,             L,                conv2d_args,           NULL,                  NULL,              conv_finish},
    {"Convolution2D",            K_LAYER,      CF_OP_CONV2D,             L,                conv2d_args,           "Conv2D",              NULL,              conv_finish},
    {"Conv1D",                   K_LAYER,      CF_OP_CONV1D,             L,                conv1d_args,           NULL,                  NULL,              conv1d_finish},
    {"Convolution1D",            K_LAYER,      CF_OP_CONV1D,             L,                conv1d_args,           "Conv1D",              NULL,              conv1d_finish},
    {"DepthwiseConv2D",          K_LAYER,      CF_OP_DEPTHWISE_CONV2D,   L,                depthwise_args,        NULL,                  NULL,              conv_finish},
    {"SeparableConv2D",          K_LAYER,      CF_OP_SEPARABLE_CONV2D,   L,                separable_args,        NULL,                  NULL,              conv_finish},
    {"SeparableConvolution2D",   K_LAYER,      CF_OP_SEPARABLE_CONV2D,   L,                separable_args,        "SeparableConv2D",     NULL,              conv_finish},
    {"Conv2DTranspose",          K_LAYER,      CF_OP_CONV2D_TRANSPOSE,   L,                conv2d_transpose_args, NULL,                  NULL,              NULL},
    {"Convolution2DTranspose",   K_LAYER,      CF_OP_CONV2D_TRANSPOSE,   L,                conv2d_transpose_args, "Conv2DTranspose",     NULL,              NULL},
    {"MaxPooling2D",             K_LAYER,      CF_OP_MAX_POOL2D,         L,                pool2d_args,           NULL,                  pool_defaults,     pool_finish},
    {"MaxPool2D",                K_LAYER,      CF_OP_MAX_POOL2D,         L,                pool2d_args,           "MaxPooling2D",        pool_defaults,     pool_finish},
    {"AveragePooling2D",         K_LAYER,      CF_OP_AVG_POOL2D,         L,                pool2d_args,           NULL,                  pool_defaults,     pool_finish},
    {"AvgPool2D",                K_LAYER,      CF_OP_AVG_POOL2D,         L,                pool2d_args,           "AveragePooling2D",    pool_defaults,     pool_finish},
    {"MaxPooling1D",             K_LAYER,      CF_OP_MAX_POOL1D,         L,                pool1d_args,           NULL,                  pool1d_defaults,   pool_finish},
    {"MaxPool1D",                K_LAYER,      CF_OP_MAX_POOL1D,         L,                pool1d_args,           "MaxPooling1D",        pool1d_defaults,   pool_finish},
    {"AveragePooling1D",         K_LAYER,      CF_OP_AVG_POOL1D,         L,                pool1d_args,           NULL,                  pool1d_defaults,   pool_finish},
    {"AvgPool1D",                K_LAYER,      CF_OP_AVG_POOL1D,         L,                pool1d_args,           "AveragePooling1D",    pool1d_defaults,   pool_finish},
    {"GlobalAveragePooling1D",   K_LAYER,      CF_OP_GLOBAL_AVG_POOL1D,  L,                global_pool2d_args,    NULL,                  NULL,              NULL},
    {"GlobalAvgPool1D",          K_LAYER,      CF_OP_GLOBAL_AVG_POOL1D,  L,                global_pool2d_args,    "GlobalAveragePooling1D",NULL,              NULL},
    {"GlobalMaxPooling1D",       K_LAYER,      CF_OP_GLOBAL_MAX_POOL1D,  L,                global_pool2d_args,    NULL,                  NULL,              NULL},
    {"GlobalMaxPool1D",          K_LAYER,      CF_OP_GLOBAL_MAX_POOL1D,  L,                global_pool2d_args,    "GlobalMaxPooling1D",  NULL,              NULL},
    {"GlobalAveragePooling2D",   K_LAYER,      CF_OP_GLOBAL_AVG_POOL2D,  L,                global_pool2d_args,    NULL,                  NULL,              NULL},
    {"GlobalAvgPool2D",          K_LAYER,      CF_OP_GLOBAL_AVG_POOL2D,  L,                global_pool2d_args,    "GlobalAveragePooling2D",NULL,              NULL},
    {"GlobalMaxPooling2D",       K_LAYER,      CF_OP_GLOBAL_MAX_POOL2D,  L,                global_pool2d_args,    NULL,                  NULL,              NULL},
    {"GlobalMaxPool2D",          K_LAYER,      CF_OP_GLOBAL_MAX_POOL2D,  L,                global_pool2d_args,    "GlobalMaxPooling2D",  NULL,              NULL},
    {"Flatten",                  K_LAYER,      CF_OP_FLATTEN,            L,                flatten_args,          NULL,                  flatten_defaults,  NULL},
    {"Dense",                    K_LAYER,      CF_OP_DENSE,              L,                dense_args,            NULL,                  NULL,              NULL},
    {"Dropout",                  K_LAYER,      CF_OP_DROPOUT,            L,                dropout_args,          NULL,                  NULL,              NULL},
    {"SpatialDropout1D",         K_LAYER,      CF_OP_DROPOUT,            L,                spatial_dropout_args,          NULL,                  NULL,              NULL},
    {"SpatialDropout2D",         K_LAYER,      CF_OP_DROPOUT,            L,                spatial_dropout_args,          NULL,                  NULL,              NULL},
    {"SpatialDropout3D",         K_LAYER,      CF_OP_DROPOUT,            L,                spatial_dropout_args,          NULL,                  NULL,              NULL},
    {"GaussianDropout",          K_LAYER,      CF_OP_DROPOUT,            L,                noise_args,            NULL,                  NULL,              NULL},
    {"AlphaDropout",             K_LAYER,      CF_OP_DROPOUT,            L,                noise_args,            NULL,                  NULL,              NULL},
    {"GaussianNoise",            K_LAYER,      CF_OP_DROPOUT,            L,                gaussian_noise_args,   NULL,                  NULL,              NULL},
    {"RandomFlip",               K_LAYER,      CF_OP_DROPOUT,            L,                random_flip_args,      NULL,                  NULL,              NULL},
    {"RandomRotation",           K_LAYER,      CF_OP_DROPOUT,            L,                random_rotation_args,  NULL,                  NULL,              NULL},
    {"RandomZoom",               K_LAYER,      CF_OP_DROPOUT,            L,                random_zoom_args,      NULL,                  NULL,              NULL},
    {"RandomTranslation",        K_LAYER,      CF_OP_DROPOUT,            L,                random_translation_args, NULL,                NULL,              NULL},
    {"RandomContrast",           K_LAYER,      CF_OP_DROPOUT,            L,                random_contrast_args,  NULL,                  NULL,              NULL},
    {"RandomBrightness",         K_LAYER,      CF_OP_DROPOUT,            L,                random_brightness_args, NULL,                 NULL,              NULL},
    {"Rescaling",                K_LAYER,      CF_OP_AFFINE,             L,                rescaling_args,        NULL,                  NULL,              NULL},
    {"Normalization",            K_LAYER,      CF_OP_NORMALIZATION,      L,                normalization_args,    NULL,                  normalization_defaults, NULL},
    {"Permute",                  K_LAYER,      CF_OP_TRANSPOSE,          L,                permute_args,          NULL,                  NULL,              NULL},
    {"LayerNormalization",       K_LAYER,      CF_OP_LAYER_NORM,         L,                layer_norm_args,       NULL,                  normalization_defaults, NULL},
    {"UpSampling2D",             K_LAYER,      CF_OP_RESIZE,             L,                upsampling2d_args,     NULL,                  NULL,              NULL},
    {"Resizing",                 K_LAYER,      CF_OP_RESIZE,             L,                resizing_args,         NULL,                  bilinear_defaults, NULL},
    {"RandomCrop",               K_LAYER,      CF_OP_RESIZE,             L,                random_crop_args,      NULL,                  crop_defaults,     NULL},
    {"Cropping2D",               K_LAYER,      CF_OP_SLICE,              L,                cropping2d_args,       NULL,                  cropping_defaults, cropping_finish},
    {"CenterCrop",               K_LAYER,      CF_OP_SLICE,              L,                center_crop_args,      NULL,                  NULL,              NULL},
    {"BatchNormalization",       K_LAYER,      CF_OP_BATCH_NORM,         L,                batch_norm_args,       NULL,                  NULL,              NULL},
    {"Activation",               K_LAYER,      CF_OP_ACTIVATION,         L,                activation_args,       NULL,                  NULL,              NULL},
    {"ReLU",                     K_LAYER,      CF_OP_ACTIVATION,         CF_ACT_RELU,      relu_args,             NULL,                  NULL,              NULL},
    {"LeakyReLU",                K_LAYER,      CF_OP_ACTIVATION,         CF_ACT_LEAKY_RELU, leaky_relu_args,      NULL,                  NULL,              NULL},
    {"Softmax",                  K_LAYER,      CF_OP_ACTIVATION,         CF_ACT_SOFTMAX,   softmax_args,          NULL,                  NULL,              NULL},
    {"ZeroPadding2D",            K_LAYER,      CF_OP_ZERO_PAD2D,         L,                zero_pad2d_args,       NULL,                  zero_pad_defaults, NULL},
    {"Reshape",                  K_LAYER,      CF_OP_RESHAPE,            L,                reshape_args,          NULL,                  NULL,              NULL},
    {"Add",                      K_LAYER,      CF_OP_ADD,                L,                merge_args,            NULL,                  NULL,              NULL},
    {"Multiply",                 K_LAYER,      CF_OP_MULTIPLY,           L,                merge_args,            NULL,                  NULL,              NULL},
    {"Concatenate",              K_LAYER,      CF_OP_CONCAT,             L,                concat_args,           NULL,                  NULL,              NULL},
    {"Subtract",                 K_LAYER,      CF_OP_SUB,                L,                merge_args,            NULL,                  NULL,              NULL},
    {"Maximum",                  K_LAYER,      CF_OP_MAXIMUM,            L,                merge_args,            NULL,                  NULL,              NULL},
    {"Minimum",                  K_LAYER,      CF_OP_MINIMUM,            L,                merge_args,            NULL,                  NULL,              NULL},
    {"add",                      K_MERGE_FN,   CF_OP_ADD,                L,                merge_fn_args,         "Add",                 NULL,              NULL},
    {"multiply",                 K_MERGE_FN,   CF_OP_MULTIPLY,           L,                merge_fn_args,         "Multiply",            NULL,              NULL},
    {"concatenate",              K_MERGE_FN,   CF_OP_CONCAT,             L,                concat_fn_args,        "Concatenate",         NULL,              NULL},
    {"subtract",                 K_MERGE_FN,   CF_OP_SUB,                L,                merge_fn_args,         "Subtract",            NULL,              NULL},
    {"maximum",                  K_MERGE_FN,   CF_OP_MAXIMUM,            L,                merge_fn_args,         "Maximum",             NULL,              NULL},
    {"minimum",                  K_MERGE_FN,   CF_OP_MINIMUM,            L,                merge_fn_args,         "Minimum",             NULL,              NULL},
    {"Model",                    K_MODEL,      CF_OP_INPUT,              L,                model_args,            NULL,                  NULL,              NULL},
    {"Sequential",               K_SEQUENTIAL, CF_OP_INPUT,              L,                sequential_args,       NULL,                  NULL,              NULL},
};
#undef L

const struct keras_class *cf_keras_class_at(int i)
{
    return i >= 0 && (size_t)i < sizeof classes / sizeof classes[0] ? &classes[i] : NULL;
}

const struct keras_class *cf_keras_class(const char *name)
{
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (strcmp(classes[i].name, name) == 0) return &classes[i];
    return NULL;
}

const char *cf_keras_class_name(const struct keras_class *c) { return c->canonical ? c->canonical : c->name; }

void cf_keras_snake_case(const char *cls, char *out, size_t size)
{
    /* re.sub('(.)([A-Z][a-z0-9]+)', r'\1_\2', name), then re.sub('([a-z])([A-Z])', r'\1_\2', ...).lower() */
    char mid[256];
    size_t n = strlen(cls), m = 0, o = 0;
    for (size_t p = 0; p < n && m + 3 < sizeof mid;) {
        if (p + 2 < n + 0 && isupper((unsigned char)cls[p + 1]) &&
            (islower((unsigned char)cls[p + 2]) || isdigit((unsigned char)cls[p + 2]))) {
            mid[m++] = cls[p];
            mid[m++] = '_';
            mid[m++] = cls[p + 1];
            size_t q = p + 2;
            while (q < n && m + 1 < sizeof mid && (islower((unsigned char)cls[q]) || isdigit((unsigned char)cls[q])))
                mid[m++] = cls[q++];
            p = q;
        } else {
            mid[m++] = cls[p++];
        }
    }
    for (size_t p = 0; p < m && o + 3 < size;) {
        if (p + 1 < m && islower((unsigned char)mid[p]) && isupper((unsigned char)mid[p + 1])) {
            out[o++] = mid[p];
            out[o++] = '_';
            out[o++] = (char)tolower((unsigned char)mid[p + 1]);
            p += 2;
        } else {
            out[o++] = (char)tolower((unsigned char)mid[p]);
            p++;
        }
    }
    out[o] = '\0';
}

static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 99;
    int prev[64], curr[64];
    for (size_t j = 0; j <= lb; j++) prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        curr[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int c = prev[j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            if (prev[j] + 1 < c) c = prev[j] + 1;
            if (curr[j - 1] + 1 < c) c = curr[j - 1] + 1;
            curr[j] = c;
        }
        memcpy(prev, curr, sizeof(int) * (lb + 1));
    }
    return prev[lb];
}

const char *cf_closest_name(const char *word, const char *const *cands, int n)
{
    const char *best = NULL;
    int bd = 3;
    for (int i = 0; i < n; i++) {
        int dd = edit_distance(word, cands[i]);
        if (dd < bd) {
            bd = dd;
            best = cands[i];
        }
    }
    return best;
}

/* --- argument conversion --- */

static clinfer_status arg_fail(const struct keras_class *c, const struct arg_spec *spec, const struct value *v,
                               struct cf_diag *d, const char *fmt, ...) CF_PRINTF(5, 6);

/* "Conv2D: argument 'kernel_size' must be ..., got str 'abc'" at the value's place. */
static clinfer_status arg_fail(const struct keras_class *c, const struct arg_spec *spec, const struct value *v,
                               struct cf_diag *d, const char *fmt, ...)
{
    char what[160], repr[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    cf_value_repr(v, repr, sizeof repr);
    return cf_fail_at(d, v->loc, CLINFER_E_MODEL, "%s: argument '%s' %s, got %s %s", cf_keras_class_name(c),
                      spec->name, what, cf_value_type_name(v), repr);
}

static int as_int(const struct value *v, int64_t *out)
{
    if (v->k != V_INT) return 0;
    *out = v->i;
    return 1;
}

static int as_float(const struct value *v, double *out)
{
    if (v->k == V_INT) *out = (double)v->i;
    else if (v->k == V_FLOAT) *out = v->f;
    else return 0;
    return 1;
}

static const int64_t MAX_SIZE_ARG = (int64_t)1 << 31; /* filters, units, kernel sizes, dims */

static int int_pair(const struct value *v, int64_t lo, int64_t out[2])
{
    int64_t a, b;
    if (as_int(v, &a)) {
        if (a < lo || a > MAX_SIZE_ARG) return 0;
        out[0] = out[1] = a;
        return 1;
    }
    if ((v->k == V_TUPLE || v->k == V_LIST) && v->n == 2 && as_int(v->items[0], &a) && as_int(v->items[1], &b) &&
        a >= lo && b >= lo && a <= MAX_SIZE_ARG && b <= MAX_SIZE_ARG) {
        out[0] = a;
        out[1] = b;
        return 1;
    }
    return 0;
}

static clinfer_status shape_arg(const struct keras_class *c, const struct arg_spec *spec, const struct value *v,
                                int with_batch, struct cf_shape *shape, struct cf_diag *d)
{
    int64_t x;
    if (!with_batch && as_int(v, &x)) { /* shape=784 reads as (784,) */
        if (x < 1 || x > MAX_SIZE_ARG) return arg_fail(c, spec, v, d, "must hold positive dimensions");
        shape->rank = 2;
        shape->d[0] = CF_DIM_UNKNOWN;
        shape->d[1] = x;
        return CLINFER_OK;
    }
    if (v->k != V_TUPLE && v->k != V_LIST) return arg_fail(c, spec, v, d, "must be a tuple of dimensions");
    int off = with_batch ? 0 : 1;
    if (v->n + off > CF_MAX_RANK) return arg_fail(c, spec, v, d, "has more than %d dimensions", CF_MAX_RANK - 1);
    if (v->n + off < 2) return arg_fail(c, spec, v, d, "must have at least one dimension besides the batch");
    shape->rank = v->n + off;
    shape->d[0] = CF_DIM_UNKNOWN;
    for (int i = 0; i < v->n; i++) {
        const struct value *e = v->items[i];
        if (e->k == V_NONE) shape->d[i + off] = CF_DIM_UNKNOWN;
        else if (as_int(e, &x) && x >= 1 && x <= MAX_SIZE_ARG) shape->d[i + off] = x;
        else return arg_fail(c, spec, v, d, "must hold positive ints or None");
    }
    return CLINFER_OK;
}

clinfer_status cf_keras_apply_arg(const struct keras_class *c, const struct arg_spec *spec, const struct value *v,
                                  struct cf_attrs *a, struct cf_shape *shape, struct cf_diag *d)
{
    int64_t i64, pair[2];
    double f;
    switch (spec->kind) {
    case AK_ANY:
        return CLINFER_OK;
    case AK_INT_POS:
        if (!as_int(v, &i64) || i64 < 1) return arg_fail(c, spec, v, d, "must be a positive int");
        if (i64 > MAX_SIZE_ARG) return arg_fail(c, spec, v, d, "must be at most 2^31");
        if (spec->tgt == T_FILTERS) a->filters = i64;
        else if (spec->tgt == T_GROUPS) a->groups = (int)i64;
        else if (spec->tgt == T_DM) a->depth_multiplier = (int)i64;
        else if (spec->tgt == T_CROP_H) a->center_crop[0] = i64;
        else if (spec->tgt == T_CROP_W) a->center_crop[1] = i64;
        else if (spec->tgt == T_RESIZE_H) a->resize_to[0] = i64;
        else if (spec->tgt == T_RESIZE_W) a->resize_to[1] = i64;
        else if (spec->tgt == T_INPUT_DIM) {
            shape->rank = 2;
            shape->d[0] = CF_DIM_UNKNOWN;
            shape->d[1] = i64;
        }
        return CLINFER_OK;
    case AK_INT2:
    case AK_INT2_OR_NONE:
        if (spec->kind == AK_INT2_OR_NONE && v->k == V_NONE) {
            a->strides[0] = a->strides[1] = 0; /* the pool size, filled in when the layer is made */
            return CLINFER_OK;
        }
        if (!int_pair(v, 1, pair)) return arg_fail(c, spec, v, d, "must be a positive int or a tuple of 2 positive ints");
        {
            int *dst = spec->tgt == T_KERNEL    ? a->kernel
                       : spec->tgt == T_STRIDES ? a->strides
                       : spec->tgt == T_RESIZE  ? a->resize
                                                : a->dilation;
            dst[0] = (int)pair[0];
            dst[1] = (int)pair[1];
        }
        return CLINFER_OK;
    case AK_INT1:
    case AK_INT1_OR_NONE:
        if (spec->kind == AK_INT1_OR_NONE && v->k == V_NONE) {
            a->strides[0] = a->strides[1] = 0;
            return CLINFER_OK;
        }
        if (!as_int(v, &i64) && !((v->k == V_TUPLE || v->k == V_LIST) && v->n == 1 && as_int(v->items[0], &i64)))
            return arg_fail(c, spec, v, d, "must be a positive int or a tuple of 1 positive int");
        if (i64 < 1 || i64 > MAX_SIZE_ARG) return arg_fail(c, spec, v, d, "must be a positive int or a tuple of 1 positive int");
        {
            int *dst = spec->tgt == T_KERNEL    ? a->kernel
                       : spec->tgt == T_STRIDES ? a->strides
                       : spec->tgt == T_RESIZE  ? a->resize
                                                : a->dilation;
            dst[0] = 1; /* the one row */
            dst[1] = (int)i64;
        }
        return CLINFER_OK;
    case AK_PADDING:
    case AK_PADDING_CAUSAL: {
        const char *which = spec->kind == AK_PADDING ? "must be 'valid' or 'same'" : "must be 'valid', 'same' or 'causal'";
        if (v->k != V_STR) return arg_fail(c, spec, v, d, "%s", which);
        if (strcasecmp(v->s, "valid") == 0) a->padding = CF_PAD_VALID;
        else if (strcasecmp(v->s, "same") == 0) a->padding = CF_PAD_SAME;
        else if (spec->kind == AK_PADDING_CAUSAL && strcasecmp(v->s, "causal") == 0) a->padding = CF_PAD_EXPLICIT;
        else return arg_fail(c, spec, v, d, "%s", which);
        return CLINFER_OK;
    }
    case AK_DATA_FORMAT:
        if (v->k == V_NONE || (v->k == V_STR && strcmp(v->s, "channels_last") == 0)) return CLINFER_OK;
        if (v->k == V_STR && strcmp(v->s, "channels_first") == 0)
            return cf_fail_at(d, v->loc, CLINFER_E_UNSUPPORTED,
                              "%s: data_format='channels_first' is not supported; clinfer reads Keras models in "
                              "channels_last (NHWC)",
                              cf_keras_class_name(c));
        return arg_fail(c, spec, v, d, "must be None, 'channels_last' or 'channels_first'");
    case AK_ACT: {
        enum cf_act act;
        if (v->k == V_NONE) {
            cf_act_set(a, CF_ACT_LINEAR);
            return CLINFER_OK;
        }
        /* the names Keras accepts (activations.def's keras column) */
        if ((v->k == V_STR || (v->k == V_FUNC && strcmp(v->s, "print") != 0)) && cf_act_lookup(v->s, &act)) {
            cf_act_set(a, act);
            return CLINFER_OK;
        }
        if (v->k == V_FUNC && strcmp(v->s, "leaky_relu") == 0) { /* tf.nn.leaky_relu, a function and no name */
            cf_act_set(a, CF_ACT_LEAKY_RELU);
            a->alpha = 0.2f; /* tf.nn.leaky_relu's default */
            return CLINFER_OK;
        }
        if (v->k == V_STR) {
            char words[64][32];
            const char *names[64];
            int nn = cf_act_keras_names(words, 64);
            for (int k = 0; k < nn; k++) names[k] = words[k];
            const char *near = cf_closest_name(v->s, names, nn);
            return cf_fail_at(d, v->loc, CLINFER_E_MODEL, "%s: unknown activation '%s'%s%s%s", cf_keras_class_name(c),
                              v->s, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        }
        return arg_fail(c, spec, v, d, "must be an activation name such as 'relu'");
    }
    case AK_BOOL:
        if (v->k != V_BOOL) return arg_fail(c, spec, v, d, "must be True or False");
        if (spec->tgt == T_USE_BIAS) a->use_bias = (int)v->i;
        else if (spec->tgt == T_CENTER) a->center = (int)v->i;
        else if (spec->tgt == T_SCALE) a->scale = (int)v->i;
        else if (spec->tgt == T_KEEPDIMS) a->keepdims = (int)v->i;
        else if (spec->tgt == T_CROP_ASPECT) a->crop_aspect = (int)v->i;
        return CLINFER_OK; /* T_TRAINABLE is read by the evaluator */
    case AK_FLOAT:
    case AK_FLOAT_OR_NONE:
        if (spec->kind == AK_FLOAT_OR_NONE && v->k == V_NONE) {
            a->max_value = -1.0f;
            return CLINFER_OK;
        }
        if (!as_float(v, &f) || f != f) return arg_fail(c, spec, v, d, "must be a number");
        if (spec->tgt == T_RATE) {
            if (f < 0 || f > 1) return arg_fail(c, spec, v, d, "must be between 0 and 1");
            a->rate = (float)f;
        } else if (spec->tgt == T_EPS) {
            if (f <= 0) return arg_fail(c, spec, v, d, "must be positive");
            a->epsilon = (float)f;
        } else if (spec->tgt == T_ALPHA) {
            a->alpha = (float)f;
        } else if (spec->tgt == T_MAXVAL) {
            if (f < 0) return arg_fail(c, spec, v, d, "must be >= 0");
            a->max_value = (float)f;
        } else if (spec->tgt == T_THRESHOLD) {
            a->threshold = (float)f;
        } else if (spec->tgt == T_AFFINE_SCALE) {
            a->affine_scale = (float)f;
        } else if (spec->tgt == T_AFFINE_OFFSET) {
            a->affine_offset = (float)f;
        }
        return CLINFER_OK;
    case AK_AXIS:
        if ((v->k == V_TUPLE || v->k == V_LIST) && v->n == 1) v = v->items[0]; /* axis=[3], as tf.keras saves it */
        if (!as_int(v, &i64) || i64 < -CF_MAX_RANK || i64 >= CF_MAX_RANK) return arg_fail(c, spec, v, d, "must be an int axis");
        a->axis = (int)i64;
        return CLINFER_OK;
    case AK_ZPAD: {
        int64_t t2[2], l2[2];
        if (int_pair(v, 0, pair)) {
            a->pads[0] = a->pads[1] = (int)pair[0];
            a->pads[2] = a->pads[3] = (int)pair[1];
            return CLINFER_OK;
        }
        if ((v->k == V_TUPLE || v->k == V_LIST) && v->n == 2 && v->items[0]->k != V_INT &&
            int_pair(v->items[0], 0, t2) && int_pair(v->items[1], 0, l2) && v->items[1]->k != V_INT) {
            a->pads[0] = (int)t2[0];
            a->pads[1] = (int)t2[1];
            a->pads[2] = (int)l2[0];
            a->pads[3] = (int)l2[1];
            return CLINFER_OK;
        }
        return arg_fail(c, spec, v, d, "must be an int, a tuple of 2 ints, or a tuple of 2 tuples of 2 ints, all >= 0");
    }
    case AK_OUTPAD:
        if (v->k == V_NONE) {
            a->output_padding[0] = a->output_padding[1] = -1;
            return CLINFER_OK;
        }
        if (!int_pair(v, 0, pair)) return arg_fail(c, spec, v, d, "must be None, an int or a tuple of 2 ints >= 0");
        a->output_padding[0] = (int)pair[0];
        a->output_padding[1] = (int)pair[1];
        return CLINFER_OK;
    case AK_SHAPE:
        return shape_arg(c, spec, v, 0, shape, d);
    case AK_BATCH_SHAPE: {
        clinfer_status st = shape_arg(c, spec, v, 1, shape, d);
        if (st) return st;
        if (v->items[0]->k != V_NONE) shape->d[0] = v->items[0]->i;
        return CLINFER_OK;
    }
    case AK_TARGET: {
        if (v->k != V_TUPLE && v->k != V_LIST) return arg_fail(c, spec, v, d, "must be a tuple of ints");
        if (v->n + 1 > CF_MAX_RANK) return arg_fail(c, spec, v, d, "has more than %d dimensions", CF_MAX_RANK - 1);
        a->target.rank = v->n;
        for (int k = 0; k < v->n; k++) {
            if (!as_int(v->items[k], &i64) || (i64 < 1 && i64 != -1) || i64 > MAX_SIZE_ARG)
                return arg_fail(c, spec, v, d, "must hold positive ints (and at most one -1)");
            a->target.d[k] = i64;
        }
        return CLINFER_OK;
    }
    case AK_STR:
        if (v->k != V_STR) return arg_fail(c, spec, v, d, "must be a string");
        return CLINFER_OK;
    case AK_DTYPE:
        if (v->k == V_NONE || (v->k == V_STR && strcmp(v->s, "float32") == 0)) return CLINFER_OK;
        if (v->k == V_STR)
            return cf_fail_at(d, v->loc, CLINFER_E_UNSUPPORTED, "%s: dtype '%s' is not supported; clinfer runs float32",
                              cf_keras_class_name(c), v->s);
        return CLINFER_OK; /* tf.float32 and the like: an opaque value */
    case AK_PERM: {
        unsigned seen = 0;
        if ((v->k != V_TUPLE && v->k != V_LIST) || v->n + 1 > CF_MAX_RANK)
            return arg_fail(c, spec, v, d, "must be a tuple of the axes 1, 2, ... in a new order");
        a->perm[0] = 0;
        for (int k = 0; k < v->n; k++) {
            if (!as_int(v->items[k], &i64) || i64 < 1 || i64 > v->n || (seen >> i64 & 1))
                return arg_fail(c, spec, v, d, "must be a permutation of 1 .. %d", v->n);
            seen |= 1u << i64;
            a->perm[k + 1] = (int)i64;
        }
        for (int k = v->n + 1; k < CF_MAX_RANK; k++) a->perm[k] = k;
        return CLINFER_OK;
    }
    case AK_INTERP:
        if (v->k != V_STR) return arg_fail(c, spec, v, d, "must be a string");
        if (strcmp(v->s, "nearest") == 0 || strcmp(v->s, "bilinear") == 0) {
            a->resize_linear = v->s[0] == 'b';
            return CLINFER_OK;
        }
        return cf_fail_at(d, v->loc, CLINFER_E_UNSUPPORTED,
                          "%s: interpolation '%s' is not supported (clinfer has 'nearest' and 'bilinear')",
                          cf_keras_class_name(c), v->s);
    case AK_UNSET:
        if (v->k == V_NONE || (v->k == V_BOOL && !v->i)) return CLINFER_OK;
        return cf_fail_at(d, v->loc, CLINFER_E_UNSUPPORTED, "%s: argument '%s' is not supported (only None / False)",
                          cf_keras_class_name(c), spec->name);
    case AK_INT_OR_NONE:
        if (v->k == V_NONE) return CLINFER_OK;
        if (!as_int(v, &i64) || i64 < 1 || i64 > MAX_SIZE_ARG) return arg_fail(c, spec, v, d, "must be a positive int or None");
        shape->d[0] = i64;
        return CLINFER_OK;
    }
    return CLINFER_OK;
}
