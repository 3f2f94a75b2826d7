/* compare's default tolerances in both directions, on PoCL against ref: every example and PyTorch-exported block
 * passes; and with each kernel family broken in one way (an off-by-one in a loop bound, a wrong weight index, a
 * missing bias, a wrong activation or operation) in a copy of cl/ read through CLINFER_KERNEL_DIR, compare fails and
 * names the broken layer first. (tests/compare-zoo runs the torchvision networks.) */
#include "helpers.h"

#include <criterion/parameterized.h>
#include <unistd.h>

static const char *src_path(const char *rel)
{
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", CLINFER_SOURCE_DIR, rel);
    return buf[k];
}

/* A model from a file under the source tree, or from a Keras script's text. */
static clinfer_model *load_model(clinfer_context *ctx, const char *what)
{
    clinfer_model *m = NULL;
    clinfer_status st = strchr(what, '\n') ? clinfer_model_load_keras(ctx, "model.py", what, strlen(what), &m)
                                           : clinfer_model_load(ctx, src_path(what), &m);
    cr_assert_eq(st, CLINFER_OK, "%s: %s", what, clinfer_context_errmsg(ctx));
    return m;
}

/* Runs the model on PoCL and on ref, every weight random (biases too), on inputs uniform in [-2, 2). */
static clinfer_comparison *compare(clinfer_context *ctx, const clinfer_model *m, int64_t batch, const char *algo)
{
    clinfer_compare_options o = {.session = {.device = "opencl", .batch = batch, .seed = 3, .init = CLINFER_INIT_RANDOM,
                                             .algo = algo},
                                 .against = "ref", .rtol = -1, .atol = -1};
    float *in[8] = {0};
    uint64_t seed = 11;
    int n_in = clinfer_model_input_count(m);
    cr_assert_leq(n_in, 8);
    for (int k = 0; k < n_in; k++) {
        int64_t dims[CLINFER_MAX_RANK], n = 1;
        int rank = clinfer_model_layer_shape(m, clinfer_model_input_layer(m, k), dims);
        for (int r = 0; r < rank; r++) n *= dims[r] < 0 ? batch : dims[r];
        in[k] = malloc(sizeof(float) * (size_t)n);
        for (int64_t j = 0; j < n; j++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            in[k][j] = (float)((double)(seed >> 40) / (double)(1 << 24)) * 4.0f - 2.0f;
        }
    }
    clinfer_comparison *c = NULL;
    cr_assert_eq(clinfer_compare(ctx, m, &o, (const float *const *)in, &c), CLINFER_OK, "%s",
                 clinfer_context_errmsg(ctx));
    for (int k = 0; k < n_in; k++) free(in[k]);
    return c;
}

/* ---- correct kernels: within the default tolerances */

static const char *const correct[] = {
    "examples/seed.py",
    "examples/branches.py",
    "examples/sequential.py",
    "tests/models/conv1d.py",
    "tests/models/torch/lenet.onnx",
    "tests/models/torch/resnet_block.onnx",
    "tests/models/torch/mobilenet_block.onnx",
    "tests/models/torch/inception_block.onnx",
    "tests/models/torch/depthwise_variants.onnx",
    "tests/models/torch/conv_rows_variants.onnx",
    "tests/models/torch/reduce_variants.onnx",
};

Test(compare, correct_kernels_pass_at_the_default_tolerances)
{
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    double worst = 0;
    for (size_t k = 0; k < sizeof correct / sizeof correct[0]; k++) {
        clinfer_model *m = load_model(ctx, correct[k]);
        for (int64_t batch = 1; batch <= 3; batch += 2) {
            clinfer_comparison *c = compare(ctx, m, batch, NULL);
            int first = clinfer_comparison_first_failure(c);
            cr_expect_eq(clinfer_comparison_verdict(c), CLINFER_VERDICT_PASS, "%s at batch %lld: '%s' past tolerance",
                         correct[k], (long long)batch, first >= 0 ? clinfer_model_layer_name(m, first) : "");
            for (int i = 0; i < clinfer_model_layer_count(m); i++) {
                clinfer_compare_layer L;
                clinfer_comparison_layer(c, i, &L);
                if (L.worst > worst) worst = L.worst;
            }
            clinfer_comparison_free(c);
        }
        clinfer_model_free(m);
    }
    /* (the largest share of a tolerance a correct layer took; the note of #22 quotes it) */
    cr_log_info("largest share of its tolerance a correct layer took: %.3g", worst);
    clinfer_context_free(ctx);
}

/* ---- broken kernels: compare fails, at the broken layer */

struct broken {
    char file[32];   /* the kernel file of cl/ */
    char from[96];   /* its text (the first occurrence is replaced) */
    char to[112];
    char model[320]; /* a Keras script whose broken layer is named 'broken', or a model file */
    char layer[40];  /* the layer compare must name first: a name, or "type:T" for the first layer of type T */
    char algo[40];   /* the kernels forced (NULL: chosen) */
    int batch;
};

#define IN(shape) "x = layers.Input(shape=" shape ")\n"
#define END "model = Model(x, y)\n"
#define HEAD "y = layers.Flatten()(y)\ny = layers.Dense(4, name='head')(y)\n"

static struct broken cases[] = {
    /* conv: blocked (off-by-one), direct (weights of the wrong channel), 1x1 GEMM (no bias), Winograd (ReLU6 where
     * there is none), NCHW rows (off-by-one), CLBlast's glue (no bias), transpose (no bias) */
    {"conv2d_blocked.cl", "for (int kx = 0; kx < KW; kx++) {", "for (int kx = 0; kx < KW - 1; kx++) {",
     IN("(10, 12, 8)") "y = layers.Conv2D(16, 3, padding='same', name='broken')(x)\n" HEAD END, "broken",
     "conv=blocked:4:1", 2},
    {"conv2d.cl", "kp[(size_t)ci * co_total]", "kp[(size_t)(cg - 1 - ci) * co_total]",
     IN("(9, 9, 6)") "y = layers.Conv2D(8, 3, name='broken')(x)\n" HEAD END, "broken", "conv=direct", 2},
    {"conv1x1_gemm.cl", "HAS_BIAS ? vload16(0, B + co0 + 16 * v) : (float16)0.0f", "(float16)0.0f",
     IN("(7, 9, 16)") "y = layers.Conv2D(32, 1, name='broken')(x)\n" HEAD END, "broken", "conv=gemm:4:2", 2},
    {"winograd_f23.cl", "act_apply16(acc[t][q][v] + b, ACT, ap)", "act_apply16(acc[t][q][v] + b, ACT_RELU6, ap)",
     IN("(10, 10, 8)") "y = layers.Conv2D(16, 3, padding='same', name='broken')(x)\n" HEAD END, "broken",
     "conv=winograd:2:1", 2},
    {"conv2d_rows.cl", "for (int kx = 0; kx < KW; kx++) {", "for (int kx = 0; kx < KW - 1; kx++) {",
     "tests/models/torch/conv_rows_variants.onnx", "type:Conv", "conv=rows:4:1", 2},
    {"gemm_glue.cl", "if (HAS_BIAS) v += B[CHANNEL(i)];", "if (0) v += B[CHANNEL(i)];",
     IN("(8, 8, 4)") "y = layers.Conv2D(20, 3, name='broken')(x)\n" HEAD END, "broken", "conv=clblast", 2},
    {"conv2d_transpose.cl", "float acc = has_bias ? B[co] : 0.0f;", "float acc = 0.0f;",
     IN("(5, 4, 3)") "y = layers.Conv2DTranspose(4, 3, strides=2, name='broken')(x)\n" HEAD END, "broken", "", 2},
    /* depthwise: blocked (the kernel flipped), direct (no bias) */
    {"depthwise_blocked.cl", "K[(size_t)k * CO16 + oc]", "K[(size_t)(KH * KW - 1 - k) * CO16 + oc]",
     "tests/models/torch/depthwise_variants.onnx", "type:Conv", "depthwise=blocked:4", 2},
    {"depthwise_conv2d.cl", "float acc = has_bias ? B[oc] : 0.0f;", "float acc = 0.0f;",
     IN("(9, 13, 8)") "y = layers.DepthwiseConv2D(3, padding='same', name='broken')(x)\n" HEAD END, "broken",
     "depthwise=direct", 2},
    /* dense: direct (off-by-one), tiled and split-K (no bias) */
    {"dense.cl", "for (int c = 0; c < cin; c++)", "for (int c = 0; c < cin - 1; c++)",
     IN("(37,)") "y = layers.Dense(10, name='broken')(x)\ny = layers.Dense(3)(y)\n" END, "broken", "dense=direct", 2},
    {"dense_fast.cl", "if (HAS_BIAS) s += B[u];", "if (0) s += B[u];",
     IN("(37,)") "y = layers.Dense(19, name='broken')(x)\ny = layers.Dense(3)(y)\n" END, "broken", "dense=tiled:4:1", 2},
    {"dense_splitk.cl", "HAS_BIAS ? acc[j] + vload16(v0 + j, B) : acc[j]", "acc[j]",
     IN("(37,)") "y = layers.Dense(40, name='broken')(x)\ny = layers.Dense(3)(y)\n" END, "broken", "dense=splitk:64:1",
     1},
    /* pooling: the generic kernel and NCHW rows (off-by-one), the global pool (a row left out) */
    {"pool2d.cl", "for (int kx = 0; kx < win.y; kx++) {", "for (int kx = 0; kx < win.y - 1; kx++) {",
     IN("(9, 11, 3)") "y = layers.MaxPooling2D(3, strides=2, name='broken')(x)\n" HEAD END, "broken", "pool=direct", 2},
    {"pool2d_rows.cl", "for (int kx = 0; kx < KW; kx++) {", "for (int kx = 0; kx < KW - 1; kx++) {",
     "tests/models/torch/lenet.onnx", "type:MaxPool", "pool=rows:2", 2},
    {"pool2d.cl", "for (int y = 0; y < xd.y; y++)", "for (int y = 0; y < xd.y - 1; y++)",
     IN("(5, 7, 6)") "y = layers.GlobalAveragePooling2D(name='broken')(x)\ny = layers.Dense(4)(y)\n" END, "broken", "",
     2},
    /* BatchNormalization (one channel's gamma for all), element-wise (+ for x), activations (tanh of x/2) and softmax
     * (the last term left out of the sum) */
    {"batch_norm.cl", "const float s = scale[c]", "const float s = scale[0]",
     IN("(5, 6, 7)") "y = layers.BatchNormalization(name='broken')(x)\n" HEAD END, "broken", "", 2},
    {"eltwise.cl", "case 1: r = x * y; break;", "case 1: r = x + y; break;",
     "a = layers.Input(shape=(4, 4, 8))\nb = layers.Input(shape=(1, 1, 8))\n"
     "y = layers.Multiply(name='broken')([a, b])\n" HEAD "model = Model([a, b], y)\n", "broken", "", 2},
    {"common.cl", "case ACT_TANH: return tanh(x);\n    case ACT_ELU: return select(",
     "case ACT_TANH: return tanh(0.5f * x);\n    case ACT_ELU: return select(", /* (act_apply16's, the vector form) */
     IN("(40,)") "y = layers.Activation('tanh', name='broken')(x)\ny = layers.Dense(3)(y)\n" END, "broken", "", 2},
    {"activation.cl", "for (int k = 0; k < len; k++) s += exp(", "for (int k = 0; k < len - 1; k++) s += exp(",
     IN("(12,)") "y = layers.Softmax(name='broken')(x)\ny = layers.Dense(3)(y)\n" END, "broken", "", 2},
    /* an operand broadcast along inner axes (a squeeze-excitation's channel scale): the wrong channel's value */
    {"eltwise.cl", "bv[l] = A[bo + q];", "bv[l] = A[bo + q / 2];", "tests/models/torch/grouped_se.onnx", "/Mul", "", 2},
    /* data movement: ZeroPadding2D (the last column lost), Concatenate (the last value of a row lost) */
    {"layout.cl", "ix >= 0 && ix < W)", "ix >= 0 && ix < W - 1)",
     IN("(5, 6, 3)") "y = layers.ZeroPadding2D(1, name='broken')(x)\n" HEAD END, "broken", "", 2},
    {"layout.cl", "for (int k = k0; k < k1; k++) y[k] = x[k];", "for (int k = k0; k < k1 - 1; k++) y[k] = x[k];",
     "a = layers.Input(shape=(4, 4, 8))\nb = layers.Input(shape=(4, 4, 3))\n"
     "y = layers.Concatenate(name='broken')([a, b])\n" HEAD "model = Model([a, b], y)\n", "broken", "", 2},
};

ParameterizedTestParameters(compare, a_broken_kernel_fails_at_its_layer)
{
    return cr_make_param_array(struct broken, cases, sizeof cases / sizeof cases[0]);
}

/* cl/ copied, with c->from replaced once in c->file (which must hold it) */
static void broken_copy(const struct broken *c, char *dir)
{
    cr_assert_not_null(mkdtemp(dir));
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "cp %s/cl/*.cl %s/", CLINFER_SOURCE_DIR, dir);
    cr_assert_eq(system(cmd), 0);
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, c->file);
    char *text = read_file(path), *at = strstr(text, c->from);
    cr_assert_not_null(at, "%s no longer holds \"%s\": update this case", c->file, c->from);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fwrite(text, 1, (size_t)(at - text), f);
    fputs(c->to, f);
    fputs(at + strlen(c->from), f);
    cr_assert_eq(fclose(f), 0);
    free(text);
}

ParameterizedTest(struct broken *c, compare, a_broken_kernel_fails_at_its_layer)
{
    char dir[] = "/tmp/clinfer-broken-XXXXXX";
    broken_copy(c, dir);
    setenv("CLINFER_KERNEL_DIR", dir, 1);
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = load_model(ctx, c->model);
    int want = -1;
    for (int i = 0; i < clinfer_model_layer_count(m) && want < 0; i++)
        if (strncmp(c->layer, "type:", 5) == 0 ? strcmp(clinfer_model_layer_type(m, i), c->layer + 5) == 0
                                               : strcmp(clinfer_model_layer_name(m, i), c->layer) == 0)
            want = i;
    cr_assert_geq(want, 0, "no layer %s", c->layer);
    clinfer_comparison *cmp = compare(ctx, m, c->batch, c->algo[0] ? c->algo : NULL);
    int first = clinfer_comparison_first_failure(cmp);
    clinfer_verdict v = clinfer_comparison_verdict(cmp);
    cr_expect_neq(v, CLINFER_VERDICT_PASS, "%s broken (\"%s\"): compare passed", c->file, c->to);
    cr_expect_eq(first, want, "%s broken: the first layer past tolerance is '%s', not '%s'", c->file,
                 first >= 0 ? clinfer_model_layer_name(m, first) : "(none)", clinfer_model_layer_name(m, want));
    if (first >= 0) {
        clinfer_compare_layer L;
        clinfer_comparison_layer(cmp, first, &L);
        cr_log_info("%s: '%s' takes %.3g of its tolerance (%lld of %lld elements past it)", c->file,
                    clinfer_model_layer_name(m, first), L.worst, (long long)L.past_tolerance, (long long)L.elements);
    }
    clinfer_comparison_free(cmp);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    unsetenv("CLINFER_KERNEL_DIR");
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    system(cmd);
}
