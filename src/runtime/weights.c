/* Weights: Keras' default initialisers from a seed, and loading from an .npz of Keras weights. */
#include "weights.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../frontend/frontend.h"
#include "../io/npy.h"
#include "../util/files.h"
#include "../ops/ops.h"
#include "../util/alloc.h"
#include "../util/rng.h"

static int64_t elems(const struct cf_weight *d)
{
    int64_t p = 1;
    for (int i = 0; i < d->rank; i++) p *= d->dims[i];
    return p;
}

/* Keras' glorot_uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out)), fans over the receptive field. */
static void glorot(const struct cf_weight *desc, float *x, uint64_t *rng)
{
    int64_t recept = 1;
    for (int i = 0; i + 2 < desc->rank; i++) recept *= desc->dims[i];
    double fan_in = (double)(desc->rank >= 2 ? desc->dims[desc->rank - 2] : desc->dims[0]) * (double)recept;
    double fan_out = (double)desc->dims[desc->rank - 1] * (double)recept;
    float l = (float)sqrt(6.0 / (fan_in + fan_out));
    for (int64_t i = 0, n = elems(desc); i < n; i++) x[i] = cf_rng_uniform(rng, -l, l);
}

static void init_tensor(const struct cf_node *n, struct cf_tensor *t, enum cf_init mode, uint64_t seed)
{
    uint64_t rng = cf_rng_seed(seed, n->name, t->desc.name);
    int64_t cnt = elems(&t->desc);
    const char *nm = t->desc.name;
    if (strstr(nm, "kernel")) {
        glorot(&t->desc, t->data, &rng);
        return;
    }
    float fill = strcmp(nm, "gamma") == 0 || strcmp(nm, "moving_variance") == 0 || strcmp(nm, "variance") == 0 ? 1.0f
                                                                                                         : 0.0f;
    for (int64_t i = 0; i < cnt; i++) {
        if (mode == CF_INIT_KERAS) t->data[i] = fill;
        else if (fill == 1.0f) t->data[i] = cf_rng_uniform(&rng, 0.5f, 1.5f);
        else t->data[i] = cf_rng_uniform(&rng, -0.5f, 0.5f);
    }
}

/* The later calls of a shared layer take the first call's weights (the front-end checked that they are alike). */
static void share(const struct cf_graph *g, struct cf_weights *w)
{
    for (int i = 0; i < g->n_nodes; i++) {
        int o = g->nodes[i].shares;
        if (o < 0 || w->count[i] != w->count[o]) continue;
        for (int k = 0; k < w->count[i]; k++)
            if (elems(&w->t[i][k].desc) == elems(&w->t[o][k].desc))
                memcpy(w->t[i][k].data, w->t[o][k].data, sizeof(float) * (size_t)elems(&w->t[i][k].desc));
    }
}

clinfer_status cf_weights_init(const struct cf_graph *g, enum cf_init mode, uint64_t seed, struct cf_weights *out,
                               struct cf_diag *d)
{
    return cf_weights_init_from(g, g, mode, seed, out, d);
}

clinfer_status cf_weights_init_from(const struct cf_graph *g, const struct cf_graph *given_g, enum cf_init mode,
                                    uint64_t seed, struct cf_weights *out, struct cf_diag *d)
{
    memset(out, 0, sizeof *out);
    out->n_nodes = g->n_nodes;
    out->count = cf_calloc((size_t)g->n_nodes + 1, sizeof(int));
    out->t = cf_calloc((size_t)g->n_nodes + 1, sizeof(struct cf_tensor *));
    if (!out->count || !out->t) goto oom;
    for (int i = 0; i < g->n_nodes; i++) {
        struct cf_node *n = &g->nodes[i];
        const struct cf_shape *in[4] = {0};
        for (int k = 0; k < n->n_in && k < 4; k++) in[k] = &g->nodes[n->in[k]].out;
        struct cf_op_args args = {g, n, in, n->n_in < 4 ? n->n_in : 4};
        struct cf_weight desc[CF_MAX_WEIGHTS];
        int nw = cf_op_verbs(n->op)->weights(&args, desc);
        if (!nw) continue;
        if (!(out->t[i] = cf_calloc((size_t)nw, sizeof(struct cf_tensor)))) goto oom;
        for (int k = 0; k < nw; k++) {
            out->t[i][k].desc = desc[k];
            if (!(out->t[i][k].data = cf_malloc(sizeof(float) * (size_t)elems(&desc[k])))) goto oom;
            out->count[i] = k + 1;
            /* the values the model file gives (ONNX initializers), else Keras' initialisers */
            const struct cf_tensor *given = NULL;
            const struct cf_node *gn = &given_g->nodes[i];
            for (int v = 0; v < gn->n_values; v++)
                if (strcmp(gn->values[v].desc.name, desc[k].name) == 0) given = &gn->values[v];
            if (given && elems(&given->desc) == elems(&desc[k]))
                memcpy(out->t[i][k].data, given->data, sizeof(float) * (size_t)elems(&desc[k]));
            else
                init_tensor(n, &out->t[i][k], mode, seed);
        }
    }
    share(g, out);
    return CLINFER_OK;
oom:
    cf_weights_free(out);
    return cf_fail_oom(d);
}

static void shape_text(const int64_t *dims, int rank, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "(");
    for (int i = 0; i < rank && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s%lld", i ? ", " : "", (long long)dims[i]);
    if (n < size) snprintf(out + n, size - n, rank == 1 ? ",)" : ")");
}

/* The array of node i's weight t under one naming: 0 the graph's own names, 1 Keras 2.2's generated names counted as
 * tf.keras 2 / Keras 3 count them, 2 the reverse; each as 'layer/kernel:0' (tf.keras' w.name) or 'layer/kernel'
 * (Keras 3's w.path). -1 when absent. */
static int npz_find(const struct cf_npz *z, const struct cf_node *n, const struct cf_tensor *t, int naming,
                    char *key, size_t size)
{
    char name[512];
    if (naming == 0) snprintf(name, sizeof name, "%s", n->name);
    else cf_keras_renumber(n, naming == 1, name, sizeof name);
    snprintf(key, size, "%s/%s:0", name, t->desc.name);
    size_t kl = strlen(key) - 2;
    for (int j = 0; j < z->n; j++)
        if (strcmp(z->names[j], key) == 0 || (strlen(z->names[j]) == kl && strncmp(z->names[j], key, kl) == 0))
            return j;
    return -1;
}

clinfer_status cf_weights_load_npz(const struct cf_graph *g, const char *path, struct cf_weights *w,
                                   struct cf_diag *d)
{
    struct cf_npz z;
    clinfer_status st = cf_npz_read(path, &z, d);
    if (st) return st;
    char *used = cf_calloc((size_t)z.n + 1, 1);
    if (!used) {
        cf_npz_free(&z);
        return cf_fail_oom(d);
    }
    /* the first naming under which every weight is there (a script read as Keras 2.2, weights saved by tf.keras) */
    int naming = 0;
    for (int nm = 0; nm < 3; nm++) {
        int all = 1;
        char key[600];
        for (int i = 0; i < g->n_nodes && all; i++)
            for (int k = 0; k < w->count[i] && all; k++) all = npz_find(&z, &g->nodes[i], &w->t[i][k], nm, key, sizeof key) >= 0;
        if (all) {
            naming = nm;
            break;
        }
    }
    for (int i = 0; i < g->n_nodes && !st; i++) {
        for (int k = 0; k < w->count[i] && !st; k++) {
            struct cf_tensor *t = &w->t[i][k];
            char key[600];
            int found = npz_find(&z, &g->nodes[i], t, naming, key, sizeof key);
            char want[128], got[128];
            shape_text(t->desc.dims, t->desc.rank, want, sizeof want);
            if (found < 0) {
                st = cf_fail(d, CLINFER_E_MODEL, "%s: missing array '%s' (layer '%s' (%s) needs a %s %s)", path, key,
                             g->nodes[i].name, g->nodes[i].type, want, t->desc.name);
                break;
            }
            const struct cf_array *a = &z.arrays[found];
            int same = a->rank == t->desc.rank;
            for (int r = 0; same && r < a->rank; r++) same = a->dims[r] == t->desc.dims[r];
            if (!same) {
                shape_text(a->dims, a->rank, got, sizeof got);
                st = cf_fail(d, CLINFER_E_MODEL, "%s: array '%s' has shape %s; layer '%s' (%s) needs %s", path,
                             z.names[found], got, g->nodes[i].name, g->nodes[i].type, want);
                break;
            }
            memcpy(t->data, a->data, sizeof(float) * (size_t)elems(&t->desc));
            used[found] = 1;
        }
    }
    for (int j = 0; j < z.n && !st; j++)
        if (!used[j])
            st = cf_fail(d, CLINFER_E_MODEL, "%s: array '%s' matches no weight of the model", path, z.names[j]);
    cf_free(used);
    cf_npz_free(&z);
    return st;
}

static clinfer_status load_by_kind(const struct cf_graph *g, const char *path, struct cf_weights *w,
                                   struct cf_diag *d);

/* A file holds a shared layer's weights once: the later calls are left out of the matching, then take the first's. */
clinfer_status cf_weights_load(const struct cf_graph *g, const char *path, struct cf_weights *w, struct cf_diag *d)
{
    int *saved = cf_calloc((size_t)g->n_nodes + 1, sizeof(int));
    if (!saved) return cf_fail_oom(d);
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].shares >= 0) saved[i] = w->count[i], w->count[i] = 0;
    clinfer_status st = load_by_kind(g, path, w, d);
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].shares >= 0) w->count[i] = saved[i];
    cf_free(saved);
    if (!st) share(g, w);
    return st;
}

static clinfer_status load_by_kind(const struct cf_graph *g, const char *path, struct cf_weights *w,
                                   struct cf_diag *d)
{
    /* by content: HDF5 is Keras' (.h5, .weights.h5); a zip is a .keras file when so named, else an .npz */
    int fd;
    uint64_t size;
    unsigned char magic[8] = {0};
    clinfer_status st = cf_file_open_read(path, "weights file", &fd, &size, d);
    if (st) return st;
    st = cf_file_read_at(fd, path, 0, magic, size < 8 ? (size_t)size : 8, d);
    close(fd);
    if (st) return st;
    size_t n = strlen(path);
    if (size >= 8 && magic[0] == 0x89 && magic[1] == 'H' && magic[2] == 'D' && magic[3] == 'F')
        return cf_keras_weights_load(g, path, w, d);
    if (size >= 4 && magic[0] == 'P' && magic[1] == 'K')
        return n >= 6 && strcmp(path + n - 6, ".keras") == 0 ? cf_keras_weights_load(g, path, w, d)
                                                              : cf_weights_load_npz(g, path, w, d);
    return cf_fail(d, CLINFER_E_PARSE,
                   "%s: not a weights file (clinfer reads .npz, .keras, .weights.h5 and .h5: a zip or HDF5 file)", path);
}
