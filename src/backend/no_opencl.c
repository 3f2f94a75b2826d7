/* A build without the OpenCL backend (-DCLINFER_OPENCL=OFF): the ref backend alone. The calls that need a device
 * say so, and --algo is checked against nothing (there is no kernel to force). */
#include "../api.h"
#include "backend.h"

static const char no_opencl[] = "this clinfer was built without OpenCL (-DCLINFER_OPENCL=OFF): only the ref device exists";

static clinfer_status unavailable(const struct cf_exec *x, const char *spec, void **state, struct cf_diag *d)
{
    (void)x;
    (void)state;
    return cf_fail(d, CLINFER_E_DEVICE, "device '%s': %s", spec, no_opencl);
}

static clinfer_status memory(const char *spec, uint64_t *max_buffer, uint64_t *total, int *host, struct cf_diag *d)
{
    (void)max_buffer;
    (void)total;
    (void)host;
    return cf_fail(d, CLINFER_E_DEVICE, "device '%s': %s", spec, no_opencl);
}

const struct cf_backend cf_backend_opencl = {.name = "opencl", .prepare = unavailable, .memory = memory};

clinfer_status cf_opencl_all(char *out, size_t size, struct cf_diag *d)
{
    (void)size;
    out[0] = '\0';
    return cf_fail(d, CLINFER_E_DEVICE, "device 'all': %s", no_opencl);
}

clinfer_status cf_algo_spec_check(const char *spec, struct cf_diag *d)
{
    (void)spec;
    (void)d;
    return CLINFER_OK;
}

static clinfer_status refuse(clinfer_context *ctx, char **out)
{
    if (out) *out = NULL;
    if (cf_api_begin(ctx)) return CLINFER_E_ARG;
    return cf_fail(cf_api_diag(ctx), CLINFER_E_DEVICE, "%s", no_opencl);
}

clinfer_status clinfer_devices(clinfer_context *ctx, char **out) { return refuse(ctx, out); }
clinfer_status clinfer_devices_json(clinfer_context *ctx, char **out) { return refuse(ctx, out); }
clinfer_status clinfer_devices_all(clinfer_context *ctx, char **out) { return refuse(ctx, out); }

clinfer_status clinfer_device_peak(clinfer_context *ctx, const char *device, double *gflops)
{
    (void)device;
    if (gflops) *gflops = 0;
    return refuse(ctx, NULL);
}
