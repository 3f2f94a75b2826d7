/* Nothing lost, nothing silent: outputs written whole or not at all, duplicate and input-naming outputs refused,
 * special files refused by name, memory limits that give sub-batches or a message (never an abort), a front-end
 * linear in the model's size, NaN and Inf agreeing between backends, a .npy header read as the literal it is, JSON
 * that is UTF-8, --algo checked, kernel caches that cannot be used worked around with a warning, the API checking
 * what it is given. Each case runs the command as a user would (a shell, with ulimit where the case needs it). */
#include "helpers.h"

#include <math.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/npy.h"

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/clinfer-rel-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

/* Runs `sh -c script` in the source tree with $B the binary and $D the test's folder; returns the exit code, or
 * 128 + the signal that ended it. */
static int sh(const char *script, char *out, size_t size)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd %s && B=%s D=%s sh -c '%s' 2>&1", CLINFER_SOURCE_DIR, CLINFER_BINARY, dir, script);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return rc;
}

static void write_text(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* a float32 .npy of the given shape, values from a seed */
static void write_npy(const char *name, const int64_t *dims, int rank, float fill_nan_at)
{
    struct cf_array a = {.rank = rank};
    int64_t n = 1;
    for (int r = 0; r < rank; r++) n *= (a.dims[r] = dims[r]);
    a.data = malloc(sizeof(float) * (size_t)n);
    uint64_t s = 7;
    for (int64_t j = 0; j < n; j++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        a.data[j] = (float)(s >> 40) / (float)(1 << 24);
    }
    if (fill_nan_at >= 0) a.data[(int64_t)fill_nan_at] = NAN;
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct cf_diag d = {0};
    cr_assert_eq(cf_npy_write(path, &a, &d), CLINFER_OK, "%s", d.msg);
    free(a.data);
}

static char *slurp(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc(*len + 1);
    cr_assert_eq(fread(b, 1, *len, f), *len);
    fclose(f);
    return b;
}

/* how many files the folder holds (a temporary left behind is one too many) */
static int files_in_dir(void)
{
    char out[4096], cmd[128];
    snprintf(cmd, sizeof cmd, "ls -A $D | wc -l");
    sh(cmd, out, sizeof out);
    return atoi(out);
}

static const char midout[] = "inp = layers.Input(shape=(64, 64, 3))\nx = layers.Conv2D(16, 3)(inp)\nmodel = Model(inp, x)\n";
static const char two[] = "inp = layers.Input(shape=(8,))\na = layers.Dense(4)(inp)\nb = layers.Dense(3)(inp)\n"
                          "model = Model(inp, [a, b])\n";

Test(outputs, a_failed_write_keeps_the_previous_file, .timeout = 120)
{
    make_dir();
    static char out[1 << 16];
    write_text("midout.py", midout);
    write_npy("m1.npy", (int64_t[]){1, 64, 64, 3}, 4, -1);
    write_npy("m8.npy", (int64_t[]){8, 64, 64, 3}, 4, -1);
    cr_assert_eq(sh("$B run $D/midout.py -i $D/m1.npy -o $D/prev.npy --device ref", out, sizeof out), 0, "%s", out);
    size_t len0, len1;
    char *before = slurp("prev.npy", &len0);
    int files = files_in_dir();
    /* a file-size limit of 1 MiB: the batch of 8 (2 MB of output) cannot be written */
    int rc = sh("trap \"\" XFSZ; ulimit -f 1024; $B run $D/midout.py -i $D/m8.npy -o $D/prev.npy --device ref", out, sizeof out);
    cr_assert_eq(rc, 1, "%s", out);
    cr_assert_not_null(strstr(out, "File too large (no output file was changed)"), "%s", out);
    char *after = slurp("prev.npy", &len1);
    cr_assert(len0 == len1 && memcmp(before, after, len0) == 0, "the previous output was changed");
    cr_assert_eq(files_in_dir(), files, "a temporary file was left behind");
    free(before);
    free(after);
}

Test(outputs, two_outputs_to_one_file_are_refused)
{
    make_dir();
    static char out[1 << 16];
    write_text("two.py", two);
    write_npy("t.npy", (int64_t[]){2, 8}, 2, -1);
    cr_assert_eq(sh("$B run $D/two.py -i $D/t.npy -o $D/dup.npy -o $D/./dup.npy --device ref", out, sizeof out), 2, "%s",
                 out);
    cr_assert_not_null(strstr(out, "name the same file"), "%s", out);
    cr_assert_eq(access("dup.npy", F_OK), -1);
    /* an output that is the input */
    size_t l0, l1;
    char *before = slurp("t.npy", &l0);
    cr_assert_eq(sh("$B run $D/two.py -i $D/t.npy -o $D/t.npy -o $D/b.npy --device ref", out, sizeof out), 2, "%s", out);
    cr_assert_not_null(strstr(out, "which this command reads"), "%s", out);
    char *after = slurp("t.npy", &l1);
    cr_assert(l0 == l1 && memcmp(before, after, l0) == 0);
    free(before);
    free(after);
}

Test(outputs, an_output_that_cannot_be_written_changes_no_other)
{
    make_dir();
    static char out[1 << 16];
    write_text("two.py", two);
    write_npy("t.npy", (int64_t[]){2, 8}, 2, -1);
    write_text("a.npy", "previous");
    cr_assert_eq(sh("$B run $D/two.py -i $D/t.npy -o $D/a.npy -o /nonexistent/b.npy --device ref", out, sizeof out), 1,
                 "%s", out);
    cr_assert_not_null(strstr(out, "/nonexistent/b.npy: cannot write there: No such file or directory"), "%s", out);
    size_t len;
    char *a = slurp("a.npy", &len);
    cr_assert(len == 8 && memcmp(a, "previous", 8) == 0, "a.npy was replaced");
    free(a);
    /* standard output takes one output */
    cr_assert_eq(sh("$B run $D/two.py -i $D/t.npy -o - -o $D/b.npy --device ref | head -c 6 | od -c | head -1", out,
                    sizeof out), 0, "%s", out);
    cr_assert_not_null(strstr(out, "N   U   M   P   Y"), "%s", out);
}

Test(files, special_files_are_refused_by_name, .timeout = 30)
{
    make_dir();
    static char out[1 << 16];
    cr_assert_eq(sh("$B run examples/seed.py -i /dev/zero -o $D/u.npy --device ref", out, sizeof out), 1, "%s", out);
    cr_assert_not_null(strstr(out, "/dev/zero: the .npy file is a character device, not a regular file"), "%s", out);
    cr_assert_eq(sh("$B run examples/seed.py --weights /dev/zero -o $D/u.npy --device ref", out, sizeof out), 1, "%s", out);
    cr_assert_not_null(strstr(out, "/dev/zero: the weights file is a character device"), "%s", out);
    cr_assert_eq(sh("mkfifo $D/f.npy $D/m.py && $B run examples/seed.py -i $D/f.npy -o $D/u.npy --device ref", out,
                    sizeof out), 1, "%s", out);
    cr_assert_not_null(strstr(out, "f.npy: the .npy file is a FIFO (named pipe), not a regular file"), "%s", out);
    cr_assert_eq(sh("$B summary $D/m.py", out, sizeof out), 1, "%s", out);
    cr_assert_not_null(strstr(out, "m.py: the model is a FIFO (named pipe), not a regular file"), "%s", out);
    cr_assert_eq(sh("$B run examples/seed.py -i $D -o $D/u.npy --device ref", out, sizeof out), 1, "%s", out);
    cr_assert_not_null(strstr(out, "is a directory, not a regular file"), "%s", out);
    cr_assert_eq(sh("$B summary $D/none.py", out, sizeof out), 1, "%s", out);
    cr_assert_not_null(strstr(out, "none.py: cannot open the model: No such file or directory"), "%s", out);
}

/* (An AddressSanitizer build reserves terabytes of address space for its shadow: it cannot start under ulimit -v, so
 * the two address-space cases are part of the normal build's suite only.) */
#ifndef __SANITIZE_ADDRESS__
/* Under an address-space limit the run takes sub-batches that fit, or stops with a message; PoCL never aborts */
Test(memory, a_limit_gives_sub_batches_or_a_message, .timeout = 300)
{
    make_dir();
    static char out[1 << 16];
    write_npy("in64.npy", (int64_t[]){64, 150, 150, 3}, 4, -1);
    static const char *const limits[] = {"450000", "500000", "600000", "900000"};
    for (int i = 0; i < 4; i++) {
        char script[512];
        snprintf(script, sizeof script, "ulimit -v %s; $B run examples/seed.py -i $D/in64.npy -o $D/u.npy -v", limits[i]);
        int rc = sh(script, out, sizeof out);
        cr_assert(rc == 0 || rc == 1, "ulimit -v %s: ended by signal %d\n%s", limits[i], rc - 128, out);
        if (rc == 1) cr_assert_not_null(strstr(out, "memory"), "ulimit -v %s: %s", limits[i], out);
    }
}

/* The Keras evaluator is linear in the layer count: 20,000 chained layers under a 600 MB address-space limit (it
 * took 8.1 GiB: every string literal allocated the rest of the file) */
Test(frontend, twenty_thousand_layers_in_linear_memory, .timeout = 120)
{
    make_dir();
    static char out[1 << 16];
    char path[256];
    snprintf(path, sizeof path, "%s/chain.py", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "x0 = layers.Input(shape=(8,))\n");
    for (int i = 0; i < 20000; i++) fprintf(f, "x%d = layers.Dense(8, activation='relu')(x%d)\n", i + 1, i);
    fprintf(f, "model = Model(x0, x20000)\n");
    fclose(f);
    cr_assert_eq(sh("ulimit -v 600000; $B summary $D/chain.py | tail -4", out, sizeof out), 0, "%s", out);
    cr_assert_not_null(strstr(out, "Total params: 1,440,000"), "%s", out);
}
#endif

Test(api, null_dims_and_values_outside_the_enums)
{
    char err[512];
    clinfer_model *m = load_script("x = layers.Input(shape=(4,))\nmodel = Model(x, layers.Dense(2)(x))\n", err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    cr_assert_eq(clinfer_model_layer_shape(m, 0, NULL), 2, "the rank, with no dims to fill");
    cr_assert_eq(clinfer_model_layer_shape(m, 99, NULL), 0);
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_session *s = NULL;
    clinfer_session_options o = {.device = "ref", .batch = 1, .init = (clinfer_init)9};
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_E_ARG);
    cr_assert_not_null(strstr(clinfer_context_errmsg(ctx), "init 9 is not a clinfer_init"));
    o.init = CLINFER_INIT_KERAS;
    o.tune = (clinfer_tune)42;
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_E_ARG);
    cr_assert_not_null(strstr(clinfer_context_errmsg(ctx), "tune 42 is not a clinfer_tune"));
    o.tune = CLINFER_TUNE_NONE;
    o.algo = "conv=bogus";
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_E_ARG);
    cr_assert_null(s);
    clinfer_summary_options so = {.format = (clinfer_format)7};
    char *text = NULL;
    cr_assert_eq(clinfer_model_summary(ctx, m, &so, &text), CLINFER_E_ARG);
    o.algo = NULL;
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    cr_assert_eq(clinfer_session_output_shape(s, 0, NULL), 2);
    clinfer_session_layer_algo(s, 0, NULL, 0);
    clinfer_session_free(s);
    clinfer_context_free(ctx);
    clinfer_model_free(m);
}

Test(algo, a_bad_spec_lists_the_forms)
{
    make_dir();
    static char out[1 << 16];
    static const char *const bad[] = {"conv=bogus", "garbage", "conv=blocked:0:0", "conv=blocked:99999:99",
                                      "conv=blocked:8:2,", "dense=splitk:256"};
    for (int i = 0; i < 6; i++) {
        char script[256];
        snprintf(script, sizeof script, "$B run examples/seed.py -o $D/u.npy --algo \"%s\"", bad[i]);
        cr_assert_eq(sh(script, out, sizeof out), 1, "%s: %s", bad[i], out);
        cr_assert_not_null(strstr(out, "the accepted forms"), "%s: %s", bad[i], out);
        cr_assert_not_null(strstr(out, "conv=blocked:P:V (1-64, 1-64)"), "%s: %s", bad[i], out);
        cr_assert_null(strstr(out, "clBuildProgram"), "%s: %s", bad[i], out);
    }
}

/* One NaN pixel in the seed model's input: NaN out of both backends (max-pool and ReLU keep NaN, as NumPy's
 * maximum does); compare holds matching NaNs equal and says where they first appear; --check-finite fails */
Test(nonfinite, nan_and_inf_agree_between_backends, .timeout = 120)
{
    make_dir();
    static char out[1 << 16];
    write_npy("nan.npy", (int64_t[]){1, 150, 150, 3}, 4, 10 * 450 + 30 + 1);
    cr_assert_eq(sh("$B run examples/seed.py -i $D/nan.npy -o $D/r.npy --device ref -q && "
                    "$B run examples/seed.py -i $D/nan.npy -o $D/o.npy --device opencl -q",
                    out, sizeof out),
                 0, "%s", out);
    struct cf_array r, o;
    struct cf_diag d = {0};
    char path[256];
    snprintf(path, sizeof path, "%s/r.npy", dir);
    cr_assert_eq(cf_npy_read(path, &r, &d), CLINFER_OK, "%s", d.msg);
    snprintf(path, sizeof path, "%s/o.npy", dir);
    cr_assert_eq(cf_npy_read(path, &o, &d), CLINFER_OK, "%s", d.msg);
    cr_assert(isnan(r.data[0]) && isnan(o.data[0]), "ref %g, opencl %g", r.data[0], o.data[0]);
    cf_array_free(&r);
    cf_array_free(&o);
    cr_assert_eq(sh("$B compare examples/seed.py -i $D/nan.npy", out, sizeof out), 0, "%s", out);
    cr_assert_not_null(strstr(out, "non-finite values first appear in layer 'input_1' on both devices"), "%s", out);
    cr_assert_eq(sh("$B run examples/seed.py -i $D/nan.npy -o $D/o.npy --check-finite", out, sizeof out), 1, "%s", out);
    cr_assert_not_null(strstr(out, "holds 1 NaN and 0 Inf of 1 values"), "%s", out);
    cr_assert_eq(sh("$B run examples/seed.py -i $D/nan.npy -o $D/o.npy", out, sizeof out), 0, "%s", out);
    cr_assert_not_null(strstr(out, "warning: output 0"), "%s", out);
}

static clinfer_status parse_header(const char *header, struct cf_diag *d)
{
    unsigned char buf[512];
    size_t hl = strlen(header);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)hl;
    buf[9] = 0;
    memcpy(buf + 10, header, hl);
    float v[2] = {1, 2};
    memcpy(buf + 10 + hl, v, sizeof v);
    struct cf_array a;
    clinfer_status st = cf_npy_parse("h.npy", buf, 10 + hl + sizeof v, &a, d);
    if (!st) cf_array_free(&a);
    return st;
}

/* The .npy header is the Python dict literal NumPy writes: keys inside a string value are not keys, nothing may follow
 * the dict but padding, each key once, no other key (as NumPy refuses them) */
Test(npy, the_header_is_read_as_a_dict_literal)
{
    struct cf_diag d = {0};
    cr_assert_eq(parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }   \n", &d), CLINFER_OK, "%s", d.msg);
    cr_assert_eq(parse_header("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,)}\n", &d), CLINFER_OK, "%s", d.msg);
    cr_assert_eq(parse_header("{'descr': '<f4', 'note': \"'shape': (9,)\", 'fortran_order': False, 'shape': (2,)}\n", &d),
                 CLINFER_E_PARSE);
    cr_assert_not_null(strstr(d.msg, "unknown key 'note'"), "%s", d.msg);
    cr_assert_eq(parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } garbage\n", &d), CLINFER_E_PARSE);
    cr_assert_not_null(strstr(d.msg, "text after the dict"), "%s", d.msg);
    cr_assert_eq(parse_header("{'descr': '<f4', 'shape': (2,), 'fortran_order': False, 'shape': (2,)}\n", &d),
                 CLINFER_E_PARSE);
    cr_assert_not_null(strstr(d.msg, "'shape' appears twice"), "%s", d.msg);
    cr_assert_eq(parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2)}\n", &d), CLINFER_E_PARSE);
    cr_assert_not_null(strstr(d.msg, "'shape' is not a tuple"), "%s", d.msg);
    cr_assert_eq(parse_header("{'descr': '<f4', 'fortran_order': Falsey, 'shape': (2,)}\n", &d), CLINFER_E_PARSE);
}

/* JSON output is UTF-8 whatever bytes a layer name holds */
static int valid_utf8(const unsigned char *p)
{
    while (*p) {
        int n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
        if (!n || (n == 2 && *p < 0xc2)) return 0;
        for (int i = 1; i < n; i++)
            if ((p[i] & 0xc0) != 0x80) return 0;
        p += n;
    }
    return 1;
}

Test(json, output_is_utf8_for_any_layer_name)
{
    make_dir();
    static char out[1 << 16];
    write_text("bad.py", "x = layers.Input(shape=(4,))\nmodel = Model(x, layers.Dense(2, name='d\xff\xfe\xc3')(x))\n");
    cr_assert_eq(sh("$B summary $D/bad.py --format json", out, sizeof out), 0, "%s", out);
    cr_assert(valid_utf8((const unsigned char *)out), "not UTF-8:\n%s", out);
    cr_assert_not_null(strstr(out, "\"d\\ufffd\\ufffd\\ufffd\""), "%s", out);
}

/* A kernel cache folder that cannot be made: one warning, a private PoCL cache, and the run goes on */
Test(cache, an_unusable_cache_is_worked_around_with_a_warning, .timeout = 300)
{
    make_dir();
    static char out[1 << 16];
    write_text("small.py", "x = layers.Input(shape=(6, 6, 2))\nmodel = Model(x, layers.Conv2D(3, 3)(x))\n");
    int rc = sh("XDG_CACHE_HOME=/dev/null/cache POCL_CACHE_DIR= $B run $D/small.py -o $D/u.npy --device opencl", out,
                sizeof out);
    cr_assert_eq(rc, 0, "%s", out);
    cr_assert_not_null(strstr(out, "warning: the kernel cache cannot be used (/dev/null/cache/clinfer cannot be made: "
                                   "Not a directory)"),
                       "%s", out);
    cr_assert_not_null(strstr(out, "PoCL's kernel cache cannot be used"), "%s", out);
    cr_assert_eq(strstr(strstr(out, "warning:") + 1, "warning:"), NULL, "one warning:\n%s", out);
}

/* Long work shows a progress line on a terminal (script gives the command one), and nothing in a pipe */
Test(progress, a_line_on_a_terminal_nothing_in_a_pipe, .timeout = 600)
{
    make_dir();
    static char out[1 << 16];
    int rc = sh("XDG_CACHE_HOME=$D/cache POCL_CACHE_DIR=$D/pocl script -qec \"$B bench examples/seed.py --batch 2 --iters 1 "
                "--tune none\" /dev/null",
                out, sizeof out);
    cr_assert_eq(rc, 0, "%s", out);
    cr_assert_not_null(strstr(out, "\r\033[Kclinfer: preparing kernels: layer "), "no progress on a terminal:\n%s", out);
    rc = sh("XDG_CACHE_HOME=$D/cache2 POCL_CACHE_DIR=$D/pocl2 $B bench examples/seed.py --batch 2 --iters 1 --tune none",
            out, sizeof out);
    cr_assert_eq(rc, 0, "%s", out);
    cr_assert_null(strstr(out, "preparing kernels"), "progress in a pipe:\n%s", out);
    cr_assert_null(strchr(out, '\r'), "a carriage return in a pipe:\n%s", out);
}

/* the layers `bench ... --tune fast` left untuned: its text's word of the budget, or with --json its tune_left */
static int tune_left(const char *cmd, char *out, size_t size)
{
    int rc = sh(cmd, out, size), left = -1;
    cr_assert_eq(rc, 0, "%s\n%s", cmd, out);
    const char *word = strstr(cmd, "--json") ? "\"tune_left\": " : " s budget of --tune fast ran out: ";
    const char *p = strstr(out, word);
    cr_assert(p && sscanf(p + strlen(word), "%d", &left) == 1, "%s: no word of the budget:\n%s", cmd, out);
    return left;
}

/* two convs of one shape class: the second tuned, or not, apart from the first */
static const char two_convs[] = "x = layers.Input(shape=(6, 6, 3))\ny = layers.Conv2D(4, 3)(x)\n"
                                "y = layers.Conv2D(4, 3, padding='same')(y)\nmodel = Model(x, y)\n";

/* --tune fast stops timing at its budget (here none: $CLINFER_TUNE_BUDGET_MS=0): every layer takes the rule of thumb,
 * unremembered, and bench says so; a later run with time to spare tunes them, and the one after that tunes nothing */
Test(tuning, fast_stops_at_its_budget_and_a_later_run_goes_on, .timeout = 900)
{
    make_dir();
    write_text("two.py", two_convs);
    static char out[1 << 16];
    int left0 = tune_left("XDG_CACHE_HOME=$D/cache CLINFER_TUNE_BUDGET_MS=0 $B bench $D/two.py --batch 1 --iters 1 "
                          "--tune fast",
                          out, sizeof out);
    cr_assert_eq(left0, 2, "with no budget, no layer is tuned: %d left", left0);
    int left1 = tune_left("XDG_CACHE_HOME=$D/cache CLINFER_TUNE_BUDGET_MS=1e9 $B bench $D/two.py --batch 1 --iters 1 "
                          "--tune fast --json",
                          out, sizeof out);
    cr_assert_eq(left1, 0, "the second run tunes what the first left: %d left", left1);
    int left2 = tune_left("XDG_CACHE_HOME=$D/cache CLINFER_TUNE_BUDGET_MS=0 $B bench $D/two.py --batch 1 --iters 1 "
                          "--tune fast --json",
                          out, sizeof out);
    cr_assert_eq(left2, 0, "the third finds every layer in the database: %d left", left2);
}

/* A budget that runs out within a layer's shortlist (1 ms: spent by its first candidate, the rule of thumb) cuts the
 * layer short: it keeps its best so far, unremembered, so both layers are left to a later run, which tunes them */
Test(tuning, fast_cuts_a_layer_short_where_its_budget_runs_out, .timeout = 900)
{
    make_dir();
    write_text("two.py", two_convs);
    static char out[1 << 16];
    int left0 = tune_left("XDG_CACHE_HOME=$D/cache CLINFER_TUNE_BUDGET_MS=1 $B bench $D/two.py --batch 1 --iters 1 "
                          "--tune fast --json",
                          out, sizeof out);
    cr_assert_eq(left0, 2, "the first layer cut short and the second untimed: %d left", left0);
    int left1 = tune_left("XDG_CACHE_HOME=$D/cache CLINFER_TUNE_BUDGET_MS=1e9 $B bench $D/two.py --batch 1 --iters 1 "
                          "--tune fast --json",
                          out, sizeof out);
    cr_assert_eq(left1, 0, "the second run tunes both: %d left", left1);
}
