/* Sessions: bind the batch, plan the buffers, make the weights, prepare a backend, and run. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../passes/passes.h"
#include "../util/alloc.h"
#include "../util/memlimit.h"
#include "session.h"


double cf_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void clinfer_session_free(clinfer_session *s)
{
    if (!s) return;
    cf_multi_free(s);
    if (s->be && s->state) s->be->release(s->state);
    cf_weights_free(&s->w);
    cf_plan_free(&s->plan);
    cf_graph_free(s->g);
    cf_free(s->layer_node);
    cf_free(s->node_layer);
    cf_free(s);
}

/* Node i's bytes per image when it carries the batch first; 0 when it does not (a constant). */
static size_t per_image(const clinfer_session *s, int i)
{
    const struct cf_node *n = &s->g->nodes[i];
    return n->out.rank > 0 && n->out.d[0] == s->sub ? s->plan.bytes[i] / (size_t)s->sub : 0;
}

/* The graph with `batch` bound, its weights, and its buffer plan. */
static clinfer_status setup(const clinfer_model *model, const clinfer_session_options *opts, int64_t batch,
                            clinfer_session *s, struct cf_diag *d)
{
    clinfer_status st;
    /* (its weights come from the model's graph below: the clone copies no values) */
    if (!(s->g = cf_graph_clone_without_values(cf_api_graph(model)))) return cf_fail_oom(d);
    if ((st = cf_infer_shapes(s->g, batch, d))) return st;
    cf_count(s->g);
    /* the batch binds the inputs whose first dimension is None; the others keep what they declare */
    for (int k = 0; k < s->g->n_inputs; k++) {
        const struct cf_node *in = &s->g->nodes[s->g->inputs[k]];
        for (int r = 1; r < in->out.rank; r++)
            if (in->out.d[r] < 0)
                return cf_fail_at(d, in->loc, CLINFER_E_UNSUPPORTED,
                                  "input '%s' has an unknown dimension besides the batch; clinfer runs fixed-size "
                                  "inputs: declare the full shape",
                                  in->name);
    }
    if ((st = cf_weights_init_from(s->g, cf_api_graph(model),
                                   opts->init == CLINFER_INIT_RANDOM ? CF_INIT_RANDOM : CF_INIT_KERAS, opts->seed, &s->w,
                                   d)))
        return st;
    if (opts->weights && (st = cf_weights_load(s->g, opts->weights, &s->w, d))) return st;
    /* 1-D layers run as their 2-D ops of height 1 */
    s->n_layers = s->g->n_nodes;
    if (!(s->layer_node = cf_malloc(sizeof(int) * (size_t)(s->n_layers + 1)))) return cf_fail_oom(d);
    if ((st = cf_lower_1d(&s->g, &s->w, s->layer_node, d))) return st;
    if ((st = cf_lower_affine(s->g, &s->w, d))) return st;
    if (s->g->n_nodes != s->n_layers) {
        if ((st = cf_infer_shapes(s->g, batch, d))) return st;
        cf_count(s->g);
    }
    if (!(s->node_layer = cf_malloc(sizeof(int) * (size_t)(s->g->n_nodes + 1)))) return cf_fail_oom(d);
    for (int j = 0; j < s->g->n_nodes; j++) s->node_layer[j] = -1;
    for (int i = 0; i < s->n_layers; i++) s->node_layer[s->layer_node[i]] = i;
    /* a Pad or Transpose that changes nothing is a view; BatchNormalization after a Conv goes into the Conv's
     * weights, x · Sigmoid(x) becomes a SiLU and x · HardSigmoid(x) a hard-swish, an activation and a max pool after a Conv into its epilogue;
     * the plan then sees views */
    cf_fold_noops(s->g);
    if (cf_fold_batch_norm(s->g, &s->w) < 0 || cf_fold_gates(s->g) < 0 || cf_fold_activation(s->g) < 0 ||
        cf_fold_pool(s->g) < 0)
        return cf_fail_oom(d);
    return cf_plan_buffers(s->g, 64, 0, &s->plan, d);
}

struct setup_job {
    const clinfer_model *model;
    const clinfer_session_options *opts;
    int64_t batch;
    clinfer_session *s;
    struct cf_diag d; /* its own: the other thread may fail at the same time */
    clinfer_status st;
};

static void *setup_thread(void *arg)
{
    struct setup_job *j = arg;
    j->st = setup(j->model, j->opts, j->batch, j->s, &j->d);
    return NULL;
}

static void unsetup(clinfer_session *s)
{
    cf_weights_free(&s->w);
    cf_plan_free(&s->plan);
    cf_graph_free(s->g);
    cf_free(s->layer_node);
    cf_free(s->node_layer);
    memset(&s->w, 0, sizeof s->w);
    memset(&s->plan, 0, sizeof s->plan);
    s->g = NULL;
    s->layer_node = s->node_layer = NULL;
}

static uint64_t weight_bytes(const struct cf_weights *w);

/* The node model layer i runs as; -1 for no such layer. */
static int node_of(const clinfer_session *s, int i) { return s && i >= 0 && i < s->n_layers ? s->layer_node[i] : -1; }

uint64_t cf_session_weight_bytes(const clinfer_session *s)
{
    uint64_t b = 0;
    for (int k = 0; s && k <= s->n_peers; k++) b += weight_bytes(&(k ? s->peer[k - 1] : s)->w);
    return b;
}

static uint64_t weight_bytes(const struct cf_weights *w)
{
    uint64_t b = 0;
    for (int i = 0; i < w->n_nodes; i++)
        for (int k = 0; k < w->count[i]; k++) {
            uint64_t e = 1;
            for (int r = 0; r < w->t[i][k].desc.rank; r++) e *= (uint64_t)w->t[i][k].desc.dims[r];
            b += e * sizeof(float);
        }
    return b;
}

/* The memory a session may take: the device's (its largest buffer, its whole), and the host's room under the
 * process's limits (ulimit -v, the cgroup's), which the arena takes from when the device's memory is the host's, and
 * which the OpenCL runtime needs its share of. (The device's copies of weights do not change with the batch: when
 * they do not fit, their allocation fails with a message.) */
struct budget {
    uint64_t max_buffer, total;
    struct cf_mem_room room;
    int host;              /* the device's memory is the host's */
    const char *whose;     /* the device, or max_memory */
};

static uint64_t host_need(const clinfer_session *s, const struct budget *b)
{
    return (b->host ? s->plan.arena_bytes : 0) + CF_MEM_RUN_RESERVE;
}

/* Whether the set-up session fits: its activations in one buffer, with its weights in the whole, and in the host's
 * room. */
static int fits(const clinfer_session *s, const struct budget *b)
{
    uint64_t arena = s->plan.arena_bytes;
    return arena <= b->max_buffer && arena + weight_bytes(&s->w) <= b->total && host_need(s, b) <= b->room.bytes;
}

/* Whether every input and output carries the batch first, so that sub-batches are independent runs. */
int cf_session_splittable(const clinfer_session *s, int64_t sub)
{
    for (int k = 0; k < s->g->n_inputs; k++)
        if (s->g->nodes[s->g->inputs[k]].out.d[0] != sub) return 0;
    for (int k = 0; k < s->g->n_outputs; k++)
        if (s->g->nodes[s->g->outputs[k]].out.d[0] != sub) return 0;
    return 1;
}

/* "1.5 MiB", "12.0 KiB", "3.2 GiB" */
struct size_text {
    char s[32];
};
static struct size_text size_text(uint64_t b)
{
    struct size_text t;
    if (b >= ((uint64_t)1 << 30)) snprintf(t.s, sizeof t.s, "%.1f GiB", (double)b / (double)(1u << 30));
    else if (b >= ((uint64_t)1 << 20)) snprintf(t.s, sizeof t.s, "%.1f MiB", (double)b / (double)(1u << 20));
    else snprintf(t.s, sizeof t.s, "%.1f KiB", (double)b / 1024.0);
    return t;
}

/* Binds the largest sub-batch (at most the batch) whose activations and weights fit the memory; a smaller one
 * than the batch when it must. Fails, with the sizes, when one image does not fit. */
static clinfer_status fit_batch(const clinfer_model *model, const clinfer_session_options *opts, const char *spec,
                                clinfer_session *s, struct cf_diag *d)
{
    struct budget b = {UINT64_MAX, UINT64_MAX, {0}, 1, "the device"};
    int64_t sub = opts->batch;
    /* the first setup (the weights: tens of MB made or read) runs beside the backend's device query (PoCL's start:
     * ~30 ms of loading LLVM), which stays on this thread */
    struct setup_job job = {model, opts, sub, s, {0}, CLINFER_OK};
    pthread_t worker;
    int threaded = s->be->memory && pthread_create(&worker, NULL, setup_thread, &job) == 0;
    if (!threaded) setup_thread(&job);
    clinfer_status st = s->be->memory ? s->be->memory(spec, &b.max_buffer, &b.total, &b.host, d) : CLINFER_OK;
    if (threaded) pthread_join(worker, NULL);
    if (st) return st; /* (the session's free releases what the setup made) */
    if (job.st) { /* (the failure's words; the context's own hooks stay) */
        d->status = job.d.status;
        memcpy(d->msg, job.d.msg, sizeof d->msg);
        return job.st;
    }
    if (opts->max_memory && opts->max_memory < b.total) {
        b.total = opts->max_memory;
        b.whose = "the session's max_memory";
    }
    if (b.max_buffer > b.total) b.max_buffer = b.total;
    /* (measured now: the weights and the device's start are in what the process holds) */
    cf_mem_room(&b.room);
    while (!fits(s, &b)) {
        uint64_t arena = s->plan.arena_bytes, weights = weight_bytes(&s->w);
        if (sub == 1) {
            if (host_need(s, &b) > b.room.bytes)
                return cf_fail(d, CLINFER_E_NOMEM,
                               "one image does not fit the memory limit: it needs %s of activations and about %s for "
                               "the runtime; %s leaves %s",
                               size_text(b.host ? arena : 0).s, size_text(CF_MEM_RUN_RESERVE).s, b.room.limit,
                               size_text(b.room.bytes).s);
            return cf_fail(d, CLINFER_E_NOMEM,
                           "one image does not fit: it needs %s of activations in one buffer and %s of weights (%s "
                           "in all); %s allows %s in all and %s per buffer",
                           size_text(arena).s, size_text(weights).s, size_text(arena + weights).s, b.whose,
                           size_text(b.total).s, size_text(b.max_buffer).s);
        }
        /* activations grow with the batch: aim at the share that fits, then step down until it does */
        uint64_t room = b.total > weights ? b.total - weights : 0;
        if (room > b.max_buffer) room = b.max_buffer;
        if (b.host && b.room.bytes != UINT64_MAX) { /* the host's room, less what does not grow with the batch */
            uint64_t fixed = host_need(s, &b) - arena, host_room = b.room.bytes > fixed ? b.room.bytes - fixed : 0;
            if (host_room < room) room = host_room;
        }
        int64_t guess = arena ? (int64_t)((double)sub * (double)room / (double)arena) : 1;
        sub = guess >= sub ? sub - 1 : guess < 1 ? 1 : guess;
        unsetup(s);
        if ((st = setup(model, opts, sub, s, d))) return st;
        if (!cf_session_splittable(s, sub))
            return cf_fail(d, CLINFER_E_NOMEM,
                           "the batch of %lld does not fit (%s allows %s), and this model cannot run in "
                           "sub-batches (an input or output does not carry the batch first)",
                           (long long)opts->batch, b.whose, size_text(b.total).s);
    }
    s->sub = sub;
    return CLINFER_OK;
}

clinfer_status cf_session_new_one(const clinfer_model *model, const clinfer_session_options *opts, const char *spec,
                                  clinfer_session **out, struct cf_diag *d)
{
    *out = NULL;
    double t0 = cf_now_ms();
    const struct cf_backend *be = NULL;
    if (strcmp(spec, "ref") == 0) be = &cf_backend_ref;
    else if (strncasecmp(spec, "opencl", 6) == 0 && (spec[6] == '\0' || spec[6] == ':')) be = &cf_backend_opencl;
    else
        return cf_fail(d, CLINFER_E_ARG,
                       "unknown device '%s': use ref, opencl, opencl:N, opencl:<part of a device name>, a list of "
                       "them (opencl:0,opencl:1) or all (`clinfer devices` lists them)",
                       spec);
    clinfer_session *s = cf_calloc(1, sizeof *s);
    if (!s) return cf_fail_oom(d);
    s->be = be;
    s->batch = opts->batch;
    clinfer_status st = fit_batch(model, opts, spec, s, d);
    if (st) goto fail;
    s->exec = (struct cf_exec){s->g, &s->plan, &s->w, (int)opts->tune, opts->algo, 0, &s->tune_ms, &s->tune_left};
    if ((st = be->prepare(&s->exec, spec, &s->state, d))) {
        s->state = NULL;
        goto fail;
    }
    s->setup_ms = cf_now_ms() - t0;
    *out = s;
    return CLINFER_OK;
fail:
    clinfer_session_free(s);
    return st;
}

clinfer_status clinfer_session_new(clinfer_context *ctx, const clinfer_model *model,
                                   const clinfer_session_options *opts, clinfer_session **out)
{
    if (out) *out = NULL;
    if (cf_api_begin(ctx)) return CLINFER_E_ARG;
    struct cf_diag *d = cf_api_diag(ctx);
    if (!model || !opts || !out) return cf_fail(d, CLINFER_E_ARG, "clinfer_session_new: NULL argument");
    if (opts->batch < 1) return cf_fail(d, CLINFER_E_ARG, "the batch must be positive, got %lld", (long long)opts->batch);
    if (opts->init != CLINFER_INIT_KERAS && opts->init != CLINFER_INIT_RANDOM)
        return cf_fail(d, CLINFER_E_ARG, "clinfer_session_new: init %d is not a clinfer_init", (int)opts->init);
    if (opts->tune != CLINFER_TUNE_NONE && opts->tune != CLINFER_TUNE_FAST && opts->tune != CLINFER_TUNE_FULL)
        return cf_fail(d, CLINFER_E_ARG, "clinfer_session_new: tune %d is not a clinfer_tune", (int)opts->tune);
    if (cf_algo_spec_check(opts->algo, d)) return d->status;
    const char *spec = opts->device ? opts->device : "ref";
    if (cf_multi_spec(spec)) return cf_multi_new(model, opts, out, d);
    return cf_session_new_one(model, opts, spec, out, d);
}

static const struct cf_node *io_node(const clinfer_session *s, int i, int output)
{
    if (!s || i < 0 || i >= (output ? s->g->n_outputs : s->g->n_inputs)) return NULL;
    return &s->g->nodes[output ? s->g->outputs[i] : s->g->inputs[i]];
}

int clinfer_session_input_count(const clinfer_session *s) { return s ? s->g->n_inputs : 0; }
int clinfer_session_output_count(const clinfer_session *s) { return s ? s->g->n_outputs : 0; }

/* (with the whole batch first, also when the session runs it in sub-batches) */
static int shape_of(const clinfer_session *s, const struct cf_node *n, int64_t dims[CLINFER_MAX_RANK])
{
    if (!n) return 0;
    for (int k = 0; dims && k < n->out.rank; k++) dims[k] = n->out.d[k];
    if (dims && n->out.rank > 0 && n->out.d[0] == s->sub) dims[0] = s->batch;
    return n->out.rank;
}

int clinfer_session_input_shape(const clinfer_session *s, int i, int64_t dims[CLINFER_MAX_RANK]) { return shape_of(s, io_node(s, i, 0), dims); }
int clinfer_session_output_shape(const clinfer_session *s, int i, int64_t dims[CLINFER_MAX_RANK]) { return shape_of(s, io_node(s, i, 1), dims); }

const char *clinfer_session_input_name(const clinfer_session *s, int i)
{
    const struct cf_node *n = io_node(s, i, 0);
    return n ? n->name : NULL;
}

const char *clinfer_session_output_name(const clinfer_session *s, int i)
{
    const struct cf_node *n = io_node(s, i, 1);
    return n ? n->name : NULL;
}

int64_t clinfer_session_layer_elems(const clinfer_session *s, int layer)
{
    int i = node_of(s, layer);
    if (i < 0) return 0;
    size_t row = per_image(s, i);
    return (int64_t)((row ? row * (size_t)s->batch : s->plan.bytes[i]) / sizeof(float));
}

int64_t clinfer_session_sub_batch(const clinfer_session *s)
{
    int64_t sub = 0;
    for (int k = 0; s && k <= s->n_peers; k++) sub += k ? s->peer[k - 1]->sub : s->sub;
    return sub;
}

const char *clinfer_session_device(const clinfer_session *s)
{
    return !s ? "" : s->devices ? s->devices : s->be->describe(s->state);
}
double clinfer_session_setup_ms(const clinfer_session *s) { return s ? s->setup_ms : 0; }
double clinfer_session_tune_ms(const clinfer_session *s) { return s ? s->tune_ms : 0; }
int clinfer_session_tune_left(const clinfer_session *s) { return s ? s->tune_left : 0; }

void clinfer_session_layer_algo(const clinfer_session *s, int layer, char *out, size_t size)
{
    if (!out || !size) return;
    int i = node_of(s, layer);
    if (i < 0) {
        out[0] = '\0';
        return;
    }
    enum cf_op op = s->g->nodes[i].op;
    if (cf_op_has(op, CF_T_INPUT)) snprintf(out, size, "input");
    else if (cf_op_has(op, CF_T_VIEW)) snprintf(out, size, "view");
    else s->be->algo(s->state, i, out, size);
}

int clinfer_session_layer_launch(const clinfer_session *s, int layer, size_t global[3], size_t local[3])
{
    int i = node_of(s, layer);
    if (i < 0 || !global || !local || !s->be->launch) return 0;
    return s->be->launch(s->state, i, global, local);
}

static clinfer_status run(clinfer_context *ctx, clinfer_session *s, int64_t count, const float *const *inputs,
                          float *const *outputs, float *const *layers, int one_device, const char *fn);

/* (on the first device of several) */
clinfer_status clinfer_session_profile(clinfer_context *ctx, clinfer_session *s, const float *const *inputs, double *ms)
{
    if (cf_api_begin(ctx)) return CLINFER_E_ARG;
    if (!s || !ms) return cf_fail(cf_api_diag(ctx), CLINFER_E_ARG, "clinfer_session_profile: NULL argument");
    s->exec.profile = 1;
    clinfer_status st = run(ctx, s, s->batch, inputs, NULL, NULL, 1, "clinfer_session_profile");
    s->exec.profile = 0;
    for (int i = 0; i < s->n_layers; i++) {
        int j = s->layer_node[i];
        ms[i] = cf_op_runs(s->g->nodes[j].op) ? s->be->node_ms(s->state, j) : 0;
    }
    return st;
}

size_t clinfer_session_arena_bytes(const clinfer_session *s, size_t *naive_bytes)
{
    size_t arena = 0, naive = 0;
    for (int k = 0; s && k <= s->n_peers; k++) {
        const clinfer_session *p = k ? s->peer[k - 1] : s;
        arena += p->plan.arena_bytes;
        naive += p->plan.naive_bytes;
    }
    if (naive_bytes) *naive_bytes = naive;
    return arena;
}

/* One pass over images [first, first + count) of the batch (count <= the sub-batch). */
static clinfer_status pass_queue(clinfer_session *s, int64_t first, int64_t count, const float *const *inputs,
                                 float *const *outputs, float *const *layers, struct cf_diag *d)
{
    const struct cf_graph *g = s->g;
    clinfer_status st;
    for (int k = 0; k < g->n_inputs; k++) {
        int n = g->inputs[k];
        size_t row = per_image(s, n);
        if (!inputs[k]) return cf_fail(d, CLINFER_E_ARG, "input %d is NULL", k);
        if ((st = s->be->write(s->state, s->plan.offset[n], inputs[k] + (size_t)first * row / sizeof(float),
                               row ? row * (size_t)count : s->plan.bytes[n], d)))
            return st;
    }
    for (int i = 0; i < g->n_nodes; i++) {
        enum cf_op op = g->nodes[i].op;
        if (cf_op_runs(op) && (st = s->be->run_node(s->state, i, d))) return st;
        size_t row = per_image(s, i);
        int l = s->node_layer[i];
        if (layers && l >= 0 && layers[l] && (row || first == 0) &&
            (st = s->be->read(s->state, s->plan.offset[i], layers[l] + (size_t)first * row / sizeof(float),
                              row ? row * (size_t)count : s->plan.bytes[i], d)))
            return st;
    }
    for (int k = 0; outputs && k < g->n_outputs; k++) {
        int n = g->outputs[k];
        size_t row = per_image(s, n);
        if (outputs[k] && (st = s->be->read(s->state, s->plan.offset[n], outputs[k] + (size_t)first * row / sizeof(float),
                                            row ? row * (size_t)count : s->plan.bytes[n], d)))
            return st;
    }
    return CLINFER_OK;
}

/* ... and then waits for the backend, on every path: its writes may still be reading the caller's inputs */
static clinfer_status pass(clinfer_session *s, int64_t first, int64_t count, const float *const *inputs,
                           float *const *outputs, float *const *layers, struct cf_diag *d)
{
    clinfer_status st = pass_queue(s, first, count, inputs, outputs, layers, d);
    if (!s->be->finish) return st;
    struct cf_diag ignored = {0};
    clinfer_status fin = s->be->finish(s->state, st ? &ignored : d); /* (the first failure is the one reported) */
    return st ? st : fin;
}

/* Images [first, first + count) in passes of the sub-batch (one pass when they fit); the last pass may hold fewer
 * images, the rest of its sub-batch keeping the previous pass's, which no image's result depends on. */
clinfer_status cf_session_span(clinfer_session *s, int64_t first, int64_t count, const float *const *inputs,
                               float *const *outputs, float *const *layers, struct cf_diag *d)
{
    for (int64_t done = 0; done < count; done += s->sub) {
        if (s->sub < count) cf_progress(d, "images", done, count, "");
        clinfer_status st = pass(s, first + done, count - done < s->sub ? count - done : s->sub, inputs, outputs,
                                 layers, d);
        if (st) return st;
    }
    if (s->sub < count) cf_progress(d, "images", count, count, "");
    return CLINFER_OK;
}

static clinfer_status run(clinfer_context *ctx, clinfer_session *s, int64_t count, const float *const *inputs,
                          float *const *outputs, float *const *layers, int one_device, const char *fn)
{
    if (cf_api_begin(ctx)) return CLINFER_E_ARG;
    struct cf_diag *d = cf_api_diag(ctx);
    if (!s || !inputs) return cf_fail(d, CLINFER_E_ARG, "%s: NULL argument", fn);
    if (count < 0) return cf_fail(d, CLINFER_E_ARG, "%s: a negative count of images (%lld)", fn, (long long)count);
    if (s->n_peers && !one_device) return cf_multi_span(s, 0, count, inputs, outputs, d);
    s->ran = count;
    return cf_session_span(s, 0, count, inputs, outputs, layers, d);
}

clinfer_status clinfer_session_run_on_device(clinfer_context *ctx, clinfer_session *s)
{
    if (cf_api_begin(ctx)) return CLINFER_E_ARG;
    struct cf_diag *d = cf_api_diag(ctx);
    if (!s) return cf_fail(d, CLINFER_E_ARG, "clinfer_session_run_on_device: NULL session");
    clinfer_status st = CLINFER_OK;
    for (int i = 0; i < s->g->n_nodes && !st; i++)
        if (cf_op_runs(s->g->nodes[i].op)) st = s->be->run_node(s->state, i, d);
    if (s->be->finish) {
        struct cf_diag ignored = {0};
        clinfer_status fin = s->be->finish(s->state, st ? &ignored : d);
        if (!st) st = fin;
    }
    return st;
}

clinfer_status clinfer_session_run(clinfer_context *ctx, clinfer_session *s, const float *const *inputs,
                                   float *const *outputs)
{
    return run(ctx, s, s ? s->batch : 0, inputs, outputs, NULL, 0, "clinfer_session_run");
}

clinfer_status clinfer_session_run_images(clinfer_context *ctx, clinfer_session *s, int64_t count,
                                          const float *const *inputs, float *const *outputs)
{
    if (s && count != s->batch && !cf_session_splittable(s, s->sub)) {
        if (cf_api_begin(ctx)) return CLINFER_E_ARG;
        return cf_fail(cf_api_diag(ctx), CLINFER_E_ARG,
                       "clinfer_session_run_images: %lld images, but the session's batch is %lld and this model "
                       "cannot run another count (an input or output does not carry the batch first)",
                       (long long)count, (long long)s->batch);
    }
    return run(ctx, s, count, inputs, outputs, NULL, 0, "clinfer_session_run_images");
}

clinfer_status clinfer_session_run_layers(clinfer_context *ctx, clinfer_session *s, const float *const *inputs,
                                          float *const *layers)
{
    return run(ctx, s, s ? s->batch : 0, inputs, NULL, layers, 1, "clinfer_session_run_layers");
}

int clinfer_session_device_count(const clinfer_session *s) { return s ? 1 + s->n_peers : 0; }

int64_t clinfer_session_device_images(const clinfer_session *s, int k)
{
    if (!s || k < 0 || k > s->n_peers) return 0;
    return s->n_peers ? s->images[k] : s->ran;
}

int64_t clinfer_session_layer_bytes(const clinfer_session *s, int layer)
{
    int i = node_of(s, layer);
    if (i < 0) return 0;
    const struct cf_node *n = &s->g->nodes[i];
    if (!cf_op_runs(n->op)) return 0;
    int64_t b = (int64_t)s->plan.bytes[i];
    for (int k = 0; k < n->n_in; k++) b += (int64_t)s->plan.bytes[n->in[k]];
    for (int k = 0; k < s->w.count[i]; k++) {
        int64_t e = 1;
        for (int r = 0; r < s->w.t[i][k].desc.rank; r++) e *= s->w.t[i][k].desc.dims[r];
        b += e * (int64_t)sizeof(float);
    }
    return b;
}

int64_t clinfer_session_layer_macs(const clinfer_session *s, int layer)
{
    int i = node_of(s, layer);
    if (i < 0) return 0;
    const struct cf_node *n = &s->g->nodes[i];
    if (n->macs <= 0) return 0;
    return n->macs * (n->out.d[0] > 0 ? n->out.d[0] : 1);
}
