/* Keras model files: a .keras file (Keras 3: a zip of metadata.json, config.json and model.weights.h5) or an .h5
 * file (tf.keras 2 / Keras 2: HDF5 with the keras_version and model_config attributes and the model_weights group),
 * told apart by their first bytes. The config becomes the graph (config.c), the weights its nodes' values (h5.c); the
 * saving Keras' version picks the summary's style. Also the weights alone: cf_keras_weights_load. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <unistd.h>

#include "../../io/zip.h"
#include "../../ops/ops.h"
#include "../../util/alloc.h"
#include "../../util/files.h"
#include "keras_file.h"

#define MAX_KERAS_FILE ((size_t)16 << 30)

/* keras_version "3.x" is Keras 3; standalone Keras 2.0-2.3 printed Keras 2.2's table; tf.keras ("2.x-tf", 2.4 on)
 * the tf2 one. */
static clinfer_style style_of_version(const char *v)
{
    if (!v) return CLINFER_STYLE_TF2;
    int major = atoi(v), minor = 0;
    const char *dot = strchr(v, '.');
    if (dot) minor = atoi(dot + 1);
    if (major >= 3) return CLINFER_STYLE_KERAS3;
    if (major == 2 && minor <= 3 && !strstr(v, "tf")) return CLINFER_STYLE_KERAS2;
    return CLINFER_STYLE_TF2;
}

/* The weight descriptors of every node, with buffers to fill. */
static clinfer_status weights_skeleton(const struct cf_graph *g, struct cf_weights *w, struct cf_diag *d)
{
    memset(w, 0, sizeof *w);
    w->n_nodes = g->n_nodes;
    w->count = cf_calloc((size_t)g->n_nodes + 1, sizeof(int));
    w->t = cf_calloc((size_t)g->n_nodes + 1, sizeof(struct cf_tensor *));
    if (!w->count || !w->t) goto oom;
    for (int i = 0; i < g->n_nodes; i++) {
        struct cf_node *n = &g->nodes[i];
        if (n->shares >= 0) continue; /* a shared layer's later call: the first call's weights (cf_weights_init) */
        const struct cf_shape *in[4] = {0};
        for (int k = 0; k < n->n_in && k < 4; k++) in[k] = &g->nodes[n->in[k]].out;
        struct cf_op_args args = {g, n, in, n->n_in < 4 ? n->n_in : 4};
        struct cf_weight desc[CF_MAX_WEIGHTS];
        int nw = cf_op_verbs(n->op)->weights(&args, desc);
        if (!nw) continue;
        if (!(w->t[i] = cf_calloc((size_t)nw, sizeof(struct cf_tensor)))) goto oom;
        for (int k = 0; k < nw; k++) {
            int64_t e = 1;
            for (int r = 0; r < desc[k].rank; r++) e *= desc[k].dims[r];
            w->t[i][k].desc = desc[k];
            if (!(w->t[i][k].data = cf_calloc((size_t)e + 1, sizeof(float)))) goto oom;
            w->count[i] = k + 1;
        }
    }
    return CLINFER_OK;
oom:
    cf_weights_free(w);
    return cf_fail_oom(d);
}

/* The parts of a model file: its config JSON, the HDF5 root of its weights, the version that saved it. */
struct parts {
    unsigned char *file;        /* a .keras file's bytes */
    const unsigned char *json;  /* config.json (may point into file) */
    size_t json_len;
    int json_owned;
    unsigned char *weights_img; /* model.weights.h5, when deflated */
    char *config;               /* an .h5 file's model_config */
    char *version;
    hid_t h5;
    char where[600];            /* how messages name the config */
};

static void parts_free(struct parts *p)
{
    if (p->json_owned) cf_free((void *)p->json);
    cf_free(p->weights_img);
    cf_free(p->file);
    cf_free(p->config);
    cf_free(p->version);
    if (p->h5 >= 0) H5Fclose(p->h5);
}

/* A .keras archive held in p->file (len bytes). */
static clinfer_status open_keras_zip(const char *path, struct parts *p, size_t len, int need_config,
                                     struct cf_diag *d)
{
    struct cf_zip z;
    clinfer_status st = cf_zip_open(path, p->file, len, &z, d);
    if (st) return st;
    const struct cf_zip_entry *cfg = cf_zip_find(&z, "config.json"), *meta = cf_zip_find(&z, "metadata.json");
    const struct cf_zip_entry *wts = cf_zip_find(&z, "model.weights.h5");
    if ((need_config && !cfg) || !wts) {
        st = cf_fail(d, CLINFER_E_PARSE, "%s: not a Keras model file (the zip has no %s)", path,
                     !wts ? "model.weights.h5" : "config.json");
        goto done;
    }
    if (meta) {
        const unsigned char *m;
        int owned;
        if ((st = cf_zip_extract(path, meta, &m, &owned, d))) goto done;
        cJSON *j = cJSON_ParseWithLength((const char *)m, (size_t)meta->usize);
        const cJSON *v = j ? cJSON_GetObjectItemCaseSensitive(j, "keras_version") : NULL;
        if (cJSON_IsString(v) && !(p->version = cf_strdup(v->valuestring))) st = cf_fail_oom(d);
        cJSON_Delete(j);
        if (owned) cf_free((void *)m);
        if (st) goto done;
    }
    if (cfg) {
        if ((st = cf_zip_extract(path, cfg, &p->json, &p->json_owned, d))) goto done;
        p->json_len = (size_t)cfg->usize;
    }
    const unsigned char *img;
    int owned;
    if ((st = cf_zip_extract(path, wts, &img, &owned, d))) goto done;
    if (owned) p->weights_img = (unsigned char *)img;
    char name[600];
    snprintf(name, sizeof name, "%s (model.weights.h5)", path);
    st = cf_h5_open_image(name, img, (size_t)wts->usize, &p->h5, d);
    snprintf(p->where, sizeof p->where, "%s (config.json)", path);
done:
    cf_zip_close(&z);
    return st;
}

/* An .h5 file, open in p->h5: its version and config. */
static clinfer_status open_h5_model(const char *path, struct parts *p, int need_config, struct cf_diag *d)
{
    snprintf(p->where, sizeof p->where, "%s (model_config)", path);
    clinfer_status st = cf_h5_attr_string(path, p->h5, "keras_version", &p->version, d);
    if (st || (st = cf_h5_attr_string(path, p->h5, "model_config", &p->config, d))) return st;
    if (need_config && !p->config)
        return cf_fail(d, CLINFER_E_PARSE,
                       "%s: an HDF5 file without a model_config attribute (weights alone, from save_weights: give it "
                       "to --weights with the model's code)",
                       path);
    p->json = (const unsigned char *)p->config;
    p->json_len = p->config ? strlen(p->config) : 0;
    return CLINFER_OK;
}

/* The parts of a file (buf NULL: read from path; else an image of len bytes, `path` naming it). */
static clinfer_status open_parts(const char *path, const unsigned char *buf, size_t len, struct parts *p,
                                 int need_config, struct cf_diag *d)
{
    memset(p, 0, sizeof *p);
    p->h5 = -1;
    unsigned char magic[8] = {0};
    uint64_t size = len;
    clinfer_status st;
    if (buf) {
        memcpy(magic, buf, len < 8 ? len : 8);
    } else {
        int fd;
        if ((st = cf_file_open_read(path, "Keras model file", &fd, &size, d))) return st;
        st = cf_file_read_at(fd, path, 0, magic, size < 8 ? (size_t)size : 8, d);
        close(fd);
        if (st) return st;
    }
    if (size >= 4 && magic[0] == 'P' && magic[1] == 'K') {
        if (buf) {
            if (!(p->file = cf_malloc(len + 1))) return cf_fail_oom(d);
            memcpy(p->file, buf, len);
        } else if ((st = cf_read_file(path, "Keras model file", MAX_KERAS_FILE, &p->file, &len, d))) {
            return st;
        }
        return open_keras_zip(path, p, len, need_config, d);
    }
    if (size < 8 || magic[0] != 0x89 || magic[1] != 'H')
        return cf_fail(d, CLINFER_E_PARSE, "%s: neither a .keras (zip) nor an .h5 (HDF5) file", path);
    st = buf ? cf_h5_open_image(path, buf, len, &p->h5, d) : cf_h5_open_file(path, &p->h5, d);
    return st ? st : open_h5_model(path, p, need_config, d);
}

static clinfer_status load(const char *path, const unsigned char *buf, size_t len, clinfer_style style,
                           struct cf_graph **out, struct cf_diag *d)
{
    struct parts p;
    struct cf_weights w = {0};
    struct cf_graph *g = NULL;
    *out = NULL;
    clinfer_status st = open_parts(path, buf, len, &p, 1, d);
    clinfer_style saved = style_of_version(p.version);
    if (!st) st = cf_keras_config_graph(p.where, (const char *)p.json, p.json_len, saved, &g, d);
    if (!st) st = weights_skeleton(g, &w, d);
    if (!st) st = cf_h5_keras_weights(path, p.h5, g, &w, d);
    for (int i = 0; !st && i < g->n_nodes; i++)
        if (w.count[i] && cf_node_set_values(&g->nodes[i], w.t[i], w.count[i])) st = cf_fail_oom(d);
    if (!st) {
        cf_free(g->file);
        if (!(g->file = cf_strdup(path))) st = cf_fail_oom(d);
        g->style = style ? style : saved;
    }
    cf_weights_free(&w);
    parts_free(&p);
    if (st) cf_graph_free(g);
    else *out = g;
    return st;
}

clinfer_status cf_keras_file_load(const char *path, clinfer_style style, struct cf_graph **out, struct cf_diag *d)
{
    return load(path, NULL, 0, style, out, d);
}

clinfer_status cf_keras_file_parse(const char *name, const unsigned char *buf, size_t len, clinfer_style style,
                                   struct cf_graph **out, struct cf_diag *d)
{
    if (!buf || len == 0) return cf_fail(d, CLINFER_E_PARSE, "%s: an empty file", name);
    return load(name, buf, len, style, out, d);
}

clinfer_status cf_keras_weights_load(const struct cf_graph *g, const char *path, struct cf_weights *w,
                                     struct cf_diag *d)
{
    struct parts p;
    clinfer_status st = open_parts(path, NULL, 0, &p, 0, d);
    if (!st) st = cf_h5_keras_weights(path, p.h5, g, w, d);
    parts_free(&p);
    return st;
}
