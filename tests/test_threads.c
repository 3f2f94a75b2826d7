/* Many threads, many processes: sessions on one model in 8 threads give bit-identical results to a
 * single-threaded run (8 threads x 50 runs, on the reference backend and on PoCL), and the kernel-program cache
 * survives four processes filling it at once. */
#include "helpers.h"

#include <dirent.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

enum { THREADS = 8, RUNS = 50 };

struct job {
    const clinfer_model *model;
    const char *device;
    const float *input;
    const float *want; /* the single-threaded output */
    int64_t out_elems;
    int mismatches, failed;
    char err[512];
};

static float *input_of(const clinfer_model *m, const char *device, int64_t *in_elems, int64_t *out_elems)
{
    clinfer_context *ctx;
    cr_assert_eq(clinfer_context_new(&ctx), CLINFER_OK);
    clinfer_session_options o = {.device = device, .batch = 2, .seed = 7};
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    int64_t d[8];
    int r = clinfer_session_input_shape(s, 0, d);
    *in_elems = 1;
    for (int i = 0; i < r; i++) *in_elems *= d[i];
    r = clinfer_session_output_shape(s, 0, d);
    *out_elems = 1;
    for (int i = 0; i < r; i++) *out_elems *= d[i];
    clinfer_session_free(s);
    clinfer_context_free(ctx);
    float *x = malloc(sizeof *x * (size_t)*in_elems);
    for (int64_t i = 0; i < *in_elems; i++) x[i] = (float)((i * 7919) % 1000) / 500.0f - 1.0f;
    return x;
}

/* One session of its own (own context), RUNS runs, each compared bit for bit with want. */
static void *worker(void *arg)
{
    struct job *j = arg;
    clinfer_context *ctx = NULL;
    clinfer_session *s = NULL;
    float *y = malloc(sizeof *y * (size_t)j->out_elems);
    clinfer_session_options o = {.device = j->device, .batch = 2, .seed = 7};
    if (!y || clinfer_context_new(&ctx) || clinfer_session_new(ctx, j->model, &o, &s)) {
        j->failed = 1;
        snprintf(j->err, sizeof j->err, "%s", ctx ? clinfer_context_errmsg(ctx) : "no context");
    }
    for (int r = 0; r < RUNS && !j->failed; r++) {
        memset(y, 0xff, sizeof *y * (size_t)j->out_elems);
        if (clinfer_session_run(ctx, s, (const float *const[]){j->input}, (float *const[]){y})) {
            j->failed = 1;
            snprintf(j->err, sizeof j->err, "%s", clinfer_context_errmsg(ctx));
        } else if (memcmp(y, j->want, sizeof *y * (size_t)j->out_elems) != 0)
            j->mismatches++;
    }
    clinfer_session_free(s);
    clinfer_context_free(ctx);
    free(y);
    return NULL;
}

static void threads_match_one_thread(const char *device)
{
    char err[512];
    char *text = read_file(CLINFER_SOURCE_DIR "/examples/branches.py");
    clinfer_model *m = load_script(text, err, sizeof err);
    free(text);
    cr_assert_not_null(m, "%s", err);
    int64_t in_elems, out_elems;
    float *x = input_of(m, device, &in_elems, &out_elems);
    float *want = malloc(sizeof *want * (size_t)out_elems);
    /* single-threaded */
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_session_options o = {.device = device, .batch = 2, .seed = 7};
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    cr_assert_eq(clinfer_session_run(ctx, s, (const float *const[]){x}, (float *const[]){want}), CLINFER_OK);
    clinfer_session_free(s);
    clinfer_context_free(ctx);
    struct job jobs[THREADS];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (struct job){m, device, x, want, out_elems, 0, 0, ""};
        cr_assert_eq(pthread_create(&t[i], NULL, worker, &jobs[i]), 0);
    }
    int mismatches = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        cr_expect_eq(jobs[i].failed, 0, "%s thread %d failed: %s", device, i, jobs[i].err);
        mismatches += jobs[i].mismatches;
    }
    cr_expect_eq(mismatches, 0, "%s: %d of %d runs in %d threads differ from the single-threaded run", device,
                 mismatches, THREADS * RUNS, THREADS);
    free(x);
    free(want);
    clinfer_model_free(m);
}

Test(threads, eight_threads_fifty_runs_each_on_ref) { threads_match_one_thread("ref"); }
Test(threads, eight_threads_fifty_runs_each_on_pocl) { threads_match_one_thread(test_device()); }

/* Four processes build the same kernel programs into an empty cache at once; every entry left is whole (its
 * header's length is the rest of the file), no temporary file is left behind, and a later process builds its
 * session from it. */
Test(threads, program_cache_survives_concurrent_writers, .timeout = 600)
{
    setenv("CLINFER_CL_BINARIES", "1", 1); /* clinfer's cache of program binaries, which it keeps on PoCL only when told */
    char dir[64] = "/tmp/clinfer-cache-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    setenv("XDG_CACHE_HOME", dir, 1);
    char err[512];
    char *text = read_file(CLINFER_SOURCE_DIR "/examples/branches.py");
    clinfer_model *m = load_script(text, err, sizeof err);
    free(text);
    cr_assert_not_null(m, "%s", err);
    enum { PROCS = 4 };
    pid_t kids[PROCS];
    for (int k = 0; k < PROCS; k++) {
        kids[k] = fork();
        cr_assert_geq(kids[k], 0);
        if (kids[k] == 0) { /* OpenCL is first touched after the fork */
            clinfer_context *ctx;
            clinfer_session *s = NULL;
            clinfer_session_options o = {.device = test_device(), .batch = 1, .seed = 7};
            if (clinfer_context_new(&ctx) || clinfer_session_new(ctx, m, &o, &s)) {
                fprintf(stderr, "writer %d: %s\n", k, clinfer_context_errmsg(ctx));
                _exit(1);
            }
            _exit(0);
        }
    }
    for (int k = 0; k < PROCS; k++) {
        int status = 0;
        waitpid(kids[k], &status, 0);
        cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d failed (%s %d)", k,
                  WIFEXITED(status) ? "exit status" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    }
    char sub[128];
    snprintf(sub, sizeof sub, "%s/clinfer", dir);
    DIR *dp = opendir(sub);
    cr_assert_not_null(dp, "no cache folder %s", sub);
    int entries = 0;
    for (struct dirent *e; (e = readdir(dp));) {
        if (e->d_name[0] == '.') continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", sub, e->d_name);
        if (strncmp(e->d_name, "tune-", 5) == 0) continue;
        size_t n = strlen(e->d_name);
        cr_expect(n > 4 && strcmp(e->d_name + n - 4, ".bin") == 0, "a temporary file was left behind: %s", e->d_name);
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f);
        char magic[64], key[4096];
        size_t len = 0;
        unsigned long long sum;
        cr_assert(fgets(magic, sizeof magic, f) && fgets(key, sizeof key, f) && fscanf(f, "%zu %llx\n", &len, &sum) == 2,
                  "%s: no header", e->d_name);
        cr_expect_str_eq(magic, "CLINFER-PROGRAM-1\n");
        long at = ftell(f);
        fseek(f, 0, SEEK_END);
        cr_expect_eq((size_t)(ftell(f) - at), len, "%s: %ld bytes after the header, the header says %zu", e->d_name,
                     ftell(f) - at, len);
        fclose(f);
        entries++;
    }
    closedir(dp);
    cr_expect_gt(entries, 0, "the writers left no cache entry");
    /* a later process (this one) runs from the cache */
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_session_options o = {.device = test_device(), .batch = 1, .seed = 7};
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    clinfer_session_free(s);
    clinfer_context_free(ctx);
    clinfer_model_free(m);
}
