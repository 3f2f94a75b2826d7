/* OpenCL devices: listing every platform's devices, and choosing one from a --device spec. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../api.h"
#include "../../util/alloc.h"
#include "../../util/strbuf.h"
#include "../backend.h"
#include "cl.h"

#define MAX_PLATFORMS 16
#define MAX_DEVICES 64

static void dev_str(cl_device_id dv, cl_device_info what, char *out, size_t size)
{
    out[0] = '\0';
    if (clGetDeviceInfo(dv, what, size - 1, out, NULL) != CL_SUCCESS) out[0] = '\0';
    out[size - 1] = '\0';
}

clinfer_status cf_cl_devices(struct cf_cl_device **out, int *n, struct cf_diag *d)
{
    *out = NULL;
    *n = 0;
    clinfer_status cst = cf_cl_caches_check(d);
    if (cst) return cst;
    cl_platform_id plats[MAX_PLATFORMS];
    cl_uint np = 0;
    cl_int err = clGetPlatformIDs(MAX_PLATFORMS, plats, &np);
    if (err == CL_PLATFORM_NOT_FOUND_KHR || (err == CL_SUCCESS && np == 0))
        return cf_fail(d, CLINFER_E_DEVICE,
                       "no OpenCL platform found: no ICD is installed or registered in /etc/OpenCL/vendors "
                       "(on Debian: apt-get install pocl-opencl-icd; `clinfo` lists what OpenCL sees)");
    if (err != CL_SUCCESS) return cf_cl_fail(d, "clGetPlatformIDs", NULL, err);
    if (np > MAX_PLATFORMS) np = MAX_PLATFORMS;
    struct cf_cl_device *list = cf_calloc(MAX_DEVICES, sizeof *list);
    if (!list) return cf_fail_oom(d);
    int count = 0;
    struct cf_strbuf probed = {0}; /* what each platform said, for the message when no device is found */
    for (cl_uint p = 0; p < np; p++) {
        cl_device_id devs[MAX_DEVICES];
        cl_uint nd = 0;
        char pname[256] = "", pver[256] = "";
        clGetPlatformInfo(plats[p], CL_PLATFORM_NAME, sizeof pname - 1, pname, NULL);
        clGetPlatformInfo(plats[p], CL_PLATFORM_VERSION, sizeof pver - 1, pver, NULL);
        cl_int derr = clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES, devs, &nd);
        cf_sb_printf(&probed, "\n  platform %u: %s (%s): %s", p, pname, pver,
                     derr == CL_SUCCESS ? "devices found" : cf_cl_errstr(derr));
        if (derr != CL_SUCCESS) continue;
        for (cl_uint k = 0; k < nd && count < MAX_DEVICES; k++) {
            struct cf_cl_device *x = &list[count];
            x->index = count;
            x->platform = plats[p];
            x->device = devs[k];
            clGetPlatformInfo(plats[p], CL_PLATFORM_NAME, sizeof x->platform_name - 1, x->platform_name, NULL);
            clGetPlatformInfo(plats[p], CL_PLATFORM_VENDOR, sizeof x->platform_vendor - 1, x->platform_vendor, NULL);
            dev_str(devs[k], CL_DEVICE_NAME, x->name, sizeof x->name);
            dev_str(devs[k], CL_DEVICE_VENDOR, x->vendor, sizeof x->vendor);
            dev_str(devs[k], CL_DEVICE_VERSION, x->version, sizeof x->version);
            dev_str(devs[k], CL_DEVICE_OPENCL_C_VERSION, x->c_version, sizeof x->c_version);
            dev_str(devs[k], CL_DRIVER_VERSION, x->driver, sizeof x->driver);
            clGetDeviceInfo(devs[k], CL_DEVICE_TYPE, sizeof x->type, &x->type, NULL);
            clGetDeviceInfo(devs[k], CL_DEVICE_MAX_COMPUTE_UNITS, sizeof x->compute_units, &x->compute_units, NULL);
            clGetDeviceInfo(devs[k], CL_DEVICE_GLOBAL_MEM_SIZE, sizeof x->global_mem, &x->global_mem, NULL);
            clGetDeviceInfo(devs[k], CL_DEVICE_LOCAL_MEM_SIZE, sizeof x->local_mem, &x->local_mem, NULL);
            clGetDeviceInfo(devs[k], CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof x->max_wg, &x->max_wg, NULL);
            clGetDeviceInfo(devs[k], CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT, sizeof x->native_float, &x->native_float, NULL);
            clGetDeviceInfo(devs[k], CL_DEVICE_MAX_WORK_ITEM_SIZES, sizeof x->max_item, x->max_item, NULL);
            clGetDeviceInfo(devs[k], CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof x->max_alloc, &x->max_alloc, NULL);
            count++;
        }
    }
    if (count == 0) {
        cf_free(list);
        const char *vendors = getenv("OCL_ICD_VENDORS");
        char *text = cf_sb_take(&probed);
        clinfer_status st = cf_fail(
            d, CLINFER_E_DEVICE,
            "OpenCL found %u platform(s) but no device:%s\n  (ICDs from %s; a platform that cannot start reports no "
            "device: PoCL does so under a memory limit too small for LLVM, or when its cache folder cannot be written; "
            "POCL_DEBUG=all tells why)",
            np, text ? text : "", vendors && *vendors ? vendors : "/etc/OpenCL/vendors");
        cf_free(text);
        return st;
    }
    cf_sb_free(&probed);
    *out = list;
    *n = count;
    return CLINFER_OK;
}

static const char *type_name(cl_device_type t)
{
    if (t & CL_DEVICE_TYPE_GPU) return "GPU";
    if (t & CL_DEVICE_TYPE_CPU) return "CPU";
    if (t & CL_DEVICE_TYPE_ACCELERATOR) return "accelerator";
    return "other";
}

static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i])) i++;
        if (i == n) return 1;
    }
    return n == 0;
}

static void list_line(struct cf_strbuf *sb, const struct cf_cl_device *x)
{
    cf_sb_printf(sb, "  opencl:%d  %s (%s, %s)\n", x->index, x->name, type_name(x->type), x->platform_name);
}

clinfer_status cf_cl_select(const char *spec, struct cf_cl_device *out, struct cf_diag *d)
{
    struct cf_cl_device *list;
    int n;
    clinfer_status st = cf_cl_devices(&list, &n, d);
    if (st) return st;
    const char *arg = spec[6] == ':' ? spec + 7 : "";
    int pick = -1;
    if (!*arg) {
        for (int i = 0; i < n && pick < 0; i++)
            if (list[i].type & CL_DEVICE_TYPE_GPU) pick = i;
        if (pick < 0) pick = 0;
    } else {
        char *end;
        long v = strtol(arg, &end, 10);
        if (*end == '\0') {
            if (v >= 0 && v < n) pick = (int)v;
        } else {
            for (int i = 0; i < n && pick < 0; i++)
                if (contains_ci(list[i].name, arg) || contains_ci(list[i].vendor, arg) ||
                    contains_ci(list[i].platform_name, arg) || contains_ci(list[i].platform_vendor, arg))
                    pick = i;
        }
    }
    if (pick < 0) {
        struct cf_strbuf sb = {0};
        for (int i = 0; i < n; i++) list_line(&sb, &list[i]);
        char *text = cf_sb_take(&sb);
        st = cf_fail(d, CLINFER_E_DEVICE, "no OpenCL device matches '%s'; the devices are:\n%s", spec, text ? text : "");
        cf_free(text);
    } else {
        *out = list[pick];
    }
    cf_free(list);
    return st;
}

clinfer_status cf_opencl_all(char *out, size_t size, struct cf_diag *d)
{
    struct cf_cl_device *list;
    int n, gpus = 0;
    clinfer_status st = cf_cl_devices(&list, &n, d);
    if (st) return st;
    for (int i = 0; i < n; i++) gpus += (list[i].type & CL_DEVICE_TYPE_GPU) != 0;
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n && len < size; i++)
        if (!gpus || (list[i].type & CL_DEVICE_TYPE_GPU))
            len += (size_t)snprintf(out + len, size - len, "%sopencl:%d", len ? "," : "", list[i].index);
    cf_free(list);
    if (len >= size) return cf_fail(d, CLINFER_E_LIMIT, "device all: too many OpenCL devices");
    return CLINFER_OK;
}

clinfer_status clinfer_devices_all(clinfer_context *ctx, char **out)
{
    if (out) *out = NULL;
    if (cf_api_begin(ctx)) return CLINFER_E_ARG;
    struct cf_diag *d = cf_api_diag(ctx);
    if (!out) return cf_fail(d, CLINFER_E_ARG, "clinfer_devices_all: NULL argument");
    char list[4096];
    clinfer_status st = cf_opencl_all(list, sizeof list, d);
    if (st) return st;
    size_t n = strlen(list) + 1;
    if (!(*out = cf_malloc(n))) return cf_fail_oom(d);
    memcpy(*out, list, n);
    return CLINFER_OK;
}

clinfer_status clinfer_devices_json(clinfer_context *ctx, char **out)
{
    if (out) *out = NULL;
    if (cf_api_begin(ctx)) return CLINFER_E_ARG;
    struct cf_diag *d = cf_api_diag(ctx);
    if (!out) return cf_fail(d, CLINFER_E_ARG, "clinfer_devices_json: NULL argument");
    struct cf_cl_device *list;
    int n;
    clinfer_status st = cf_cl_devices(&list, &n, d);
    if (st) return st;
    struct cf_strbuf sb = {0};
    cf_sb_puts(&sb, "{\n  \"devices\": [\n    {\"name\": \"ref\", \"type\": \"reference\"}");
    for (int i = 0; i < n; i++) {
        const struct cf_cl_device *x = &list[i];
        cf_sb_printf(&sb, ",\n    {\"name\": \"opencl:%d\", \"device\": ", x->index);
        cf_sb_json_str(&sb, x->name);
        cf_sb_puts(&sb, ", \"vendor\": ");
        cf_sb_json_str(&sb, x->vendor);
        cf_sb_puts(&sb, ", \"platform\": ");
        cf_sb_json_str(&sb, x->platform_name);
        cf_sb_printf(&sb, ", \"type\": \"%s\", \"compute_units\": %u, \"global_memory\": %llu, \"max_buffer\": %llu, "
                          "\"local_memory\": %llu, \"version\": ",
                     type_name(x->type), x->compute_units, (unsigned long long)x->global_mem,
                     (unsigned long long)x->max_alloc, (unsigned long long)x->local_mem);
        cf_sb_json_str(&sb, x->version);
        cf_sb_puts(&sb, ", \"driver\": ");
        cf_sb_json_str(&sb, x->driver);
        cf_sb_puts(&sb, "}");
    }
    cf_sb_puts(&sb, "\n  ]\n}\n");
    cf_free(list);
    if (!(*out = cf_sb_take(&sb))) return cf_fail_oom(d);
    return CLINFER_OK;
}

clinfer_status clinfer_devices(clinfer_context *ctx, char **out)
{
    if (out) *out = NULL;
    if (cf_api_begin(ctx)) return CLINFER_E_ARG;
    struct cf_diag *d = cf_api_diag(ctx);
    if (!out) return cf_fail(d, CLINFER_E_ARG, "clinfer_devices: NULL argument");
    struct cf_cl_device *list;
    int n;
    clinfer_status st = cf_cl_devices(&list, &n, d);
    if (st) return st;
    struct cf_strbuf sb = {0};
    for (int i = 0; i < n; i++) {
        const struct cf_cl_device *x = &list[i];
        if (i == 0 || list[i - 1].platform != x->platform)
            cf_sb_printf(&sb, "platform: %s (%s)\n", x->platform_name, x->platform_vendor);
        cf_sb_printf(&sb, "  opencl:%d  %s\n", x->index, x->name);
        cf_sb_printf(&sb, "      vendor %s, type %s, %u compute units\n", x->vendor, type_name(x->type),
                     x->compute_units);
        cf_sb_printf(&sb, "      global memory %llu MiB (at most %llu MiB per buffer), local memory %llu KiB\n",
                     (unsigned long long)(x->global_mem >> 20), (unsigned long long)(x->max_alloc >> 20),
                     (unsigned long long)(x->local_mem >> 10));
        cf_sb_printf(&sb, "      %s, %s, driver %s\n", x->version, x->c_version, x->driver);
    }
    cf_free(list);
    if (!(*out = cf_sb_take(&sb))) return cf_fail_oom(d);
    return CLINFER_OK;
}
