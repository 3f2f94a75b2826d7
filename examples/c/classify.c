/* A first program against the library: load a model, print its summary, run a batch on the OpenCL device (or the
 * one argv[2] names), print the outputs. Build it with pkg-config (cc classify.c $(pkg-config --cflags --libs
 * clinfer)) or CMake (find_package(clinfer) and target_link_libraries(app clinfer::clinfer)). */
#include <stdio.h>
#include <stdlib.h>

#include <clinfer.h>

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "examples/seed.py", *device = argc > 2 ? argv[2] : "opencl";
    clinfer_context *ctx;
    if (clinfer_context_new(&ctx)) return 1;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    char *summary = NULL;
    float *in = NULL, *out = NULL;
    int rc = 1;
    if (clinfer_model_load(ctx, path, &m) || clinfer_model_summary(ctx, m, NULL, &summary)) goto fail;
    fputs(summary, stdout);

    clinfer_session_options o = {.device = device, .batch = 2};
    if (clinfer_session_new(ctx, m, &o, &s)) goto fail;
    int64_t dims[CLINFER_MAX_RANK], n_in = 1, n_out = 1;
    int rank = clinfer_session_input_shape(s, 0, dims);
    for (int r = 0; r < rank; r++) n_in *= dims[r];
    rank = clinfer_session_output_shape(s, 0, dims);
    for (int r = 0; r < rank; r++) n_out *= dims[r];
    in = malloc(sizeof(float) * (size_t)n_in);
    out = malloc(sizeof(float) * (size_t)n_out);
    if (!in || !out) goto fail;
    for (int64_t i = 0; i < n_in; i++) in[i] = (float)(i % 255) / 255.0f; /* an image's pixels, scaled to [0, 1) */
    const float *ins[] = {in};
    float *outs[] = {out};
    if (clinfer_session_run(ctx, s, ins, outs)) goto fail;
    printf("on %s:", clinfer_session_device(s));
    for (int64_t i = 0; i < n_out && i < 8; i++) printf(" %.6f", out[i]);
    printf("\n");
    rc = 0;
fail:
    if (rc) fprintf(stderr, "classify: %s\n", clinfer_context_errmsg(ctx));
    free(in);
    free(out);
    clinfer_free(summary);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    return rc;
}
