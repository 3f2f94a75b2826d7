/* Fault injection: the N-th allocation of the library fails, for every N through loading, summarising, planning,
 * preparing and running a model with branches (Keras and ONNX), on ref and on PoCL. Every failure is reported as
 * CLINFER_E_NOMEM with a message, and (in the sanitizer run of the suite) nothing leaks. */
#include "helpers.h"

#include "util/alloc.h"

static clinfer_status load_any(clinfer_context *ctx, const char *rel, clinfer_model **m)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", CLINFER_SOURCE_DIR, rel);
    return clinfer_model_load(ctx, path, m);
}

/* One pass with allocation n failing; returns 1 when a failure was injected. */
static int pass(const char *model, const char *device, long n)
{
    cf_alloc_fail_at(n);
    clinfer_context *ctx = NULL;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    char *text = NULL;
    float *in = NULL, *out = NULL;
    clinfer_status st = clinfer_context_new(&ctx);
    if (st) {
        cr_assert_eq(st, CLINFER_E_NOMEM);
        cr_assert_null(ctx);
        goto done;
    }
    if ((st = load_any(ctx, model, &m))) goto check;
    clinfer_summary_options so = {.format = CLINFER_FORMAT_KERAS, .explain = 1, .batch = 2};
    if ((st = clinfer_model_summary(ctx, m, &so, &text))) goto check;
    clinfer_session_options o = {.device = device, .batch = 2, .seed = 1, .init = CLINFER_INIT_RANDOM};
    if ((st = clinfer_session_new(ctx, m, &o, &s))) goto check;
    int64_t dims[8];
    int rank = clinfer_session_input_shape(s, 0, dims);
    int64_t ni = 1, no = 1;
    for (int k = 0; k < rank; k++) ni *= dims[k];
    rank = clinfer_session_output_shape(s, 0, dims);
    for (int k = 0; k < rank; k++) no *= dims[k];
    in = calloc((size_t)ni, sizeof(float));
    out = calloc((size_t)no, sizeof(float));
    const float *ins[] = {in};
    float *outs[] = {out};
    st = clinfer_session_run(ctx, s, ins, outs);
check:
    if (st) {
        cr_assert_eq(st, CLINFER_E_NOMEM, "allocation %ld on %s, %s: %s (%s)", n, device, model, clinfer_status_str(st),
                     clinfer_context_errmsg(ctx));
        cr_assert(strlen(clinfer_context_errmsg(ctx)) > 0, "allocation %ld: no message", n);
    }
done:
    free(in);
    free(out);
    clinfer_free(text);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    int injected = n > 0 && n <= cf_alloc_count();
    cf_alloc_fail_at(0);
    return injected;
}

static void every_allocation(const char *model, const char *device)
{
    long n = 1;
    while (pass(model, device, n)) n++;
    cr_assert_gt(n, 50, "only %ld allocations: the hook is not reached", n);
    cr_log_info("%s on %s: %ld allocations, each failed once", model, device, n - 1);
    /* and with nothing failing it works */
    cr_assert_eq(pass(model, device, 0), 0);
}

Test(faults, keras_model_with_branches_on_ref, .timeout = 600) { every_allocation("examples/branches.py", "ref"); }
Test(faults, onnx_model_with_branches_on_ref, .timeout = 600) { every_allocation("tests/models/torch/resnet_block.onnx", "ref"); }
Test(faults, keras_model_on_pocl, .timeout = 900) { every_allocation("examples/branches.py", "opencl"); }
