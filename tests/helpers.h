/* Helpers shared by the test suites: load a Keras script from a string or a file, render summaries. */
#ifndef CLINFER_TEST_HELPERS_H
#define CLINFER_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinfer.h"

/* The OpenCL device the suites that name one run on: CLINFER_TEST_DEVICE (scripts/gpu-check sets it to the GPU),
 * else PoCL's CPU device. */
static inline const char *test_device(void)
{
    const char *d = getenv("CLINFER_TEST_DEVICE");
    return d && *d ? d : "opencl:pocl";
}

/* Loads a script; on failure returns NULL and copies the message to err (when given). */
static inline clinfer_model *load_script(const char *text, char *err, size_t errsize)
{
    clinfer_context *ctx;
    cr_assert_eq(clinfer_context_new(&ctx), CLINFER_OK);
    clinfer_model *m = NULL;
    clinfer_status st = clinfer_model_load_keras(ctx, "model.py", text, strlen(text), &m);
    if (err) snprintf(err, errsize, "%s", clinfer_context_errmsg(ctx));
    if (st != CLINFER_OK) cr_assert_null(m, "a failed load must leave *out NULL");
    clinfer_context_free(ctx);
    return m;
}

static inline char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The summary of a model file under the source tree (examples/seed.py); the caller frees with clinfer_free. */
static inline char *summary_of_file(const char *rel, int format, int explain, int64_t batch)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", CLINFER_SOURCE_DIR, rel);
    clinfer_context *ctx;
    cr_assert_eq(clinfer_context_new(&ctx), CLINFER_OK);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_load(ctx, path, &m), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    clinfer_summary_options o = {.format = (clinfer_format)format, .explain = explain, .batch = batch};
    char *text = NULL;
    cr_assert_eq(clinfer_model_summary(ctx, m, &o, &text), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    return text;
}

#endif
