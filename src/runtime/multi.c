/* A session over several devices ("opencl:0,opencl:1", "all"): one session per device, each binding its share of
 * the batch and fitting its own memory; a run splits the images into contiguous shares in proportion to each
 * device's speed (measured when the session is made, then by every run), runs the shares at once (a thread per
 * device) and so writes each output in the caller's order. Profiling and layer-by-layer runs use the first device. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/strbuf.h"
#include "session.h"

#define MAX_DEVICES 64

int cf_multi_spec(const char *spec) { return strchr(spec, ',') != NULL || strcmp(spec, "all") == 0; }

void cf_multi_free(clinfer_session *s)
{
    for (int k = 0; k < s->n_peers; k++) clinfer_session_free(s->peer[k]);
    cf_free(s->peer);
    cf_free(s->speed);
    cf_free(s->images);
    cf_free(s->devices);
    s->peer = NULL;
    s->n_peers = 0;
}

static clinfer_session *part(clinfer_session *s, int k) { return k ? s->peer[k - 1] : s; }

/* One device's share of a run, on its own thread (its own diagnostic: the others may fail at once). */
struct job {
    clinfer_session *s;
    int64_t first, count;
    const float *const *inputs;
    float *const *outputs;
    double ms;
    struct cf_diag d;
    clinfer_status st;
};

static void *job_run(void *arg)
{
    struct job *j = arg;
    double t0 = cf_now_ms();
    j->st = j->count ? cf_session_span(j->s, j->first, j->count, j->inputs, j->outputs, NULL, &j->d) : CLINFER_OK;
    j->ms = cf_now_ms() - t0;
    return NULL;
}

/* Runs every job at once: the first on this thread, the others on theirs (or here, one after the other, when a
 * thread cannot start). Reports the first device's failure that happened, in device order. */
static clinfer_status run_jobs(clinfer_session *s, struct job *jobs, int n, struct cf_diag *d)
{
    pthread_t th[MAX_DEVICES];
    int started[MAX_DEVICES] = {0};
    for (int k = 1; k < n; k++) started[k] = pthread_create(&th[k], NULL, job_run, &jobs[k]) == 0;
    job_run(&jobs[0]);
    for (int k = 1; k < n; k++) {
        if (started[k]) pthread_join(th[k], NULL);
        else job_run(&jobs[k]);
    }
    for (int k = 0; k < n; k++)
        if (jobs[k].st) {
            char line[256];
            const char *desc = part(s, k)->be->describe(part(s, k)->state);
            snprintf(line, sizeof line, "%s", desc);
            line[strcspn(line, "\n")] = '\0';
            return cf_fail(d, jobs[k].st, "device %d of %d (%s): %s", k, n, line, jobs[k].d.msg);
        }
    return CLINFER_OK;
}

/* Each device's speed: three passes at once of a few images of zeros, the first to warm the device up, the quicker
 * of the other two timed (the least disturbed by whatever else the machine runs). */
static clinfer_status measure(clinfer_session *s, struct cf_diag *d)
{
    int n = 1 + s->n_peers, n_in = s->g->n_inputs;
    struct job jobs[MAX_DEVICES];
    size_t most = 1;
    for (int k = 0; k < n; k++)
        for (int i = 0; i < n_in; i++) {
            const clinfer_session *p = part(s, k);
            if (p->plan.bytes[p->g->inputs[i]] > most) most = p->plan.bytes[p->g->inputs[i]];
        }
    /* every input of every device reads the same zeros */
    float *zeros = cf_calloc(1, most);
    const float **in = cf_calloc((size_t)n_in + 1, sizeof *in);
    clinfer_status st = zeros && in ? CLINFER_OK : cf_fail_oom(d);
    for (int i = 0; in && i < n_in; i++) in[i] = zeros;
    for (int k = 0; k < n; k++) {
        clinfer_session *p = part(s, k);
        jobs[k] = (struct job){p, 0, p->sub < 8 ? p->sub : 8, (const float *const *)in, NULL, 0, {0}, CLINFER_OK};
    }
    double best[MAX_DEVICES];
    for (int round = 0; round < 3 && !st; round++) {
        st = run_jobs(s, jobs, n, d);
        for (int k = 0; k < n; k++)
            if (round == 1 || (round == 2 && jobs[k].ms < best[k])) best[k] = jobs[k].ms;
    }
    for (int k = 0; k < n && !st; k++) s->speed[k] = (double)jobs[k].count / (best[k] > 1e-3 ? best[k] : 1e-3);
    cf_free(zeros);
    cf_free(in);
    return st;
}

clinfer_status cf_multi_new(const clinfer_model *model, const clinfer_session_options *opts, clinfer_session **out,
                            struct cf_diag *d)
{
    double t0 = cf_now_ms();
    char all[4096];
    const char *spec = opts->device;
    if (strcmp(spec, "all") == 0) {
        clinfer_status st = cf_opencl_all(all, sizeof all, d);
        if (st) return st;
        spec = all;
    }
    /* the names, each checked before any device starts */
    char names[MAX_DEVICES][256];
    int n = 0;
    for (const char *p = spec;; n++) {
        while (*p == ' ') p++;
        size_t len = strcspn(p, ",");
        while (len && p[len - 1] == ' ') len--;
        if (n == MAX_DEVICES) return cf_fail(d, CLINFER_E_ARG, "device '%s': more than %d devices", spec, MAX_DEVICES);
        if (len == 0 || len >= sizeof names[0])
            return cf_fail(d, CLINFER_E_ARG, "device '%s': an empty or over-long name in the list", spec);
        memcpy(names[n], p, len);
        names[n][len] = '\0';
        if (cf_multi_spec(names[n])) return cf_fail(d, CLINFER_E_ARG, "device '%s': 'all' is not one device", spec);
        p += len;
        while (*p == ' ') p++;
        if (!*p) {
            n++;
            break;
        }
        p++; /* the comma */
    }
    /* each device binds an even share of the batch (its sub-batch, fitted to its memory, may be smaller) */
    clinfer_session_options one = *opts;
    one.batch = (opts->batch + n - 1) / n;
    clinfer_session *s = NULL;
    clinfer_status st = cf_session_new_one(model, &one, names[0], &s, d);
    if (st) {
        char why[sizeof d->msg];
        memcpy(why, d->msg, sizeof why);
        return cf_fail(d, st, "device 0 of %d (%s): %s", n, names[0], why);
    }
    if (!cf_session_splittable(s, s->sub)) {
        clinfer_session_free(s);
        return cf_fail(d, CLINFER_E_ARG,
                       "device '%s': this model cannot share its batch among devices (an input or output does not "
                       "carry the batch first)",
                       spec);
    }
    struct cf_strbuf text = {0};
    if (!(s->peer = cf_calloc((size_t)n, sizeof *s->peer)) || !(s->speed = cf_calloc((size_t)n, sizeof *s->speed)) ||
        !(s->images = cf_calloc((size_t)n, sizeof *s->images))) {
        st = cf_fail_oom(d);
        goto fail;
    }
    for (int k = 1; k < n; k++) {
        if ((st = cf_session_new_one(model, &one, names[k], &s->peer[k - 1], d))) {
            char why[sizeof d->msg];
            memcpy(why, d->msg, sizeof why);
            st = cf_fail(d, st, "device %d of %d (%s): %s", k, n, names[k], why);
            goto fail;
        }
        s->n_peers = k;
    }
    if ((st = measure(s, d))) goto fail;
    for (int k = 0; k < n; k++) {
        char line[512];
        snprintf(line, sizeof line, "%s", part(s, k)->be->describe(part(s, k)->state));
        line[strcspn(line, "\n")] = '\0';
        cf_sb_printf(&text, "%s%s", k ? "\n" : "", line);
    }
    if (!(s->devices = cf_sb_take(&text))) {
        st = cf_fail_oom(d);
        goto fail;
    }
    s->batch = opts->batch;
    s->setup_ms = cf_now_ms() - t0;
    s->tune_ms = 0;
    s->tune_left = 0;
    for (int k = 0; k < n; k++) s->tune_ms += part(s, k)->tune_ms, s->tune_left += part(s, k)->tune_left;
    *out = s;
    return CLINFER_OK;
fail:
    cf_free(cf_sb_take(&text));
    clinfer_session_free(s);
    return st;
}

/* Shares of count in proportion to the speeds (the largest remainders round up); in device order. */
static void shares(const double *speed, int n, int64_t count, int64_t *share)
{
    double total = 0;
    for (int k = 0; k < n; k++) total += speed[k];
    int64_t given = 0;
    double frac[MAX_DEVICES];
    for (int k = 0; k < n; k++) {
        double exact = total > 0 ? (double)count * speed[k] / total : (double)count / n;
        share[k] = (int64_t)exact;
        frac[k] = exact - (double)share[k];
        given += share[k];
    }
    while (given < count) {
        int best = 0;
        for (int k = 1; k < n; k++)
            if (frac[k] > frac[best]) best = k;
        share[best]++;
        frac[best] = -1;
        given++;
    }
}

clinfer_status cf_multi_span(clinfer_session *s, int64_t first, int64_t count, const float *const *inputs,
                             float *const *outputs, struct cf_diag *d)
{
    int n = 1 + s->n_peers;
    int64_t share[MAX_DEVICES];
    shares(s->speed, n, count, share);
    struct job jobs[MAX_DEVICES];
    for (int k = 0; k < n; k++) {
        jobs[k] = (struct job){part(s, k), first, share[k], inputs, outputs, 0, {0}, CLINFER_OK};
        first += share[k];
    }
    clinfer_status st = run_jobs(s, jobs, n, d);
    for (int k = 0; k < n; k++) {
        s->images[k] = st ? 0 : share[k];
        /* each run's speeds, averaged with what was known (one disturbed run moves a share only half way) */
        if (!st && share[k] > 0 && jobs[k].ms > 0) s->speed[k] = 0.5 * s->speed[k] + 0.5 * (double)share[k] / jobs[k].ms;
    }
    return st;
}
