/* The memory this process may still take, under the limits set on it: its address space (ulimit -v, RLIMIT_AS), its
 * data (ulimit -d, RLIMIT_DATA) and its cgroup's memory (memory.max, cgroup v2; memory.limit_in_bytes, v1). */
#ifndef CF_MEMLIMIT_H
#define CF_MEMLIMIT_H
#include <stddef.h>
#include <stdint.h>

struct cf_mem_room {
    uint64_t bytes;    /* what the tightest limit leaves; UINT64_MAX when no limit is set */
    char limit[160];   /* which limit that is, in words ("the address-space limit (ulimit -v) of 488 MiB") */
    uint64_t address;  /* what the address-space limit alone leaves (UINT64_MAX: none) */
};

void cf_mem_room(struct cf_mem_room *r);

/* Address space PoCL's compiler (LLVM) takes to build a program from source, and to load one from a binary: measured
 * on the seed model (VmPeak 925 MB cold against 522 MB warm). Under less, LLVM aborts the process (std::bad_alloc). */
/* Address space an OpenCL runtime maps when it starts: PoCL, its LLVM and its worker threads' stacks (VmSize 12 MB
 * before, 397 MB after; under less, PoCL aborts: "PTHREAD ERROR in pthread_scheduler_init()") */
#define CF_MEM_START_RESERVE ((uint64_t)416 << 20)
#define CF_MEM_COMPILE_RESERVE ((uint64_t)448 << 20)
#define CF_MEM_LOAD_RESERVE ((uint64_t)32 << 20)
/* ... and beside a session's own buffers, what a run takes (queues, events, small allocations) */
#define CF_MEM_RUN_RESERVE ((uint64_t)16 << 20)

#endif
