/* A device that fails on one rank, for tests/mpi/check: LD_PRELOADed, this clEnqueueNDRangeKernel takes the place
 * of the ICD loader's and, in the rank CLINFER_TEST_FAIL_RANK names (OMPI_COMM_WORLD_RANK), fails its
 * CLINFER_TEST_FAIL_AFTER-th call (default the 20th) with CL_OUT_OF_RESOURCES, as a driver does; every other call
 * goes on to the real one. */
#define _GNU_SOURCE
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

CL_API_ENTRY cl_int CL_API_CALL clEnqueueNDRangeKernel(cl_command_queue q, cl_kernel k, cl_uint dim,
                                                       const size_t *offset, const size_t *global, const size_t *local,
                                                       cl_uint n_wait, const cl_event *wait, cl_event *event)
{
    static long calls;
    const char *rank = getenv("OMPI_COMM_WORLD_RANK"), *want = getenv("CLINFER_TEST_FAIL_RANK");
    const char *after = getenv("CLINFER_TEST_FAIL_AFTER");
    if (rank && want && strcmp(rank, want) == 0 && ++calls == (after ? atol(after) : 20)) return CL_OUT_OF_RESOURCES;
    __typeof__(&clEnqueueNDRangeKernel) real;
    void *sym = dlsym(RTLD_NEXT, "clEnqueueNDRangeKernel");
    memcpy(&real, &sym, sizeof real);
    return real(q, k, dim, offset, global, local, n_wait, wait, event);
}
