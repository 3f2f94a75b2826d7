/* The public API (include/clinfer.h): contexts, models, summaries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "frontend/frontend.h"
#include "passes/passes.h"
#include "passes/plan.h"
#include "report/report.h"
#include "runtime/session.h"
#include "util/alloc.h"
#include "util/files.h"

#define MAX_SCRIPT_BYTES ((size_t)256 << 20)

struct clinfer_context {
    struct cf_diag diag;
};

struct clinfer_model {
    struct cf_graph *g;
};

const char *clinfer_status_str(clinfer_status s)
{
    switch (s) {
    case CLINFER_OK: return "CLINFER_OK";
    case CLINFER_E_IO: return "CLINFER_E_IO";
    case CLINFER_E_PARSE: return "CLINFER_E_PARSE";
    case CLINFER_E_MODEL: return "CLINFER_E_MODEL";
    case CLINFER_E_UNSUPPORTED: return "CLINFER_E_UNSUPPORTED";
    case CLINFER_E_NOMEM: return "CLINFER_E_NOMEM";
    case CLINFER_E_ARG: return "CLINFER_E_ARG";
    case CLINFER_E_LIMIT: return "CLINFER_E_LIMIT";
    case CLINFER_E_DEVICE: return "CLINFER_E_DEVICE";
    }
    return "CLINFER_E_?";
}

const char *clinfer_version(void) { return CLINFER_VERSION_STRING; }

clinfer_status clinfer_context_new(clinfer_context **out)
{
    if (!out) return CLINFER_E_ARG;
    *out = cf_calloc(1, sizeof **out);
    return *out ? CLINFER_OK : CLINFER_E_NOMEM;
}

void clinfer_context_free(clinfer_context *ctx) { cf_free(ctx); }

const char *clinfer_context_errmsg(const clinfer_context *ctx) { return ctx ? ctx->diag.msg : "no context"; }
const char *clinfer_context_warnings(const clinfer_context *ctx) { return ctx ? ctx->diag.warn : ""; }

void clinfer_context_set_progress(clinfer_context *ctx, clinfer_progress_fn fn, void *user)
{
    if (!ctx) return;
    ctx->diag.progress = fn;
    ctx->diag.progress_user = user;
}

struct cf_diag *cf_api_diag(clinfer_context *ctx) { return &ctx->diag; }
const struct cf_graph *cf_api_graph(const clinfer_model *m) { return m->g; }

clinfer_status cf_api_begin(clinfer_context *ctx)
{
    if (!ctx) return CLINFER_E_ARG;
    ctx->diag.msg[0] = '\0';
    ctx->diag.warn[0] = '\0';
    ctx->diag.status = CLINFER_OK;
    return CLINFER_OK;
}

static clinfer_status wrap_graph(clinfer_context *ctx, struct cf_graph *g, clinfer_model **out)
{
    clinfer_model *m = cf_calloc(1, sizeof *m);
    if (!m) {
        cf_graph_free(g);
        return cf_fail_oom(&ctx->diag);
    }
    m->g = g;
    *out = m;
    return CLINFER_OK;
}

static int style_ok(clinfer_style s) { return s >= CLINFER_STYLE_AUTO && s <= CLINFER_STYLE_KERAS3; }

clinfer_status clinfer_model_load_keras_styled(clinfer_context *ctx, const char *name, const char *text, size_t len,
                                               clinfer_style style, clinfer_model **out)
{
    if (out) *out = NULL;
    if (cf_api_begin(ctx)) return CLINFER_E_ARG;
    if (!out || (!text && len)) return cf_fail(&ctx->diag, CLINFER_E_ARG, "clinfer_model_load_keras: NULL argument");
    if (!style_ok(style)) return cf_fail(&ctx->diag, CLINFER_E_ARG, "style %d is not a clinfer_style", (int)style);
    struct cf_graph *g;
    clinfer_status st = cf_keras_load(name ? name : "<input>", text ? text : "", len, style, &g, &ctx->diag);
    if (st) return st;
    return wrap_graph(ctx, g, out);
}

clinfer_status clinfer_model_load_keras(clinfer_context *ctx, const char *name, const char *text, size_t len,
                                        clinfer_model **out)
{
    return clinfer_model_load_keras_styled(ctx, name, text, len, CLINFER_STYLE_AUTO, out);
}

clinfer_status clinfer_model_load_styled(clinfer_context *ctx, const char *path, clinfer_style style,
                                         clinfer_model **out)
{
    if (out) *out = NULL;
    if (cf_api_begin(ctx)) return CLINFER_E_ARG;
    if (!path || !out) return cf_fail(&ctx->diag, CLINFER_E_ARG, "clinfer_model_load: NULL argument");
    if (!style_ok(style)) return cf_fail(&ctx->diag, CLINFER_E_ARG, "style %d is not a clinfer_style", (int)style);
    const char *dot = strrchr(path, '.');
    enum { PY, ONNX, KERAS_FILE } kind = PY;
    if (dot && strcmp(dot, ".onnx") == 0) kind = ONNX;
    else if (dot && (strcmp(dot, ".keras") == 0 || strcmp(dot, ".h5") == 0 || strcmp(dot, ".hdf5") == 0))
        kind = KERAS_FILE;
    else if (!dot || strcmp(dot, ".py") != 0)
        return cf_fail(&ctx->diag, CLINFER_E_UNSUPPORTED,
                       "%s: unknown model format '%s' (clinfer reads Keras scripts, *.py; Keras model files, *.keras "
                       "and *.h5; and ONNX, *.onnx)",
                       path, dot ? dot : "");
    struct cf_graph *g;
    clinfer_status st;
    if (kind == KERAS_FILE) {
        if ((st = cf_keras_file_load(path, style, &g, &ctx->diag))) return st;
        return wrap_graph(ctx, g, out);
    }
    /* ONNX's own limit: a protobuf of at most 2 GiB (larger weights live in external data files) */
    unsigned char *buf = NULL;
    size_t len = 0;
    st = cf_read_file(path, "model", kind == ONNX ? (size_t)2 << 30 : MAX_SCRIPT_BYTES, &buf, &len, &ctx->diag);
    if (st == CLINFER_OK && kind == PY)
        st = clinfer_model_load_keras_styled(ctx, path, (const char *)buf, len, style, out);
    if (st == CLINFER_OK && kind == ONNX && (st = cf_onnx_load(path, buf, len, &g, &ctx->diag)) == CLINFER_OK)
        st = wrap_graph(ctx, g, out);
    cf_free(buf);
    return st;
}

clinfer_status clinfer_model_load(clinfer_context *ctx, const char *path, clinfer_model **out)
{
    return clinfer_model_load_styled(ctx, path, CLINFER_STYLE_AUTO, out);
}

void clinfer_model_free(clinfer_model *model)
{
    if (!model) return;
    cf_graph_free(model->g);
    cf_free(model);
}

clinfer_status clinfer_model_summary(clinfer_context *ctx, const clinfer_model *model,
                                     const clinfer_summary_options *opts, char **out)
{
    if (out) *out = NULL;
    if (cf_api_begin(ctx)) return CLINFER_E_ARG;
    if (!model || !out) return cf_fail(&ctx->diag, CLINFER_E_ARG, "clinfer_model_summary: NULL argument");
    clinfer_summary_options o = {.format = CLINFER_FORMAT_KERAS};
    if (opts) o = *opts;
    if (o.format != CLINFER_FORMAT_KERAS && o.format != CLINFER_FORMAT_JSON)
        return cf_fail(&ctx->diag, CLINFER_E_ARG, "clinfer_model_summary: format %d is not a clinfer_format", (int)o.format);
    if (o.batch < 0) return cf_fail(&ctx->diag, CLINFER_E_ARG, "batch must be positive, got %lld", (long long)o.batch);
    if (!style_ok(o.style)) return cf_fail(&ctx->diag, CLINFER_E_ARG, "style %d is not a clinfer_style", (int)o.style);
    if (o.line_length != 0 && (o.line_length < 20 || o.line_length > 1000))
        return cf_fail(&ctx->diag, CLINFER_E_ARG, "line_length must be 0 (the default) or 20 to 1000, got %d",
                       o.line_length);
    const struct cf_graph *g = model->g;
    struct cf_graph *bound = NULL;
    if (o.batch > 0) {
        if (!(bound = cf_graph_clone_without_values(model->g))) return cf_fail_oom(&ctx->diag);
        clinfer_status st = cf_infer_shapes(bound, o.batch, &ctx->diag);
        if (st) {
            cf_graph_free(bound);
            return st;
        }
        cf_count(bound);
        g = bound;
    }
    /* the buffer plan at the given batch (1 when none), when every other dimension is known */
    struct cf_report_plan rp = {0, o.batch > 0 ? o.batch : 1, 0, 0};
    struct cf_graph *pg = cf_graph_clone_without_values(model->g);
    struct cf_diag ignored = {0};
    struct cf_plan plan;
    if (!pg) {
        cf_graph_free(bound);
        return cf_fail_oom(&ctx->diag);
    }
    if (cf_infer_shapes(pg, rp.batch, &ignored) == CLINFER_OK && cf_plan_buffers(pg, 64, 0, &plan, &ignored) == CLINFER_OK) {
        rp.have = 1;
        rp.arena_bytes = plan.arena_bytes;
        rp.naive_bytes = plan.naive_bytes;
        cf_plan_free(&plan);
    }
    cf_graph_free(pg);
    clinfer_style style = o.style ? o.style : g->style ? g->style : CLINFER_STYLE_KERAS2;
    struct cf_report_opts ro = {.explain = o.explain, .batch = o.batch, .plan = &rp, .line_length = o.line_length,
                                .show_trainable = o.show_trainable, .positions = o.positions,
                                .n_positions = o.n_positions, .memory = o.memory, .expand_nested = o.expand_nested};
    clinfer_status st = CLINFER_OK;
    char why[512];
    if ((o.show_trainable || o.expand_nested || o.layer_range[0] || o.layer_range[1]) &&
        style == CLINFER_STYLE_KERAS2 && o.format != CLINFER_FORMAT_JSON)
        st = cf_fail(&ctx->diag, CLINFER_E_ARG,
                     "show_trainable, expand_nested and layer_range are tf.keras' and Keras 3's (Keras 2.2's summary has "
                     "none of them): give the style tf2 or keras3");
    else if ((o.layer_range[0] || o.layer_range[1]) && (!o.layer_range[0] || !o.layer_range[1]))
        st = cf_fail(&ctx->diag, CLINFER_E_ARG, "layer_range takes two names (the first and the last)");
    else if (o.n_positions && (!o.positions || o.n_positions != (g->sequential_like ? 3 : 4)))
        st = cf_fail(&ctx->diag, CLINFER_E_ARG, "positions: this table has %d columns (%s), so %d positions, got %d",
                     g->sequential_like ? 3 : 4, g->sequential_like ? "a sequential layout" : "with Connected to",
                     g->sequential_like ? 3 : 4, o.n_positions);
    if (!st && o.memory && o.format != CLINFER_FORMAT_JSON) {
        /* what a session at the batch holds: a ref session's weights (folded as every session folds them) and its
         * arena (the OpenCL backend plans the same arena) */
        clinfer_session_options so = {.device = "ref", .batch = o.batch > 0 ? o.batch : 1};
        clinfer_session *s = NULL;
        struct cf_diag quiet = {0};
        if (cf_session_new_one(model, &so, "ref", &s, &quiet) == CLINFER_OK) {
            ro.mem_batch = so.batch;
            ro.mem_weights = cf_session_weight_bytes(s);
            ro.mem_arena = clinfer_session_arena_bytes(s, NULL);
        }
        clinfer_session_free(s);
    }
    if (!st && o.layer_range[0] &&
        cf_report_layer_range(g, o.layer_range[0], o.layer_range[1], &ro.row_lo, &ro.row_hi, why, sizeof why))
        st = cf_fail(&ctx->diag, CLINFER_E_ARG, "%s", why);
    if (st) {
        cf_graph_free(bound);
        return st;
    }
    char *text = o.format == CLINFER_FORMAT_JSON ? cf_report_json(g, o.explain, o.batch, &rp)
                 : style == CLINFER_STYLE_TF2    ? cf_report_tf2(g, &ro)
                 : style == CLINFER_STYLE_KERAS3 ? cf_report_keras3(g, &ro)
                                                 : cf_report_keras(g, &ro);
    cf_graph_free(bound);
    if (!text) return cf_fail_oom(&ctx->diag);
    *out = text;
    return CLINFER_OK;
}

int clinfer_model_layer_count(const clinfer_model *model) { return model ? model->g->n_nodes : 0; }

static const struct cf_node *layer(const clinfer_model *model, int i)
{
    return model && i >= 0 && i < model->g->n_nodes ? &model->g->nodes[i] : NULL;
}

const char *clinfer_model_layer_name(const clinfer_model *model, int i)
{
    const struct cf_node *n = layer(model, i);
    return n ? n->name : NULL;
}

const char *clinfer_model_layer_type(const clinfer_model *model, int i)
{
    const struct cf_node *n = layer(model, i);
    return n ? n->type : NULL;
}

int clinfer_model_layer_shape(const clinfer_model *model, int i, int64_t dims[CLINFER_MAX_RANK])
{
    const struct cf_node *n = layer(model, i);
    if (!n) return 0;
    for (int k = 0; dims && k < n->out.rank; k++) dims[k] = n->out.d[k];
    return n->out.rank;
}

int64_t clinfer_model_layer_params(const clinfer_model *model, int i, int64_t *non_trainable)
{
    const struct cf_node *n = layer(model, i);
    if (non_trainable) *non_trainable = n ? n->params_non_trainable : 0;
    return n ? n->params_trainable + n->params_non_trainable : 0;
}

int64_t clinfer_model_layer_macs(const clinfer_model *model, int i)
{
    const struct cf_node *n = layer(model, i);
    return n ? n->macs : 0;
}

int clinfer_model_input_count(const clinfer_model *model) { return model ? model->g->n_inputs : 0; }
int clinfer_model_output_count(const clinfer_model *model) { return model ? model->g->n_outputs : 0; }
int clinfer_model_input_layer(const clinfer_model *model, int k)
{
    return model && k >= 0 && k < model->g->n_inputs ? model->g->inputs[k] : -1;
}
int clinfer_model_output_layer(const clinfer_model *model, int k)
{
    return model && k >= 0 && k < model->g->n_outputs ? model->g->outputs[k] : -1;
}

void clinfer_free(void *p) { cf_free(p); }
