/* Diagnostics: where a failure happened and what it was, recorded by library code, never printed. */
#ifndef CF_DIAG_H
#define CF_DIAG_H
#include "clinfer.h"

/* A place in a source file; line and col are 1-based, 0 when unknown. */
struct cf_loc {
    const char *file;
    int line, col;
};

struct cf_diag {
    clinfer_status status;
    char msg[2048];
    char warn[1024]; /* what went wrong without stopping the call (each warning once; "; " between them) */
    clinfer_progress_fn progress; /* the caller's progress callback (clinfer_context_set_progress), or NULL */
    void *progress_user;
};

#if defined(__GNUC__)
#define CF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CF_PRINTF(a, b)
#endif

/* Record `status` with a message; returns `status` so callers can `return cf_fail(...)`. */
clinfer_status cf_fail(struct cf_diag *d, clinfer_status status, const char *fmt, ...) CF_PRINTF(3, 4);
/* The same, prefixed with "file:line:col: ". */
clinfer_status cf_fail_at(struct cf_diag *d, struct cf_loc loc, clinfer_status status, const char *fmt, ...)
    CF_PRINTF(4, 5);
clinfer_status cf_fail_oom(struct cf_diag *d);
/* Tells the caller's progress callback, if any, that `done` of `total` steps of `phase` are done. */
void cf_progress(const struct cf_diag *d, const char *phase, int64_t done, int64_t total, const char *detail);

/* Adds a warning: the call goes on, and the caller may show it. */
void cf_warn(struct cf_diag *d, const char *fmt, ...) CF_PRINTF(2, 3);

#endif
