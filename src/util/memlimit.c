/* Reading the limits on this process's memory, and what it uses now, from getrlimit and /proc (Linux). */
#include "memlimit.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

/* A "Name:   123 kB" line of /proc/self/status, in bytes; 0 when absent. */
static uint64_t status_kb(const char *name)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    unsigned long long v = 0;
    size_t n = strlen(name);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, name, n) == 0 && line[n] == ':') {
            sscanf(line + n + 1, "%llu", &v);
            break;
        }
    fclose(f);
    return (uint64_t)v << 10;
}

/* The first number in a file ("max" and a missing file: none). */
static int read_u64(const char *path, uint64_t *out)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    unsigned long long v;
    int ok = fscanf(f, "%llu", &v) == 1;
    fclose(f);
    if (ok) *out = v;
    return ok;
}

/* The cgroup's limit and use: v2 ("0::/path" in /proc/self/cgroup), else v1's memory controller. */
static int cgroup_memory(uint64_t *max, uint64_t *current)
{
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f) return 0;
    char line[1024], v2[1024] = "", v1[1024] = "";
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "0::", 3) == 0) snprintf(v2, sizeof v2, "%s", line + 3);
        const char *c = strchr(line, ':');
        if (c && strncmp(c + 1, "memory:", 7) == 0) snprintf(v1, sizeof v1, "%s", c + 8);
    }
    fclose(f);
    char path[1200];
    if (v1[0]) {
        snprintf(path, sizeof path, "/sys/fs/cgroup/memory%s/memory.limit_in_bytes", v1);
        if (!read_u64(path, max)) return 0;
        snprintf(path, sizeof path, "/sys/fs/cgroup/memory%s/memory.usage_in_bytes", v1);
        return read_u64(path, current) && *max < ((uint64_t)1 << 60); /* v1 says 2^63 - page for none */
    }
    if (v2[0]) {
        snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.max", strcmp(v2, "/") == 0 ? "" : v2);
        if (!read_u64(path, max)) return 0; /* "max": none */
        snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.current", strcmp(v2, "/") == 0 ? "" : v2);
        return read_u64(path, current);
    }
    return 0;
}

static void consider(struct cf_mem_room *r, uint64_t limit, uint64_t used, const char *what)
{
    uint64_t left = limit > used ? limit - used : 0;
    if (left >= r->bytes) return;
    r->bytes = left;
    snprintf(r->limit, sizeof r->limit, "%s of %.0f MiB (%.0f MiB of it in use)", what, (double)limit / 1048576.0,
             (double)used / 1048576.0);
}

void cf_mem_room(struct cf_mem_room *r)
{
    r->bytes = r->address = UINT64_MAX;
    r->limit[0] = '\0';
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        consider(r, (uint64_t)rl.rlim_cur, status_kb("VmSize"), "the address-space limit (ulimit -v)");
        r->address = r->bytes;
    }
    if (getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        consider(r, (uint64_t)rl.rlim_cur, status_kb("VmData"), "the data limit (ulimit -d)");
    uint64_t max, current;
    if (cgroup_memory(&max, &current)) consider(r, max, current, "the cgroup's memory limit");
}
