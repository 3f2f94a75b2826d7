/* The device's FP32 peak, measured with cl/peak.cl: the denominator of "% of peak" in clinfer profile. */
#include <stdio.h>
#include <stdlib.h>

#include "../../api.h"
#include "cl.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

clinfer_status clinfer_device_peak(clinfer_context *ctx, const char *device, double *gflops)
{
    if (cf_api_begin(ctx)) return CLINFER_E_ARG;
    struct cf_diag *d = cf_api_diag(ctx);
    if (!gflops) return cf_fail(d, CLINFER_E_ARG, "clinfer_device_peak: NULL argument");
    *gflops = 0;
    struct cf_cl_device dev;
    clinfer_status st = cf_cl_select(device && *device ? device : "opencl", &dev, d);
    if (st) return st;
    cl_int err;
    cl_context c = clCreateContext(NULL, 1, &dev.device, NULL, NULL, &err);
    if (!c) return cf_cl_fail(d, "clCreateContext", dev.name, err);
    cl_command_queue q = clCreateCommandQueue(c, dev.device, CL_QUEUE_PROFILING_ENABLE, &err);
    cl_program p = NULL;
    cl_kernel k = NULL;
    cl_mem out = NULL;
    int cached;
    const int iters = 4096;
    char defs[64];
    snprintf(defs, sizeof defs, "-DITERS=%d", iters);
    if (!q) {
        st = cf_cl_fail(d, "clCreateCommandQueue", dev.name, err);
        goto done;
    }
    if ((st = cf_cl_program_file(c, &dev, "peak.cl", defs, &p, &cached, d))) goto done;
    if (!(k = clCreateKernel(p, "peak_fma_f32", &err))) {
        st = cf_cl_fail(d, "clCreateKernel", "peak_fma_f32", err);
        goto done;
    }
    /* enough work-items to fill every compute unit many times over */
    size_t global = (size_t)dev.compute_units * ((dev.type & CL_DEVICE_TYPE_GPU) ? 4096 : 1024);
    if (!(out = clCreateBuffer(c, CL_MEM_WRITE_ONLY, sizeof(float) * global, NULL, &err))) {
        st = cf_cl_fail(d, "clCreateBuffer", "peak", err);
        goto done;
    }
    float a = 0.999f, b = 0.001f;
    clSetKernelArg(k, 0, sizeof out, &out);
    clSetKernelArg(k, 1, sizeof a, &a);
    clSetKernelArg(k, 2, sizeof b, &b);
    double runs[9];
    for (int r = 0; r < 9; r++) {
        cl_event ev;
        /* work-groups of one work-item: a CPU device spreads them over its threads */
        size_t local = 1;
        if ((err = clEnqueueNDRangeKernel(q, k, 1, NULL, &global, (dev.type & CL_DEVICE_TYPE_GPU) ? NULL : &local, 0,
                                          NULL, &ev)) != CL_SUCCESS) {
            st = cf_cl_fail(d, "clEnqueueNDRangeKernel", "peak_fma_f32", err);
            goto done;
        }
        clWaitForEvents(1, &ev);
        cl_ulong t0 = 0, t1 = 0;
        clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL);
        clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL);
        clReleaseEvent(ev);
        runs[r] = (double)global * 2.0 * 16 * 8 * iters / (double)(t1 - t0 ? t1 - t0 : 1);
    }
    qsort(runs, 9, sizeof runs[0], cmp_double);
    *gflops = runs[8]; /* the best of 9: a peak is what the device can reach; on a shared machine the other runs
                        * measure the neighbours too */
done:
    if (out) clReleaseMemObject(out);
    if (k) clReleaseKernel(k);
    if (p) clReleaseProgram(p);
    if (q) clReleaseCommandQueue(q);
    clReleaseContext(c);
    return st;
}
