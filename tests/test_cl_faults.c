/* OpenCL fault injection: a shim over the OpenCL calls clinfer makes (this executable's definitions take the
 * place of the ICD loader's; each forwards to the real one found with dlsym(RTLD_NEXT)) fails the N-th call with
 * the error a driver gives there. Looped over N through session creation and a run on PoCL: every failure comes
 * back as a status whose message names the call and the error, every OpenCL object clinfer created is released,
 * and a clean session in the same process afterwards gives the reference backend's results. */
#define _GNU_SOURCE
#include "helpers.h"

#include <CL/cl.h>
#include <dlfcn.h>
#include <math.h>

static long fail_at, calls; /* 0: never fail */
static long live;           /* objects created through the shim and not yet released */
static const char *failed_call;

static int should_fail(const char *name)
{
    if (fail_at > 0 && ++calls == fail_at) {
        failed_call = name;
        return 1;
    }
    if (fail_at == 0) calls++;
    return 0;
}

/* the real function (POSIX's way to turn dlsym's object pointer into a function pointer) */
#define REAL(name)                                                                                             \
    __typeof__(&name) real;                                                                                    \
    void *sym = dlsym(RTLD_NEXT, #name);                                                                       \
    memcpy(&real, &sym, sizeof real)

/* creators: fail with err, else count the object */
#define CREATE(ret, name, err, params, args)                                                                   \
    ret name params                                                                                            \
    {                                                                                                          \
        if (should_fail(#name)) {                                                                              \
            if (errcode_ret) *errcode_ret = err;                                                               \
            return NULL;                                                                                       \
        }                                                                                                      \
        REAL(name);                                                                                            \
        ret r = real args;                                                                                     \
        if (r) live++;                                                                                         \
        return r;                                                                                              \
    }

CREATE(cl_mem, clCreateBuffer, CL_MEM_OBJECT_ALLOCATION_FAILURE,
       (cl_context c, cl_mem_flags f, size_t size, void *host, cl_int *errcode_ret), (c, f, size, host, errcode_ret))
CREATE(cl_context, clCreateContext, CL_OUT_OF_HOST_MEMORY,
       (const cl_context_properties *p, cl_uint n, const cl_device_id *d,
        void(CL_CALLBACK *cb)(const char *, const void *, size_t, void *), void *u, cl_int *errcode_ret),
       (p, n, d, cb, u, errcode_ret))
CREATE(cl_command_queue, clCreateCommandQueue, CL_OUT_OF_RESOURCES,
       (cl_context c, cl_device_id d, cl_command_queue_properties p, cl_int *errcode_ret), (c, d, p, errcode_ret))
CREATE(cl_program, clCreateProgramWithSource, CL_OUT_OF_HOST_MEMORY,
       (cl_context c, cl_uint n, const char **s, const size_t *l, cl_int *errcode_ret), (c, n, s, l, errcode_ret))
CREATE(cl_program, clCreateProgramWithBinary, CL_OUT_OF_HOST_MEMORY,
       (cl_context c, cl_uint n, const cl_device_id *d, const size_t *l, const unsigned char **b, cl_int *bs,
        cl_int *errcode_ret),
       (c, n, d, l, b, bs, errcode_ret))
CREATE(cl_kernel, clCreateKernel, CL_OUT_OF_RESOURCES, (cl_program p, const char *name, cl_int *errcode_ret),
       (p, name, errcode_ret))

/* calls that return an error code */
#define CALL(name, err, params, args)                                                                          \
    cl_int name params                                                                                         \
    {                                                                                                          \
        if (should_fail(#name)) return err;                                                                    \
        REAL(name);                                                                                            \
        return real args;                                                                                      \
    }

CALL(clBuildProgram, CL_OUT_OF_HOST_MEMORY,
     (cl_program p, cl_uint n, const cl_device_id *d, const char *o, void(CL_CALLBACK *cb)(cl_program, void *),
      void *u),
     (p, n, d, o, cb, u))
CALL(clEnqueueNDRangeKernel, CL_OUT_OF_RESOURCES,
     (cl_command_queue q, cl_kernel k, cl_uint dim, const size_t *off, const size_t *g, const size_t *l, cl_uint nw,
      const cl_event *w, cl_event *e),
     (q, k, dim, off, g, l, nw, w, e))
CALL(clEnqueueWriteBuffer, CL_MEM_OBJECT_ALLOCATION_FAILURE,
     (cl_command_queue q, cl_mem b, cl_bool block, size_t off, size_t size, const void *p, cl_uint nw,
      const cl_event *w, cl_event *e),
     (q, b, block, off, size, p, nw, w, e))
CALL(clEnqueueReadBuffer, CL_OUT_OF_RESOURCES,
     (cl_command_queue q, cl_mem b, cl_bool block, size_t off, size_t size, void *p, cl_uint nw, const cl_event *w,
      cl_event *e),
     (q, b, block, off, size, p, nw, w, e))
CALL(clEnqueueCopyBuffer, CL_OUT_OF_RESOURCES,
     (cl_command_queue q, cl_mem s, cl_mem d, size_t so, size_t dof, size_t size, cl_uint nw, const cl_event *w,
      cl_event *e),
     (q, s, d, so, dof, size, nw, w, e))
CALL(clFinish, CL_OUT_OF_RESOURCES, (cl_command_queue q), (q))

/* releases: counted */
#define RELEASE(name, type)                                                                                    \
    cl_int name(type o)                                                                                        \
    {                                                                                                          \
        REAL(name);                                                                                            \
        cl_int r = real(o);                                                                                    \
        if (r == CL_SUCCESS) live--;                                                                           \
        return r;                                                                                              \
    }
RELEASE(clReleaseMemObject, cl_mem)
RELEASE(clReleaseContext, cl_context)
RELEASE(clReleaseCommandQueue, cl_command_queue)
RELEASE(clReleaseProgram, cl_program)
RELEASE(clReleaseKernel, cl_kernel)

/* a retain is one reference more, which a release must drop (a program shared by the layers of a shape class) */
cl_int clRetainProgram(cl_program p)
{
    REAL(clRetainProgram);
    cl_int r = real(p);
    if (r == CL_SUCCESS) live++;
    return r;
}

static const char *const model_text =
    "from keras.layers import Input, Conv2D, Add, MaxPooling2D, Flatten, Dense\n"
    "from keras.models import Model\n"
    "inputs = Input(shape=(12, 12, 3))\n"
    "x = Conv2D(8, 3, padding='same', activation='relu')(inputs)\n"
    "a = Conv2D(8, 3, padding='same')(x)\n"
    "b = Conv2D(8, 1)(x)\n"
    "y = Add()([a, b])\n"
    "y = MaxPooling2D(2)(y)\n"
    "y = Flatten()(y)\n"
    "out = Dense(10, activation='softmax')(y)\n"
    "model = Model(inputs=inputs, outputs=out)\n";

enum { IN = 2 * 12 * 12 * 3, OUT = 2 * 10 };

/* One session on device at batch 2 and one run; the status, the message into err. */
static clinfer_status session_and_run(const clinfer_model *m, const char *device, const float *x, float *y, char *err,
                                      size_t size)
{
    clinfer_context *ctx;
    cr_assert_eq(clinfer_context_new(&ctx), CLINFER_OK);
    clinfer_session_options o = {.device = device, .batch = 2, .seed = 3};
    clinfer_session *s = NULL;
    clinfer_status st = clinfer_session_new(ctx, m, &o, &s);
    if (st == CLINFER_OK) {
        cr_assert_not_null(s);
        st = clinfer_session_run(ctx, s, (const float *const[]){x}, (float *const[]){y});
    } else
        cr_assert_null(s, "a failed session_new must leave *out NULL");
    snprintf(err, size, "%s", clinfer_context_errmsg(ctx));
    clinfer_session_free(s);
    clinfer_context_free(ctx);
    return st;
}

Test(cl_faults, every_failing_opencl_call_is_reported_and_released, .timeout = 900)
{
    char err[1024];
    clinfer_model *m = load_script(model_text, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    float x[IN], want[OUT], y[OUT];
    for (int i = 0; i < IN; i++) x[i] = sinf((float)i * 0.37f);
    cr_assert_eq(session_and_run(m, "ref", x, want, err, sizeof err), CLINFER_OK, "%s", err);
    /* how many shimmed calls a whole session and run makes, with the program cache filled (as in every later run) */
    fail_at = 0;
    cr_assert_eq(session_and_run(m, test_device(), x, y, err, sizeof err), CLINFER_OK, "%s", err);
    calls = 0, live = 0;
    cr_assert_eq(session_and_run(m, test_device(), x, y, err, sizeof err), CLINFER_OK, "%s", err);
    long total = calls;
    cr_assert_gt(total, 10, "the shim saw %ld calls: is it in place?", total);
    cr_assert_eq(live, 0, "a clean session leaves %ld OpenCL objects unreleased", live);
    int kinds_seen = 0, recovered = 0;
    const char *seen[16] = {0};
    for (long n = 1; n <= total; n++) {
        fail_at = n, calls = 0, live = 0, failed_call = NULL;
        clinfer_status st = session_and_run(m, test_device(), x, y, err, sizeof err);
        cr_assert_not_null(failed_call, "call %ld of %ld was not reached", n, total);
        if (st == CLINFER_OK) {
            /* recovered (a cached program the driver refuses is rebuilt from source): then the answer is right */
            for (int i = 0; i < OUT; i++)
                cr_assert(fabsf(y[i] - want[i]) <= 1e-5f + 1e-4f * fabsf(want[i]),
                          "call %ld (%s) failing was passed over with a wrong answer: y[%d] %g, ref %g", n, failed_call,
                          i, y[i], want[i]);
            recovered++;
        } else {
            cr_expect(strstr(err, failed_call) != NULL, "call %ld: %s failed, but the message does not name it: %s",
                      n, failed_call, err);
            cr_expect(strstr(err, "CL_OUT_OF_") || strstr(err, "CL_MEM_OBJECT_ALLOCATION_FAILURE"),
                      "call %ld: the message lacks the error: %s", n, err);
        }
        cr_expect_eq(live, 0, "call %ld (%s) failing leaves %ld OpenCL objects unreleased", n, failed_call, live);
        int known = 0;
        for (int k = 0; k < kinds_seen; k++) known |= strcmp(seen[k], failed_call) == 0;
        if (!known && kinds_seen < 16) {
            seen[kinds_seen++] = failed_call;
            cr_log_info("%s failing: %s", failed_call, st ? err : "recovered");
        }
        /* the process stays usable: a clean session right after gives the reference's results */
        fail_at = 0;
        cr_assert_eq(session_and_run(m, test_device(), x, y, err, sizeof err), CLINFER_OK, "after call %ld: %s", n, err);
        for (int i = 0; i < OUT; i++)
            cr_assert(fabsf(y[i] - want[i]) <= 1e-5f + 1e-4f * fabsf(want[i]), "after call %ld: y[%d] %g, ref %g", n,
                      i, y[i], want[i]);
    }
    cr_log_info("OpenCL fault injection: %ld calls failed one at a time (%d kinds of call), %d recovered from", total,
                kinds_seen, recovered);
    cr_expect_lt(recovered, total / 2, "most failures recovered from: is the shim failing anything?");
    cr_expect_geq(kinds_seen, 6, "the loop reached only %d kinds of call", kinds_seen);
    clinfer_model_free(m);
}
