/* ONNX conformance: the ONNX project's own backend test cases (model.onnx with test_data_set_0), run on ref and
 * on PoCL with the ONNX runner's tolerances (rtol 1e-3, atol 1e-7). A case whose operators, attributes or data
 * types are outside what clinfer supports is listed with the reason and not run; any other failure fails.
 * The data is found at run time: $CLINFER_ONNX_TESTS, else build/onnx-test-data (scripts/fetch-onnx-tests brings it
 * from the onnx wheel on PyPI), so the suite needs nothing beside the clone. */
#include "helpers.h"

#include <dirent.h>
#include <stdarg.h>
#include <math.h>
#include <sys/stat.h>

#include "frontend/frontend.h"
#include "io/npy.h"

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder holding the cases of one category (node, pytorch-converted, ...). */
static int find_category(const char *cat, char *out, size_t size)
{
    const char *env = getenv("CLINFER_ONNX_TESTS");
    const char *roots[3] = {env, CLINFER_BUILD_DIR "/onnx-test-data", CLINFER_SOURCE_DIR "/build/onnx-test-data"};
    for (int i = 0; i < 3; i++) {
        if (!roots[i] || !*roots[i]) continue;
        snprintf(out, size, "%s/%s", roots[i], cat);
        if (is_dir(out)) return 1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

struct report {
    int run, skipped, failed;
    char *failures; /* text */
    size_t flen;
    FILE *skips;
};

static void add_failure(struct report *r, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    size_t n = strlen(line);
    r->failures = realloc(r->failures, r->flen + n + 2);
    memcpy(r->failures + r->flen, line, n);
    r->flen += n;
    r->failures[r->flen++] = '\n';
    r->failures[r->flen] = '\0';
    r->failed++;
}

static void skip(struct report *r, const char *name, const char *why)
{
    r->skipped++;
    fprintf(r->skips, "%s: %s\n", name, why);
}

/* Runs one case on one device; returns 0, or adds a failure. */
static void run_case(struct report *r, const char *name, const char *dir, clinfer_model *m, const char *device,
                     struct cf_array *ins, int n_in, struct cf_array *outs, int n_out)
{
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_session *s = NULL;
    clinfer_session_options o = {.device = device, .batch = n_in ? ins[0].dims[0] : 1};
    if (clinfer_session_new(ctx, m, &o, &s)) {
        add_failure(r, "%s on %s: %s", name, device, clinfer_context_errmsg(ctx));
        clinfer_context_free(ctx);
        return;
    }
    if (clinfer_session_input_count(s) != n_in || clinfer_session_output_count(s) != n_out) {
        add_failure(r, "%s on %s: the model has %d inputs and %d outputs, the data %d and %d", name, device,
                    clinfer_session_input_count(s), clinfer_session_output_count(s), n_in, n_out);
        goto done;
    }
    const float *in[16];
    float *out[16] = {0};
    for (int k = 0; k < n_in; k++) {
        int64_t dims[8];
        int rank = clinfer_session_input_shape(s, k, dims);
        int64_t want = 1;
        for (int i = 0; i < rank; i++) want *= dims[i];
        if (want != cf_array_elems(&ins[k])) {
            add_failure(r, "%s on %s: input %d has %lld values, the model takes %lld", name, device, k,
                        (long long)cf_array_elems(&ins[k]), (long long)want);
            goto done;
        }
        in[k] = ins[k].data;
    }
    for (int k = 0; k < n_out; k++) {
        int64_t dims[8];
        int rank = clinfer_session_output_shape(s, k, dims);
        int64_t have = 1;
        for (int i = 0; i < rank; i++) have *= dims[i];
        if (have != cf_array_elems(&outs[k])) {
            add_failure(r, "%s on %s: output %d has %lld values, expected %lld", name, device, k, (long long)have,
                        (long long)cf_array_elems(&outs[k]));
            for (int j = 0; j < k; j++) free(out[j]);
            goto done;
        }
        out[k] = calloc((size_t)have, sizeof(float));
    }
    if (clinfer_session_run(ctx, s, in, out)) {
        add_failure(r, "%s on %s: %s", name, device, clinfer_context_errmsg(ctx));
    } else {
        for (int k = 0; k < n_out; k++) {
            int64_t n = cf_array_elems(&outs[k]), bad = 0, first = -1;
            for (int64_t j = 0; j < n; j++) {
                double a = out[k][j], b = outs[k].data[j];
                int ok = fabs(a - b) <= 1e-7 + 1e-3 * fabs(b) || (isnan(a) && isnan(b)) || (isinf(a) && a == b);
                if (!ok && first < 0) first = j;
                bad += !ok;
            }
            if (bad)
                add_failure(r, "%s on %s: output %d: %lld of %lld values past rtol 1e-3, atol 1e-7 (first: [%lld] %.9g, "
                               "expected %.9g)",
                            name, device, k, (long long)bad, (long long)n, (long long)first, out[k][first],
                            outs[k].data[first]);
        }
    }
    for (int k = 0; k < n_out; k++) free(out[k]);
    (void)dir;
done:
    clinfer_session_free(s);
    clinfer_context_free(ctx);
}

static void run_root(const char *root, const char *cat, const char *const *devices, int n_dev);

static void run_category(const char *cat, const char *const *devices, int n_dev)
{
    char root[2048];
    cr_assert(find_category(cat, root, sizeof root),
              "the ONNX test cases '%s' are not found: run scripts/fetch-onnx-tests, or set CLINFER_ONNX_TESTS", cat);
    run_root(root, cat, devices, n_dev);
}

static void run_root(const char *root, const char *cat, const char *const *devices, int n_dev)
{
    DIR *dp = opendir(root);
    cr_assert_not_null(dp);
    char *names[4096];
    int n = 0;
    for (struct dirent *e; (e = readdir(dp)) && n < 4096;)
        if (strncmp(e->d_name, "test_", 5) == 0) names[n++] = strdup(e->d_name);
    closedir(dp);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    char skips_path[1024];
    snprintf(skips_path, sizeof skips_path, "%s/onnx-%s-not-run.txt", CLINFER_BUILD_DIR, cat);
    struct report r = {0, 0, 0, NULL, 0, fopen(skips_path, "w")};
    cr_assert_not_null(r.skips);
    for (int i = 0; i < n; i++) {
        char dir[4096], path[4200];
        snprintf(dir, sizeof dir, "%s/%s", root, names[i]);
        snprintf(path, sizeof path, "%s/model.onnx", dir);
        clinfer_context *ctx;
        clinfer_context_new(&ctx);
        clinfer_model *m = NULL;
        clinfer_status st = clinfer_model_load(ctx, path, &m);
        if (st == CLINFER_E_UNSUPPORTED) {
            const char *msg = clinfer_context_errmsg(ctx), *tail = strstr(msg, "model.onnx: ");
            skip(&r, names[i], tail ? tail + 12 : msg);
            clinfer_context_free(ctx);
            continue;
        }
        if (st) {
            add_failure(&r, "%s: %s", names[i], clinfer_context_errmsg(ctx));
            clinfer_context_free(ctx);
            continue;
        }
        struct cf_array ins[16], outs[16];
        int n_in = 0, n_out = 0, unreadable = 0;
        struct cf_diag d = {0};
        for (int k = 0; k < 16 && !unreadable; k++) {
            snprintf(path, sizeof path, "%s/test_data_set_0/input_%d.pb", dir, k);
            struct stat sb;
            if (stat(path, &sb) != 0) break;
            if (cf_onnx_read_tensor(path, &ins[n_in], &d)) unreadable = 1;
            else n_in++;
        }
        for (int k = 0; k < 16 && !unreadable; k++) {
            snprintf(path, sizeof path, "%s/test_data_set_0/output_%d.pb", dir, k);
            struct stat sb;
            if (stat(path, &sb) != 0) break;
            if (cf_onnx_read_tensor(path, &outs[n_out], &d)) unreadable = 1;
            else n_out++;
        }
        if (unreadable) {
            skip(&r, names[i], d.msg);
        } else {
            r.run++;
            for (int k = 0; k < n_dev; k++) run_case(&r, names[i], dir, m, devices[k], ins, n_in, outs, n_out);
        }
        for (int k = 0; k < n_in; k++) cf_array_free(&ins[k]);
        for (int k = 0; k < n_out; k++) cf_array_free(&outs[k]);
        clinfer_model_free(m);
        clinfer_context_free(ctx);
        free(names[i]);
    }
    fclose(r.skips);
    printf("onnx %s: %d cases run on %d device(s), %d not run (listed with the reason in %s), %d failures\n", cat, r.run,
           n_dev, r.skipped, skips_path, r.failed);
    cr_assert_gt(r.run, 0, "no %s case ran", cat);
    cr_assert_eq(r.failed, 0, "%d failure(s) in %s:\n%s", r.failed, cat, r.failures ? r.failures : "");
    free(r.failures);
}

static const char *const both[] = {"ref", "opencl"};

Test(onnx, node_cases, .timeout = 1500) { run_category("node", both, 2); }
Test(onnx, pytorch_converted_cases, .timeout = 600) { run_category("pytorch-converted", both, 2); }
Test(onnx, pytorch_operator_cases, .timeout = 600) { run_category("pytorch-operator", both, 2); }
Test(onnx, simple_cases, .timeout = 600) { run_category("simple", both, 2); }

/* The nine light architectures (constant weights), as the onnx wheel carries them (light/light_NAME.onnx and
 * light_NAME_output_0.pb): load, summarise, and run on PoCL against their outputs, with the input the ONNX runner
 * makes for them, arange(n).reshape(shape) / n in float32. */
Test(onnx, light_architectures, .timeout = 1500)
{
    char root[2048];
    cr_assert(find_category("light", root, sizeof root),
              "the light ONNX models are not found: run scripts/fetch-onnx-tests, or set CLINFER_ONNX_TESTS");
    static const char *const models[] = {"bvlc_alexnet", "densenet121", "inception_v1", "inception_v2", "resnet50",
                                         "shufflenet", "squeezenet", "vgg19", "zfnet512"};
    struct report r = {0};
    for (int i = 0; i < 9; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/light_%s.onnx", root, models[i]);
        clinfer_context *ctx;
        clinfer_context_new(&ctx);
        clinfer_model *m = NULL;
        cr_assert_eq(clinfer_model_load(ctx, path, &m), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
        clinfer_summary_options so = {.format = CLINFER_FORMAT_KERAS, .explain = 1};
        char *text = NULL;
        cr_assert_eq(clinfer_model_summary(ctx, m, &so, &text), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
        cr_assert_not_null(strstr(text, "Total params: "));
        clinfer_free(text);
        /* the input: the model's one input, its declared shape */
        int64_t dims[CLINFER_MAX_RANK];
        int rank = 0;
        for (int l = 0; l < clinfer_model_layer_count(m) && !rank; l++)
            if (strcmp(clinfer_model_layer_type(m, l), "InputLayer") == 0) rank = clinfer_model_layer_shape(m, l, dims);
        cr_assert_gt(rank, 0, "%s: no input", models[i]);
        struct cf_array in = {.rank = rank};
        int64_t count = 1;
        for (int k = 0; k < rank; k++) count *= (in.dims[k] = dims[k] > 0 ? dims[k] : 1);
        in.data = malloc(sizeof(float) * (size_t)count);
        for (int64_t k = 0; k < count; k++) in.data[k] = (float)((double)k / (double)count);
        struct cf_array out;
        struct cf_diag d = {0};
        snprintf(path, sizeof path, "%s/light_%s_output_0.pb", root, models[i]);
        cr_assert_eq(cf_onnx_read_tensor(path, &out, &d), CLINFER_OK, "%s", d.msg);
        r.run++;
        run_case(&r, models[i], root, m, "opencl", &in, 1, &out, 1);
        cf_array_free(&in);
        cf_array_free(&out);
        clinfer_model_free(m);
        clinfer_context_free(ctx);
    }
    printf("onnx light: %d models run on PoCL, %d failures\n", r.run, r.failed);
    cr_assert_eq(r.failed, 0, "%d failure(s) in light:\n%s", r.failed, r.failures ? r.failures : "");
    free(r.failures);
}
