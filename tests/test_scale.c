/* Past one batch and one device: clinfer_session_run_images over any count and any range of a caller's batch
 * equals a whole run; a session over several devices (two PoCL devices in this process: POCL_DEVICES lists the
 * pthread driver twice) shares the images among them, each device running a part, and equals one device; the
 * device lists that are wrong say where. */
#include "helpers.h"

#include <math.h>
#include <stdlib.h>

/* before the ICD loader and PoCL start (Criterion runs each test in a child of this process) */
__attribute__((constructor)) static void two_devices(void) { setenv("POCL_DEVICES", "pthread pthread", 1); }

/* two inputs, two outputs, a Dense: the per-image layout of every I/O is checked */
static const char *two_io =
    "a = layers.Input(shape=(12, 10, 3))\n"
    "b = layers.Input(shape=(7,))\n"
    "x = layers.Conv2D(8, 3, activation='relu')(a)\n"
    "x = layers.MaxPooling2D()(x)\n"
    "x = layers.Flatten()(x)\n"
    "y = layers.Dense(5)(b)\n"
    "z = layers.Concatenate()([x, y])\n"
    "p = layers.Dense(4, activation='softmax')(z)\n"
    "q = layers.Dense(3)(z)\n"
    "model = Model([a, b], [p, q])\n";

#define N_IMG 23
static const int64_t in_row[2] = {12 * 10 * 3, 7}, out_row[2] = {4, 3};

static float *inputs_of(int k, int64_t n)
{
    float *x = malloc(sizeof(float) * (size_t)(in_row[k] * n));
    cr_assert_not_null(x);
    for (int64_t j = 0; j < in_row[k] * n; j++) x[j] = (float)sin((double)(j * (k + 3)) * 0.37) + 0.1f * (float)k;
    return x;
}

static clinfer_session *session_of(clinfer_context *ctx, clinfer_model *m, const char *device, int64_t batch)
{
    clinfer_session_options so = {.device = device, .batch = batch, .seed = 5, .init = CLINFER_INIT_RANDOM};
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_new(ctx, m, &so, &s), CLINFER_OK, "%s: %s", device, clinfer_context_errmsg(ctx));
    return s;
}

/* the reference: one session at the whole batch */
static void whole(clinfer_context *ctx, clinfer_model *m, const char *device, float *x[2], float *y[2])
{
    clinfer_session *s = session_of(ctx, m, device, N_IMG);
    for (int k = 0; k < 2; k++) y[k] = malloc(sizeof(float) * (size_t)(out_row[k] * N_IMG));
    cr_assert_eq(clinfer_session_run(ctx, s, (const float *const *)x, y), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    clinfer_session_free(s);
}

/* within tol of each other (relative to the value, with an absolute floor) */
static void near(const float *a, const float *b, int64_t n, float tol, const char *what)
{
    for (int64_t j = 0; j < n; j++)
        cr_assert(fabsf(a[j] - b[j]) <= tol * (1.0f + fabsf(b[j])), "%s: [%lld] %.9g vs %.9g", what, (long long)j,
                  a[j], b[j]);
}

/* the model, a context, N_IMG images of each input, and the outputs one session at that batch gives on `device` */
static void setup(const char *device, clinfer_model **m, clinfer_context **ctx, float *x[2], float *want[2])
{
    char err[512];
    *m = load_script(two_io, err, sizeof err);
    cr_assert_not_null(*m, "%s", err);
    clinfer_context_new(ctx);
    x[0] = inputs_of(0, N_IMG);
    x[1] = inputs_of(1, N_IMG);
    whole(*ctx, *m, device, x, want);
}

static void ranges_equal_whole(const char *device, float tol)
{
    clinfer_model *m;
    clinfer_context *ctx;
    float *x[2], *want[2];
    setup(device, &m, &ctx, x, want);
    /* a session of batch 4 runs 23 images, and each of the ranges [0, 5), [5, 6), [6, 23) */
    clinfer_session *s = session_of(ctx, m, device, 4);
    float *got[2] = {calloc((size_t)(out_row[0] * N_IMG), sizeof(float)), calloc((size_t)(out_row[1] * N_IMG), sizeof(float))};
    cr_assert_eq(clinfer_session_run_images(ctx, s, N_IMG, (const float *const *)x, got), CLINFER_OK, "%s",
                 clinfer_context_errmsg(ctx));
    cr_assert_eq(clinfer_session_device_images(s, 0), N_IMG);
    for (int k = 0; k < 2; k++) near(got[k], want[k], out_row[k] * N_IMG, tol, "23 images, sub-batch 4");
    static const int64_t cut[] = {0, 5, 6, N_IMG};
    for (int k = 0; k < 2; k++) memset(got[k], 0, sizeof(float) * (size_t)(out_row[k] * N_IMG));
    for (int r = 0; r < 3; r++) {
        const float *xi[2] = {x[0] + cut[r] * in_row[0], x[1] + cut[r] * in_row[1]};
        float *yi[2] = {got[0] + cut[r] * out_row[0], got[1] + cut[r] * out_row[1]};
        cr_assert_eq(clinfer_session_run_images(ctx, s, cut[r + 1] - cut[r], xi, yi), CLINFER_OK, "%s",
                     clinfer_context_errmsg(ctx));
    }
    for (int k = 0; k < 2; k++) near(got[k], want[k], out_row[k] * N_IMG, tol, "three ranges");
    /* no images: nothing to do; fewer than none: an error */
    cr_assert_eq(clinfer_session_run_images(ctx, s, 0, (const float *const *)x, got), CLINFER_OK);
    cr_assert_eq(clinfer_session_run_images(ctx, s, -1, (const float *const *)x, got), CLINFER_E_ARG);
    cr_assert_not_null(strstr(clinfer_context_errmsg(ctx), "negative count"), "%s", clinfer_context_errmsg(ctx));
    clinfer_session_free(s);
    for (int k = 0; k < 2; k++) free(x[k]), free(want[k]), free(got[k]);
    clinfer_context_free(ctx);
    clinfer_model_free(m);
}

Test(run_images, any_count_and_range_equals_the_whole_batch_on_ref) { ranges_equal_whole("ref", 0); }
Test(run_images, any_count_and_range_equals_the_whole_batch_on_opencl, .timeout = 120)
{
    ranges_equal_whole("opencl:0", 1e-5f);
}

/* A device list: each device runs a part, together the whole, as one device does (the same PoCL driver on both:
 * within float rounding of a different sub-batch, which is none for these kernels, but tolerated). */
static void several_devices(const char *list, const char *single, int n_devices, int alike, float tol)
{
    clinfer_model *m;
    clinfer_context *ctx;
    float *x[2], *want[2];
    setup(single, &m, &ctx, x, want);
    clinfer_session *s = session_of(ctx, m, list, N_IMG);
    cr_assert_eq(clinfer_session_device_count(s), n_devices);
    int lines = 1;
    for (const char *p = clinfer_session_device(s); *p; p++) lines += *p == '\n';
    cr_assert_eq(lines, n_devices, "%s", clinfer_session_device(s));
    int64_t dims[CLINFER_MAX_RANK];
    clinfer_session_output_shape(s, 0, dims);
    cr_assert_eq(dims[0], N_IMG, "the session's batch is the whole one");
    float *got[2] = {calloc((size_t)(out_row[0] * N_IMG), sizeof(float)), calloc((size_t)(out_row[1] * N_IMG), sizeof(float))};
    int64_t ran[8] = {0};
    for (int round = 0; round < 3; round++) { /* (the shares follow each run's speeds) */
        cr_assert_eq(clinfer_session_run(ctx, s, (const float *const *)x, got), CLINFER_OK, "%s",
                     clinfer_context_errmsg(ctx));
        int64_t sum = 0;
        for (int k = 0; k < n_devices; k++) {
            int64_t part = clinfer_session_device_images(s, k);
            cr_assert(part >= 0, "round %d: device %d ran %lld images", round, k, (long long)part);
            sum += part;
            ran[k] += part;
        }
        cr_assert_eq(sum, N_IMG);
        for (int k = 0; k < 2; k++) near(got[k], want[k], out_row[k] * N_IMG, tol, list);
    }
    /* alike devices each take a share (in one of the runs at least: the machine may disturb a measurement); a much
     * slower one (ref beside PoCL) may rightly take none */
    for (int k = 0; alike && k < n_devices; k++) cr_assert(ran[k] > 0, "device %d ran no image", k);
    /* and a count of the caller's: 9 images */
    cr_assert_eq(clinfer_session_run_images(ctx, s, 9, (const float *const *)x, got), CLINFER_OK, "%s",
                 clinfer_context_errmsg(ctx));
    for (int k = 0; k < 2; k++) near(got[k], want[k], out_row[k] * 9, tol, "9 images");
    /* layer by layer: on the first device, the whole batch */
    float **layers = calloc((size_t)clinfer_model_layer_count(m), sizeof(float *));
    int last = clinfer_model_output_layer(m, 0);
    layers[last] = calloc((size_t)clinfer_session_layer_elems(s, last), sizeof(float));
    cr_assert_eq(clinfer_session_run_layers(ctx, s, (const float *const *)x, layers), CLINFER_OK, "%s",
                 clinfer_context_errmsg(ctx));
    near(layers[last], want[0], out_row[0] * N_IMG, tol, "run_layers");
    free(layers[last]);
    free(layers);
    clinfer_session_free(s);
    for (int k = 0; k < 2; k++) free(x[k]), free(want[k]), free(got[k]);
    clinfer_context_free(ctx);
    clinfer_model_free(m);
}

Test(devices, two_pocl_devices_equal_one, .timeout = 120) { several_devices("opencl:0,opencl:1", "opencl:0", 2, 1, 1e-5f); }
Test(devices, all_is_every_device, .timeout = 120) { several_devices("all", "opencl:0", 2, 1, 1e-5f); }
Test(devices, ref_beside_opencl, .timeout = 120) { several_devices("ref, opencl:1 ,opencl:0", "ref", 3, 0, 1e-5f); }

static void refused(const char *list, clinfer_status want, const char *words)
{
    char err[512];
    clinfer_model *m = load_script(two_io, err, sizeof err);
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_session_options so = {.device = list, .batch = 4};
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_new(ctx, m, &so, &s), want, "%s: %s", list, clinfer_context_errmsg(ctx));
    cr_assert_null(s);
    cr_assert_not_null(strstr(clinfer_context_errmsg(ctx), words), "%s: %s", list, clinfer_context_errmsg(ctx));
    clinfer_context_free(ctx);
    clinfer_model_free(m);
}

Test(devices, wrong_lists_say_which_device, .timeout = 60)
{
    refused("opencl:0,,opencl:1", CLINFER_E_ARG, "an empty or over-long name in the list");
    refused("opencl:0,", CLINFER_E_ARG, "an empty or over-long name");
    refused("all,ref", CLINFER_E_ARG, "'all' is not one device");
    refused("opencl:0,gpu0", CLINFER_E_ARG, "device 1 of 2 (gpu0): unknown device 'gpu0'");
    refused("ref,opencl:7", CLINFER_E_DEVICE, "device 1 of 2 (opencl:7): no OpenCL device matches 'opencl:7'");
    refused("opencl:7 , ref", CLINFER_E_DEVICE, "device 0 of 2 (opencl:7): no OpenCL device matches 'opencl:7'");
}

Test(devices, the_all_list, .timeout = 60)
{
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    char *list = NULL;
    cr_assert_eq(clinfer_devices_all(ctx, &list), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    cr_assert_str_eq(list, "opencl:0,opencl:1"); /* (no GPU: every device) */
    clinfer_free(list);
    cr_assert_eq(clinfer_devices_all(ctx, NULL), CLINFER_E_ARG);
    clinfer_context_free(ctx);
}
