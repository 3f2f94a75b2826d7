/* The evaluator's scope: values made in its arena, the names a script binds (a hash table), Keras' fresh-session
 * layer names (conv2d_1, conv2d_2, ...), and the modules a script reaches layers through (keras.layers, tf.keras). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../passes/passes.h"
#include "../../util/checked.h"
#include "../frontend.h"
#include "eval.h"

/* --- values and names --- */

struct value *cf_keval_new_val(struct eval *E, enum val_kind k, struct cf_loc loc)
{
    struct value *v = cf_arena_alloc(E->A, sizeof *v);
    if (v) {
        v->k = k;
        v->loc = loc;
    }
    return v;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static struct value *frame_get(const struct frame *f, const char *name)
{
    if (!f->cap) return NULL;
    for (size_t i = hash_str(name) & (size_t)(f->cap - 1);; i = (i + 1) & (size_t)(f->cap - 1)) {
        if (!f->tab[i].name) return NULL;
        if (strcmp(f->tab[i].name, name) == 0) return f->tab[i].v;
    }
}

/* the frame's own names, then its def's frame's, and so on to the globals */
struct value *cf_keval_lookup(struct eval *E, const char *name)
{
    for (const struct frame *f = E->frame ? E->frame : &E->globals; f; f = f->parent) {
        struct value *v = frame_get(f, name);
        if (v) return v;
    }
    return NULL;
}

int cf_keval_bind(struct eval *E, const char *name, struct value *v)
{
    struct frame *f = E->frame ? E->frame : &E->globals;
    if ((f->n + 1) * 2 > f->cap) {
        int cap = f->cap ? f->cap * 2 : 16;
        struct binding *s = cf_arena_alloc(E->A, sizeof *s * (size_t)cap);
        if (!s) return 0;
        memset(s, 0, sizeof *s * (size_t)cap);
        for (int i = 0; i < f->cap; i++) {
            if (!f->tab[i].name) continue;
            size_t j = hash_str(f->tab[i].name) & (size_t)(cap - 1);
            while (s[j].name) j = (j + 1) & (size_t)(cap - 1);
            s[j] = f->tab[i];
        }
        f->tab = s;
        f->cap = cap;
    }
    size_t i = hash_str(name) & (size_t)(f->cap - 1);
    while (f->tab[i].name && strcmp(f->tab[i].name, name) != 0) i = (i + 1) & (size_t)(f->cap - 1);
    if (!f->tab[i].name) f->n++;
    f->tab[i].name = name;
    f->tab[i].v = v;
    return 1;
}

/* Keras' per-prefix counter of a fresh session: conv2d_1, conv2d_2, ... */
const char *cf_keval_fresh_name(struct eval *E, const char *prefix, int zero_based)
{
    struct uid *u = NULL;
    for (int i = 0; i < E->n_uids; i++)
        if (strcmp(E->uids[i].prefix, prefix) == 0) u = &E->uids[i];
    if (!u) {
        if (E->n_uids == E->cap_uids) {
            int cap = E->cap_uids ? E->cap_uids * 2 : 16;
            struct uid *p = cf_arena_alloc(E->A, sizeof *p * (size_t)cap);
            if (!p) return NULL;
            if (E->n_uids) memcpy(p, E->uids, sizeof *p * (size_t)E->n_uids);
            E->uids = p;
            E->cap_uids = cap;
        }
        u = &E->uids[E->n_uids++];
        snprintf(u->prefix, sizeof u->prefix, "%s", prefix);
        u->count = 0;
    }
    char buf[96];
    ++u->count;
    if (zero_based && u->count == 1) snprintf(buf, sizeof buf, "%s", prefix);
    else snprintf(buf, sizeof buf, "%s_%d", prefix, zero_based ? u->count - 1 : u->count);
    return cf_arena_strndup(E->A, buf, strlen(buf));
}

/* --- modules --- */

struct value *cf_keval_module_val(struct eval *E, enum module_kind mod, const char *path, struct cf_loc loc)
{
    struct value *v = cf_keval_new_val(E, V_MODULE, loc);
    if (v) {
        v->mod = mod;
        v->s = path;
    }
    return v;
}

static clinfer_status unknown_layer(struct eval *E, const char *name, struct cf_loc loc)
{
    const char *names[64];
    int n = 0;
    for (const struct keras_class *c; (c = cf_keras_class_at(n)) && n < 64; n++) names[n] = c->name;
    const char *near = cf_closest_name(name, names, n);
    return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "unknown layer '%s'%s%s%s (clinfer knows the layers docs/keras.md lists)",
                      name, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

/* module.attr */
clinfer_status cf_keval_module_attr(struct eval *E, const struct value *m, const char *attr, struct cf_loc loc,
                                  struct value **out)
{
    const struct keras_class *c = cf_keras_class(attr);
    struct value *v = NULL;
    /* (attr may be a caller's buffer: a module value keeps its own copy of the name) */
    if (!(attr = cf_arena_strndup(E->A, attr, strlen(attr)))) return cf_fail_oom(E->d);
    switch (m->mod) {
    case MOD_TF:
        if (strcmp(attr, "keras") == 0) v = cf_keval_module_val(E, MOD_KERAS, "tf.keras", loc);
        else if (strcmp(attr, "nn") == 0) v = cf_keval_module_val(E, MOD_ACTIVATIONS, "tf.nn", loc);
        else v = cf_keval_module_val(E, MOD_OPAQUE, attr, loc);
        break;
    case MOD_KERAS:
        if (strcmp(attr, "layers") == 0) v = cf_keval_module_val(E, MOD_LAYERS, "keras.layers", loc);
        else if (strcmp(attr, "models") == 0) v = cf_keval_module_val(E, MOD_MODELS, "keras.models", loc);
        else if (strcmp(attr, "activations") == 0) v = cf_keval_module_val(E, MOD_ACTIVATIONS, "keras.activations", loc);
        else if (strcmp(attr, "applications") == 0) v = cf_keval_module_val(E, MOD_OPAQUE, "keras.applications", loc);
        else if (c && (c->kind == K_INPUT_FN || c->kind == K_MODEL || c->kind == K_SEQUENTIAL)) {
            if ((v = cf_keval_new_val(E, V_CLASS, loc))) v->cls = c;
        } else v = cf_keval_module_val(E, MOD_OPAQUE, attr, loc);
        break;
    case MOD_LAYERS:
        if (c && c->kind != K_MODEL && c->kind != K_SEQUENTIAL) {
            if ((v = cf_keval_new_val(E, V_CLASS, loc))) v->cls = c;
        } else if (strcmp(attr, "experimental") == 0) {
            v = cf_keval_module_val(E, MOD_OPAQUE, attr, loc);
        } else {
            return unknown_layer(E, attr, loc);
        }
        break;
    case MOD_MODELS:
        if (c && (c->kind == K_MODEL || c->kind == K_SEQUENTIAL)) {
            if ((v = cf_keval_new_val(E, V_CLASS, loc))) v->cls = c;
        } else v = cf_keval_module_val(E, MOD_OPAQUE, attr, loc);
        break;
    case MOD_ACTIVATIONS: {
        enum cf_act act = CF_ACT_LINEAR;
        if (!cf_act_lookup(attr, &act) && strcmp(attr, "leaky_relu") != 0) /* (tf.nn.leaky_relu: a function) */
            return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "unknown activation function '%s.%s'", m->s, attr);
        if ((v = cf_keval_new_val(E, V_FUNC, loc))) v->s = strcmp(attr, "leaky_relu") == 0 ? "leaky_relu" : cf_act_name(act);
        break;
    }
    case MOD_OPAQUE:
        if (m->s && strncmp(m->s, "keras.applications", 18) == 0) { /* (its full path: a call of it is refused) */
            char *path = cf_arena_alloc(E->A, strlen(m->s) + strlen(attr) + 2);
            if (!path) return cf_fail_oom(E->d);
            sprintf(path, "%s.%s", m->s, attr);
            v = cf_keval_module_val(E, MOD_OPAQUE, path, loc);
        } else {
            v = cf_keval_module_val(E, MOD_OPAQUE, attr, loc);
        }
        break;
    }
    if (!v) return cf_fail_oom(E->d);
    *out = v;
    return CLINFER_OK;
}

/* An import path: tensorflow.keras.layers -> the layers namespace. */
clinfer_status cf_keval_resolve_path(struct eval *E, const char *path, struct cf_loc loc, int upto_segments,
                                   struct value **out)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    char *save = NULL, *seg = strtok_r(buf, ".", &save);
    struct value *v;
    if (strcmp(seg, "tensorflow") == 0 || strcmp(seg, "tf") == 0) v = cf_keval_module_val(E, MOD_TF, "tensorflow", loc);
    else if (strcmp(seg, "keras") == 0 || strcmp(seg, "tf_keras") == 0) v = cf_keval_module_val(E, MOD_KERAS, "keras", loc);
    else v = cf_keval_module_val(E, MOD_OPAQUE, cf_arena_strndup(E->A, seg, strlen(seg)), loc); /* (not buf's) */
    if (!v || !v->s) return cf_fail_oom(E->d);
    int n = 1;
    while ((upto_segments <= 0 || n < upto_segments) && (seg = strtok_r(NULL, ".", &save))) {
        if (v->mod == MOD_TF && strcmp(seg, "python") == 0) continue; /* tensorflow.python.keras */
        char *seg_copy = cf_arena_strndup(E->A, seg, strlen(seg));
        if (!seg_copy) return cf_fail_oom(E->d);
        clinfer_status st = cf_keval_module_attr(E, v, seg_copy, loc, &v);
        if (st) return st;
        if (v->k != V_MODULE) break;
        n++;
    }
    *out = v;
    return CLINFER_OK;
}

const char *cf_keval_layer_name(struct eval *E, const char *prefix)
{
    return cf_keval_fresh_name(E, prefix, E->style != CLINFER_STYLE_KERAS2);
}

const char *cf_keval_input_name(struct eval *E)
{
    if (E->style == CLINFER_STYLE_KERAS3) return cf_keval_fresh_name(E, "input_layer", 1);
    return cf_keval_fresh_name(E, "input", 0); /* tf.keras 2 too: input_1 */
}

const char *cf_keval_model_name(struct eval *E, int sequential)
{
    if (E->style == CLINFER_STYLE_KERAS2) return cf_keval_fresh_name(E, sequential ? "sequential" : "model", 0);
    if (E->style == CLINFER_STYLE_TF2) return cf_keval_fresh_name(E, sequential ? "sequential" : "model", 1);
    return cf_keval_fresh_name(E, sequential ? "sequential" : "functional", 1);
}

void cf_keras_renumber(const struct cf_node *n, int to_zero_based, char *out, size_t size)
{
    const char *name = n->name, *us = strrchr(name, '_');
    char *end = NULL;
    long k = us && us[1] >= '0' && us[1] <= '9' ? strtol(us + 1, &end, 10) : -1;
    int numbered = end && *end == '\0' && k >= 0;
    int plen = numbered ? (int)(us - name) : (int)strlen(name);
    if (!n->auto_name || (to_zero_based && (!numbered || k < 1))) {
        snprintf(out, size, "%s", name);
        return;
    }
    if (to_zero_based) {
        if (k == 1) snprintf(out, size, "%.*s", plen, name);
        else snprintf(out, size, "%.*s_%ld", plen, name, k - 1);
    } else {
        snprintf(out, size, "%.*s_%ld", plen, name, numbered ? k + 1 : 1);
    }
}
