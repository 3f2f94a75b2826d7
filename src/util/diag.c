/* Diagnostics: formatting of failure messages. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static clinfer_status vfail(struct cf_diag *d, const char *prefix, clinfer_status status, const char *fmt, va_list ap)
{
    if (!d) return status;
    int n = snprintf(d->msg, sizeof d->msg, "%s", prefix);
    if (n < 0) n = 0;
    if ((size_t)n < sizeof d->msg) vsnprintf(d->msg + n, sizeof d->msg - (size_t)n, fmt, ap);
    d->status = status;
    return status;
}

clinfer_status cf_fail(struct cf_diag *d, clinfer_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(d, "", status, fmt, ap);
    va_end(ap);
    return status;
}

clinfer_status cf_fail_at(struct cf_diag *d, struct cf_loc loc, clinfer_status status, const char *fmt, ...)
{
    char prefix[512];
    if (loc.line > 0)
        snprintf(prefix, sizeof prefix, "%s:%d:%d: ", loc.file ? loc.file : "<input>", loc.line, loc.col);
    else
        snprintf(prefix, sizeof prefix, "%s: ", loc.file ? loc.file : "<input>");
    va_list ap;
    va_start(ap, fmt);
    vfail(d, prefix, status, fmt, ap);
    va_end(ap);
    return status;
}

clinfer_status cf_fail_oom(struct cf_diag *d) { return cf_fail(d, CLINFER_E_NOMEM, "out of memory"); }

void cf_progress(const struct cf_diag *d, const char *phase, int64_t done, int64_t total, const char *detail)
{
    if (d && d->progress) d->progress(d->progress_user, phase, done, total, detail ? detail : "");
}

void cf_warn(struct cf_diag *d, const char *fmt, ...)
{
    if (!d) return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (strstr(d->warn, text)) return;
    size_t n = strlen(d->warn);
    snprintf(d->warn + n, sizeof d->warn - n, "%s%s", n ? "; " : "", text);
}
