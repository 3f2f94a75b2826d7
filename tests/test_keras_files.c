/* Keras model files and the summaries of each Keras, against real Keras (tests/models/keras_files.py ran Keras 3.15
 * and tf.keras 2.15 on the scripts of tests/models/keras_files/ and kept what they printed and predicted):
 * - `summary` of every .keras and .h5 fixture is that Keras' model.summary() byte for byte, and so is the script's
 *   with --style keras3 / tf2; the examples' too (tests/golden/keras3, tests/golden/tf2);
 * - `run` of every file matches Keras' predict (rtol 1e-4, atol 1e-5) on ref and PoCL, and so does the script with
 *   each form of weights Keras writes (.keras, .weights.h5, a tf.keras .h5, the .npz recipe);
 * - malformed files are errors that name the file (and the layer), never a crash. */
#include "helpers.h"

#include <criterion/parameterized.h>
#include <math.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zlib.h>

#include "io/npy.h"
#include "io/zip.h"
#include "util/alloc.h"
#include "util/files.h"

#define DATA CLINFER_SOURCE_DIR "/tests/data/keras_files/"
#define SCRIPTS CLINFER_SOURCE_DIR "/tests/models/keras_files/"

struct kcase {
    char name[16];
    int n_in, n_out;
    int script; /* clinfer reads its script too (tensor_ops: a file only, the subset has no tensor arithmetic) */
    int file;   /* clinfer reads its saved model files as models (not yet those with shared layers or nested models:
                 * their scripts, with the files' weights) */
    int nested; /* it has nested models: its summaries expanded too (expand_nested, and with show_trainable) */
};

static struct kcase cases[] = {{"exact", 1, 2, 1, 1, 0},  {"cnn", 1, 1, 1, 1, 0},    {"branches", 1, 1, 1, 1, 0},
                               {"seq", 1, 1, 1, 1, 0},    {"two_io", 2, 2, 1, 1, 0}, {"extras", 1, 1, 1, 1, 0},
                               {"upsample", 1, 1, 1, 1, 0},   {"layer_norm", 1, 1, 1, 1, 0}, {"inception", 1, 1, 1, 1, 0},
                               {"tensor_ops", 1, 1, 0, 1, 0},
                               /* Keras code with def, for, if, comprehensions, f-strings (the Python subset) */
                               {"xception", 1, 1, 1, 1, 0},   {"resnet_builder", 1, 1, 1, 1, 0}, {"unet", 1, 1, 1, 1, 0},
                               {"branch_comp", 1, 1, 1, 1, 0},
                               /* augmentation layers: the identity at inference */
                               {"augment", 1, 1, 1, 1, 0},
                               /* a shared tower and a shared layer; nested Sequentials and a frozen nested model */
                               {"siamese", 2, 1, 1, 1, 1},     {"nested", 1, 1, 1, 1, 1},
                               /* Resizing to any size, bilinear and nearest, with crop_to_aspect_ratio */
                               {"resize", 1, 1, 1, 1, 0}};

static char *summary_styled(const char *path, clinfer_style style, char *err, size_t errsize)
{
    clinfer_context *ctx;
    cr_assert_eq(clinfer_context_new(&ctx), CLINFER_OK);
    clinfer_model *m = NULL;
    char *text = NULL;
    clinfer_summary_options o = {.style = style};
    if (clinfer_model_load_styled(ctx, path, style, &m) || clinfer_model_summary(ctx, m, &o, &text))
        snprintf(err, errsize, "%s", clinfer_context_errmsg(ctx));
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    return text;
}

static void expect_text(const char *path, clinfer_style style, const char *golden)
{
    char err[2048] = "";
    char *got = summary_styled(path, style, err, sizeof err);
    cr_assert_not_null(got, "%s: %s", path, err);
    char *want = read_file(golden);
    cr_expect_str_eq(got, want, "%s (style %d) differs from %s:\n%s", path, (int)style, golden, got);
    free(want);
    clinfer_free(got);
}

ParameterizedTestParameters(keras_files, summary_is_keras_own)
{
    return cr_make_param_array(struct kcase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct kcase *c, keras_files, summary_is_keras_own)
{
    char file[512], golden[512], script[512];
    snprintf(script, sizeof script, SCRIPTS "%s.py", c->name);
    /* a file prints as the Keras that saved it */
    snprintf(file, sizeof file, DATA "%s.keras", c->name);
    snprintf(golden, sizeof golden, DATA "%s.keras3.txt", c->name);
    if (c->file) expect_text(file, CLINFER_STYLE_AUTO, golden);
    if (c->script) expect_text(script, CLINFER_STYLE_KERAS3, golden);
    snprintf(file, sizeof file, DATA "%s.h5", c->name);
    snprintf(golden, sizeof golden, DATA "%s.tf2.txt", c->name);
    if (c->file) expect_text(file, CLINFER_STYLE_AUTO, golden);
    if (c->script) expect_text(script, CLINFER_STYLE_TF2, golden);
    if (!c->nested) return;
    /* expand_nested, and with show_trainable, as the script's model prints in each Keras */
    static const char *const tag[] = {"keras3", "tf2"};
    static const clinfer_style st[] = {CLINFER_STYLE_KERAS3, CLINFER_STYLE_TF2};
    for (int s = 0; s < 2; s++)
        for (int t = 0; t < 2; t++) {
            snprintf(golden, sizeof golden, DATA "%s.%s.%s.txt", c->name, tag[s], t ? "xt" : "x");
            clinfer_context *ctx;
            cr_assert_eq(clinfer_context_new(&ctx), CLINFER_OK);
            clinfer_model *m = NULL;
            char *text = NULL;
            clinfer_summary_options o = {.style = st[s], .expand_nested = 1, .show_trainable = t};
            cr_assert_eq(clinfer_model_load_styled(ctx, script, st[s], &m), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
            cr_assert_eq(clinfer_model_summary(ctx, m, &o, &text), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
            char *want = read_file(golden);
            cr_expect_str_eq(text, want, "%s expanded (%s) differs from %s:\n%s", script, tag[s], golden, text);
            free(want);
            clinfer_free(text);
            clinfer_model_free(m);
            clinfer_context_free(ctx);
        }
}

Test(keras_files, examples_print_as_each_keras)
{
    static const char *const ex[] = {"seed", "seed_named", "branches", "sequential", "make_model", "siamese", "augmented"};
    static const char *const dir[] = {"keras3", "tf2"};
    static const clinfer_style st[] = {CLINFER_STYLE_KERAS3, CLINFER_STYLE_TF2};
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++)
        for (int s = 0; s < 2; s++) {
            char path[512], golden[512];
            snprintf(path, sizeof path, CLINFER_SOURCE_DIR "/examples/%s.py", ex[i]);
            snprintf(golden, sizeof golden, CLINFER_SOURCE_DIR "/tests/golden/%s/%s.txt", dir[s], ex[i]);
            expect_text(path, st[s], golden);
        }
}

/* show_trainable and layer_range as each Keras prints them (tests/models/summary_args.py wrote the goldens with
 * Keras 3.15 and tf.keras 2.15): frozen layers by argument and by assignment, regular expressions, a range given
 * last-first, a wider line; in the functional and the sequential layouts */
Test(keras_files, summary_arguments_are_keras_own)
{
    static const struct {
        const char *model, *c, *first, *last;
        int trainable, line_length, n_pos, tf2_only;
        double pos[4];
    } args[] = {{"frozen", "trainable", NULL, NULL, 1, 0, 0, 0, {0}},
                {"frozen", "range", "stem_bn", "join", 0, 0, 0, 0, {0}},
                {"frozen", "range_regex", "branch_.*", "p", 0, 0, 0, 0, {0}},
                {"frozen", "both_ll120", "image", "branch_a", 1, 120, 0, 0, {0}},
                {"frozen", "positions", NULL, NULL, 0, 0, 4, 0, {0.4, 0.65, 0.75, 1.0}},
                {"frozen", "positions_trainable", NULL, NULL, 1, 0, 4, 0, {0.35, 0.6, 0.7, 1.0}},
                {"frozen_seq", "trainable", NULL, NULL, 1, 0, 0, 0, {0}},
                {"frozen_seq", "range", "drop", "d3", 0, 0, 0, 0, {0}},
                {"frozen_seq", "range_reversed", "d3", "d1", 0, 0, 0, 0, {0}},
                {"frozen_seq", "positions", NULL, NULL, 0, 0, 3, 0, {0.5, 0.8, 1.0}},
                {"frozen_seq", "positions_columns", NULL, NULL, 0, 0, 3, 1, {30, 50, 60}}};
    static const char *const dir[] = {"keras3", "tf2"};
    static const clinfer_style st[] = {CLINFER_STYLE_KERAS3, CLINFER_STYLE_TF2};
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++)
        for (int s = args[i].tf2_only; s < 2; s++) {
            char path[512], golden[512];
            snprintf(path, sizeof path, CLINFER_SOURCE_DIR "/tests/models/summary_args/%s.py", args[i].model);
            snprintf(golden, sizeof golden, CLINFER_SOURCE_DIR "/tests/golden/%s/args/%s.%s.txt", dir[s], args[i].model,
                     args[i].c);
            clinfer_context *ctx;
            clinfer_context_new(&ctx);
            clinfer_model *m = NULL;
            char *got = NULL;
            clinfer_summary_options o = {.style = st[s], .show_trainable = args[i].trainable,
                                         .line_length = args[i].line_length,
                                         .layer_range = {args[i].first, args[i].last},
                                         .positions = args[i].pos, .n_positions = args[i].n_pos};
            cr_assert_eq(clinfer_model_load(ctx, path, &m), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
            cr_assert_eq(clinfer_model_summary(ctx, m, &o, &got), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
            char *want = read_file(golden);
            cr_expect_str_eq(got, want, "%s %s (%s):\n%s", args[i].model, args[i].c, dir[s], got);
            free(want);
            clinfer_free(got);
            /* what is refused, and why */
            static const struct {
                clinfer_style style;
                const char *first, *last, *words;
            } bad[] = {{CLINFER_STYLE_KERAS2, "stem", "join", "Keras 2.2's summary has none of them"},
                       {CLINFER_STYLE_TF2, "nothing", "join", "do not both match names of the model's layers"},
                       {CLINFER_STYLE_TF2, "stem", NULL, "layer_range takes two names"},
                       {CLINFER_STYLE_KERAS3, "(", "join", "'(' is not a regular expression"}};
            static const double three[] = {0.5, 0.8, 1.0};
            clinfer_summary_options op = {.style = CLINFER_STYLE_TF2, .positions = three, .n_positions = 3};
            if (i == 0 && s == 0) {
                cr_assert_eq(clinfer_model_summary(ctx, m, &op, &got), CLINFER_E_ARG);
                cr_expect(strstr(clinfer_context_errmsg(ctx), "this table has 4 columns (with Connected to), so 4 positions, got 3"),
                          "%s", clinfer_context_errmsg(ctx));
            }
            for (size_t b = 0; i == 0 && s == 0 && b < sizeof bad / sizeof bad[0]; b++) {
                clinfer_summary_options ob = {.style = bad[b].style, .layer_range = {bad[b].first, bad[b].last}};
                cr_assert_eq(clinfer_model_summary(ctx, m, &ob, &got), CLINFER_E_ARG);
                cr_expect(strstr(clinfer_context_errmsg(ctx), bad[b].words) != NULL, "%s", clinfer_context_errmsg(ctx));
            }
            clinfer_model_free(m);
            clinfer_context_free(ctx);
        }
}

Test(keras_files, line_length_is_keras_own)
{
    static const char *const dir[] = {"keras3", "tf2"};
    static const clinfer_style st[] = {CLINFER_STYLE_KERAS3, CLINFER_STYLE_TF2};
    for (int s = 0; s < 2; s++)
        for (int n = 70; n <= 120; n += 50) {
            char golden[512], err[2048] = "";
            snprintf(golden, sizeof golden, CLINFER_SOURCE_DIR "/tests/golden/%s/branches.ll%d.txt", dir[s], n);
            clinfer_context *ctx;
            clinfer_context_new(&ctx);
            clinfer_model *m = NULL;
            char *text = NULL;
            clinfer_summary_options o = {.style = st[s], .line_length = n};
            if (clinfer_model_load_styled(ctx, CLINFER_SOURCE_DIR "/examples/branches.py", st[s], &m) ||
                clinfer_model_summary(ctx, m, &o, &text))
                snprintf(err, sizeof err, "%s", clinfer_context_errmsg(ctx));
            cr_assert_not_null(text, "%s", err);
            char *want = read_file(golden);
            cr_expect_str_eq(text, want, "line_length %d in %s:\n%s", n, dir[s], text);
            free(want);
            clinfer_free(text);
            clinfer_model_free(m);
            clinfer_context_free(ctx);
        }
}

Test(keras_files, narrow_tables_end, .timeout = 20)
{
    /* at 20 columns tf.keras' own print_row would loop forever on a column narrower than its gutter; below 20 the
     * width is refused */
    static const clinfer_style st[] = {CLINFER_STYLE_KERAS2, CLINFER_STYLE_TF2, CLINFER_STYLE_KERAS3};
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_load(ctx, DATA "branches.keras", &m), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    for (int s = 0; s < 3; s++) {
        char *text = NULL;
        clinfer_summary_options o = {.style = st[s], .line_length = 20};
        cr_assert_eq(clinfer_model_summary(ctx, m, &o, &text), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
        cr_assert_not_null(strstr(text, "Total params"), "%s", text);
        clinfer_free(text);
        o.line_length = 19;
        cr_assert_eq(clinfer_model_summary(ctx, m, &o, &text), CLINFER_E_ARG);
        cr_assert_not_null(strstr(clinfer_context_errmsg(ctx), "line_length must be 0 (the default) or 20 to 1000"));
    }
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}

Test(keras_files, explain_works_in_every_style)
{
    static const clinfer_style st[] = {CLINFER_STYLE_KERAS2, CLINFER_STYLE_TF2, CLINFER_STYLE_KERAS3};
    for (int s = 0; s < 3; s++) {
        clinfer_context *ctx;
        clinfer_context_new(&ctx);
        clinfer_model *m = NULL;
        char *text = NULL;
        clinfer_summary_options o = {.style = st[s], .explain = 1};
        cr_assert_eq(clinfer_model_load(ctx, DATA "cnn.keras", &m), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
        cr_assert_eq(clinfer_model_summary(ctx, m, &o, &text), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
        cr_assert_not_null(strstr(text, "params = (K·K·Cin + 1)·Cout = (3·3·3 + 1)·8 = 224"), "style %d:\n%s", s, text);
        cr_assert_not_null(strstr(text, "MACs (multiply-accumulates) per image: "), "style %d:\n%s", s, text);
        clinfer_free(text);
        clinfer_model_free(m);
        clinfer_context_free(ctx);
    }
}

/* Runs `path` (with `weights`, NULL: its own) on a device and checks each output against Keras' predict. */
static void expect_predict(const struct kcase *c, const char *path, clinfer_style style, const char *weights,
                           const char *tag, const char *device)
{
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_load_styled(ctx, path, style, &m), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    struct cf_array x[2], want[2];
    struct cf_diag d = {0};
    const float *ins[2];
    float *outs[2];
    for (int k = 0; k < c->n_in; k++) {
        char p[512];
        if (c->n_in == 1) snprintf(p, sizeof p, DATA "%s.in.npy", c->name);
        else snprintf(p, sizeof p, DATA "%s.in%d.npy", c->name, k);
        cr_assert_eq(cf_npy_read(p, &x[k], &d), CLINFER_OK, "%s", d.msg);
        ins[k] = x[k].data;
    }
    for (int k = 0; k < c->n_out; k++) {
        char p[512];
        if (c->n_out == 1) snprintf(p, sizeof p, DATA "%s.%s.out.npy", c->name, tag);
        else snprintf(p, sizeof p, DATA "%s.%s.out%d.npy", c->name, tag, k);
        cr_assert_eq(cf_npy_read(p, &want[k], &d), CLINFER_OK, "%s", d.msg);
        outs[k] = calloc((size_t)cf_array_elems(&want[k]), sizeof(float));
    }
    clinfer_session *s;
    clinfer_session_options o = {.device = device, .batch = x[0].dims[0], .weights = weights,
                                 .init = CLINFER_INIT_RANDOM}; /* every weight must come from the file */
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    cr_assert_eq(clinfer_session_run(ctx, s, ins, outs), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    for (int k = 0; k < c->n_out; k++) {
        for (int64_t i = 0; i < cf_array_elems(&want[k]); i++)
            cr_assert(fabsf(outs[k][i] - want[k].data[i]) <= 1e-4f * fabsf(want[k].data[i]) + 1e-5f,
                      "%s%s%s on %s: output %d element %lld is %.9g, Keras %.9g", path, weights ? " --weights " : "",
                      weights ? weights : "", device, k, (long long)i, outs[k][i], want[k].data[i]);
        free(outs[k]);
        cf_array_free(&want[k]);
    }
    for (int k = 0; k < c->n_in; k++) cf_array_free(&x[k]);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}

ParameterizedTestParameters(keras_files, run_matches_keras_predict)
{
    return cr_make_param_array(struct kcase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct kcase *c, keras_files, run_matches_keras_predict)
{
    static const char *const devices[] = {"ref", "opencl"};
    char keras[512], h5[512], script[512];
    snprintf(keras, sizeof keras, DATA "%s.keras", c->name);
    snprintf(h5, sizeof h5, DATA "%s.h5", c->name);
    snprintf(script, sizeof script, SCRIPTS "%s.py", c->name);
    for (int dv = 0; dv < 2 && c->file; dv++) {
        expect_predict(c, keras, CLINFER_STYLE_AUTO, NULL, "keras3", devices[dv]);
        expect_predict(c, h5, CLINFER_STYLE_AUTO, NULL, "tf2", devices[dv]);
    }
    if (!c->script) return;
    if (!c->file) { /* the script on the device too */
        char w[512];
        snprintf(w, sizeof w, DATA "%s.keras", c->name);
        expect_predict(c, script, CLINFER_STYLE_KERAS3, w, "keras3", devices[1]);
    }
    /* the script with each form of weights: Keras 3's (read as Keras 3: its hard_sigmoid), tf.keras' (read as Keras
     * 2.2, whose names count from 1: conv2d_1 is tf.keras' conv2d) */
    static const char *const k3[] = {".keras", ".weights.h5"}, *const tf[] = {".h5", ".tf2_weights.h5", ".tf2.npz"};
    for (int i = 0; i < 2; i++) {
        char w[512];
        snprintf(w, sizeof w, DATA "%s%s", c->name, k3[i]);
        expect_predict(c, script, CLINFER_STYLE_KERAS3, w, "keras3", "ref");
    }
    for (int i = 0; i < 3; i++) {
        char w[512];
        snprintf(w, sizeof w, DATA "%s%s", c->name, tf[i]);
        expect_predict(c, script, CLINFER_STYLE_KERAS2, w, "tf2", "ref");
        expect_predict(c, script, CLINFER_STYLE_TF2, w, "tf2", "ref");
    }
}

/* RandomCrop at inference is tf.keras' smart_resize (tests/models/random_crop.py kept its predict; Keras 3.15's
 * predict returns the input uncropped, against its own output shape) */
Test(keras_files, random_crop_is_smart_resize)
{
    static const struct kcase rc = {"random_crop", 1, 1, 1, 0, 0};
    const char *script = CLINFER_SOURCE_DIR "/tests/models/random_crop/model.py";
    expect_predict(&rc, script, CLINFER_STYLE_TF2, NULL, "tf2", "ref");
    expect_predict(&rc, script, CLINFER_STYLE_TF2, NULL, "tf2", "opencl");
    expect_predict(&rc, script, CLINFER_STYLE_KERAS3, NULL, "tf2", "opencl");
}

/* --- malformed files --- */

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/clinfer-kf-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void drop_tmpdir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

/* the error of loading a file (NULL when it loads) */
static const char *load_error(const char *path, char *err, size_t size)
{
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = NULL;
    clinfer_status st = clinfer_model_load(ctx, path, &m);
    snprintf(err, size, "%s", clinfer_context_errmsg(ctx));
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    return st == CLINFER_OK ? NULL : err;
}

/* a zip of stored entries (what a .keras file is; Keras deflates, which the reader handles too) */
static void write_zip(const char *path, const char *const *names, const unsigned char *const *data,
                      const size_t *lens, int n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    unsigned char cd[4096];
    size_t cdl = 0;
    uint32_t off = 0;
#define LE16(b, v) ((b)[0] = (unsigned char)(v), (b)[1] = (unsigned char)((v) >> 8))
#define LE32(b, v) (LE16(b, (v) & 0xffff), LE16((b) + 2, (v) >> 16))
    for (int i = 0; i < n; i++) {
        unsigned char h[30] = {0};
        uint32_t crc = (uint32_t)crc32(0, data[i], (uInt)lens[i]), nl = (uint32_t)strlen(names[i]);
        LE32(h, 0x04034b50u);
        LE16(h + 4, 20);
        LE32(h + 14, crc);
        LE32(h + 18, (uint32_t)lens[i]);
        LE32(h + 22, (uint32_t)lens[i]);
        LE16(h + 26, nl);
        fwrite(h, 1, 30, f);
        fwrite(names[i], 1, nl, f);
        fwrite(data[i], 1, lens[i], f);
        unsigned char *c = cd + cdl;
        memset(c, 0, 46);
        LE32(c, 0x02014b50u);
        LE16(c + 4, 20);
        LE16(c + 6, 20);
        LE32(c + 16, crc);
        LE32(c + 20, (uint32_t)lens[i]);
        LE32(c + 24, (uint32_t)lens[i]);
        LE16(c + 28, nl);
        LE32(c + 42, off);
        memcpy(c + 46, names[i], nl);
        cdl += 46 + nl;
        off += 30 + nl + (uint32_t)lens[i];
    }
    unsigned char e[22] = {0};
    LE32(e, 0x06054b50u);
    LE16(e + 8, n);
    LE16(e + 10, n);
    LE32(e + 12, (uint32_t)cdl);
    LE32(e + 16, off);
    fwrite(cd, 1, cdl, f);
    fwrite(e, 1, 22, f);
    cr_assert_eq(fclose(f), 0);
}

Test(keras_files, truncated_files_are_errors, .init = make_tmpdir, .fini = drop_tmpdir)
{
    char err[2048], path[512];
    static const char *const files[] = {"cnn.keras", "cnn.h5", "branches.keras", "two_io.h5"};
    for (int f = 0; f < 4; f++)
        for (int cut = 1; cut < 8; cut++) {
            char src[512];
            snprintf(src, sizeof src, DATA "%s", files[f]);
            snprintf(path, sizeof path, "%s/cut%d-%s", tmpdir, cut, files[f]);
            char cmd[2048];
            snprintf(cmd, sizeof cmd, "head -c $(( $(stat -c %%s %s) * %d / 8 )) %s > %s", src, cut, src, path);
            cr_assert_eq(system(cmd), 0);
            const char *e = load_error(path, err, sizeof err);
            cr_assert_not_null(e, "%s (cut to %d/8) loaded", path, cut);
            cr_assert_not_null(strstr(e, path), "the message names the file: %s", e);
        }
}

/* A .keras file with its config.json replaced: the message names the file and, for a layer's fault, the layer. */
static void keras_with_config(const char *json, const char *expect)
{
    char path[512], err[2048];
    unsigned char *buf;
    size_t len;
    struct cf_diag d = {0};
    struct cf_zip z;
    cr_assert_eq(cf_read_file(DATA "cnn.keras", "model", (size_t)1 << 30, &buf, &len, &d), CLINFER_OK, "%s", d.msg);
    cr_assert_eq(cf_zip_open("cnn.keras", buf, len, &z, &d), CLINFER_OK, "%s", d.msg);
    const struct cf_zip_entry *meta = cf_zip_find(&z, "metadata.json"), *wts = cf_zip_find(&z, "model.weights.h5");
    const unsigned char *mb, *wb;
    int mo, wo;
    cr_assert(meta && wts);
    cr_assert_eq(cf_zip_extract("cnn.keras", meta, &mb, &mo, &d), CLINFER_OK);
    cr_assert_eq(cf_zip_extract("cnn.keras", wts, &wb, &wo, &d), CLINFER_OK);
    const char *names[] = {"metadata.json", "config.json", "model.weights.h5"};
    const unsigned char *data[] = {mb, (const unsigned char *)json, wb};
    size_t lens[] = {(size_t)meta->usize, strlen(json), (size_t)wts->usize};
    snprintf(path, sizeof path, "%s/m.keras", tmpdir);
    write_zip(path, names, data, lens, 3);
    if (mo) cf_free((void *)mb);
    if (wo) cf_free((void *)wb);
    cf_zip_close(&z);
    cf_free(buf);
    const char *e = load_error(path, err, sizeof err);
    cr_assert_not_null(e, "a bad config loaded: %s", json);
    cr_assert_not_null(strstr(e, "m.keras"), "names the file: %s", e);
    cr_assert_not_null(strstr(e, expect), "says '%s': %s", expect, e);
}

#define INPUT_LAYER                                                                                                   \
    "{\"class_name\": \"InputLayer\", \"name\": \"x\", \"config\": {\"name\": \"x\", \"batch_shape\": [null, 20, 20, " \
    "3]}, \"inbound_nodes\": []}"
#define TENSOR(n) "{\"class_name\": \"__keras_tensor__\", \"config\": {\"keras_history\": [\"" n "\", 0, 0]}}"

Test(keras_files, bad_configs_name_the_layer, .init = make_tmpdir, .fini = drop_tmpdir)
{
    keras_with_config("not json", "not valid JSON");
    keras_with_config("[1, 2]", "not a Keras model config");
    keras_with_config("{\"class_name\": \"MyModel\", \"config\": {\"layers\": []}}", "class 'MyModel'");
    /* a layer config with a wrong type */
    keras_with_config("{\"class_name\": \"Functional\", \"config\": {\"name\": \"m\", \"layers\": [" INPUT_LAYER
                      ", {\"class_name\": \"Conv2D\", \"name\": \"c\", \"config\": {\"name\": \"c\", \"filters\": "
                      "\"eight\", \"kernel_size\": [3, 3]}, \"inbound_nodes\": [{\"args\": [" TENSOR("x") "]}]}], "
                      "\"input_layers\": [\"x\", 0, 0], \"output_layers\": [\"c\", 0, 0]}}",
                      "layer 'c' (Conv2D)");
    /* an unknown class, a nested model without an input shape, a call of a layer never made, a dangling reference */
    keras_with_config("{\"class_name\": \"Functional\", \"config\": {\"name\": \"m\", \"layers\": [" INPUT_LAYER
                      ", {\"class_name\": \"Frobnicate\", \"name\": \"f\", \"config\": {\"name\": \"f\"}, "
                      "\"inbound_nodes\": []}], \"input_layers\": [\"x\", 0, 0], \"output_layers\": [\"f\", 0, 0]}}",
                      "layer class 'Frobnicate' is not supported");
    keras_with_config("{\"class_name\": \"Functional\", \"config\": {\"name\": \"m\", \"layers\": [" INPUT_LAYER
                      ", {\"class_name\": \"Sequential\", \"name\": \"s\", \"config\": {\"name\": \"s\", \"layers\": "
                      "[]}, \"inbound_nodes\": []}], \"input_layers\": [\"x\", 0, 0], \"output_layers\": [\"s\", 0, "
                      "0]}}",
                      "layer 's' (Sequential): the Sequential model has no input shape");
    keras_with_config("{\"class_name\": \"Functional\", \"config\": {\"name\": \"m\", \"layers\": [" INPUT_LAYER
                      ", {\"class_name\": \"ReLU\", \"name\": \"r\", \"config\": {\"name\": \"r\"}, \"inbound_nodes\": "
                      "[{\"args\": [{\"class_name\": \"__keras_tensor__\", \"config\": {\"keras_history\": [\"x\", 1, 0]}}]}]}], "
                      "\"input_layers\": [\"x\", 0, 0], \"output_layers\": [\"r\", 0, 0]}}",
                      "layer 'r' (ReLU): its call 0 reads a call of a layer that is never made");
    keras_with_config("{\"class_name\": \"Functional\", \"config\": {\"name\": \"m\", \"layers\": [" INPUT_LAYER
                      ", {\"class_name\": \"ReLU\", \"name\": \"r\", \"config\": {\"name\": \"r\"}, \"inbound_nodes\": "
                      "[{\"args\": [" TENSOR("nowhere") "]}]}], \"input_layers\": [\"x\", 0, 0], \"output_layers\": "
                      "[\"r\", 0, 0]}}",
                      "reads layer 'nowhere'");
    /* an operation layer without its class (a fuzzer's find: tests/fuzz/fuzz_keras_file.c) */
    keras_with_config("{\"class_name\": \"Functional\", \"config\": {\"name\": \"m\", \"layers\": [" INPUT_LAYER
                      ", {\"module\": \"keras.src.ops.numpy\", \"name\": \"add\", \"config\": {\"name\": \"add\"}, "
                      "\"inbound_nodes\": [{\"args\": [" TENSOR("x") ", 3.0]}]}], \"input_layers\": [\"x\", 0, 0], "
                      "\"output_layers\": [\"add\", 0, 0]}}",
                      "a layer without class_name, config or name");
    /* the config's layers do not fit the file's weights */
    keras_with_config("{\"class_name\": \"Functional\", \"config\": {\"name\": \"m\", \"layers\": [" INPUT_LAYER
                      ", {\"class_name\": \"Conv2D\", \"name\": \"conv2d\", \"config\": {\"name\": \"conv2d\", "
                      "\"filters\": 5, \"kernel_size\": [3, 3]}, \"inbound_nodes\": [{\"args\": [" TENSOR("x") "]}]}], "
                      "\"input_layers\": [\"x\", 0, 0], \"output_layers\": [\"conv2d\", 0, 0]}}",
                      "layer 'conv2d' (Conv2D): its kernel 'conv2d/vars/0' has shape (3, 3, 3, 8); the layer needs (3, "
                      "3, 3, 5)");
}

Test(keras_files, weights_files_that_do_not_fit, .init = make_tmpdir, .fini = drop_tmpdir)
{
    /* another model's weights, and weights in the wrong format, name the layer or the file */
    char err[2048];
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_load(ctx, SCRIPTS "cnn.py", &m), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    static const char *const bad[][2] = {{DATA "seq.weights.h5", "of the file holds"},
                                         {DATA "branches.tf2_weights.h5", "of the file holds"},
                                         {DATA "seq.h5", "seq.h5"},
                                         {DATA "cnn.in.npy", "not a weights file"}};
    for (int i = 0; i < 4; i++) {
        clinfer_session *s = NULL;
        clinfer_session_options o = {.device = "ref", .batch = 1, .weights = bad[i][0]};
        cr_assert_neq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK, "%s loaded", bad[i][0]);
        snprintf(err, sizeof err, "%s", clinfer_context_errmsg(ctx));
        cr_assert_not_null(strstr(err, bad[i][1]), "%s: %s", bad[i][0], err);
    }
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}

Test(keras_files, weights_only_h5_is_not_a_model, .init = make_tmpdir, .fini = drop_tmpdir)
{
    char err[2048];
    const char *e = load_error(DATA "cnn.tf2_weights.h5", err, sizeof err);
    cr_assert_not_null(e);
    cr_assert_not_null(strstr(e, "without a model_config"), "%s", e);
    e = load_error(DATA "cnn.weights.h5", err, sizeof err);
    cr_assert_not_null(e);
    cr_assert_not_null(strstr(e, "cnn.weights.h5"), "%s", e);
}
