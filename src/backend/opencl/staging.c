/* Inputs and outputs through pinned host memory on a device that does not share the host's (a GPU): a buffer made
 * with CL_MEM_ALLOC_HOST_PTR and mapped once is memory the driver can copy to and from the device by DMA, where a
 * transfer from the caller's pageable memory is staged by the driver at a fraction of the bus's speed. A write copies
 * the caller's floats into it and the device copies them into the arena; a read the other way, in pieces of the
 * stage's size. The stage is made at the first transfer, as large as it (up to a cap) and grown when one is larger.
 * On a device that works in host memory (PoCL's CPU device) the arena is host memory already: no stage.
 * $CLINFER_CL_STAGING=BYTES sets the stage's cap (0: none) on any device, which is how the tests take this path on
 * PoCL. */
#include <stdlib.h>
#include <string.h>

#include "launch.h"

#define STAGE_CAP ((size_t)64 << 20)

size_t cf_cl_stage_cap(const struct cf_cl_device *dev)
{
    const char *v = getenv("CLINFER_CL_STAGING");
    char *end;
    unsigned long long b = v && *v ? strtoull(v, &end, 10) : 0;
    if (v && *v && !*end) return (size_t)b;
    return cf_cl_host_memory(dev) ? 0 : STAGE_CAP;
}

void cf_cl_stage_release(struct cf_cl *s)
{
    if (s->stage && s->stage_ptr) {
        clEnqueueUnmapMemObject(s->q, s->stage, s->stage_ptr, 0, NULL, NULL);
        clFinish(s->q);
    }
    if (s->stage) clReleaseMemObject(s->stage);
    s->stage = NULL;
    s->stage_ptr = NULL;
    s->stage_bytes = 0;
}

/* a stage of at least `bytes` (capped): made or grown, mapped */
static clinfer_status stage_for(struct cf_cl *s, size_t bytes, struct cf_diag *d)
{
    size_t want = bytes < s->stage_cap ? bytes : s->stage_cap;
    if (s->stage && s->stage_bytes >= want) return CLINFER_OK;
    cf_cl_stage_release(s);
    cl_int err;
    s->stage = clCreateBuffer(s->ctx, CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR, want, NULL, &err);
    if (!s->stage || err != CL_SUCCESS) {
        s->stage = NULL;
        return cf_cl_fail(d, "clCreateBuffer", "the pinned staging buffer", err);
    }
    s->stage_ptr = clEnqueueMapBuffer(s->q, s->stage, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 0, want, 0, NULL, NULL, &err);
    if (!s->stage_ptr || err != CL_SUCCESS) {
        s->stage_ptr = NULL;
        cf_cl_stage_release(s);
        return cf_cl_fail(d, "clEnqueueMapBuffer", "the pinned staging buffer", err);
    }
    s->stage_bytes = want;
    return CLINFER_OK;
}

clinfer_status cf_cl_stage_write(struct cf_cl *s, size_t offset, const float *src, size_t bytes, struct cf_diag *d)
{
    clinfer_status st = stage_for(s, bytes, d);
    for (size_t done = 0; !st && done < bytes;) {
        size_t piece = bytes - done < s->stage_bytes ? bytes - done : s->stage_bytes;
        memcpy(s->stage_ptr, (const char *)src + done, piece);
        /* blocking: the stage is written again by the next piece or the next write */
        cl_int err = clEnqueueWriteBuffer(s->q, s->arena, CL_TRUE, offset + done, piece, s->stage_ptr, 0, NULL, NULL);
        if (err != CL_SUCCESS) st = cf_cl_fail(d, "clEnqueueWriteBuffer", "input (through the pinned stage)", err);
        done += piece;
    }
    return st;
}

clinfer_status cf_cl_stage_read(struct cf_cl *s, size_t offset, float *dst, size_t bytes, struct cf_diag *d)
{
    clinfer_status st = stage_for(s, bytes, d);
    for (size_t done = 0; !st && done < bytes;) {
        size_t piece = bytes - done < s->stage_bytes ? bytes - done : s->stage_bytes;
        cl_int err = clEnqueueReadBuffer(s->q, s->arena, CL_TRUE, offset + done, piece, s->stage_ptr, 0, NULL, NULL);
        if (err != CL_SUCCESS) st = cf_cl_fail(d, "clEnqueueReadBuffer", "output (through the pinned stage)", err);
        else memcpy((char *)dst + done, s->stage_ptr, piece);
        done += piece;
    }
    return st;
}
