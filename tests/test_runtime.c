/* Running models: weights from .npz files checked against NumPy, .npy errors, device choice, the program cache,
 * the seed model end to end on PoCL against ref, and the run/compare commands. */
#include "helpers.h"

#include <math.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/opencl/cl.h"
#include "io/npy.h"
#include "util/files.h"

static char *src_path(const char *rel)
{
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", CLINFER_SOURCE_DIR, rel);
    return buf[k];
}

static clinfer_model *load_file(clinfer_context *ctx, const char *rel)
{
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_load(ctx, src_path(rel), &m), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    return m;
}

/* Runs tests/models/small.py with the weights of an .npz on a device and checks NumPy's answer. */
static void small_model_matches_numpy(const char *npz, const char *device)
{
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = load_file(ctx, "tests/models/small.py");
    clinfer_session *s;
    clinfer_session_options o = {.device = device, .batch = 2, .weights = src_path(npz)};
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    struct cf_array x, want;
    struct cf_diag d = {0};
    cr_assert_eq(cf_npy_read(src_path("tests/data/small_in.npy"), &x, &d), CLINFER_OK, "%s", d.msg);
    cr_assert_eq(cf_npy_read(src_path("tests/data/small_out.npy"), &want, &d), CLINFER_OK, "%s", d.msg);
    float got[4];
    float *outs[] = {got};
    const float *ins[] = {x.data};
    cr_assert_eq(clinfer_session_run(ctx, s, ins, outs), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    for (int i = 0; i < 4; i++)
        cr_expect(fabsf(got[i] - want.data[i]) <= 1e-6f + 1e-5f * fabsf(want.data[i]), "%s on %s: %d: %.8g vs %.8g",
                  npz, device, i, got[i], want.data[i]);
    cf_array_free(&x);
    cf_array_free(&want);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}

Test(weights, npz_from_numpy_gives_numpys_answer)
{
    small_model_matches_numpy("tests/data/small.npz", "ref");
    small_model_matches_numpy("tests/data/small.npz", "opencl");
    small_model_matches_numpy("tests/data/small_compressed.npz", "ref");
}

static void weights_error(const char *npz, const char *want)
{
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = load_file(ctx, "tests/models/small.py");
    clinfer_session *s = NULL;
    clinfer_session_options o = {.device = "ref", .batch = 1, .weights = src_path(npz)};
    cr_assert_neq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK);
    cr_assert_null(s);
    cr_assert_not_null(strstr(clinfer_context_errmsg(ctx), want), "%s", clinfer_context_errmsg(ctx));
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}

Test(weights, missing_extra_and_misshapen_arrays)
{
    weights_error("tests/data/small_missing.npz", "small_missing.npz: missing array 'fc/bias:0' (layer 'fc' (Dense) needs a (2,) bias)");
    weights_error("tests/data/small_extra.npz", "small_extra.npz: array 'dense_9/kernel:0' matches no weight of the model");
    weights_error("tests/data/small_badshape.npz",
                  "small_badshape.npz: array 'fc/kernel:0' has shape (47, 2); layer 'fc' (Dense) needs (48, 2)");
    weights_error("tests/data/small_f64.npz", "'conv/bias:0.npy': dtype '<f8' is not float32");
    weights_error("tests/data/nonexistent.npz", "nonexistent.npz: cannot open the weights file: No such file or directory");
    weights_error("tests/models/small.py", "small.py: not a weights file");
}

Test(weights, keras_defaults_are_seeded_and_repeat)
{
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = load_file(ctx, "examples/seed.py");
    float out[3][1];
    float *in = calloc(150 * 150 * 3, sizeof(float));
    for (int i = 0; i < 150 * 150 * 3; i++) in[i] = (float)(i % 17) / 17.0f;
    const uint64_t seeds[3] = {1, 1, 2};
    for (int k = 0; k < 3; k++) {
        clinfer_session *s;
        clinfer_session_options o = {.device = "ref", .batch = 1, .seed = seeds[k]};
        cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK);
        const float *ins[] = {in};
        float *outs[] = {out[k]};
        cr_assert_eq(clinfer_session_run(ctx, s, ins, outs), CLINFER_OK);
        clinfer_session_free(s);
    }
    cr_expect(out[0][0] == out[1][0], "the same seed gives the same weights"); /* bit-identical on purpose */
    cr_expect(out[0][0] != out[2][0], "another seed gives other weights");
    free(in);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}

Test(npy, rejects_what_it_cannot_read)
{
    struct cf_array a;
    struct cf_diag d = {0};
    cr_assert_eq(cf_npy_read(src_path("tests/data/in_f64.npy"), &a, &d), CLINFER_E_UNSUPPORTED);
    cr_assert_not_null(strstr(d.msg, "dtype '<f8' is not float32 ('<f4'); convert it with x.astype(np.float32)"), "%s", d.msg);
    cr_assert_eq(cf_npy_read(src_path("tests/data/in_fortran.npy"), &a, &d), CLINFER_E_UNSUPPORTED);
    cr_assert_not_null(strstr(d.msg, "Fortran order"), "%s", d.msg);
    static const unsigned char truncated[] = "\x93NUMPY\x01\x00\x46\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }           \n\x00\x00\x80\x3f";
    cr_assert_eq(cf_npy_parse("t.npy", truncated, sizeof truncated - 1, &a, &d), CLINFER_E_PARSE);
    cr_assert_not_null(strstr(d.msg, "t.npy: the shape holds 6 floats (24 bytes) but the file has "), "%s", d.msg);
    cr_assert_eq(cf_npy_parse("m.npy", (const unsigned char *)"PK\x03\x04", 4, &a, &d), CLINFER_E_PARSE);
    cr_assert_not_null(strstr(d.msg, "m.npy: not a NumPy .npy file"));
}

Test(npy, write_then_read)
{
    char path[] = "/tmp/clinfer-npy-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    float v[6] = {1, -2, 3.5f, 0, 1e-8f, 7};
    struct cf_array a = {2, {2, 3}, v}, b;
    struct cf_diag d = {0};
    cr_assert_eq(cf_npy_write(path, &a, &d), CLINFER_OK);
    cr_assert_eq(cf_npy_read(path, &b, &d), CLINFER_OK, "%s", d.msg);
    cr_assert_eq(b.rank, 2);
    cr_assert_eq(b.dims[0], 2);
    cr_assert_eq(b.dims[1], 3);
    cr_assert(memcmp(b.data, v, sizeof v) == 0);
    cf_array_free(&b);
    remove(path);
}

Test(devices, choosing_and_listing)
{
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    char *text = NULL;
    cr_assert_eq(clinfer_devices(ctx, &text), CLINFER_OK, "no OpenCL device: %s", clinfer_context_errmsg(ctx));
    cr_assert_not_null(strstr(text, "opencl:0"));
    cr_assert_not_null(strstr(text, "compute units"));
    clinfer_free(text);
    clinfer_model *m = load_file(ctx, "tests/models/small.py");
    clinfer_session *s = NULL;
    clinfer_session_options o = {.device = test_device(), .batch = 1};
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    cr_assert_not_null(strstr(clinfer_session_device(s), "opencl:"));
    clinfer_session_free(s);
    o.device = "opencl:99";
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_E_DEVICE);
    cr_assert_not_null(strstr(clinfer_context_errmsg(ctx), "no OpenCL device matches 'opencl:99'; the devices are:\n  opencl:0"),
                       "%s", clinfer_context_errmsg(ctx));
    o.device = "opencl:no-such-gpu";
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_E_DEVICE);
    o.device = "cuda";
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_E_ARG);
    cr_assert_not_null(strstr(clinfer_context_errmsg(ctx), "unknown device 'cuda': use ref, opencl, opencl:N"));
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}

/* On PoCL (its own cache keeps what it compiles) clinfer keeps no binaries unless told: making one compiles every kernel
 * once more (src/backend/opencl/program.c keep_binaries); the program still builds, twice, from source. */
Test(program_cache, pocl_keeps_no_binaries_unless_told)
{
    char dir[] = "/tmp/clinfer-nobin-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    setenv("XDG_CACHE_HOME", dir, 1);
    unsetenv("CLINFER_CL_BINARIES");
    struct cf_cl_device dev;
    struct cf_diag d = {0};
    cr_assert_eq(cf_cl_select("opencl", &dev, &d), CLINFER_OK, "no OpenCL device: %s", d.msg);
    cr_assert(strstr(dev.platform_name, "Portable Computing Language"), "not PoCL: %s", dev.platform_name);
    cl_int err;
    cl_context ctx = clCreateContext(NULL, 1, &dev.device, NULL, NULL, &err);
    cr_assert_eq(err, CL_SUCCESS);
    for (int k = 0; k < 2; k++) {
        cl_program p;
        int cached;
        cr_assert_eq(cf_cl_program_file(ctx, &dev, "pool2d.cl", "", &p, &cached, &d), CLINFER_OK, "%s", d.msg);
        cr_expect_eq(cached, 0, "build %d came from clinfer's cache", k);
        clReleaseProgram(p);
    }
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "ls %s/clinfer/*.bin >/dev/null 2>&1", dir);
    cr_expect_neq(system(cmd), 0, "a binary was stored in %s/clinfer", dir);
    clReleaseContext(ctx);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    system(cmd);
}

/* The program cache (a generic kernel's file): the first build is stored, the second start loads it, a corrupt entry
 * is rebuilt. */
Test(program_cache, stores_reuses_and_rebuilds_corrupt_entries)
{
    setenv("CLINFER_CL_BINARIES", "1", 1); /* clinfer's cache of program binaries, which it keeps on PoCL only when told */
    char dir[] = "/tmp/clinfer-cache-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    setenv("XDG_CACHE_HOME", dir, 1);
    struct cf_cl_device dev;
    struct cf_diag d = {0};
    cr_assert_eq(cf_cl_select("opencl", &dev, &d), CLINFER_OK, "no OpenCL device: %s", d.msg);
    cl_int err;
    cl_context ctx = clCreateContext(NULL, 1, &dev.device, NULL, NULL, &err);
    cr_assert_eq(err, CL_SUCCESS);
    cl_program p;
    int cached;
    cr_assert_eq(cf_cl_program_file(ctx, &dev, "pool2d.cl", "", &p, &cached, &d), CLINFER_OK, "%s", d.msg);
    cr_expect_eq(cached, 0, "an empty cache cannot hold the program");
    clReleaseProgram(p);
    cr_assert_eq(cf_cl_program_file(ctx, &dev, "pool2d.cl", "", &p, &cached, &d), CLINFER_OK, "%s", d.msg);
    cr_expect_eq(cached, 1, "the second build comes from the cache");
    clReleaseProgram(p);
    /* corrupt every entry: flip bytes in the middle of the binary */
    char cmd[1200];
    snprintf(cmd, sizeof cmd,
             "for f in %s/clinfer/*.bin; do printf 'garbage' | dd of=\"$f\" bs=1 seek=300 conv=notrunc 2>/dev/null; done",
             dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(cf_cl_program_file(ctx, &dev, "pool2d.cl", "", &p, &cached, &d), CLINFER_OK, "%s", d.msg);
    cr_expect_eq(cached, 0, "a corrupt entry is rebuilt, not trusted");
    clReleaseProgram(p);
    cr_assert_eq(cf_cl_program_file(ctx, &dev, "pool2d.cl", "", &p, &cached, &d), CLINFER_OK, "%s", d.msg);
    cr_expect_eq(cached, 1, "the rebuilt entry is stored again");
    clReleaseProgram(p);
    /* a truncated entry too */
    snprintf(cmd, sizeof cmd, "for f in %s/clinfer/*.bin; do truncate -s 100 \"$f\"; done", dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(cf_cl_program_file(ctx, &dev, "pool2d.cl", "", &p, &cached, &d), CLINFER_OK, "%s", d.msg);
    cr_expect_eq(cached, 0);
    clReleaseProgram(p);
    clReleaseContext(ctx);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    system(cmd);
}

Test(program_cache, kernel_dir_override_reports_the_build_log)
{
    char dir[] = "/tmp/clinfer-kdir-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char cmd[1200];
    /* a tuned kernel's file: built when the session is made */
    snprintf(cmd, sizeof cmd, "cp %s/cl/*.cl %s/ && echo 'this is not OpenCL;' >> %s/conv2d_blocked.cl", CLINFER_SOURCE_DIR,
             dir, dir);
    cr_assert_eq(system(cmd), 0);
    setenv("CLINFER_KERNEL_DIR", dir, 1);
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = load_file(ctx, "tests/models/small.py");
    clinfer_session *s = NULL;
    clinfer_session_options o = {.device = "opencl", .batch = 1};
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_E_DEVICE);
    cr_assert_not_null(strstr(clinfer_context_errmsg(ctx), "clBuildProgram(cl/conv2d_blocked.cl) on "), "%s",
                       clinfer_context_errmsg(ctx));
    cr_assert_not_null(strstr(clinfer_context_errmsg(ctx), "error"), "the compiler's log: %s", clinfer_context_errmsg(ctx));
    /* a generic kernel's file (softmax's): built when the kernel first runs */
    snprintf(cmd, sizeof cmd, "cp %s/cl/*.cl %s/ && echo 'this is not OpenCL;' >> %s/activation.cl", CLINFER_SOURCE_DIR,
             dir, dir);
    cr_assert_eq(system(cmd), 0);
    char err[512];
    clinfer_model *soft = load_script("x = layers.Input(shape=(8,))\nmodel = Model(x, layers.Dense(4, activation='softmax')(x))\n",
                                      err, sizeof err);
    cr_assert_not_null(soft, "%s", err);
    cr_assert_eq(clinfer_session_new(ctx, soft, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    float *in = calloc(8, sizeof(float)), *out = calloc(4, sizeof(float));
    const float *ins[] = {in};
    float *outs[] = {out};
    cr_assert_eq(clinfer_session_run(ctx, s, ins, outs), CLINFER_E_DEVICE);
    cr_assert_not_null(strstr(clinfer_context_errmsg(ctx), "clBuildProgram(cl/activation.cl) on "), "%s",
                       clinfer_context_errmsg(ctx));
    clinfer_session_free(s);
    unsetenv("CLINFER_KERNEL_DIR");
    cr_assert_eq(clinfer_session_new(ctx, soft, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    cr_assert_eq(clinfer_session_run(ctx, s, ins, outs), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    clinfer_session_free(s);
    free(in);
    free(out);
    clinfer_model_free(soft);
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    system(cmd);
}

/* --- the commands --- */

static int run(const char *args, char *out, size_t size)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd %s && %s %s 2>&1", CLINFER_SOURCE_DIR, CLINFER_BINARY, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(commands, compare_seed_passes_on_pocl_and_flags_a_tight_tolerance)
{
    static char out[1 << 16];
    cr_assert_eq(run("compare examples/seed.py", out, sizeof out), 0, "%s", out);
    cr_assert_not_null(strstr(out, "against ref"), "%s", out);
    cr_assert_not_null(strstr(out, "all 10 layers within tolerance"), "%s", out);
    cr_assert_eq(run("compare examples/branches.py --init random --batch 3", out, sizeof out), 0, "%s", out);
    cr_assert_eq(run("compare examples/sequential.py --init random", out, sizeof out), 0, "%s", out);
    /* zero tolerance: float sums in another order differ somewhere */
    cr_assert_eq(run("compare examples/seed.py --init random --rtol 0 --atol 0", out, sizeof out), 1, "%s", out);
    cr_assert_not_null(strstr(out, "first layer past tolerance: conv2d_1 (Conv2D)"), "%s", out);
    /* exit codes: 1 past tolerance (above), 3 could not run, 2 usage */
    cr_assert_eq(run("compare examples/seed.py --device nosuch", out, sizeof out), 3, "%s", out);
    cr_assert_not_null(strstr(out, "unknown device 'nosuch'"), "%s", out);
    cr_assert_eq(run("compare missing.py", out, sizeof out), 3, "%s", out);
    cr_assert_eq(run("compare examples/seed.py --rtol", out, sizeof out), 2, "%s", out);
    cr_assert_eq(run("compare examples/seed.py --rtoll 1", out, sizeof out), 2, "%s", out);
    cr_assert_not_null(strstr(out, "unknown option '--rtoll'; did you mean --rtol?"), "%s", out);
}

Test(commands, summary_explain_names_each_layers_kernel)
{
    static char out[1 << 16];
    cr_assert_eq(run("summary examples/seed.py --explain --batch 2", out, sizeof out), 0, "%s", out);
    cr_assert_not_null(strstr(out, "Kernels on opencl:"), "%s", out);
    cr_assert_not_null(strstr(out, ", batch 2 "), "%s", out);
    const char *conv = strstr(out, "\n  conv2d_1 "), *dense = strstr(out, "\n  dense_1 ");
    cr_assert(conv && dense, "%s", out);
    cr_assert(strncmp(strstr(conv, "Conv2D") + 21, "blocked ", 8) == 0, "%s", out);
    cr_assert(strncmp(strstr(dense, "Dense") + 21, "gemv ", 5) == 0 || strncmp(strstr(dense, "Dense") + 21, "tiled ", 6) == 0,
              "%s", out);
    /* no device: said, and the summary still succeeds */
    cr_assert_eq(run("summary examples/seed.py --explain --device nosuch", out, sizeof out), 0, "%s", out);
    cr_assert_not_null(strstr(out, "Kernels: none chosen (unknown device 'nosuch'"), "%s", out);
}

Test(commands, run_seed_batch_8_on_pocl_matches_ref)
{
    static char out[1 << 16];
    char tmp[] = "/tmp/clinfer-run-XXXXXX";
    cr_assert_not_null(mkdtemp(tmp));
    /* a batch of 8 images, written with clinfer's own .npy writer */
    int64_t n = 8 * 150 * 150 * 3;
    float *x = malloc(sizeof(float) * (size_t)n);
    for (int64_t i = 0; i < n; i++) x[i] = (float)((i * 7919) % 1000) / 1000.0f;
    struct cf_array a = {4, {8, 150, 150, 3}, x};
    struct cf_diag d = {0};
    char in[256], o1[256], o2[256], args[1024];
    snprintf(in, sizeof in, "%s/in.npy", tmp);
    snprintf(o1, sizeof o1, "%s/out_cl.npy", tmp);
    snprintf(o2, sizeof o2, "%s/out_ref.npy", tmp);
    cr_assert_eq(cf_npy_write(in, &a, &d), CLINFER_OK);
    snprintf(args, sizeof args, "run examples/seed.py -i %s -o %s --device %s -v", in, o1, test_device());
    cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
    cr_assert_not_null(strstr(out, "setup: "), "%s", out);
    snprintf(args, sizeof args, "run examples/seed.py -i %s -o %s --device ref", in, o2);
    cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
    struct cf_array y1, y2;
    cr_assert_eq(cf_npy_read(o1, &y1, &d), CLINFER_OK, "%s", d.msg);
    cr_assert_eq(cf_npy_read(o2, &y2, &d), CLINFER_OK, "%s", d.msg);
    cr_assert_eq(y1.rank, 2);
    cr_assert_eq(y1.dims[0], 8);
    cr_assert_eq(y1.dims[1], 1);
    for (int i = 0; i < 8; i++)
        cr_expect(fabsf(y1.data[i] - y2.data[i]) <= 1e-6f + 1e-5f * fabsf(y2.data[i]), "image %d: %.9g vs %.9g", i,
                  y1.data[i], y2.data[i]);
    /* bad inputs: a missing batch dimension, float64 */
    snprintf(args, sizeof args, "run tests/models/small.py -i tests/data/in_noba.npy -o %s", o1);
    cr_assert_eq(run(args, out, sizeof out), 1, "%s", out);
    cr_assert_not_null(strstr(out, "in_noba.npy has shape (4, 4, 2); the model's input 'input_1' takes (None, 4, 4, 2) "
                                   "(add the batch dimension: x[None])"),
                       "%s", out);
    snprintf(args, sizeof args, "run tests/models/small.py -i tests/data/in_f64.npy -o %s", o1);
    cr_assert_eq(run(args, out, sizeof out), 1, "%s", out);
    cr_assert_not_null(strstr(out, "dtype '<f8' is not float32"), "%s", out);
    cr_assert_eq(run("run tests/models/small.py -i tests/data/small_in.npy", out, sizeof out), 2, "%s", out);
    cf_array_free(&y1);
    cf_array_free(&y2);
    free(x);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    system(cmd);
}

/* Regressions found by the fuzzers (tests/fuzz): each input as the fuzzer saw it (first byte: which reader). */
Test(npy, fuzz_regressions)
{
    unsigned char *buf;
    size_t len;
    struct cf_diag d = {0};
    cr_assert_eq(cf_read_file(src_path("tests/data/regressions/npz-huge-claim.bin"), "file", 1 << 20, &buf, &len, &d), CLINFER_OK);
    struct cf_npz z;
    /* a zip entry claiming far more bytes than its deflated data can hold: refused before allocating */
    cr_assert_neq(cf_npz_parse("claim.npz", buf + 1, len - 1, &z, &d), CLINFER_OK);
    cr_assert(strncmp(d.msg, "claim.npz: ", 11) == 0, "%s", d.msg);
    free(buf);
    /* a 54-byte file whose zip64 locator points past its end (the bound `len - 56` wrapped below zero) */
    cr_assert_eq(cf_read_file(src_path("tests/data/regressions/npz-short-zip64.bin"), "file", 1 << 20, &buf, &len, &d), CLINFER_OK);
    cr_assert_eq(cf_npz_parse("short.npz", buf + 1, len - 1, &z, &d), CLINFER_E_PARSE);
    cr_assert_str_eq(d.msg, "short.npz: bad zip64 directory");
    free(buf);
}

/* examples/branches.py at batch 8 (32x32x3 in, 10 out) and its input, the same each time. */
enum { BR_B = 8, BR_IN = BR_B * 32 * 32 * 3, BR_OUT = BR_B * 10 };
static const float *branches_input(void)
{
    static float x[BR_IN];
    for (int i = 0; i < BR_IN; i++) x[i] = sinf((float)i * 0.01f);
    return x;
}

/* Every layer of two sessions of model m, run on x, agrees within abs_tol + rel_tol * |s's| (0, 0: byte for byte). */
static void layers_agree(clinfer_context *ctx, clinfer_model *m, clinfer_session *s, clinfer_session *t, const float *x,
                         float abs_tol, float rel_tol, const char *what)
{
    int n = clinfer_model_layer_count(m);
    float **a = calloc((size_t)n, sizeof *a), **b = calloc((size_t)n, sizeof *b);
    for (int i = 0; i < n; i++) {
        cr_assert_eq(clinfer_session_layer_elems(s, i), clinfer_session_layer_elems(t, i), "%s: layer %d", what, i);
        a[i] = malloc(sizeof(float) * (size_t)clinfer_session_layer_elems(s, i));
        b[i] = malloc(sizeof(float) * (size_t)clinfer_session_layer_elems(t, i));
    }
    cr_assert_eq(clinfer_session_run_layers(ctx, s, (const float *const[]){x}, a), CLINFER_OK);
    cr_assert_eq(clinfer_session_run_layers(ctx, t, (const float *const[]){x}, b), CLINFER_OK);
    for (int i = 0; i < n; i++) {
        int64_t elems = clinfer_session_layer_elems(s, i);
        if (abs_tol == 0 && rel_tol == 0)
            cr_assert_arr_eq(a[i], b[i], sizeof(float) * (size_t)elems, "%s: layer %d differs", what, i);
        else
            for (int64_t e = 0; e < elems; e++)
                cr_assert(fabsf(a[i][e] - b[i][e]) <= abs_tol + rel_tol * fabsf(a[i][e]), "%s layer %d [%lld]: %g vs %g",
                          what, i, (long long)e, b[i][e], a[i][e]);
        free(a[i]);
        free(b[i]);
    }
    free(a);
    free(b);
}

/* A batch that does not fit the memory runs in sub-batches that do, with the same results (outputs and every
 * layer's); when one image does not fit, the error gives its sizes and the memory there is. */
static void sub_batches_match_one_pass(const char *device)
{
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = load_file(ctx, "examples/branches.py");
    enum { B = BR_B, OUT = BR_OUT };
    const float *x = branches_input();
    static float want[OUT], got[OUT];
    clinfer_session_options o = {.device = device, .batch = B, .seed = 5};
    clinfer_session *whole, *split;
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &whole), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    cr_assert_eq(clinfer_session_sub_batch(whole), B);
    cr_assert_eq(clinfer_session_run(ctx, whole, (const float *const[]){x}, (float *const[]){want}), CLINFER_OK);
    o.max_memory = clinfer_session_arena_bytes(whole, NULL) / 3; /* about a third of the batch fits */
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &split), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    int64_t sub = clinfer_session_sub_batch(split);
    cr_assert(sub > 1 && sub < B, "%s: sub-batch %lld for a third of the memory", device, (long long)sub);
    cr_assert_leq(clinfer_session_arena_bytes(split, NULL), o.max_memory);
    int64_t dims[8];
    cr_assert_eq(clinfer_session_output_shape(split, 0, dims), 2);
    cr_assert_eq(dims[0], B, "the output shape keeps the whole batch");
    memset(got, 0xff, sizeof got);
    cr_assert_eq(clinfer_session_run(ctx, split, (const float *const[]){x}, (float *const[]){got}), CLINFER_OK, "%s",
                 clinfer_context_errmsg(ctx));
    for (int i = 0; i < OUT; i++) /* softmax outputs; kernels may differ with the batch: rounding only */
        cr_assert(fabsf(got[i] - want[i]) <= 1e-6f + 1e-5f * fabsf(want[i]), "%s sub-batch %lld: [%d] %g vs %g", device,
                  (long long)sub, i, got[i], want[i]);
    /* every layer's output, through the sub-batches */
    char what[64];
    snprintf(what, sizeof what, "%s sub-batch %lld", device, (long long)sub);
    layers_agree(ctx, m, whole, split, x, 1e-5f, 1e-5f, what);
    clinfer_session_free(split);
    /* not even one image */
    o.max_memory = 4096;
    clinfer_session *none = NULL;
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &none), CLINFER_E_NOMEM);
    cr_assert_null(none);
    const char *msg = clinfer_context_errmsg(ctx);
    cr_assert(strstr(msg, "one image does not fit: it needs ") && strstr(msg, "KiB of activations in one buffer") &&
                  strstr(msg, "the session's max_memory allows 4.0 KiB in all"),
              "%s", msg);
    clinfer_session_free(whole);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}

Test(sub_batches, ref) { sub_batches_match_one_pass("ref"); }
Test(sub_batches, pocl) { sub_batches_match_one_pass(test_device()); }

/* tests/models/conv1d.py (every 1-D layer, lowered to 2-D ones of height 1) with the weights tf.keras 2.15 had: its
 * predict (tests/models/export_keras_1d.py), on ref and on the OpenCL device. */
Test(weights, one_d_layers_give_keras_predict)
{
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = load_file(ctx, "tests/models/conv1d.py");
    struct cf_array x, want;
    struct cf_diag d = {0};
    cr_assert_eq(cf_npy_read(src_path("tests/data/keras1d/in.npy"), &x, &d), CLINFER_OK, "%s", d.msg);
    cr_assert_eq(cf_npy_read(src_path("tests/data/keras1d/out.npy"), &want, &d), CLINFER_OK, "%s", d.msg);
    const char *npz = src_path("tests/data/keras1d/weights.npz");
    static const char *const devices[] = {"ref", "opencl"};
    for (int k = 0; k < 2; k++) {
        clinfer_session *s;
        clinfer_session_options o = {.device = devices[k], .batch = x.dims[0], .init = CLINFER_INIT_KERAS, .weights = npz};
        cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
        float got[64];
        float *outs[] = {got};
        const float *ins[] = {x.data};
        cr_assert_eq(clinfer_session_run(ctx, s, ins, outs), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
        /* softmax of sums of tens of float products: Keras (float32, its own order) and clinfer agree to ~1e-6 */
        for (int j = 0; j < (int)(x.dims[0] * 5); j++)
            cr_expect(fabsf(got[j] - want.data[j]) <= 1e-5f, "%s: %d: %.8g vs Keras %.8g", devices[k], j, got[j],
                      want.data[j]);
        clinfer_session_free(s);
    }
    cf_array_free(&x);
    cf_array_free(&want);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}

/* Files in a folder (the program cache's entries). */
static int count_files(const char *dir)
{
    char cmd[1300];
    snprintf(cmd, sizeof cmd, "ls -1 %s | wc -l", dir);
    FILE *f = popen(cmd, "r");
    int n = -1;
    cr_assert(f && fscanf(f, "%d", &n) == 1);
    pclose(f);
    return n;
}

/* Entries of the program cache whose key holds `what` (its second line: the source's hash, the options, the device). */
static int count_programs_with(const char *dir, const char *what)
{
    char cmd[1300];
    snprintf(cmd, sizeof cmd, "for f in %s/*.bin; do sed -n 2p \"$f\"; done | grep -c -- '%s'", dir, what);
    FILE *f = popen(cmd, "r");
    int n = -1;
    cr_assert(f && fscanf(f, "%d", &n) == 1);
    pclose(f);
    return n;
}

/* Layers alike but for their heights, widths and channels (three 3x3 'same' convs on 20x20 and, cropped, 18x16
 * inputs, 3 -> 16 -> 12 -> 9 channels, one block size each) and for their activation (two ReLUs, the last none: a
 * ReLU that keeps everything) share one program of their shape class, and the results are ref's (the last layer's
 * negative values too). */
Test(program_cache, layers_of_one_shape_class_share_a_program)
{
    setenv("CLINFER_CL_BINARIES", "1", 1); /* clinfer's cache of program binaries, which it keeps on PoCL only when told */
    char home[] = "/tmp/clinfer-class-XXXXXX", dir[1200];
    cr_assert_not_null(mkdtemp(home));
    setenv("XDG_CACHE_HOME", home, 1);
    snprintf(dir, sizeof dir, "%s/clinfer", home);
    char err[512];
    clinfer_model *m = load_script("x = layers.Input(shape=(20, 20, 3))\n"
                                   "y = layers.Conv2D(16, 3, padding='same', activation='relu')(x)\n"
                                   "y = layers.Cropping2D(((1, 1), (2, 2)))(y)\n"
                                   "y = layers.Conv2D(12, 3, padding='same', activation='relu')(y)\n"
                                   "y = layers.Conv2D(9, 3, padding='same')(y)\n"
                                   "model = Model(x, y)\n",
                                   err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_session *s, *r;
    clinfer_session_options o = {.device = "opencl", .batch = 2, .seed = 3, .init = CLINFER_INIT_RANDOM,
                                 .algo = "conv=blocked:12:1"},
                            oref = o;
    oref.device = "ref";
    oref.algo = NULL;
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    cr_assert_eq(clinfer_session_new(ctx, m, &oref, &r), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    enum { IN = 2 * 20 * 20 * 3, OUT = 2 * 18 * 16 * 9 };
    static float in[IN], y[2][OUT];
    for (int j = 0; j < IN; j++) in[j] = (float)((j * 37) % 101) / 50.0f - 1.0f;
    const float *ins[] = {in};
    float *o0[] = {y[0]}, *o1[] = {y[1]};
    cr_assert_eq(clinfer_session_run(ctx, s, ins, o0), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    cr_assert_eq(clinfer_session_run(ctx, r, ins, o1), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    for (int j = 0; j < OUT; j++)
        cr_assert(fabsf(y[0][j] - y[1][j]) <= 1e-4f * fabsf(y[1][j]) + 1e-5f, "%d: %g vs ref %g", j, y[0][j], y[1][j]);
    clinfer_session_free(s);
    clinfer_session_free(r);
    cr_assert_eq(count_programs_with(dir, "-DSHAPE_CLASS=1"), 1, "the three convs did not share one program");
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", home);
    system(cmd);
}

/* The dense families are shape classes too (their inputs and units at run time): a network's dense layers of one
 * block size, bias and activation share one program (AlexNet's three had built a split-K program each, ~25 s apiece
 * on PoCL), with ref's results; units of every tail (40, 19, 7: 8, 3 and 7 past whole vectors of 16). */
static void dense_layers_share_a_program(const char *algo, int batch)
{
    setenv("CLINFER_CL_BINARIES", "1", 1); /* (the programs counted are clinfer's own cache's) */
    char home[] = "/tmp/clinfer-dense-XXXXXX", dir[1200];
    cr_assert_not_null(mkdtemp(home));
    setenv("XDG_CACHE_HOME", home, 1);
    snprintf(dir, sizeof dir, "%s/clinfer", home);
    char err[512];
    clinfer_model *m = load_script("x = layers.Input(shape=(300,))\n"
                                   "y = layers.Dense(40)(x)\n"
                                   "y = layers.Dense(19, activation='relu')(y)\n"
                                   "y = layers.Dense(7)(y)\n"
                                   "model = Model(x, y)\n",
                                   err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_session *s, *r;
    clinfer_session_options o = {.device = "opencl", .batch = batch, .seed = 5, .init = CLINFER_INIT_RANDOM, .algo = algo},
                            oref = o;
    oref.device = "ref";
    oref.algo = NULL;
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    cr_assert_eq(clinfer_session_new(ctx, m, &oref, &r), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    char got[64];
    int dense = 0;
    for (int i = 0; i < clinfer_model_layer_count(m); i++) {
        if (!strstr(clinfer_model_layer_name(m, i), "dense")) continue;
        clinfer_session_layer_algo(s, i, got, sizeof got);
        cr_assert(strncmp(got, strchr(algo, '=') + 1, 5) == 0, "layer %d ran %s, not %s", i, got, algo);
        dense++;
    }
    cr_assert_eq(dense, 3);
    static float in[3 * 300], y[2][3 * 7];
    for (int j = 0; j < 300 * batch; j++) in[j] = (float)((j * 37) % 101) / 50.0f - 1.0f;
    const float *ins[] = {in};
    float *o0[] = {y[0]}, *o1[] = {y[1]};
    cr_assert_eq(clinfer_session_run(ctx, s, ins, o0), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    cr_assert_eq(clinfer_session_run(ctx, r, ins, o1), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    for (int j = 0; j < 7 * batch; j++)
        cr_assert(fabsf(y[0][j] - y[1][j]) <= 1e-4f * fabsf(y[1][j]) + 1e-5f, "%d: %g vs ref %g", j, y[0][j], y[1][j]);
    clinfer_session_free(s);
    clinfer_session_free(r);
    cr_assert_eq(count_programs_with(dir, "-DSHAPE_CLASS=1"), 1, "the three dense layers did not share one program");
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", home);
    system(cmd);
}

Test(program_cache, dense_layers_share_a_split_k_program) { dense_layers_share_a_program("dense=splitk:16:4", 1); }
Test(program_cache, dense_layers_share_a_tiled_program) { dense_layers_share_a_program("dense=tiled:4:2", 3); }

/* The programs depend on the layer's shape, not on the batch: a session at a new batch size builds none (its
 * kernels come from the programs the first session put in the cache), and its results are ref's. */
Test(program_cache, a_new_batch_size_builds_no_program)
{
    setenv("CLINFER_CL_BINARIES", "1", 1); /* clinfer's cache of program binaries, which it keeps on PoCL only when told */
    char home[] = "/tmp/clinfer-batch-XXXXXX", dir[1200];
    cr_assert_not_null(mkdtemp(home));
    setenv("XDG_CACHE_HOME", home, 1); /* (read once, at this process's first device) */
    snprintf(dir, sizeof dir, "%s/clinfer", home);
    char err[512];
    clinfer_model *m = load_script("x = layers.Input(shape=(12, 10, 3))\n"
                                   "y = layers.Conv2D(16, 3, padding='same', activation='relu')(x)\n"
                                   "y = layers.MaxPooling2D()(y)\n"
                                   "y = layers.Conv2D(24, 1)(y)\n"
                                   "y = layers.DepthwiseConv2D(3)(y)\n"
                                   "y = layers.GlobalAveragePooling2D()(y)\n"
                                   "model = Model(x, y)\n",
                                   err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    int files[3];
    for (int k = 0; k < 3; k++) {
        int64_t batch = k == 0 ? 1 : k == 1 ? 5 : 2;
        clinfer_session *s, *r;
        clinfer_session_options o = {.device = "opencl", .batch = batch, .seed = 3, .init = CLINFER_INIT_RANDOM},
                                oref = o;
        oref.device = "ref";
        cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
        cr_assert_eq(clinfer_session_new(ctx, m, &oref, &r), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
        float *in = malloc(sizeof(float) * (size_t)(batch * 360)), y[2][5 * 24];
        for (int j = 0; j < batch * 360; j++) in[j] = (float)((j * 37) % 101) / 50.0f - 1.0f;
        const float *ins[] = {in};
        float *o0[] = {y[0]}, *o1[] = {y[1]};
        cr_assert_eq(clinfer_session_run(ctx, s, ins, o0), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
        cr_assert_eq(clinfer_session_run(ctx, r, ins, o1), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
        for (int j = 0; j < batch * 24; j++)
            cr_assert(fabsf(y[0][j] - y[1][j]) <= 1e-4f * fabsf(y[1][j]) + 1e-5f, "batch %lld: %d: %g vs ref %g",
                      (long long)batch, j, y[0][j], y[1][j]);
        free(in);
        clinfer_session_free(s);
        clinfer_session_free(r);
        files[k] = count_files(dir); /* (the generic kernels' programs are built at their first run) */
    }
    cr_assert_gt(files[0], 0, "the first session cached no program in %s", dir);
    cr_assert_eq(files[1], files[0], "batch 5 built %d programs more than batch 1", files[1] - files[0]);
    cr_assert_eq(files[2], files[0], "batch 2 built %d programs more than batch 1", files[2] - files[0]);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", home);
    system(cmd);
}

/* Inputs and outputs through pinned host memory (src/backend/opencl/staging.c: what a GPU takes; forced on PoCL with
 * $CLINFER_CL_STAGING): a stage of 1000 bytes (pieces not whole floats, an input of 98 KB in 99 of them, every
 * layer read back through it) gives the same bytes as the direct transfers, over two runs of the session. */
Test(staging, a_small_pinned_stage_gives_the_same_bytes)
{
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = load_file(ctx, "examples/branches.py");
    const float *x = branches_input();
    static float want[BR_OUT], got[BR_OUT];
    clinfer_session_options o = {.device = test_device(), .batch = BR_B, .seed = 5};
    clinfer_session *direct, *staged;
    unsetenv("CLINFER_CL_STAGING");
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &direct), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    setenv("CLINFER_CL_STAGING", "1000", 1);
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &staged), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    unsetenv("CLINFER_CL_STAGING");
    cr_assert_eq(clinfer_session_run(ctx, direct, (const float *const[]){x}, (float *const[]){want}), CLINFER_OK);
    for (int pass = 0; pass < 2; pass++) {
        memset(got, 0xff, sizeof got);
        cr_assert_eq(clinfer_session_run(ctx, staged, (const float *const[]){x}, (float *const[]){got}), CLINFER_OK,
                     "%s", clinfer_context_errmsg(ctx));
        cr_assert_arr_eq(got, want, sizeof got, "pass %d: the staged run's outputs differ", pass);
    }
    layers_agree(ctx, m, direct, staged, x, 0, 0, "read through the stage");
    clinfer_session_free(staged);
    clinfer_session_free(direct);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}
