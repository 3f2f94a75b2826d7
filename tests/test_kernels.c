/* Every OpenCL kernel against the reference backend on PoCL: each case is a small model run on both, with
 * every weight random (biases and statistics too), at batch 1 and 3; every layer's output is compared with a
 * tolerance chosen per op. Where no OpenCL device can be reached these tests fail with that message. */
#include "helpers.h"

#include <criterion/parameterized.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>

struct kcase {
    char input[48];  /* Input shape(s), without the batch: "(7, 9, 3)" or "(4, 4, 8)|(1, 1, 8)" */
    char body[320];  /* layers applied to x (and x2, x3), producing y */
    double rtol, atol;
};

#define CONV 1e-4, 1e-5 /* sums of products in float32 on the device, in double in ref */
#define EXACT 0, 0      /* data movement, max: bit for bit */
#define FN 1e-5, 1e-6   /* element-wise functions (exp, tanh, erf): a few ulp */

static struct kcase cases[] = {
    /* Conv2D: odd sizes, strides, dilation, both paddings, groups, no bias, fused activations */
    {"(7, 9, 3)", "y = layers.Conv2D(5, 3)(x)", CONV},
    {"(7, 9, 3)", "y = layers.Conv2D(4, 3, padding='same', activation='relu')(x)", CONV},
    {"(11, 10, 4)", "y = layers.Conv2D(6, (3, 2), strides=(2, 3), padding='same', activation='tanh')(x)", CONV},
    {"(12, 13, 2)", "y = layers.Conv2D(3, 3, dilation_rate=(2, 3), padding='same')(x)", CONV},
    {"(9, 9, 3)", "y = layers.Conv2D(4, 5, strides=2, use_bias=False, activation='sigmoid')(x)", CONV},
    {"(8, 8, 6)", "y = layers.Conv2D(4, 3, groups=2, padding='same', activation='elu')(x)", CONV},
    {"(5, 6, 16)", "y = layers.Conv2D(24, 1, activation='softmax')(x)", CONV},
    {"(6, 6, 3)", "y = layers.Conv2D(2, 4, strides=3, dilation_rate=1, padding='same', activation='selu')(x)", CONV},
    /* DepthwiseConv2D, SeparableConv2D */
    {"(9, 7, 4)", "y = layers.DepthwiseConv2D(3, depth_multiplier=2, activation='relu6')(x)", CONV},
    {"(10, 10, 3)", "y = layers.DepthwiseConv2D((3, 5), strides=2, padding='same', use_bias=False)(x)", CONV},
    {"(9, 9, 2)", "y = layers.DepthwiseConv2D(3, dilation_rate=2, padding='same')(x)", CONV},
    {"(8, 7, 3)", "y = layers.SeparableConv2D(5, 3, depth_multiplier=2, padding='same', activation='relu')(x)", CONV},
    {"(9, 9, 4)", "y = layers.SeparableConv2D(6, 3, strides=2, use_bias=False)(x)", CONV},
    {"(11, 11, 2)", "y = layers.SeparableConv2D(3, 3, dilation_rate=2)(x)", CONV},
    /* Conv2DTranspose */
    {"(5, 4, 3)", "y = layers.Conv2DTranspose(4, 3, strides=2)(x)", CONV},
    {"(5, 4, 3)", "y = layers.Conv2DTranspose(4, 3, strides=2, padding='same', activation='relu')(x)", CONV},
    {"(4, 5, 2)", "y = layers.Conv2DTranspose(3, 4, strides=(3, 2), output_padding=(1, 0))(x)", CONV},
    {"(4, 4, 2)", "y = layers.Conv2DTranspose(2, 3, strides=1, dilation_rate=2, padding='same')(x)", CONV},
    {"(3, 3, 5)", "y = layers.Conv2DTranspose(2, 2, strides=3, use_bias=False)(x)", CONV},
    /* pooling */
    {"(9, 11, 3)", "y = layers.MaxPooling2D()(x)", EXACT},
    {"(9, 11, 3)", "y = layers.MaxPooling2D(3, strides=2, padding='same')(x)", EXACT},
    {"(9, 11, 32)", "y = layers.MaxPooling2D(3, strides=2, padding='same')(x)", EXACT},
    {"(8, 7, 16)", "y = layers.AveragePooling2D(2, padding='same')(x)", FN},
    {"(9, 11, 3)", "y = layers.AveragePooling2D(3, strides=2, padding='same')(x)", FN},
    {"(8, 7, 2)", "y = layers.AveragePooling2D((2, 3), strides=(1, 2))(x)", FN},
    {"(5, 7, 6)", "y = layers.GlobalAveragePooling2D()(x)", FN},
    {"(5, 7, 6)", "y = layers.GlobalMaxPooling2D(keepdims=True)(x)", EXACT},
    /* the 1-D layers, run as 2-D ones of height 1 (passes/lower_1d.c): strides, 'causal' with dilation, groups,
     * a BatchNormalization and a ReLU layer after them (folded and fused through the views) */
    {"(23, 5)", "y = layers.Conv1D(7, 3, activation='relu')(x)", CONV},
    {"(23, 5)", "y = layers.Conv1D(8, 5, strides=2, padding='same', use_bias=False)(x)", CONV},
    {"(23, 6)", "y = layers.Conv1D(4, 3, padding='causal', dilation_rate=2, groups=2)(x)", CONV},
    {"(23, 6)", "y = layers.ReLU()(layers.BatchNormalization()(layers.Conv1D(16, 3, padding='same')(x)))", CONV},
    {"(21, 7)", "y = layers.MaxPooling1D(3, strides=2, padding='same')(x)", EXACT},
    {"(21, 7)", "y = layers.AveragePooling1D(2)(x)", FN},
    {"(21, 7)", "y = layers.GlobalAveragePooling1D()(x)", FN},
    {"(21, 7)", "y = layers.GlobalMaxPooling1D(keepdims=True)(x)", EXACT},
    /* Dense */
    {"(37,)", "y = layers.Dense(19, activation='relu')(x)", CONV},
    {"(5, 13)", "y = layers.Dense(7, use_bias=False, activation='softplus')(x)", CONV},
    {"(29,)", "y = layers.Dense(10, activation='softmax')(x)", CONV},
    {"(4, 4, 3)", "y = layers.Flatten()(x)\ny = layers.Dropout(0.3)(y)\ny = layers.Dense(5, activation='gelu')(y)",
     CONV},
    /* BatchNormalization */
    {"(5, 6, 7)", "y = layers.BatchNormalization()(x)", FN},
    {"(5, 6, 7)", "y = layers.BatchNormalization(axis=1, center=False)(x)", FN},
    {"(9,)", "y = layers.BatchNormalization(scale=False, epsilon=0.01)(x)", FN},
    /* ... with the activation after it fused: runs of 42 values a channel (two vectors and 10), and channels last */
    {"(5, 6, 7)", "y = layers.Activation('elu')(layers.BatchNormalization(axis=1)(x))", FN},
    {"(5, 6, 7)", "y = layers.ReLU(6.0)(layers.BatchNormalization()(x))", FN},
    /* activations applied alone (in place when the planner allows) */
    {"(3, 4, 5)", "y = layers.Conv2D(4, 1)(x)\ny = layers.Activation('relu')(y)", CONV},
    {"(40,)", "y = layers.Activation('sigmoid')(x)", FN},
    {"(40,)", "y = layers.Activation('tanh')(x)", FN},
    {"(40,)", "y = layers.Activation('elu')(x)", FN},
    {"(40,)", "y = layers.Activation('selu')(x)", FN},
    {"(40,)", "y = layers.Activation('softplus')(x)", FN},
    {"(40,)", "y = layers.Activation('softsign')(x)", FN},
    {"(40,)", "y = layers.Activation('swish')(x)", FN},
    {"(40,)", "y = layers.Activation('gelu')(x)", FN},
    {"(40,)", "y = layers.Activation('mish')(x)", FN},
    {"(40,)", "y = layers.Activation('hard_sigmoid')(x)", FN},
    {"(40,)", "y = layers.Activation('relu6')(x)", FN},
    {"(40,)", "y = layers.Activation('hard_swish')(x)", FN},
    {"(37,)", "y = layers.Dense(19, activation='hard_silu')(x)", CONV},
    {"(40,)", "y = layers.Activation('linear')(x)", EXACT},
    {"(40,)", "y = layers.Dense(40)(x)\ny = layers.ReLU(max_value=0.8, negative_slope=0.1, threshold=0.2)(y)", CONV},
    {"(40,)", "y = layers.Dense(40)(x)\ny = layers.LeakyReLU(alpha=0.2)(y)", CONV},
    {"(3, 5, 4)", "y = layers.Softmax(axis=1)(x)", FN},
    {"(3, 5, 4)", "y = layers.Activation('softmax')(x)", FN},
    /* UpSampling2D (cl/resize.cl): nearest and bilinear, square and not, factor 1 */
    {"(4, 5, 3)", "y = layers.UpSampling2D()(x)", EXACT},
    {"(3, 4, 2)", "y = layers.UpSampling2D((3, 2))(x)", EXACT},
    {"(4, 5, 3)", "y = layers.UpSampling2D(2, interpolation='bilinear')(x)", FN},
    {"(3, 2, 5)", "y = layers.UpSampling2D((1, 3), interpolation='bilinear')(x)", FN},
    /* LayerNormalization (cl/layer_norm.cl): over rows of channels, with and without gamma / beta */
    {"(4, 5, 6)", "y = layers.LayerNormalization()(x)", FN},
    {"(7, 33)", "y = layers.LayerNormalization(epsilon=1e-5, center=False)(x)", FN},
    {"(3, 2, 1)", "y = layers.LayerNormalization(scale=False)(x)", FN},
    /* the affine maps that run as BatchNormalization, Cropping2D (a Slice), Permute (a Transpose), a 'same'
     * Conv2DTranspose with output_padding */
    {"(4, 5, 3)", "y = layers.Rescaling(0.25, offset=-1.5)(x)", FN},
    {"(4, 5, 3)", "y = layers.Normalization()(x)", FN},
    {"(6, 7, 3)", "y = layers.Cropping2D(((1, 2), (3, 0)))(x)", EXACT},
    {"(4, 5, 3)", "y = layers.Permute((3, 1, 2))(x)", EXACT},
    {"(4, 4, 3)", "y = layers.Conv2DTranspose(2, 3, strides=2, padding='same', output_padding=1)(x)", CONV},
    /* ZeroPadding2D, Reshape */
    {"(4, 5, 3)", "y = layers.ZeroPadding2D(((1, 2), (3, 0)))(x)", EXACT},
    {"(4, 5, 3)", "y = layers.Reshape((6, 10))(x)\ny = layers.Dense(3)(y)", CONV},
    /* Add, Multiply (broadcasting, 3 inputs, different ranks), Concatenate */
    {"(4, 4, 8)|(1, 1, 8)|(4, 1, 8)", "y = layers.Add()([x, x2, x3])", FN},
    {"(4, 4, 8)|(8,)", "y = layers.Multiply()([x, x2])", FN},
    {"(6,)|(6,)", "y = layers.multiply([x, x2])", FN},
    /* an activation after them is fused into their kernels (broadcasting, 3 inputs: on the last step only; whole
     * vectors and a tail) */
    {"(4, 4, 8)|(1, 1, 8)|(4, 1, 8)", "y = layers.Activation('relu')(layers.Add()([x, x2, x3]))", FN},
    {"(5, 7, 16)|(5, 7, 16)", "y = layers.ReLU(max_value=6.0, negative_slope=0.1)(layers.Add()([x, x2]))", FN},
    {"(6,)|(6,)", "y = layers.Activation('tanh')(layers.multiply([x, x2]))", FN},
    /* an activation after a Concatenate goes into each input's kernel when every input takes one, else it runs */
    {"(5, 6, 3)", "a = layers.Conv2D(4, 3, padding='same')(x)\nb = layers.Conv2D(5, 1)(x)\n"
                  "y = layers.Activation('relu')(layers.Concatenate()([a, b]))", CONV},
    {"(5, 6, 3)", "a = layers.Conv2D(4, 3, padding='same')(x)\ny = layers.Activation('elu')(layers.Concatenate()([a, x]))",
     CONV},
    {"(3, 4, 2)|(3, 4, 5)|(3, 4, 1)", "y = layers.Concatenate()([x, x2, x3])", EXACT},
    {"(2, 4, 3)|(5, 4, 3)", "y = layers.Concatenate(axis=1)([x, x2])", EXACT},
};

ParameterizedTestParameters(kernels, opencl_matches_ref)
{
    return cr_make_param_array(struct kcase, cases, sizeof cases / sizeof cases[0]);
}

static void compare_case_algo(const struct kcase *c, int64_t batch, const char *algo);

static void compare_case(const struct kcase *c, int64_t batch) { compare_case_algo(c, batch, NULL); }

static void compare_case_algo(const struct kcase *c, int64_t batch, const char *algo)
{
    char script[1024], ins[48];
    snprintf(ins, sizeof ins, "%s", c->input);
    size_t n = 0;
    int n_in = 0;
    static const char *const names[] = {"x", "x2", "x3"};
    for (char *tok = strtok(ins, "|"); tok && n_in < 3; tok = strtok(NULL, "|"))
        n += (size_t)snprintf(script + n, sizeof script - n, "%s = layers.Input(shape=%s)\n", names[n_in++], tok);
    n += (size_t)snprintf(script + n, sizeof script - n, "%s\nmodel = Model([%s%s%s], y)\n", c->body, "x",
                          n_in > 1 ? ", x2" : "", n_in > 2 ? ", x3" : "");
    char err[1024];
    clinfer_model *m = load_script(script, err, sizeof err);
    cr_assert_not_null(m, "%s\n%s", err, script);
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_session *s[2];
    static const char *const dev[2] = {"opencl", "ref"};
    for (int k = 0; k < 2; k++) {
        clinfer_session_options o = {.device = dev[k], .batch = batch, .seed = 7, .init = CLINFER_INIT_RANDOM,
                                     .algo = algo};
        cr_assert_eq(clinfer_session_new(ctx, m, &o, &s[k]), CLINFER_OK, "%s: %s", dev[k], clinfer_context_errmsg(ctx));
    }
    float *in[3];
    uint64_t seed = 99;
    for (int k = 0; k < clinfer_session_input_count(s[0]); k++) {
        int64_t dims[8];
        int rank = clinfer_session_input_shape(s[0], k, dims);
        int64_t cnt = 1;
        for (int r = 0; r < rank; r++) cnt *= dims[r];
        in[k] = malloc(sizeof(float) * (size_t)cnt);
        for (int64_t j = 0; j < cnt; j++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            in[k][j] = (float)((double)(seed >> 40) / (double)(1 << 24)) * 4.0f - 2.0f;
        }
    }
    int layers = clinfer_model_layer_count(m);
    /* a family that fits only some layers (the 1x1 GEMM, Winograd, CLBlast, split-K) must have been given one here */
    const char *family = !algo                       ? NULL
                         : strstr(algo, "gpu")        ? "gpu" /* (conv=gpu:T:R, or every layer's: gpu) */
                         : strstr(algo, "=gemv:")     ? "gemv"
                         : strstr(algo, "=gemm:")     ? "gemm1x1"
                         : strstr(algo, "=winograd:") ? "winograd"
                         : strstr(algo, "=clblast")   ? "clblast"
                         : strstr(algo, "=splitk:") && batch == 1 ? "splitk" /* (one row only) */
                         : strstr(algo, "conv=blocked:")              ? "blocked" /* (grouped convs too) */
                                                      : NULL;
    const int winograd = algo && strstr(algo, "=winograd:");
    int used = 0;
    for (int i = 0; family && i < layers; i++) {
        char name[64];
        clinfer_session_layer_algo(s[0], i, name, sizeof name);
        used |= strncmp(name, family, strlen(family)) == 0;
    }
    cr_assert(!family || used, "algo %s: no layer runs %s\n%s", algo, family, script);
    float **out[2];
    for (int k = 0; k < 2; k++) {
        out[k] = calloc((size_t)layers, sizeof(float *));
        for (int i = 0; i < layers; i++) out[k][i] = malloc(sizeof(float) * (size_t)clinfer_session_layer_elems(s[k], i));
    }
    /* then again with a NaN, a +Inf and a -Inf in every input (first, middle and last element): both backends follow
     * IEEE-754, so the non-finite values land in the same places (a NaN matches a NaN, an Inf the same Inf) */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            for (int k = 0; k < clinfer_session_input_count(s[0]); k++) {
                int64_t dims[8], cnt = 1;
                int rank = clinfer_session_input_shape(s[0], k, dims);
                for (int r = 0; r < rank; r++) cnt *= dims[r];
                in[k][0] = NAN;
                in[k][cnt / 2] = INFINITY;
                in[k][cnt - 1] = -INFINITY;
            }
        for (int k = 0; k < 2; k++)
            cr_assert_eq(clinfer_session_run_layers(ctx, s[k], (const float *const *)in, out[k]), CLINFER_OK, "%s: %s",
                         dev[k], clinfer_context_errmsg(ctx));
        for (int i = 0; i < layers; i++) {
            int64_t cnt = clinfer_session_layer_elems(s[0], i);
            for (int64_t j = 0; j < cnt; j++) {
                double a = out[0][i][j], b = out[1][i][j];
                int ok = isnan(a) || isnan(b) ? isnan(a) && isnan(b)
                         : isinf(a) || isinf(b) ? a == b
                                                : fabs(a - b) <= c->atol + c->rtol * fabs(b);
                /* Winograd's transforms mix a 4x4 input tile into each of its 2x2 outputs: one non-finite input makes
                 * the whole tile non-finite (Inf - Inf is NaN), where the direct sum has fewer (docs/numerics.md) */
                if (pass == 1 && winograd && !ok) ok = isfinite(b) ? !isfinite(a) : !isfinite(a);
                cr_assert(ok,
                          "batch %lld, algo %s, %s inputs, layer '%s', element %lld: opencl %.9g, ref %.9g (rtol %g, "
                          "atol %g)\n%s",
                          (long long)batch, algo ? algo : "chosen", pass ? "non-finite" : "finite",
                          clinfer_model_layer_name(m, i), (long long)j, a, b, c->rtol, c->atol, script);
            }
        }
    }
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < layers; i++) free(out[k][i]);
        free(out[k]);
        clinfer_session_free(s[k]);
    }
    for (int k = 0; k < n_in; k++) free(in[k]);
    clinfer_context_free(ctx);
    clinfer_model_free(m);
}

ParameterizedTest(struct kcase *c, kernels, opencl_matches_ref)
{
    compare_case(c, 1);
    compare_case(c, 3);
}

/* the kernel layer `name` of the model in `script` runs `want` (a shell pattern) on PoCL (at batch 1), with --algo
 * `algo` (NULL: none) */
static void assert_algo_forced(const char *script, const char *name, const char *algo, const char *want)
{
    char err[1024];
    clinfer_model *m = load_script(script, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_session *s;
    clinfer_session_options o = {.device = "opencl", .batch = 1, .seed = 7, .init = CLINFER_INIT_RANDOM,
                                 .algo = algo};
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    int seen = 0;
    for (int i = 0; i < clinfer_model_layer_count(m); i++) {
        if (strcmp(clinfer_model_layer_name(m, i), name) != 0) continue;
        char got[64];
        clinfer_session_layer_algo(s, i, got, sizeof got);
        cr_assert(fnmatch(want, got, 0) == 0, "layer %s runs '%s', not '%s'\n%s", name, got, want, script);
        seen++;
    }
    cr_assert_eq(seen, 1, "no layer %s\n%s", name, script);
    clinfer_session_free(s);
    clinfer_context_free(ctx);
    clinfer_model_free(m);
}

static void assert_algo(const char *script, const char *name, const char *want)
{
    assert_algo_forced(script, name, NULL, want);
}

/* An activation after an Add runs in the Add's kernel, after a Concatenate of layers in theirs, after a
 * BatchNormalization in its: it becomes a view */
Test(kernels, activation_after_add_or_concat_is_fused)
{
    static const char add[] = "x = layers.Input(shape=(4, 4, 16))\nx2 = layers.Input(shape=(4, 4, 16))\n"
                              "y = layers.Activation('relu', name='act')(layers.Add(name='add')([x, x2]))\n"
                              "model = Model([x, x2], y)\n";
    assert_algo(add, "act", "view");
    assert_algo(add, "add", "generic");
    static const char cat[] = "x = layers.Input(shape=(5, 6, 3))\na = layers.Conv2D(4, 3, padding='same')(x)\n"
                              "b = layers.Conv2D(5, 1)(x)\n"
                              "y = layers.Activation('relu', name='act')(layers.Concatenate()([a, b]))\n"
                              "model = Model(x, y)\n";
    assert_algo(cat, "act", "view");
    static const char input[] = "x = layers.Input(shape=(5, 6, 3))\na = layers.Conv2D(4, 3, padding='same')(x)\n"
                                "y = layers.Activation('relu', name='act')(layers.Concatenate()([a, x]))\n"
                                "model = Model(x, y)\n";
    assert_algo(input, "act", "generic");
    /* after a BatchNormalization that stays a layer (DenseNet's, after a Concatenate), in its kernel */
    static const char bn[] = "x = layers.Input(shape=(5, 6, 3))\na = layers.Conv2D(4, 3, padding='same')(x)\n"
                             "c = layers.BatchNormalization(name='bn')(layers.Concatenate()([a, x]))\n"
                             "y = layers.Activation('relu', name='act')(c)\nmodel = Model(x, y)\n";
    assert_algo(bn, "act", "view");
    assert_algo(bn, "bn", "generic");
}

/* A grouped conv's blocked kernel takes only vectors a group holds whole: 2 vectors (32 channels) of groups of 16
 * are refused, and the rule's block runs; groups of 8 take the generic kernel (over NHWC no CPU-shaped family runs
 * them) */
Test(kernels, grouped_blocked_vectors_within_a_group)
{
    static const char g16[] = "x = layers.Input(shape=(6, 9, 32))\n"
                              "y = layers.Conv2D(32, 3, groups=2, name='g')(x)\nmodel = Model(x, y)\n";
    assert_algo(g16, "g", "blocked [0-9]px x 1v");
    assert_algo_forced(g16, "g", "conv=blocked:2:2", "blocked [0-9]px x 1v");
    assert_algo_forced(g16, "g", "conv=blocked:6:1", "blocked 6px x 1v");
    static const char g8[] = "x = layers.Input(shape=(6, 9, 32))\n"
                             "y = layers.Conv2D(32, 3, groups=4, name='g')(x)\nmodel = Model(x, y)\n";
    assert_algo(g8, "g", "direct");
}

/* Every block shape of the tuned kernels, forced, against ref: pixels and vectors that do not divide the layer,
 * fewer than 16 channels, channels that need padding, rows and units that do not divide the tile. */
struct acase {
    struct kcase k;
    char algo[64];
};

static struct acase algos[] = {
    {{"(7, 9, 3)", "y = layers.Conv2D(5, 3)(x)", CONV}, "conv=blocked:1:1"},
    {{"(7, 9, 3)", "y = layers.Conv2D(5, 3)(x)", CONV}, "conv=blocked:4:1"},
    {{"(7, 9, 3)", "y = layers.Conv2D(5, 3, padding='same')(x)", CONV}, "conv=blocked:12:1"},
    {{"(7, 9, 3)", "y = layers.Conv2D(5, 3)(x)", CONV}, "conv=direct"},
    {{"(11, 10, 20)", "y = layers.Conv2D(40, 3, strides=2, padding='same', activation='relu')(x)", CONV}, "conv=blocked:4:2"},
    {{"(11, 10, 20)", "y = layers.Conv2D(40, 3, strides=2, padding='same', activation='relu')(x)", CONV}, "conv=blocked:6:3"},
    {{"(11, 10, 20)", "y = layers.Conv2D(40, (3, 1), strides=(1, 2))(x)", CONV}, "conv=blocked:3:4"},
    {{"(12, 13, 8)", "y = layers.Conv2D(17, 3, dilation_rate=2, padding='same', activation='elu')(x)", CONV}, "conv=blocked:2:2"},
    {{"(6, 6, 16)", "y = layers.Conv2D(32, 1, activation='softmax')(x)", CONV}, "conv=blocked:5:2"},
    /* channels a multiple of 16 with linear or ReLU: whole-vector stores; interior and edge blocks of one row */
    {{"(10, 14, 8)", "y = layers.Conv2D(32, 3, padding='same', activation='relu')(x)", CONV}, "conv=blocked:4:2"},
    {{"(10, 14, 8)", "y = layers.Conv2D(32, 3, padding='same', activation='relu')(x)", CONV}, "conv=blocked:12:1"},
    {{"(9, 40, 16)", "y = layers.Conv2D(16, 3, strides=2, padding='same')(x)", CONV}, "conv=blocked:16:1"},
    {{"(9, 40, 16)", "y = layers.Conv2D(64, (1, 5), dilation_rate=2)(x)", CONV}, "conv=blocked:2:4"},
    /* activation layers fused into the conv's and the dense's epilogue (vector and scalar stores) */
    {{"(8, 11, 3)", "y = layers.ReLU(max_value=0.3, negative_slope=0.1, threshold=0.05)(layers.Conv2D(16, 3)(x))", CONV},
     "conv=blocked:4:1"},
    {{"(8, 11, 3)", "y = layers.LeakyReLU(0.2)(layers.BatchNormalization()(layers.Conv2D(32, 3, padding='same')(x)))",
      CONV}, "conv=blocked:6:2"},
    {{"(8, 11, 3)", "y = layers.ReLU(6.0)(layers.Conv2D(20, 3, padding='same')(x))", CONV}, "conv=blocked:4:2"},
    {{"(8, 11, 3)", "y = layers.Activation('gelu')(layers.Conv2D(16, 3)(x))", CONV}, "conv=blocked:8:1"},
    {{"(37,)", "y = layers.Activation('tanh')(layers.Dense(19)(x))", CONV}, "dense=tiled:4:1"},
    /* a max pool fused into the conv's epilogue: odd conv sizes (the last row and column unused), pool 3,
     * channels not a multiple of 16 with a scalar activation, blocks rounded up to whole windows, the direct kernel;
     * a pool that does not fit (stride 1) stays a layer of its own */
    {{"(9, 11, 3)", "y = layers.MaxPooling2D(2)(layers.Conv2D(16, 3, activation='relu')(x))", CONV}, "conv=blocked:4:1"},
    {{"(9, 11, 3)", "y = layers.MaxPooling2D(2)(layers.Conv2D(16, 3, activation='relu')(x))", CONV}, "conv=blocked:3:1"},
    {{"(9, 11, 3)", "y = layers.MaxPooling2D(2)(layers.Conv2D(16, 3, activation='relu')(x))", CONV}, "conv=direct"},
    {{"(12, 13, 8)", "y = layers.MaxPooling2D(3)(layers.Conv2D(32, 3, padding='same')(x))", CONV}, "conv=blocked:6:2"},
    {{"(10, 10, 4)", "y = layers.MaxPooling2D(2)(layers.Conv2D(20, 3, padding='same', activation='tanh')(x))", CONV},
     "conv=blocked:8:2"},
    {{"(10, 10, 4)", "y = layers.MaxPooling2D(2, strides=1)(layers.Conv2D(16, 3)(x))", CONV}, "conv=blocked:4:1"},
    /* grouped, a group's output channels whole vectors (RegNet's groups of 16): each block reads its group's inputs,
     * 1-2 vectors a group, a stride, dilation, no bias, edge blocks */
    {{"(6, 9, 32)", "y = layers.Conv2D(32, 3, groups=2, padding='same', activation='relu')(x)", CONV}, "conv=blocked:4:1"},
    {{"(7, 10, 12)", "y = layers.Conv2D(64, 3, strides=2, groups=2)(x)", CONV}, "conv=blocked:3:2"},
    {{"(5, 11, 12)", "y = layers.Conv2D(48, (3, 2), groups=3, use_bias=False, dilation_rate=(1, 2))(x)", CONV},
     "conv=blocked:2:1"},
    {{"(9, 11, 8)", "y = layers.MaxPooling2D(2)(layers.Conv2D(64, 3, groups=4, activation='relu')(x))", CONV},
     "conv=blocked:4:1"},
    /* Conv1D through the 2-D families: blocks past the steps, 1x1 as a GEMM, 'causal' pads, CLBlast's im2col */
    {{"(37, 6)", "y = layers.Conv1D(16, 5, strides=2, padding='same')(x)", CONV}, "conv=blocked:4:1"},
    {{"(37, 6)", "y = layers.Conv1D(40, 3, activation='relu')(x)", CONV}, "conv=blocked:8:3"},
    {{"(29, 16)", "y = layers.Conv1D(32, 1)(x)", CONV}, "conv=gemm:4:2"},
    {{"(23, 5)", "y = layers.Conv1D(8, 3, padding='causal', dilation_rate=2)(x)", CONV}, "conv=blocked:3:1"},
    {{"(23, 5)", "y = layers.Conv1D(8, 3, padding='causal', dilation_rate=2)(x)", CONV}, "conv=direct"},
    {{"(17, 8)", "y = layers.Conv1D(20, 3)(x)", CONV}, "conv=clblast"},
    /* depthwise over NHWC: 16-channel vectors, channels that are not a multiple of 16, strides, dilation, padding */
    {{"(9, 13, 32)", "y = layers.DepthwiseConv2D(3, padding='same', activation='relu')(x)", CONV}, "depthwise=blocked:4"},
    {{"(9, 13, 32)", "y = layers.DepthwiseConv2D(3, strides=2, padding='same')(x)", CONV}, "depthwise=blocked:16"},
    {{"(9, 13, 20)", "y = layers.DepthwiseConv2D((3, 5), dilation_rate=2, padding='same')(x)", CONV}, "depthwise=blocked:3"},
    {{"(9, 13, 20)", "y = layers.DepthwiseConv2D(3, use_bias=False)(x)", CONV}, "depthwise=blocked:1"},
    {{"(9, 13, 20)", "y = layers.DepthwiseConv2D(3, depth_multiplier=2)(x)", CONV}, "depthwise=blocked:4"},
    /* 1x1 as a GEMM over NHWC: pixels across rows and images, a tail block, channels not a multiple of 16 */
    {{"(5, 7, 20)", "y = layers.Conv2D(24, 1, activation='relu')(x)", CONV}, "conv=gemm:1:1"},
    {{"(5, 7, 20)", "y = layers.Conv2D(24, 1, activation='relu')(x)", CONV}, "conv=gemm:6:2"},
    {{"(5, 7, 20)", "y = layers.Conv2D(32, 1, use_bias=False)(x)", CONV}, "conv=gemm:16:1"},
    {{"(3, 3, 40)", "y = layers.Conv2D(70, 1, activation='elu')(x)", CONV}, "conv=gemm:4:4"},
    /* Winograd F(2x2,3x3): odd sizes (half tiles at the bottom and right), valid and same padding, tiles per block
     * that do not divide the row, more tiles per block than the row has, channel vectors, fused activations */
    {{"(7, 9, 3)", "y = layers.Conv2D(5, 3)(x)", CONV}, "conv=winograd:1:1"},
    {{"(7, 9, 3)", "y = layers.Conv2D(5, 3, padding='same')(x)", CONV}, "conv=winograd:3:1"},
    {{"(10, 14, 8)", "y = layers.Conv2D(32, 3, padding='same', activation='relu')(x)", CONV}, "conv=winograd:2:2"},
    {{"(10, 14, 8)", "y = layers.Conv2D(32, 3, padding='same', activation='relu')(x)", CONV}, "conv=winograd:6:1"},
    {{"(11, 5, 16)", "y = layers.Conv2D(40, 3, activation='tanh')(x)", CONV}, "conv=winograd:4:3"},
    {{"(8, 11, 3)", "y = layers.LeakyReLU(0.2)(layers.Conv2D(17, 3, padding='same', use_bias=False)(x))", CONV},
     "conv=winograd:1:4"},
    /* CLBlast's SGEMM: im2col with strides, dilation and padding, a 1x1 conv straight on its input, dense layers */
    {{"(11, 10, 20)", "y = layers.Conv2D(40, 3, strides=2, padding='same', activation='relu')(x)", CONV}, "conv=clblast"},
    {{"(12, 13, 8)", "y = layers.Conv2D(17, 3, dilation_rate=2, padding='same', activation='elu')(x)", CONV},
     "conv=clblast"},
    {{"(5, 7, 20)", "y = layers.Conv2D(24, 1, use_bias=False)(x)", CONV}, "conv=clblast"},
    {{"(5, 40)", "y = layers.Dense(7)(x)", CONV}, "dense=clblast"},
    {{"(37,)", "y = layers.Dense(19, activation='tanh')(x)", CONV}, "dense=clblast"},
    {{"(37,)", "y = layers.Dense(19, activation='relu')(x)", CONV}, "dense=tiled:1:1"},
    {{"(37,)", "y = layers.Dense(19, activation='relu')(x)", CONV}, "dense=tiled:4:1"},
    {{"(50,)", "y = layers.Dense(19, activation='tanh')(x)", CONV}, "dense=tiled:8:1"},
    {{"(5, 40)", "y = layers.Dense(7)(x)", CONV}, "dense=tiled:4:2"},
    {{"(5, 40)", "y = layers.Dense(7, use_bias=False)(x)", CONV}, "dense=tiled:2:4"},
    {{"(7, 33)", "y = layers.Dense(9, activation='softmax')(x)", CONV}, "dense=tiled:4:8"},
    {{"(12,)", "y = layers.Dense(5)(x)", CONV}, "dense=tiled:4:1"},
    /* a last block of one row takes the one-row path (batch 1; rows 9, 25 past blocks of 4), a part block of 3 rows
     * the tile with rows of zeros (batch 3) */
    {{"(37,)", "y = layers.Dense(19, activation='relu')(x)", CONV}, "dense=tiled:4:4"},
    {{"(9, 33)", "y = layers.Dense(21)(x)", CONV}, "dense=tiled:8:4"},
    /* the split-K GEMV (batch 1; batch 3 falls back): inputs that leave a short last chunk and rows after the last
     * four, units in whole vectors and a tail, a block that holds only the tail, blocks past the last vector, one
     * chunk (the first kernel adds the bias and applies the activation) */
    {{"(37,)", "y = layers.Dense(19, activation='tanh')(x)", CONV}, "dense=splitk:16:1"},
    {{"(37,)", "y = layers.Dense(19, activation='relu')(x)", CONV}, "dense=splitk:8:32"},
    {{"(50,)", "y = layers.Dense(5)(x)", CONV}, "dense=splitk:64:4"},
    {{"(1000,)", "y = layers.Dense(40, activation='softmax')(x)", CONV}, "dense=splitk:128:2"},
    {{"(64,)", "y = layers.Dense(48, use_bias=False)(x)", CONV}, "dense=splitk:32:2"},
    {{"(1, 40)", "y = layers.Dense(7)(x)", CONV}, "dense=splitk:12:1"},
    {{"(37,)", "y = layers.Dense(35, activation='relu')(x)", CONV}, "dense=splitk:64:1"},
    {{"(40,)", "y = layers.Dense(32, activation='elu', use_bias=False)(x)", CONV}, "dense=splitk:64:32"},
};

ParameterizedTestParameters(kernels, every_block_shape_matches_ref)
{
    return cr_make_param_array(struct acase, algos, sizeof algos / sizeof algos[0]);
}

ParameterizedTest(struct acase *c, kernels, every_block_shape_matches_ref)
{
    compare_case_algo(&c->k, 1, c->algo);
    compare_case_algo(&c->k, 3, c->algo);
}

/* The GPU-shaped families, forced, over NHWC (NCHW, ONNX's, is in test_torch): the tiled GEMM (cl/gemm_tiled.cl) at
 * sizes that are not multiples of its tiles, Cin = 3, odd channel counts, stride 2, dilation 2, groups, a fused max
 * pool, every tile and work-group shape the tuner may pick (T 16-64, R 1-8: 64 or 256 work-items), batch 1 and 3 (a
 * tile of pixels across images), dense layers of 1, 3 and 40 rows; the GEMV at 1-7 rows; depthwise and pooling with
 * one output a work-item. Each checks that the family ran. */
static struct acase gpu_algos[] = {
    {{"(7, 9, 3)", "y = layers.Conv2D(5, 3)(x)", CONV}, "conv=gpu:16:1"},
    {{"(7, 9, 3)", "y = layers.Conv2D(5, 3, padding='same', activation='relu')(x)", CONV}, "conv=gpu:16:2"},
    {{"(11, 10, 20)", "y = layers.Conv2D(40, 3, strides=2, padding='same', activation='relu')(x)", CONV}, "conv=gpu:32:2"},
    {{"(12, 13, 8)", "y = layers.Conv2D(17, 3, dilation_rate=2, padding='same', activation='elu')(x)", CONV},
     "conv=gpu:32:4"},
    {{"(9, 9, 3)", "y = layers.Conv2D(4, 5, strides=2, use_bias=False, activation='sigmoid')(x)", CONV}, "conv=gpu:64:4"},
    {{"(8, 8, 6)", "y = layers.Conv2D(4, 3, groups=2, padding='same', activation='elu')(x)", CONV}, "conv=gpu:16:2"},
    {{"(10, 9, 12)", "y = layers.Conv2D(30, (3, 2), groups=3, strides=(2, 1))(x)", CONV}, "conv=gpu:32:2"},
    {{"(5, 6, 16)", "y = layers.Conv2D(24, 1, activation='softmax')(x)", CONV}, "conv=gpu:64:8"},
    {{"(6, 40, 70)", "y = layers.Conv2D(65, 1)(x)", CONV}, "conv=gpu:64:4"},
    {{"(9, 11, 3)", "y = layers.MaxPooling2D(2)(layers.Conv2D(16, 3, activation='relu')(x))", CONV}, "conv=gpu:32:2"},
    {{"(12, 13, 8)", "y = layers.MaxPooling2D(3)(layers.Conv2D(33, 3, padding='same')(x))", CONV}, "conv=gpu:16:1"},
    /* depthwise (cl/depthwise_gpu.cl): work-groups of 16-256, 1-8 outputs a work-item, a last group part empty */
    {{"(9, 7, 4)", "y = layers.DepthwiseConv2D(3, depth_multiplier=2, activation='relu6')(x)", CONV}, "depthwise=gpu:16:2"},
    {{"(10, 10, 3)", "y = layers.DepthwiseConv2D((3, 5), strides=2, padding='same', use_bias=False)(x)", CONV},
     "depthwise=gpu:32:1"},
    {{"(9, 13, 20)", "y = layers.DepthwiseConv2D((3, 5), dilation_rate=2, padding='same')(x)", CONV}, "depthwise=gpu:64:8"},
    {{"(17, 15, 24)", "y = layers.DepthwiseConv2D(3, padding='same', activation='swish')(x)", CONV}, "depthwise=gpu:256:1"},
    {{"(12, 11, 5)", "y = layers.DepthwiseConv2D(5, strides=(2, 3), depth_multiplier=3)(x)", CONV}, "depthwise=gpu:128:4"},
    /* pooling (cl/pool_gpu.cl): max and average, 'same' padding (an average counts only the input's positions),
     * strides unlike the window, odd sizes */
    {{"(9, 11, 6)", "y = layers.MaxPooling2D(3, strides=2, padding='same')(x)", CONV}, "pool=gpu:16:1"},
    {{"(9, 11, 6)", "y = layers.AveragePooling2D(2, padding='same')(x)", CONV}, "pool=gpu:64:2"},
    {{"(13, 10, 17)", "y = layers.AveragePooling2D((3, 2), strides=(1, 2))(x)", CONV}, "pool=gpu:128:4"},
    {{"(7, 7, 33)", "y = layers.MaxPooling2D(2)(x)", CONV}, "pool=gpu:256:8"},
    {{"(37,)", "y = layers.Dense(19, activation='tanh')(x)", CONV}, "dense=gpu:16:1"},
    {{"(5, 40)", "y = layers.Dense(7)(x)", CONV}, "dense=gpu:32:2"},
    {{"(7, 33)", "y = layers.Dense(9, activation='softmax')(x)", CONV}, "dense=gpu:32:4"},
    {{"(1000,)", "y = layers.Dense(70, use_bias=False)(x)", CONV}, "dense=gpu:64:4"},
    {{"(40, 17)", "y = layers.Dense(130, activation='relu')(x)", CONV}, "dense=gpu:64:8"},
    /* the GPU-shaped GEMV at 1-7 rows: a short last chunk, one chunk, units past the work-group's 64, rows 2 and 6 */
    {{"(37,)", "y = layers.Dense(19, activation='tanh')(x)", CONV}, "dense=gemv:16"},
    {{"(1000,)", "y = layers.Dense(70, use_bias=False)(x)", CONV}, "dense=gemv:128"},
    {{"(300,)", "y = layers.Dense(130, activation='softmax')(x)", CONV}, "dense=gemv:1024"},
    {{"(2, 100)", "y = layers.Dense(65, activation='relu')(x)", CONV}, "dense=gemv:32"},
    /* every layer its GPU-shaped family at once: a small network of convs, a fused pool, depthwise and dense */
    {{"(16, 16, 3)", "z = layers.Conv2D(8, 3, padding='same', activation='relu')(x)\nz = layers.MaxPooling2D()(z)\n"
                     "z = layers.DepthwiseConv2D(3, padding='same')(z)\nz = layers.AveragePooling2D(padding='same')(z)\n"
                     "z = layers.Flatten()(z)\n"
                     "y = layers.Dense(10, activation='softmax')(z)", CONV}, "gpu"},
};

ParameterizedTestParameters(kernels, gpu_family_matches_ref)
{
    return cr_make_param_array(struct acase, gpu_algos, sizeof gpu_algos / sizeof gpu_algos[0]);
}

ParameterizedTest(struct acase *c, kernels, gpu_family_matches_ref)
{
    compare_case_algo(&c->k, 1, c->algo);
    compare_case_algo(&c->k, 3, c->algo);
}

/* What the tuner times on a GPU (tune/tuner.c): the GPU-shaped families, CLBlast and the generic kernels, whichever
 * is fastest kept (a generic winner remembered too); on a CPU the CPU-shaped families and never the generic kernel.
 * PoCL is tuned as a GPU is with $CLINFER_TUNE_FAMILIES=gpu, in a cache of its own; the progress callback names each
 * candidate as it is timed. Each layer kind of tests/oclgrind/families.py (a conv with a fused max pool, depthwise,
 * grouped, an average pool, dense) must have timed its generic kernel and a GPU-shaped family, and the session then
 * matches ref. */
struct seen {
    char text[16384];
    size_t len;
};

static void note_candidate(void *user, const char *phase, int64_t done, int64_t total, const char *detail)
{
    struct seen *s = user;
    (void)done, (void)total;
    if (strcmp(phase, "tuning") == 0 && s->len + strlen(detail) + 2 < sizeof s->text)
        s->len += (size_t)snprintf(s->text + s->len, sizeof s->text - s->len, "%s\n", detail);
}

static void tune_families_py(const char *families, const char *dir, struct seen *seen)
{
    char path[1024], err[1024];
    setenv("XDG_CACHE_HOME", dir, 1);
    setenv("CLINFER_TUNE_FAMILIES", families, 1);
    setenv("CLINFER_TUNE_BUDGET_MS", "600000", 1); /* (every layer timed, however slowly its programs compile) */
    snprintf(path, sizeof path, "%s/tests/oclgrind/families.py", CLINFER_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    static char text[4096];
    size_t len = fread(text, 1, sizeof text - 1, f);
    text[len] = 0;
    fclose(f);
    clinfer_model *m = load_script(text, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    memset(seen, 0, sizeof *seen);
    seen->text[seen->len++] = '\n'; /* (each line between newlines) */
    clinfer_context_set_progress(ctx, note_candidate, seen);
    clinfer_session *s[2];
    static const char *const dev[2] = {"opencl", "ref"};
    for (int k = 0; k < 2; k++) {
        clinfer_session_options o = {.device = k ? dev[1] : test_device(), .batch = 2, .seed = 3,
                                     .init = CLINFER_INIT_RANDOM, .tune = k ? CLINFER_TUNE_NONE : CLINFER_TUNE_FAST};
        cr_assert_eq(clinfer_session_new(ctx, m, &o, &s[k]), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    }
    unsetenv("CLINFER_TUNE_FAMILIES");
    unsetenv("CLINFER_TUNE_BUDGET_MS");
    unsetenv("XDG_CACHE_HOME");
    enum { IN = 2 * 10 * 9 * 3, OUT = 2 * 5 };
    static float x[IN], y[2][OUT];
    for (int i = 0; i < IN; i++) x[i] = sinf((float)i * 0.37f);
    for (int k = 0; k < 2; k++)
        cr_assert_eq(clinfer_session_run(ctx, s[k], (const float *const[]){x}, (float *const[]){y[k]}), CLINFER_OK, "%s",
                     clinfer_context_errmsg(ctx));
    for (int i = 0; i < OUT; i++) /* softmax outputs */
        cr_assert(fabsf(y[0][i] - y[1][i]) <= 1e-5f + 1e-4f * fabsf(y[1][i]), "CLINFER_TUNE_FAMILIES=%s: [%d] %g vs ref %g",
                  families, i, y[0][i], y[1][i]);
    for (int k = 0; k < 2; k++) clinfer_session_free(s[k]);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}

/* (each in a process and a cache directory of its own, which stays until the test ends: PoCL keeps its cache in the
 * first one it saw, clinfer its tuning database) */
static void tune_in_a_new_cache(const char *families, struct seen *seen)
{
    char dir[] = "/tmp/clinfer-tune-XXXXXX", cmd[128];
    cr_assert_not_null(mkdtemp(dir));
    tune_families_py(families, dir, seen);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(tuning, a_gpu_times_the_generic_kernels_beside_its_own_families)
{
    static struct seen seen;
    tune_in_a_new_cache("gpu", &seen);
    static const char *const layers[] = {"conv2d_1", "depthwise_conv2d_1", "conv2d_2", "average_pooling2d_1", "dense_1"};
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
        char generic[96], direct[96], gpu[96];
        snprintf(generic, sizeof generic, "\n%s: generic\n", layers[i]);
        snprintf(direct, sizeof direct, "\n%s: direct\n", layers[i]);
        snprintf(gpu, sizeof gpu, "\n%s: gpu ", layers[i]);
        cr_expect(strstr(seen.text, generic) || strstr(seen.text, direct), "%s: its generic kernel was not timed:\n%s",
                  layers[i], seen.text);
        cr_expect(strstr(seen.text, gpu) || (strcmp(layers[i], "dense_1") == 0 && strstr(seen.text, "\ndense_1: gemv ")),
                  "%s: no GPU-shaped family was timed:\n%s", layers[i], seen.text);
    }
}

Test(tuning, a_cpu_times_neither_the_generic_kernels_nor_the_gpu_families)
{
    static struct seen seen;
    tune_in_a_new_cache("cpu", &seen);
    cr_expect(strstr(seen.text, "\nconv2d_1: blocked "), "on a CPU the blocked family is timed:\n%s", seen.text);
    cr_expect(!strstr(seen.text, ": direct\n") && !strstr(seen.text, ": generic\n") && !strstr(seen.text, ": gpu "),
              "on a CPU neither the generic kernel nor a GPU-shaped family is timed:\n%s", seen.text);
}
