/* The two kernel caches on disk: clinfer's (built programs and the tuning database, $XDG_CACHE_HOME/clinfer) and
 * PoCL's (its compiled kernels, $POCL_CACHE_DIR or $XDG_CACHE_HOME/pocl, where PoCL also does its compiling). Both
 * are checked once per process, before the first OpenCL call: a folder that cannot be made, is not writable or has
 * too little room would make PoCL fail without a word ("no device") or die ("LLVM ERROR: IO failure on output
 * stream"). Then clinfer runs without its own cache and points PoCL at a private temporary folder, with one warning
 * that says why; when no such folder can be had either, the error says so. */
#define _DEFAULT_SOURCE /* mkdtemp */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "../../util/files.h"
#include "../../util/memlimit.h"
#include "cl.h"

/* PoCL writes a few MB per program it builds */
#define MIN_FREE_BYTES ((unsigned long long)64 << 20)

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static int g_clinfer_ok;               /* clinfer's cache is usable */
static char g_clinfer_dir[1200];
static char g_warning[1024];           /* "" when both caches are fine */
static char g_error[1024];             /* "" unless PoCL has nowhere to compile */
static char g_private[1200];           /* the temporary PoCL cache, removed at exit when empty */

/* mkdir -p of path (its parents too); 0 with errno set when it cannot */
static int make_dirs(const char *path)
{
    char p[1200];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) return 0;
        *s = '/';
    }
    return mkdir(p, 0755) == 0 || errno == EEXIST;
}

/* Whether dir exists (made if need be), is a writable folder and has room; why when not. */
static int usable(const char *dir, char *why, size_t size)
{
    char err[128];
    struct stat st;
    if (!make_dirs(dir) || stat(dir, &st) != 0) {
        snprintf(why, size, "%.300s cannot be made: %s", dir, cf_errno_text(errno, err, sizeof err));
        return 0;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, size, "%.300s is not a folder", dir);
        return 0;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        snprintf(why, size, "%.300s is not writable: %s", dir, cf_errno_text(errno, err, sizeof err));
        return 0;
    }
    struct statvfs vs;
    if (statvfs(dir, &vs) == 0 && (unsigned long long)vs.f_bavail * vs.f_frsize < MIN_FREE_BYTES) {
        snprintf(why, size, "%.300s has %.1f MiB free (at least %llu MiB are needed)", dir,
                 (double)vs.f_bavail * (double)vs.f_frsize / 1048576.0, MIN_FREE_BYTES >> 20);
        return 0;
    }
    return 1;
}

static int base_dir(char *out, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && *xdg) snprintf(out, size, "%s", xdg);
    else if (home && *home) snprintf(out, size, "%s/.cache", home);
    else return 0;
    return 1;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* the private PoCL cache and what PoCL compiled into it, at exit */
static void remove_private(void)
{
    if (g_private[0]) nftw(g_private, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void check(void)
{
    char base[1024], why[512] = "", pocl[1200];
    int have_base = base_dir(base, sizeof base);
    if (have_base) {
        snprintf(g_clinfer_dir, sizeof g_clinfer_dir, "%s/clinfer", base);
        g_clinfer_ok = usable(g_clinfer_dir, why, sizeof why);
    } else {
        snprintf(why, sizeof why, "neither XDG_CACHE_HOME nor HOME is set");
    }
    char clinfer_why[512];
    snprintf(clinfer_why, sizeof clinfer_why, "%s", g_clinfer_ok ? "" : why);
    /* PoCL's folder: the one it will use */
    const char *env = getenv("POCL_CACHE_DIR");
    int have_pocl = 1;
    if (env && *env) snprintf(pocl, sizeof pocl, "%s", env);
    else if (have_base) snprintf(pocl, sizeof pocl, "%s/pocl", base);
    else have_pocl = 0;
    char pocl_why[512] = "";
    if (!have_pocl || !usable(pocl, pocl_why, sizeof pocl_why)) {
        if (!have_pocl) snprintf(pocl_why, sizeof pocl_why, "neither XDG_CACHE_HOME nor HOME is set");
        const char *tmp = getenv("TMPDIR");
        char templ[1200], tmp_why[512] = "";
        snprintf(templ, sizeof templ, "%s/clinfer-pocl-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (mkdtemp(templ) && usable(templ, tmp_why, sizeof tmp_why)) {
            snprintf(g_private, sizeof g_private, "%s", templ);
            setenv("POCL_CACHE_DIR", g_private, 1); /* before PoCL starts: it reads it once */
            atexit(remove_private);
        } else {
            if (!tmp_why[0]) {
                char err[128];
                snprintf(tmp_why, sizeof tmp_why, "%.300s cannot be made: %s", templ, cf_errno_text(errno, err, sizeof err));
            }
            snprintf(g_error, sizeof g_error,
                     "PoCL has nowhere to compile kernels: its cache %.400s, and a temporary folder: %.400s (free some space, "
                     "or set POCL_CACHE_DIR to a writable folder)",
                     pocl_why, tmp_why);
        }
    }
    size_t n = 0;
    if (!g_clinfer_ok)
        n += (size_t)snprintf(g_warning + n, sizeof g_warning - n,
                              "the kernel cache cannot be used (%.400s): programs are built anew each run", clinfer_why);
    if (g_private[0] && n < sizeof g_warning)
        snprintf(g_warning + n, sizeof g_warning - n, "%sPoCL's kernel cache cannot be used (%.400s): it compiles in %.300s",
                 n ? "; " : "", pocl_why, g_private);
}

/* whether the OpenCL runtime can start under the address-space limit, once: before it has, it is not mapped yet */
static pthread_once_t g_start_once = PTHREAD_ONCE_INIT;
static char g_start_error[512];

static void check_start(void)
{
    struct cf_mem_room r;
    cf_mem_room(&r);
    if (r.address < CF_MEM_START_RESERVE)
        snprintf(g_start_error, sizeof g_start_error,
                 "not enough memory to start OpenCL: its runtime (PoCL: LLVM and its threads) maps about %llu MiB of "
                 "address space, and %.300s leaves %.0f MiB (raise the limit, or use --device ref)",
                 (unsigned long long)(CF_MEM_START_RESERVE >> 20), r.limit, (double)r.address / 1048576.0);
}

clinfer_status cf_cl_caches_check(struct cf_diag *d)
{
    pthread_once(&g_start_once, check_start);
    if (g_start_error[0]) return cf_fail(d, CLINFER_E_NOMEM, "%s", g_start_error);
    pthread_once(&g_once, check);
    if (g_error[0]) return cf_fail(d, CLINFER_E_IO, "%s", g_error);
    if (g_warning[0]) cf_warn(d, "%s", g_warning);
    return CLINFER_OK;
}

int cf_cl_cache_dir(char *out, size_t size)
{
    pthread_once(&g_once, check);
    if (!g_clinfer_ok) return 0;
    snprintf(out, size, "%s", g_clinfer_dir);
    return 1;
}
