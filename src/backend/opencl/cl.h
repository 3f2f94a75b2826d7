/* The OpenCL backend's internals: devices, programs with their on-disk cache, error texts.
 * Only this folder includes <CL/cl.h>. */
#ifndef CF_CL_H
#define CF_CL_H

#include <CL/cl.h>

#ifndef CL_PLATFORM_NOT_FOUND_KHR
#define CL_PLATFORM_NOT_FOUND_KHR -1001 /* the ICD loader: no platform registered */
#endif

#include "../../util/diag.h"

/* "CL_INVALID_WORK_GROUP_SIZE" */
const char *cf_cl_errstr(cl_int err);

/* Records "call(what): CL_ERROR_NAME (-54)" and returns CLINFER_E_DEVICE (CLINFER_E_NOMEM for allocation failures,
 * naming the process's memory limit when one is set). */
clinfer_status cf_cl_fail(struct cf_diag *d, const char *call, const char *what, cl_int err);

struct cf_cl_device {
    int index; /* across all platforms, as `clinfer devices` lists them */
    cl_platform_id platform;
    cl_device_id device;
    char name[256], vendor[256], platform_name[256], platform_vendor[256];
    char version[128], c_version[128], driver[128];
    cl_device_type type;
    cl_uint compute_units;
    cl_ulong global_mem, local_mem, max_alloc;
    size_t max_wg, max_item[3]; /* CL_DEVICE_MAX_WORK_GROUP_SIZE, CL_DEVICE_MAX_WORK_ITEM_SIZES */
    cl_uint native_float; /* CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT: 16 on AVX-512, 8 on AVX2 */
};

/* Whether a device's memory is the host's (a CPU device, as PoCL's): buffers then live in host memory. */
static inline int cf_cl_host_memory(const struct cf_cl_device *dev) { return (dev->type & CL_DEVICE_TYPE_CPU) != 0; }

/* Whether a float16 is two registers of the device, not one: a CPU without AVX-512 (PoCL says 8 native floats). */
static inline int cf_cl_float16_halved(const struct cf_cl_device *dev)
{
    return cf_cl_host_memory(dev) && dev->native_float > 0 && dev->native_float < 16;
}

/* Every device of every platform; *out is freed with cf_free. */
clinfer_status cf_cl_devices(struct cf_cl_device **out, int *n, struct cf_diag *d);
/* "opencl" (first GPU, else first device), "opencl:N", or "opencl:<substring of name, vendor or platform>". */
clinfer_status cf_cl_select(const char *spec, struct cf_cl_device *out, struct cf_diag *d);

/* The file of cl/ that defines a generic kernel ("pool2d.cl" for "pool2d_f32"), NULL when none does. */
const char *cf_cl_kernel_file(const char *kernel);

/* A program of common.cl and one file of cl/ (a generic kernel's file; a specialized one, conv2d_blocked.cl, ...,
 * with -D constants; NULL: every generic file), from the on-disk cache when a valid entry is there, else built
 * from source (and cached). *from_cache tells which. */
clinfer_status cf_cl_program_file(cl_context ctx, const struct cf_cl_device *dev, const char *file, const char *defines,
                                  cl_program *out, int *from_cache, struct cf_diag *d);

/* A session's specialized programs by (file, -D constants): layers that ask for the same one share it (the layers
 * of a shape class), built or loaded once. */
struct cf_cl_programs {
    int n, cap;
    char **keys;
    cl_program *p;
};
/* *out is a reference of the caller's own (clReleaseProgram it) */
clinfer_status cf_cl_program_shared(struct cf_cl_programs *tab, cl_context ctx, const struct cf_cl_device *dev,
                                    const char *file, const char *defines, cl_program *out, struct cf_diag *d);
void cf_cl_programs_release(struct cf_cl_programs *tab);

/* clinfer's cache folder ($XDG_CACHE_HOME/clinfer, else ~/.cache/clinfer, made on demand); 0 when it cannot be used
 * (then nothing is cached). */
int cf_cl_cache_dir(char *out, size_t size);
/* Checks both kernel caches once per process, before OpenCL starts (caches.c): a warning when one cannot be used,
 * an error when PoCL would have nowhere to compile. */
clinfer_status cf_cl_caches_check(struct cf_diag *d);

#endif
