/* Bad input: every message names the place (file:line:col) and what is wrong; nothing crashes. */
#include "helpers.h"

#include <criterion/parameterized.h>
#include <sys/wait.h>

struct error_case {
    char script[256];
    char message[200]; /* must appear in the error message */
};

static struct error_case cases[] = {
    /* unknown layer */
    {"x = layers.Input(shape=(8, 8, 3))\ny = layers.Conv3D(4, 3)(x)\n",
     "model.py:2:5: unknown layer 'Conv3D' (did you mean 'Conv2D'?)"},
    {"from keras.layers import Input, Dense, Lambda\n", "model.py:1:40: unknown layer 'Lambda'"},
    /* unknown or mistyped arguments */
    {"x = layers.Input(shape=(8, 8, 3))\ny = layers.Conv2D(4, 3, filter=3)(x)\n",
     "model.py:2:32: Conv2D got an unexpected keyword argument 'filter' (did you mean 'filters'?)"},
    {"x = layers.Input(shape=(8, 8, 3))\ny = layers.Conv2D('4', 3)(x)\n",
     "model.py:2:19: Conv2D: argument 'filters' must be a positive int, got str '4'"},
    {"x = layers.Input(shape=(8, 8, 3))\ny = layers.Conv2D(4, 3, padding='full')(x)\n",
     "model.py:2:33: Conv2D: argument 'padding' must be 'valid' or 'same', got str 'full'"},
    {"x = layers.Input(shape=(8, 8, 3))\ny = layers.Conv2D(4, (3, 3, 3))(x)\n",
     "model.py:2:22: Conv2D: argument 'kernel_size' must be a positive int or a tuple of 2 positive ints, got tuple (3, 3, 3)"},
    {"x = layers.Input(shape=(8, 8, 3))\ny = layers.Conv2D(4)(x)\n",
     "model.py:2:5: Conv2D is missing its required argument 'kernel_size'"},
    {"x = layers.Input(shape=(8, 8, 3))\ny = layers.Conv2D(4, 3, 1, 'valid', None, 1, 1, 'relu', True, None, None, "
     "None, None, None, None, None, 7)(x)\n",
     "Conv2D takes at most 16 positional arguments (17 given)"},
    {"x = layers.Input(shape=(8,))\ny = layers.Dense(4, units=5)(x)\n",
     "model.py:2:27: Dense got multiple values for argument 'units'"},
    {"x = layers.Input(shape=(8,))\ny = layers.Dense(8, activation='rleu')(x)\n",
     "model.py:2:32: Dense: unknown activation 'rleu' (did you mean 'relu'?)"},
    {"x = layers.Input(shape=(8,))\ny = layers.Dropout(1.5)(x)\n",
     "model.py:2:20: Dropout: argument 'rate' must be between 0 and 1, got float 1.5"},
    {"x = layers.Input(shape=(8, 8, 3))\ny = layers.Conv2D(4, 3, strides=2, dilation_rate=2)(x)\n",
     "model.py:2:5: Conv2D: strides > 1 not supported in conjunction with dilation_rate > 1"},
    {"x = layers.Input(shape=(3, 8, 8))\ny = layers.Conv2D(8, 3, data_format='channels_first')(x)\n",
     "model.py:2:37: Conv2D: data_format='channels_first' is not supported"},
    /* 1-D layers */
    {"x = layers.Input(shape=(8, 8, 3))\ny = layers.Conv1D(4, 3)(x)\n",
     "model.py:2:5: layer 'conv1d_1' (Conv1D): expected a 3-D input (batch, steps, channels), got (None, 8, 8, 3)"},
    {"x = layers.Input(shape=(4, 3))\ny = layers.Conv1D(4, 5)(x)\n",
     "model.py:2:5: layer 'conv1d_1' (Conv1D): kernel 5 is larger than the 4 steps of its input (None, 4, 3) under "
     "padding='valid'"},
    {"x = layers.Input(shape=(8, 3))\ny = layers.Conv1D(4, (3, 3))(x)\n",
     "model.py:2:22: Conv1D: argument 'kernel_size' must be a positive int or a tuple of 1 positive int, got tuple (3, 3)"},
    {"x = layers.Input(shape=(8, 3))\ny = layers.Conv1D(4, 3, padding='full')(x)\n",
     "model.py:2:33: Conv1D: argument 'padding' must be 'valid', 'same' or 'causal', got str 'full'"},
    {"x = layers.Input(shape=(8, 3))\ny = layers.MaxPooling1D(2, padding='causal')(x)\n",
     "model.py:2:36: MaxPooling1D: argument 'padding' must be 'valid' or 'same', got str 'causal'"},
    {"x = layers.Input(shape=(4, 3))\ny = layers.AveragePooling1D(5)(x)\n",
     "layer 'average_pooling1d_1' (AveragePooling1D): pool 5 is larger than the 4 steps of its input (None, 4, 3)"},
    {"x = layers.Input(shape=(8,))\ny = layers.GlobalMaxPooling1D()(x)\n",
     "model.py:2:5: layer 'global_max_pooling1d_1' (GlobalMaxPooling1D): expected a 3-D input (batch, steps, channels), "
     "got (None, 8)"},
    {"x = layers.Input(shape=(8, 3))\ny = layers.Conv1D(4, 3, strides=2, dilation_rate=2)(x)\n",
     "model.py:2:5: Conv1D: strides > 1 not supported in conjunction with dilation_rate > 1"},
    /* undefined variables */
    {"x = layers.Input(shape=(8, 8, 3))\ny = layers.Conv2D(4, 3)(z)\n", "model.py:2:25: name 'z' is not defined"},
    {"x = Input(shape=(8,))\n",
     "model.py:1:5: name 'Input' is not defined (write layers.Input, or add `from keras.layers import Input`)"},
    /* shapes that cannot work */
    {"x = layers.Input(shape=(2, 2, 3))\ny = layers.Conv2D(4, 3)(x)\nm = Model(x, y)\n",
     "model.py:2:5: layer 'conv2d_1' (Conv2D): kernel 3x3 is larger than its 2x2 input (None, 2, 2, 3) under "
     "padding='valid'"},
    {"x = layers.Input(shape=(5, 5, 3))\ny = layers.MaxPooling2D(3, dilation_rate=2)(x)\n",
     "MaxPooling2D got an unexpected keyword argument 'dilation_rate'"},
    {"x = layers.Input(shape=(4, 4, 3))\ny = layers.Conv2D(4, 3, dilation_rate=2)(x)\n",
     "model.py:2:5: layer 'conv2d_1' (Conv2D): kernel 5x5 (dilated) is larger than its 4x4 input"},
    {"x = layers.Input(shape=(8, 8, 3))\na = layers.Conv2D(4, 3)(x)\nb = layers.Conv2D(5, 3)(x)\n"
     "y = layers.Add()([a, b])\n",
     "model.py:4:5: layer 'add_1' (Add): operands could not be broadcast together with shapes (None, 6, 6, 4) "
     "(None, 6, 6, 5)"},
    {"x = layers.Input(shape=(8,))\ny = layers.Add()([x])\n",
     "model.py:2:5: layer 'add_1' (Add): a merge layer should be called on a list of at least 2 inputs, got 1"},
    {"a = layers.Input(shape=(4, 4, 8))\nb = layers.Input(shape=(4, 5, 3))\ny = layers.Concatenate()([a, b])\n",
     "model.py:3:5: layer 'concatenate_1' (Concatenate): Concatenate requires inputs with matching shapes except "
     "for the concat axis"},
    {"x = layers.Input(shape=(None,))\ny = layers.Dense(4)(x)\n",
     "model.py:2:5: layer 'dense_1' (Dense): the last dimension of the input to Dense should be defined, got "
     "(None, None)"},
    {"x = layers.Input(shape=(None, None, 3))\ny = layers.Flatten()(x)\n",
     "model.py:2:5: layer 'flatten_1' (Flatten): Flatten needs a fully defined input shape"},
    {"x = layers.Input(shape=(2, 3, 4))\ny = layers.Reshape((5, -1))(x)\n",
     "model.py:2:5: layer 'reshape_1' (Reshape): cannot reshape (None, 2, 3, 4) (24 elements per item) into (5, -1)"},
    {"x = layers.Input(shape=(2, 3, 4))\ny = layers.Reshape((5, 5))(x)\n",
     "total size of new array must be unchanged"},
    {"x = layers.Input(shape=(8,))\ny = layers.Conv2D(4, 3)(x)\n",
     "model.py:2:5: layer 'conv2d_1' (Conv2D): expected a 4-D input (batch, rows, cols, channels), got (None, 8)"},
    {"x = layers.Input(shape=(8, 8, 6))\ny = layers.Conv2D(4, 3, groups=4)(x)\n",
     "the number of input channels (6) must be divisible by groups (4)"},
    {"x = layers.Input(shape=(8, 8, 6))\ny = layers.Conv2DTranspose(4, 3, strides=2, output_padding=2)(x)\n",
     "strides (2, 2) must be greater than output_padding (2, 2)"},
    /* a name used twice */
    {"x = layers.Input(shape=(8,))\na = layers.Dense(4, name='d')(x)\nb = layers.Dense(4, name='d')(a)\n"
     "m = Model(x, b)\n",
     "model.py:3:5: the name 'd' is used twice in the model (first at line 2, col 5)"},
    /* models */
    {"x = 1\n", "model.py: no model: define one with Model(inputs, outputs) or Sequential([...])"},
    {"a = layers.Input(shape=(8,))\nb = layers.Input(shape=(8,))\nc = layers.Add()([a, b])\nm = Model(a, c)\n",
     "model.py:4:5: graph disconnected: the outputs need input 'input_2' (line 2)"},
    {"model = Sequential([layers.Dense(3), layers.Dense(4)])\n",
     "model.py:1:9: Sequential model 'sequential_1' has no input shape"},
    {"x = layers.Input(shape=(8,))\nd = layers.Dense(8)\ny = d(x)\nw = layers.Input(shape=(4,))\nz = d(w)\n",
     "model.py:5:7: layer 'dense_1' (Dense), made at line 2, is shared: it was called on (None, 8) and now on (None, "
     "4), and its weights cannot be of both shapes"},
    {"i = layers.Input(shape=(4,))\nm = Model(i, [layers.Dense(2)(i), layers.Dense(3)(i)])\nj = layers.Input(shape=(4,))"
     "\ny = m(j)\n",
     "model.py:4:5: model 'model_1' has 2 outputs; a model with several outputs used as a layer is not supported"},
    {"i = layers.Input(shape=(4,))\nm = Model(i, layers.Dense(2)(i))\nj = layers.Input(shape=(5,))\ny = m(j)\n",
     "model.py:4:7: model 'model_1' takes an input of shape (None, 4) (its input 'input_1'), got one of shape (None, 5)"},
    {"d = layers.Dense(4)\ni = layers.Input(shape=(4,))\nm = Model(i, d(i), name=\"inner\")\nj = layers.Input(shape=(4,))\n"
     "y = d(m(j))\nmodel = Model(j, y)\n",
     "model.py:5:7: layer 'dense_1' (Dense) is called in the model and in inner; a layer shared between a nested model "
     "and another model is not supported"},
    {"a = layers.Input(shape=(4,))\nb = layers.Input(shape=(4,))\nc = layers.Input(shape=(4,))\n"
     "y = layers.subtract([a, b, c])\n",
     "model.py:4:21: a Subtract layer should be called on exactly 2 inputs, got 3"},
    {"x = layers.Input(shape=(8,))\ny = layers.Dense(8)(x)\nm = Model(x, y)\nm.fit(x, y)\n",
     "model.py:4:1: model_1.fit() is outside what clinfer reads"},
    {"x = layers.Input(shape=(8,))\ny = layers.Dense(8)(x)\nm = Model(y, y)\n",
     "model.py:3:5: model inputs must come from Input(); 'dense_1' is the output of a Dense layer"},
    {"x = layers.Input(shape=(8,))\ny = layers.Dense(8)(3)\n",
     "model.py:2:21: the input of layer 'dense_1' (Dense) must be a tensor"},
    /* syntax */
    {"while True:\n    x = 1\n", "model.py:1:1: 'while' is outside the Python subset clinfer reads"},
    {"x = layers.Input(shape=(8, 8, 3)\ny = layers.Conv2D(4,", "model.py:2:18: '(' was never closed"},
    {"x = layers.Input(shape=(8,)))\n", "model.py:1:29: unmatched ')'"},
    {"x = layers.Input(shape='abc\n", "model.py:1:24: unterminated string literal"},
    {"x = 1 +\n", "model.py:1:8: expected an expression, found the end of the line"},
    {"x = layers.Dense(units=3 units=4)\n", "model.py:1:26: expected ',' or ')', found 'units'"},
    {"x = 3 $ 4\n", "model.py:1:7: unexpected character '$'"},
    {"x = 1\n  y = 2\n", "model.py:2:3: unexpected indent"},
    {"x = 08\n", "model.py:1:5: invalid number literal '08'"},
    {"x = 1 // 0\n", "model.py:1:5: integer division by zero"},
    {"x = 2 ** 64\n", "model.py:1:5: integer arithmetic overflows 64 bits"},
    {"x = 3 ** 77 ** 7\n", "model.py:1:5: integer arithmetic overflows 64 bits"},
};

ParameterizedTestParameters(errors, message_names_the_place)
{
    return cr_make_param_array(struct error_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct error_case *c, errors, message_names_the_place)
{
    char err[1024];
    clinfer_model *m = load_script(c->script, err, sizeof err);
    cr_assert_null(m, "loaded, but should fail:\n%s", c->script);
    cr_assert_not_null(strstr(err, c->message), "message\n  %s\ndoes not contain\n  %s", err, c->message);
}

static void must_fail_cleanly(const char *text, size_t len, const char *want)
{
    clinfer_context *ctx;
    cr_assert_eq(clinfer_context_new(&ctx), CLINFER_OK);
    clinfer_model *m = NULL;
    clinfer_status st = clinfer_model_load_keras(ctx, "model.py", text, len, &m);
    cr_assert_neq(st, CLINFER_OK);
    cr_assert_null(m);
    cr_assert_not_null(strstr(clinfer_context_errmsg(ctx), want), "%s", clinfer_context_errmsg(ctx));
    clinfer_context_free(ctx);
}

Test(errors, nesting_10000_deep)
{
    size_t n = 10000;
    char *s = malloc(2 * n + 16);
    strcpy(s, "x = ");
    memset(s + 4, '(', n);
    s[4 + n] = '1';
    memset(s + 5 + n, ')', n);
    strcpy(s + 5 + 2 * n, "\n");
    must_fail_cleanly(s, strlen(s), "nested more than");
    /* calls and unary minus nest through other paths */
    strcpy(s, "x = ");
    for (size_t i = 0; i < n; i++) s[4 + i] = '-';
    strcpy(s + 4 + n, "1\n");
    must_fail_cleanly(s, strlen(s), "nested more than 200 deep");
    strcpy(s, "x = ");
    size_t k = 4;
    for (size_t i = 0; i < 900; i++) k += (size_t)sprintf(s + k, "f(");
    s[k++] = '1';
    for (size_t i = 0; i < 900; i++) s[k++] = ')';
    s[k] = '\0';
    must_fail_cleanly(s, k, "nested more than 200 deep");
    free(s);
}

Test(errors, huge_numbers)
{
    must_fail_cleanly("x = 99999999999999999999999999\n", 30, "integer literal 99999999999999999999999999 is too large");
    must_fail_cleanly("x = layers.Input(shape=(8,))\ny = layers.Dense(9999999999)(x)\n", 61,
                      "Dense: argument 'units' must be at most 2^31");
    const char *t = "x = layers.Input(shape=(100000, 100000, 100000))\ny = layers.Dense(2147483647)(x)\n";
    must_fail_cleanly(t, strlen(t), "has more than 2^36 elements per item");
    /* 2^40 elements (3 x 2^40 here): refused by shape inference, before anything is allocated */
    t = "x = layers.Input(shape=(1048576, 1048576, 3))\ny = layers.Conv2D(16, 3)(x)\n";
    must_fail_cleanly(t, strlen(t), "layer 'input_1' (InputLayer): the output (None, 1048576, 1048576, 3) has more than "
                                    "2^36 elements per item");
    t = "x = layers.Input(shape=(-3, 8, 3))\n";
    must_fail_cleanly(t, strlen(t), "model.py:1:24: Input: argument 'shape' must hold positive ints or None, got tuple (-3, 8, 3)");
}

Test(errors, binary_garbage)
{
    unsigned char buf[4096];
    unsigned int seed = 12345;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = (unsigned char)(seed >> 16);
        }
        clinfer_context *ctx;
        clinfer_context_new(&ctx);
        clinfer_model *m = NULL;
        clinfer_status st = clinfer_model_load_keras(ctx, "garbage.py", (const char *)buf, sizeof buf, &m);
        cr_assert_neq(st, CLINFER_OK);
        cr_assert(strncmp(clinfer_context_errmsg(ctx), "garbage.py:", 11) == 0, "%s", clinfer_context_errmsg(ctx));
        clinfer_context_free(ctx);
    }
}

/* Every prefix of every example loads or fails with a message; none crashes or hangs. */
Test(errors, truncated_files)
{
    static const char *const files[] = {"examples/seed.py", "examples/branches.py", "examples/sequential.py"};
    for (size_t f = 0; f < 3; f++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", CLINFER_SOURCE_DIR, files[f]);
        char *text = read_file(path);
        size_t len = strlen(text);
        for (size_t cut = 0; cut < len; cut++) {
            clinfer_context *ctx;
            clinfer_context_new(&ctx);
            clinfer_model *m = NULL;
            clinfer_status st = clinfer_model_load_keras(ctx, "cut.py", text, cut, &m);
            if (st == CLINFER_OK) cr_assert_not_null(m);
            else cr_assert(strlen(clinfer_context_errmsg(ctx)) > 10, "empty message at cut %zu", cut);
            clinfer_model_free(m);
            clinfer_context_free(ctx);
        }
        free(text);
    }
}

/* Single-byte mutations of the seed model: each loads or fails with a message. */
Test(errors, mutated_files)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/seed.py", CLINFER_SOURCE_DIR);
    char *text = read_file(path);
    size_t len = strlen(text);
    static const char subst[] = "()[],=.'\"#\\\n 0123456789-xN_Az\x01\xff";
    for (size_t i = 0; i < len; i += 3) {
        for (size_t k = 0; k < sizeof subst - 1; k++) {
            char saved = text[i];
            text[i] = subst[k];
            clinfer_context *ctx;
            clinfer_context_new(&ctx);
            clinfer_model *m = NULL;
            clinfer_status st = clinfer_model_load_keras(ctx, "mut.py", text, len, &m);
            if (st != CLINFER_OK) cr_assert(strlen(clinfer_context_errmsg(ctx)) > 5);
            clinfer_model_free(m);
            clinfer_context_free(ctx);
            text[i] = saved;
        }
    }
    free(text);
}

Test(errors, missing_file_and_unknown_format)
{
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_load(ctx, "/nonexistent/model.py", &m), CLINFER_E_IO);
    cr_assert_str_eq(clinfer_context_errmsg(ctx), "/nonexistent/model.py: cannot open the model: No such file or directory");
    cr_assert_eq(clinfer_model_load(ctx, "model.pb", &m), CLINFER_E_UNSUPPORTED);
    cr_assert_not_null(strstr(clinfer_context_errmsg(ctx), "unknown model format '.pb'"));
    cr_assert_eq(clinfer_model_load(ctx, "/nonexistent/model.h5", &m), CLINFER_E_IO);
    cr_assert_str_eq(clinfer_context_errmsg(ctx),
                     "/nonexistent/model.h5: cannot open the Keras model file: No such file or directory");
    cr_assert_null(m);
    clinfer_context_free(ctx);
    clinfer_model_free(NULL);
    clinfer_context_free(NULL);
}

/* The command: exit 0 on success, 1 with file:line:col on a bad model, 2 on a usage error. */
static int run(const char *args, char *out, size_t size)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd %s && %s %s 2>&1", CLINFER_SOURCE_DIR, CLINFER_BINARY, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(cli, exit_codes_and_messages)
{
    static char out[1 << 16];
    cr_assert_eq(run("summary examples/seed.py", out, sizeof out), 0, "%s", out);
    cr_assert_not_null(strstr(out, "Total params: 9,494,561"));
    cr_assert_eq(run("summary examples/seed.py --explain --format json --batch 4", out, sizeof out), 0, "%s", out);
    cr_assert_not_null(strstr(out, "\"batch\": 4"));
    cr_assert_eq(run("summary tests/models/bad_layer.py", out, sizeof out), 1, "%s", out);
    cr_assert_not_null(strstr(out, "clinfer: error: tests/models/bad_layer.py:3:5: unknown layer 'Conv5D'"), "%s", out);
    cr_assert_eq(run("summary", out, sizeof out), 2);
    cr_assert_eq(run("summary examples/seed.py --format xml", out, sizeof out), 2);
    cr_assert_eq(run("summary examples/seed.py --batch 0", out, sizeof out), 2);
    cr_assert_eq(run("frobnicate", out, sizeof out), 2);
    cr_assert_eq(run("summary missing.py", out, sizeof out), 1);
    cr_assert_not_null(strstr(out, "missing.py: cannot open the model: No such file or directory"), "%s", out);
}

/* Found by fuzz_keras: `1**77**7` took 77**7 multiplications (a hang). Powers go by squaring now; these finish at
 * once and give Python's values: Dense(1 ** 77 ** 7 + 2 ** 3 + (-1) ** 999999999999) is Dense(8). */
Test(errors, huge_exponents_finish, .timeout = 10)
{
    char err[1024];
    clinfer_model *m = load_script("x = layers.Input(shape=(4,))\n"
                                   "y = layers.Dense(1 ** 77 ** 7 + 2 ** 3 + (-1) ** 999999999999 + 0 ** 99999999999)(x)\n"
                                   "model = keras.Model(x, y)\n",
                                   err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    cr_assert_eq(clinfer_model_layer_params(m, 1, NULL), 4 * 8 + 8, "Dense(8) on 4 inputs");
    clinfer_model_free(m);
}
