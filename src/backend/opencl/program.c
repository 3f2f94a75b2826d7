/* The kernel program: the sources of cl/ (embedded, or read from $CLINFER_KERNEL_DIR for kernel work), built
 * once per device and driver and cached on disk. A cache entry carries its full key and a checksum; an entry
 * that is corrupt, stale or refused by the driver is rebuilt, never trusted. Entries are written to a temporary
 * file and renamed, so two processes can fill the cache at once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../util/alloc.h"
#include "../../util/files.h"
#include "../../util/memlimit.h"
#include "../../util/strbuf.h"
#include "cl.h"
#include "cl_sources.h"

#define CACHE_MAGIC "CLINFER-PROGRAM-1"

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* Files built as programs of their own with -D constants (per layer shape, or per shape class): the tuner's
 * families and the peak microbenchmark. */
static const char *const specialized[] = {"conv2d_blocked.cl", "conv1x1_gemm.cl", "winograd_f23.cl", "conv2d_rows.cl",
                                          "depthwise_blocked.cl", "dense_fast.cl", "dense_splitk.cl", "pool2d_rows.cl", "gemm_glue.cl",
                                          "peak.cl", NULL};

static int is_specialized(const char *name)
{
    for (int i = 0; specialized[i]; i++)
        if (strcmp(specialized[i], name) == 0) return 1;
    return 0;
}

/* The program text: common.cl, then every op's file (only) one specialized file when `only` names it. */
static clinfer_status gather_sources(struct cf_strbuf *src, const char *only, struct cf_diag *d)
{
    const char *dir = getenv("CLINFER_KERNEL_DIR");
    for (const struct cf_cl_source *s = cf_cl_sources; s->name; s++) {
        int common = s == cf_cl_sources;
        if (!common && (only ? strcmp(s->name, only) != 0 : is_specialized(s->name))) continue;
        if (dir && *dir) {
            char path[2048];
            snprintf(path, sizeof path, "%s/%s", dir, s->name);
            FILE *f = fopen(path, "rb");
            if (!f) return cf_fail(d, CLINFER_E_IO, "CLINFER_KERNEL_DIR: cannot open %s", path);
            char buf[65536];
            size_t got;
            while ((got = fread(buf, 1, sizeof buf, f)) > 0) cf_sb_putn(src, buf, got);
            fclose(f);
        } else {
            cf_sb_putn(src, s->text, s->len);
        }
        cf_sb_printf(src, "\n/* end of %s */\n", s->name);
    }
    return src->oom ? cf_fail_oom(d) : CLINFER_OK;
}

/* Where a float16 is two registers (cf_cl_float16_halved), the device's compiler warns of every float16 a kernel
 * passes to a function (PoCL's builtins included): clang says "AVX vector argument of type 'float16' without
 * 'avx512f' enabled changes the ABI", a psABI note with nothing to fix (the kernels and PoCL's library are built for
 * the same target) that no build option PoCL accepts turns off but -w (PoCL refuses -Wno-psabi). */
static void build_options(char *out, size_t size, const struct cf_cl_device *dev)
{
    static const char *const acts[] = {
#define ACT(id, name, keras, onnx, alpha, beta) "-DACT_" #id "=",
#include "../../ir/activations.def"
#undef ACT
    };
    /* a build with warnings as errors (CLINFER_WERROR, as in CI) builds the kernels so too, where the device's
     * compiler has no warning it always gives; any other build asks for no warnings: PoCL prints a kernel's warnings
     * to stderr ("2 warnings generated."), which a user should never see */
#ifdef CLINFER_CL_WERROR
    const char *warn = cf_cl_float16_halved(dev) ? "-w" : "-Werror";
#else
    const char *warn = "-w";
    (void)dev;
#endif
    size_t n = (size_t)snprintf(out, size, "-cl-std=CL1.2 %s", warn);
    for (size_t i = 0; i < sizeof acts / sizeof acts[0] && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, " %s%zu", acts[i], i);
}

/* Loads a cache entry whose key matches; returns the binary (cf_free) or NULL. */
static unsigned char *cache_load(const char *path, const char *key, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    unsigned char *bin = NULL;
    char magic[32] = "", fkey[4096] = "";
    unsigned long long blen = 0, sum = 0;
    if (fscanf(f, "%31s\n", magic) != 1 || strcmp(magic, CACHE_MAGIC) != 0) goto bad;
    if (!fgets(fkey, sizeof fkey, f)) goto bad;
    fkey[strcspn(fkey, "\n")] = '\0';
    if (strcmp(fkey, key) != 0) goto bad;
    if (fscanf(f, "%llu %llx", &blen, &sum) != 2 || fgetc(f) != '\n' || blen == 0 || blen > (1ull << 30)) goto bad;
    if (!(bin = cf_malloc((size_t)blen))) goto bad;
    if (fread(bin, 1, (size_t)blen, f) != blen || fgetc(f) != EOF) goto bad;
    if (fnv(1469598103934665603ull, bin, (size_t)blen) != sum) goto bad;
    fclose(f);
    *len = (size_t)blen;
    return bin;
bad:
    cf_free(bin);
    fclose(f);
    return NULL;
}

static void cache_store(const char *path, const char *key, const unsigned char *bin, size_t len)
{
    char tmp[2200];
    FILE *f = cf_replace_open(path, tmp, sizeof tmp);
    if (!f) return;
    int ok = fprintf(f, "%s\n%s\n%zu %llx\n", CACHE_MAGIC, key, len,
                     (unsigned long long)fnv(1469598103934665603ull, bin, len)) > 0 &&
             fwrite(bin, 1, len, f) == len;
    cf_replace_commit(f, tmp, path, ok);
}

static clinfer_status build_log(cl_program p, const struct cf_cl_device *dev, const char *what, cl_int err,
                                struct cf_diag *d)
{
    size_t n = 0;
    clGetProgramBuildInfo(p, dev->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &n);
    char *log = cf_malloc(n + 1);
    if (log) {
        log[0] = '\0';
        clGetProgramBuildInfo(p, dev->device, CL_PROGRAM_BUILD_LOG, n, log, NULL);
        log[n] = '\0';
    }
    clinfer_status st = cf_fail(d, CLINFER_E_DEVICE, "clBuildProgram(cl/%s) on %s: %s (%d)\n%s", what, dev->name,
                                cf_cl_errstr(err), (int)err, log ? log : "");
    cf_free(log);
    return st;
}

/* Whether a failed build says why (a compiler diagnostic): PoCL fails a build without one when processes that start
 * together (MPI ranks on a node, parallel tests) write the same program into its fresh kernel cache at once; such a
 * build is tried again. */
static int build_says_why(cl_program p, const struct cf_cl_device *dev)
{
    size_t n = 0;
    clGetProgramBuildInfo(p, dev->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &n);
    char *log = cf_malloc(n + 1);
    if (!log) return 1;
    log[0] = '\0';
    clGetProgramBuildInfo(p, dev->device, CL_PROGRAM_BUILD_LOG, n, log, NULL);
    log[n] = '\0';
    int why = strstr(log, "error") != NULL || strstr(log, "warning") != NULL;
    cf_free(log);
    return why;
}

static clinfer_status compiler_room(uint64_t need, const char *file, struct cf_diag *d)
{
    struct cf_mem_room r;
    cf_mem_room(&r);
    if (r.bytes >= need) return CLINFER_OK;
    return cf_fail(d, CLINFER_E_NOMEM,
                   "not enough memory to %s the kernel program cl/%s: the OpenCL compiler needs about %llu MiB, and %s "
                   "leaves %.0f MiB (raise the limit; programs once built load from the cache with about %llu MiB)",
                   need == CF_MEM_COMPILE_RESERVE ? "build" : "load", file ? file : "*.cl",
                   (unsigned long long)(need >> 20), r.limit, (double)r.bytes / 1048576.0,
                   (unsigned long long)(CF_MEM_LOAD_RESERVE >> 20));
}

const char *cf_cl_kernel_file(const char *kernel)
{
    char decl[160];
    snprintf(decl, sizeof decl, "__kernel void %s(", kernel);
    for (const struct cf_cl_source *s = cf_cl_sources + 1; s->name; s++)
        if (!is_specialized(s->name) && strstr(s->text, decl)) return s->name;
    return NULL;
}

/* Whether clinfer's cache keeps this device's program binaries. PoCL keeps a cache of its own (the code for each
 * work-group size the launches use), and making a binary for ours compiles every kernel of the program once more, a
 * generic work-group function that no launch uses: resnet18 at 224 starts from empty caches in 8.6 s without
 * binaries, 17.7 s with them; warm, 0.74 s against 0.39 s, a new batch size 0.81 s against 0.47 s (PoCL
 * preprocesses each program's source at every start).
 * So on PoCL clinfer builds from source and PoCL's cache serves (a binary already in clinfer's cache is still used);
 * on other drivers, whose binary is what they compiled, clinfer keeps them. $CLINFER_CL_BINARIES=1 or 0 decides. */
static int keep_binaries(const struct cf_cl_device *dev)
{
    const char *e = getenv("CLINFER_CL_BINARIES");
    if (e && *e) return strcmp(e, "0") != 0;
    return strstr(dev->platform_name, "Portable Computing Language") == NULL;
}

clinfer_status cf_cl_program_file(cl_context ctx, const struct cf_cl_device *dev, const char *file, const char *defines,
                                  cl_program *out, int *from_cache, struct cf_diag *d)
{
    *out = NULL;
    *from_cache = 0;
    struct cf_strbuf src = {0};
    clinfer_status st = gather_sources(&src, file, d);
    if (st) {
        cf_sb_free(&src);
        return st;
    }
    char opts[2048], key[4096], dir[1200], path[1400];
    build_options(opts, sizeof opts, dev);
    if (defines && *defines) snprintf(opts + strlen(opts), sizeof opts - strlen(opts), " %s", defines);
    uint64_t h = fnv(1469598103934665603ull, src.buf, src.len);
    snprintf(key, sizeof key, "src=%016llx|opts=%s|device=%s|driver=%s|platform=%s", (unsigned long long)h, opts,
             dev->name, dev->driver, dev->platform_name);
    for (char *p = key; *p; p++)
        if (*p == '\n') *p = ' ';
    int have_dir = cf_cl_cache_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%016llx.bin", dir,
             (unsigned long long)fnv(1469598103934665603ull, key, strlen(key)));
    cl_int err;
    size_t blen = 0;
    unsigned char *bin = have_dir ? cache_load(path, key, &blen) : NULL;
    /* the compiler runs in this process: under a memory limit too tight for it, LLVM aborts the process (a C++
     * exception no C caller can catch), so the room it needs is checked first */
    if ((st = compiler_room(bin ? CF_MEM_LOAD_RESERVE : CF_MEM_COMPILE_RESERVE, file, d))) {
        cf_free(bin);
        cf_sb_free(&src);
        return st;
    }
    if (bin) {
        const unsigned char *bins[1] = {bin};
        cl_int bst;
        cl_program p = clCreateProgramWithBinary(ctx, 1, &dev->device, &blen, bins, &bst, &err);
        cf_free(bin);
        if (p && err == CL_SUCCESS && bst == CL_SUCCESS && clBuildProgram(p, 1, &dev->device, opts, NULL, NULL) == CL_SUCCESS) {
            *out = p;
            *from_cache = 1;
            cf_sb_free(&src);
            return CLINFER_OK;
        }
        if (p) clReleaseProgram(p); /* refused by the driver: rebuild */
    }
    const char *text = src.buf;
    size_t tlen = src.len;
    cl_program p = NULL;
    for (int attempt = 0;; attempt++) {
        p = clCreateProgramWithSource(ctx, 1, &text, &tlen, &err);
        if (!p || err != CL_SUCCESS) {
            cf_sb_free(&src);
            return cf_cl_fail(d, "clCreateProgramWithSource", "cl/*.cl", err);
        }
        if ((err = clBuildProgram(p, 1, &dev->device, opts, NULL, NULL)) == CL_SUCCESS) break;
        if (err != CL_BUILD_PROGRAM_FAILURE || attempt == 2 || build_says_why(p, dev)) {
            st = build_log(p, dev, file ? file : "*.cl", err, d);
            clReleaseProgram(p);
            cf_sb_free(&src);
            return st;
        }
        clReleaseProgram(p); /* a failure without a reason: again, after a moment */
        struct timespec pause = {0, 100000000L * (attempt + 1)};
        nanosleep(&pause, NULL);
    }
    cf_sb_free(&src);
    size_t size = 0;
    if (have_dir && keep_binaries(dev) && clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) == CL_SUCCESS && size > 0) {
        unsigned char *b = cf_malloc(size);
        unsigned char *bins[1] = {b};
        if (b && clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof bins, bins, NULL) == CL_SUCCESS)
            cache_store(path, key, b, size);
        cf_free(b);
    }
    *out = p;
    return CLINFER_OK;
}

clinfer_status cf_cl_program_shared(struct cf_cl_programs *tab, cl_context ctx, const struct cf_cl_device *dev,
                                    const char *file, const char *defines, cl_program *out, struct cf_diag *d)
{
    *out = NULL;
    char key[2048];
    snprintf(key, sizeof key, "%s|%s", file, defines ? defines : "");
    for (int i = 0; i < tab->n; i++)
        if (strcmp(tab->keys[i], key) == 0) {
            clRetainProgram(tab->p[i]);
            *out = tab->p[i];
            return CLINFER_OK;
        }
    if (tab->n == tab->cap) {
        int cap = tab->cap ? 2 * tab->cap : 16;
        char **keys = cf_realloc(tab->keys, sizeof *keys * (size_t)cap);
        if (keys) tab->keys = keys;
        cl_program *p = keys ? cf_realloc(tab->p, sizeof *p * (size_t)cap) : NULL;
        if (p) tab->p = p;
        if (!keys || !p) return cf_fail_oom(d);
        tab->cap = cap;
    }
    char *k = cf_strdup(key);
    if (!k) return cf_fail_oom(d);
    int cached;
    clinfer_status st = cf_cl_program_file(ctx, dev, file, defines, &tab->p[tab->n], &cached, d);
    if (st) {
        cf_free(k);
        return st;
    }
    tab->keys[tab->n] = k;
    clRetainProgram(tab->p[tab->n]);
    *out = tab->p[tab->n++];
    return CLINFER_OK;
}

void cf_cl_programs_release(struct cf_cl_programs *tab)
{
    for (int i = 0; i < tab->n; i++) {
        clReleaseProgram(tab->p[i]);
        cf_free(tab->keys[i]);
    }
    cf_free(tab->keys);
    cf_free(tab->p);
    memset(tab, 0, sizeof *tab);
}
