/* Every layer's shape and parameter rule, over tables of cases worked out by hand from Keras' documented rules:
 *   conv:       O = floor((W - K)/S) + 1 (valid), ceil(W/S) (same), K = k + (k - 1)(d - 1)
 *   transpose:  O = W·S + max(K - S, 0) (valid), W·S (same), (W - 1)·S + K - 2·pad + output_padding
 *   params:     (K·K·Cin/G + 1)·Cout, depthwise K·K·Cin·M + Cin·M, separable K·K·Cin·M + Cin·M·Cout + Cout,
 *               Dense (Cin + 1)·units, BatchNormalization 4·C with 2·C non-trainable. */
#include "helpers.h"

#include <criterion/parameterized.h>

/* Criterion runs each case in a fresh process of the same binary, so cases hold their text, not pointers. */
struct layer_case {
    char input[32]; /* Input shape, without the batch */
    char layer[96]; /* the layer expression, after "layers." */
    char shape[48]; /* expected output shape as Keras prints it */
    long long params, non_trainable, macs;
};

static void shape_text(const clinfer_model *m, int i, char *out, size_t size)
{
    int64_t d[8];
    int r = clinfer_model_layer_shape(m, i, d);
    size_t n = (size_t)snprintf(out, size, "(");
    for (int k = 0; k < r; k++) {
        if (d[k] < 0) n += (size_t)snprintf(out + n, size - n, "%sNone", k ? ", " : "");
        else n += (size_t)snprintf(out + n, size - n, "%s%lld", k ? ", " : "", (long long)d[k]);
    }
    snprintf(out + n, size - n, r == 1 ? ",)" : ")");
}

static void check_last_layer(const char *script, const char *shape, long long params, long long nt, long long macs)
{
    char err[1024];
    clinfer_model *m = load_script(script, err, sizeof err);
    cr_assert_not_null(m, "load failed: %s\n%s", err, script);
    int last = clinfer_model_layer_count(m) - 1;
    char got[256];
    shape_text(m, last, got, sizeof got);
    int64_t got_nt;
    int64_t got_params = clinfer_model_layer_params(m, last, &got_nt);
    cr_expect_str_eq(got, shape, "%s: shape", script);
    cr_expect_eq(got_params, params, "%s: params %lld, want %lld", script, (long long)got_params, params);
    cr_expect_eq(got_nt, nt, "%s: non-trainable %lld, want %lld", script, (long long)got_nt, nt);
    cr_expect_eq(clinfer_model_layer_macs(m, last), macs, "%s: MACs %lld, want %lld", script,
                 (long long)clinfer_model_layer_macs(m, last), macs);
    clinfer_model_free(m);
}

static struct layer_case cases[] = {
    /* Conv2D */
    {"(150, 150, 3)", "Conv2D(16, 3, activation='relu')", "(None, 148, 148, 16)", 448, 0, 148LL * 148 * 16 * 27},
    {"(15, 15, 3)", "Conv2D(8, 4, strides=2, padding='same')", "(None, 8, 8, 8)", 392, 0, 8 * 8 * 8 * 48},
    {"(10, 10, 3)", "Conv2D(8, 3, strides=2)", "(None, 4, 4, 8)", 224, 0, 4 * 4 * 8 * 27},
    {"(10, 10, 3)", "Conv2D(4, 3, dilation_rate=2)", "(None, 6, 6, 4)", 112, 0, 6 * 6 * 4 * 27},
    {"(8, 8, 16)", "Conv2D(32, 3, groups=4, use_bias=False)", "(None, 6, 6, 32)", 1152, 0, 6 * 6 * 32 * 36},
    {"(20, 11, 2)", "Conv2D(5, (3, 1), strides=(2, 1))", "(None, 9, 11, 5)", 35, 0, 9 * 11 * 5 * 6},
    {"(7, 9, 1)", "Conv2D(2, 3, dilation_rate=(2, 3), padding='same')", "(None, 7, 9, 2)", 20, 0, 7 * 9 * 2 * 9},
    {"(5, 5, 3)", "Conv2D(filters=4, kernel_size=5, padding='VALID')", "(None, 1, 1, 4)", 304, 0, 4 * 75},
    {"(None, None, 3)", "Conv2D(8, 3)", "(None, None, None, 8)", 224, 0, -1},
    /* Conv1D, as tf.keras 2.15 gives it (NWC; 'causal' pads (K - 1)·D steps before) */
    {"(50, 6)", "Conv1D(16, 3)", "(None, 48, 16)", 304, 0, 48 * 16 * 3 * 6},
    {"(49, 16)", "Conv1D(32, 5, strides=2, padding='same', groups=4)", "(None, 25, 32)", 672, 0, 25 * 32 * 5 * 4},
    {"(12, 32)", "Conv1D(8, 3, padding='causal', dilation_rate=2, use_bias=False)", "(None, 12, 8)", 768, 0,
     12 * 8 * 3 * 32},
    {"(11, 3)", "Conv1D(2, 4, strides=3, padding='causal')", "(None, 4, 2)", 26, 0, 4 * 2 * 4 * 3},
    {"(None, 4)", "Conv1D(2, 3)", "(None, None, 2)", 26, 0, -1},
    {"(10, 3)", "Convolution1D(4, (3,), strides=(2,))", "(None, 4, 4)", 40, 0, 4 * 4 * 9},
    /* DepthwiseConv2D */
    {"(32, 32, 8)", "DepthwiseConv2D(3, depth_multiplier=2)", "(None, 30, 30, 16)", 160, 0, 30 * 30 * 16 * 9},
    {"(9, 9, 4)", "DepthwiseConv2D((3, 3), strides=2, padding='same', use_bias=False)", "(None, 5, 5, 4)", 36, 0,
     5 * 5 * 4 * 9},
    /* SeparableConv2D */
    {"(16, 16, 8)", "SeparableConv2D(12, 3)", "(None, 14, 14, 12)", 180, 0, 14 * 14 * 8 * (9 + 12)},
    {"(5, 5, 3)", "SeparableConv2D(4, 3, padding='same', depth_multiplier=2)", "(None, 5, 5, 4)", 82, 0,
     5 * 5 * 6 * (9 + 4)},
    /* Conv2DTranspose */
    {"(7, 7, 8)", "Conv2DTranspose(4, 3, strides=2)", "(None, 15, 15, 4)", 292, 0, 7 * 7 * 8 * 9 * 4},
    {"(7, 7, 8)", "Conv2DTranspose(4, 3, strides=2, padding='same')", "(None, 14, 14, 4)", 292, 0, 7 * 7 * 8 * 9 * 4},
    {"(7, 7, 8)", "Conv2DTranspose(4, 3, strides=2, output_padding=1)", "(None, 16, 16, 4)", 292, 0,
     7 * 7 * 8 * 9 * 4},
    {"(7, 7, 8)", "Conv2DTranspose(4, 2, strides=2, use_bias=False)", "(None, 14, 14, 4)", 128, 0, 7 * 7 * 8 * 4 * 4},
    /* pooling: strides default to the pool size */
    {"(9, 9, 3)", "MaxPooling2D()", "(None, 4, 4, 3)", 0, 0, 0},
    {"(9, 9, 3)", "MaxPooling2D(2, padding='same')", "(None, 5, 5, 3)", 0, 0, 0},
    {"(9, 9, 3)", "MaxPool2D(pool_size=3, strides=1)", "(None, 7, 7, 3)", 0, 0, 0},
    {"(10, 12, 2)", "AveragePooling2D(pool_size=(2, 3), strides=(2, 3))", "(None, 5, 4, 2)", 0, 0, 0},
    {"(11, 11, 2)", "AveragePooling2D(3, 2, 'same')", "(None, 6, 6, 2)", 0, 0, 0},
    {"(7, 7, 32)", "GlobalAveragePooling2D()", "(None, 32)", 0, 0, 0},
    {"(7, 7, 32)", "GlobalMaxPooling2D(keepdims=True)", "(None, 1, 1, 32)", 0, 0, 0},
    /* 1-D pooling */
    {"(9, 3)", "MaxPooling1D()", "(None, 4, 3)", 0, 0, 0},
    {"(9, 3)", "MaxPool1D(3, 1, 'same')", "(None, 9, 3)", 0, 0, 0},
    {"(10, 3)", "AveragePooling1D(pool_size=3)", "(None, 3, 3)", 0, 0, 0},
    {"(10, 3)", "AvgPool1D(2, padding='same')", "(None, 5, 3)", 0, 0, 0},
    {"(7, 32)", "GlobalAveragePooling1D()", "(None, 32)", 0, 0, 0},
    {"(7, 32)", "GlobalMaxPooling1D(keepdims=True)", "(None, 1, 32)", 0, 0, 0},
    {"(7, 32)", "GlobalMaxPool1D()", "(None, 32)", 0, 0, 0},
    /* Flatten, Dense */
    {"(17, 17, 64)", "Flatten()", "(None, 18496)", 0, 0, 0},
    {"(18496,)", "Dense(512, activation='relu')", "(None, 512)", 9470464, 0, 18496LL * 512},
    {"(10,)", "Dense(3, use_bias=False)", "(None, 3)", 30, 0, 30},
    {"(5, 7)", "Dense(4)", "(None, 5, 4)", 32, 0, 5 * 7 * 4},
    {"(3,)", "Dense(4, trainable=False)", "(None, 4)", 16, 16, 12},
    /* shape-preserving layers */
    {"(4, 4, 3)", "Dropout(0.5)", "(None, 4, 4, 3)", 0, 0, 0},
    {"(4, 4, 3)", "Activation('tanh')", "(None, 4, 4, 3)", 0, 0, 0},
    {"(4, 4, 3)", "ReLU(max_value=6)", "(None, 4, 4, 3)", 0, 0, 0},
    {"(4, 4, 3)", "LeakyReLU(alpha=0.2)", "(None, 4, 4, 3)", 0, 0, 0},
    {"(10,)", "Softmax()", "(None, 10)", 0, 0, 0},
    /* BatchNormalization: gamma, beta trainable; moving mean, variance not */
    {"(8, 8, 32)", "BatchNormalization()", "(None, 8, 8, 32)", 128, 64, 0},
    {"(8, 8, 32)", "BatchNormalization(center=False, scale=False)", "(None, 8, 8, 32)", 64, 64, 0},
    {"(5, 6, 7)", "BatchNormalization(axis=1)", "(None, 5, 6, 7)", 20, 10, 0},
    /* ZeroPadding2D, Reshape */
    {"(4, 4, 3)", "ZeroPadding2D()", "(None, 6, 6, 3)", 0, 0, 0},
    {"(4, 4, 3)", "ZeroPadding2D((1, 2))", "(None, 6, 8, 3)", 0, 0, 0},
    {"(4, 4, 3)", "ZeroPadding2D(((1, 0), (2, 3)))", "(None, 5, 9, 3)", 0, 0, 0},
    {"(2, 3, 4)", "Reshape((4, -1))", "(None, 4, 6)", 0, 0, 0},
    {"(2, 3, 4)", "Reshape((24,))", "(None, 24)", 0, 0, 0},
};

ParameterizedTestParameters(layers, shape_and_params)
{
    return cr_make_param_array(struct layer_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct layer_case *c, layers, shape_and_params)
{
    char script[1024];
    snprintf(script, sizeof script, "x = layers.Input(shape=%s)\ny = layers.%s(x)\nmodel = Model(x, y)\n", c->input,
             c->layer);
    check_last_layer(script, c->shape, c->params, c->non_trainable, c->macs);
}

struct merge_case {
    char a[32], b[32], layer[64], shape[48];
};

static struct merge_case merges[] = {
    {"(4, 4, 8)", "(4, 4, 8)", "layers.Add()([a, b])", "(None, 4, 4, 8)"},
    {"(4, 4, 8)", "(1, 1, 8)", "layers.Multiply()([a, b])", "(None, 4, 4, 8)"},
    {"(4, 4, 8)", "(4, 4, 3)", "layers.Concatenate()([a, b])", "(None, 4, 4, 11)"},
    {"(4, 4, 8)", "(2, 4, 8)", "layers.Concatenate(axis=1)([a, b])", "(None, 6, 4, 8)"},
    {"(5,)", "(5,)", "layers.add([a, b])", "(None, 5)"},
    {"(5,)", "(3,)", "layers.concatenate([a, b], axis=-1)", "(None, 8)"},
    {"(None, 8)", "(4, 8)", "layers.Concatenate(axis=1)([a, b])", "(None, None, 8)"},
};

ParameterizedTestParameters(layers, merges)
{
    return cr_make_param_array(struct merge_case, merges, sizeof merges / sizeof merges[0]);
}

ParameterizedTest(struct merge_case *c, layers, merges)
{
    char script[1024];
    snprintf(script, sizeof script,
             "a = layers.Input(shape=%s)\nb = layers.Input(shape=%s)\ny = %s\nmodel = Model([a, b], y)\n", c->a, c->b,
             c->layer);
    check_last_layer(script, c->shape, 0, 0, 0);
}

Test(layers, keras_snake_case_names)
{
    char err[1024];
    clinfer_model *m = load_script("model = Sequential()\n"
                                   "model.add(layers.InputLayer(input_shape=(8, 8, 4)))\n"
                                   "model.add(layers.LeakyReLU())\n"
                                   "model.add(layers.ReLU())\n"
                                   "model.add(layers.DepthwiseConv2D(3))\n"
                                   "model.add(layers.Conv2DTranspose(2, 3))\n"
                                   "model.add(layers.MaxPool2D())\n"
                                   "model.add(layers.GlobalAveragePooling2D())\n"
                                   "model.add(layers.BatchNormalization())\n",
                                   err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    static const char *const names[] = {"input_1", "leaky_re_lu_1", "re_lu_1", "depthwise_conv2d_1",
                                        "conv2d_transpose_1", "max_pooling2d_1", "global_average_pooling2d_1",
                                        "batch_normalization_1"};
    static const char *const types[] = {"InputLayer", "LeakyReLU", "ReLU", "DepthwiseConv2D", "Conv2DTranspose",
                                        "MaxPooling2D", "GlobalAveragePooling2D", "BatchNormalization"};
    cr_assert_eq(clinfer_model_layer_count(m), 8);
    for (int i = 0; i < 8; i++) {
        cr_expect_str_eq(clinfer_model_layer_name(m, i), names[i]);
        cr_expect_str_eq(clinfer_model_layer_type(m, i), types[i]);
    }
    clinfer_model_free(m);
}

/* tests/models/conv1d.py as tf.keras 2.15 builds it (tests/models/export_keras_1d.py): each layer's name, class,
 * output shape and parameters (test_runtime.c checks its predict). */
Test(layers, one_d_layers_match_keras)
{
    char path[1024];
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    snprintf(path, sizeof path, "%s/tests/models/conv1d.py", CLINFER_SOURCE_DIR);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_load(ctx, path, &m), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    snprintf(path, sizeof path, "%s/tests/data/keras1d/layers.txt", CLINFER_SOURCE_DIR);
    char *rows = read_file(path), *save = NULL;
    int i = 0;
    for (char *line = strtok_r(rows, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
        char name[64], type[64], shape[64], got[96];
        long long params;
        cr_assert_eq(sscanf(line, "%63s %63s %63s %lld", name, type, shape, &params), 4, "%s", line);
        cr_assert_lt(i, clinfer_model_layer_count(m));
        shape_text(m, i, got, sizeof got);
        for (char *p = got, *q = got;; p++) /* Keras' rows are written without spaces */
            if (*p != ' ' && !(*q++ = *p)) break;
        cr_expect_str_eq(clinfer_model_layer_name(m, i), name);
        cr_expect_str_eq(clinfer_model_layer_type(m, i), type);
        cr_expect_str_eq(got, shape, "%s", name);
        cr_expect_eq(clinfer_model_layer_params(m, i, NULL), params, "%s", name);
    }
    cr_expect_eq(i, clinfer_model_layer_count(m));
    free(rows);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}
