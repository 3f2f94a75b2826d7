/* HDF5, read with libhdf5: files and in-memory images, string attributes, float datasets, and the two layouts
 * Keras keeps weights in (Keras 3: layers/NAME/vars/K; Keras 2 / tf.keras: NAME/ with weight_names). libhdf5's own
 * error stack printing is turned off: the library never prints; every failure here is a message naming the file and
 * the dataset or layer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "../../ops/ops.h"
#include "../../util/alloc.h"
#include "../../util/files.h"
#include "keras_file.h"

static void quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

clinfer_status cf_h5_open_image(const char *name, const unsigned char *buf, size_t len, hid_t *out, struct cf_diag *d)
{
    quiet();
    *out = -1;
    static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    if (len < 8 || memcmp(buf, sig, 8) != 0) return cf_fail(d, CLINFER_E_PARSE, "%s: not an HDF5 file", name);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) return cf_fail_oom(d);
    hid_t f = -1;
    if (H5Pset_fapl_core(fapl, 1 << 20, 0) >= 0 && H5Pset_file_image(fapl, (void *)buf, len) >= 0)
        f = H5Fopen(name, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    if (f < 0) return cf_fail(d, CLINFER_E_PARSE, "%s: a damaged or truncated HDF5 file", name);
    *out = f;
    return CLINFER_OK;
}

clinfer_status cf_h5_open_file(const char *path, hid_t *out, struct cf_diag *d)
{
    quiet();
    *out = -1;
    int fd;
    uint64_t size;
    unsigned char sig[8] = {0};
    clinfer_status st = cf_file_open_read(path, "HDF5 file", &fd, &size, d);
    if (st) return st;
    st = cf_file_read_at(fd, path, 0, sig, size < 8 ? (size_t)size : 8, d);
    close(fd);
    if (st) return st;
    static const unsigned char want[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    if (size < 8 || memcmp(sig, want, 8) != 0) return cf_fail(d, CLINFER_E_PARSE, "%s: not an HDF5 file", path);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return cf_fail(d, CLINFER_E_PARSE, "%s: a damaged or truncated HDF5 file", path);
    *out = f;
    return CLINFER_OK;
}

/* Strings of a string attribute: a scalar or a 1-D array, variable or fixed length. */
static clinfer_status attr_strings(const char *name, hid_t obj, const char *attr, char ***out, int *n,
                                   struct cf_diag *d)
{
    *out = NULL;
    *n = 0;
    if (H5Aexists(obj, attr) <= 0) return CLINFER_OK;
    clinfer_status st = CLINFER_OK;
    hid_t a = H5Aopen(obj, attr, H5P_DEFAULT), t = a >= 0 ? H5Aget_type(a) : -1, sp = a >= 0 ? H5Aget_space(a) : -1;
    hid_t mt = -1;
    hssize_t count = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (a < 0 || t < 0 || sp < 0 || count < 0 || count > 1000000) {
        st = cf_fail(d, CLINFER_E_PARSE, "%s: attribute '%s' cannot be read", name, attr);
        goto done;
    }
    if (count == 0) { /* h5py writes an empty list as an empty float64 array */
        if (!(*out = cf_calloc(1, sizeof **out))) st = cf_fail_oom(d);
        goto done;
    }
    if (H5Tget_class(t) != H5T_STRING) {
        st = cf_fail(d, CLINFER_E_PARSE, "%s: attribute '%s' is not a string", name, attr);
        goto done;
    }
    char **list = cf_calloc((size_t)count + 1, sizeof *list);
    if (!list) {
        st = cf_fail_oom(d);
        goto done;
    }
    if (H5Tis_variable_str(t) > 0) {
        char **raw = cf_calloc((size_t)count + 1, sizeof *raw);
        mt = H5Tcopy(H5T_C_S1);
        /* the memory type's character set must be the file's: HDF5 converts none between ASCII and UTF-8 */
        if (!raw || mt < 0 || H5Tset_size(mt, H5T_VARIABLE) < 0 || H5Tset_cset(mt, H5Tget_cset(t)) < 0 ||
            H5Aread(a, mt, raw) < 0) {
            cf_free(raw);
            cf_free(list);
            st = raw ? cf_fail(d, CLINFER_E_PARSE, "%s: attribute '%s' cannot be read", name, attr) : cf_fail_oom(d);
            goto done;
        }
        for (hssize_t i = 0; i < count; i++) {
            list[i] = cf_strdup(raw[i] ? raw[i] : "");
            if (!list[i]) st = cf_fail_oom(d);
        }
        H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, raw);
        cf_free(raw);
    } else {
        size_t sz = H5Tget_size(t);
        char *raw = sz && sz < (1u << 30) / ((size_t)count + 1) ? cf_malloc(sz * (size_t)count + 1) : NULL;
        mt = H5Tcopy(t);
        if (!raw || mt < 0 || H5Aread(a, mt, raw) < 0) {
            cf_free(raw);
            cf_free(list);
            st = cf_fail(d, CLINFER_E_PARSE, "%s: attribute '%s' cannot be read", name, attr);
            goto done;
        }
        for (hssize_t i = 0; i < count; i++) {
            const char *s = raw + (size_t)i * sz;
            size_t l = 0;
            while (l < sz && s[l]) l++;
            if (!(list[i] = cf_strndup(s, l))) st = cf_fail_oom(d);
        }
        cf_free(raw);
    }
    *out = list;
    *n = (int)count;
    if (st) {
        for (int i = 0; i < *n; i++) cf_free(list[i]);
        cf_free(list);
        *out = NULL;
        *n = 0;
    }
done:
    if (mt >= 0) H5Tclose(mt);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    return st;
}

static void free_strings(char **s, int n)
{
    for (int i = 0; i < n; i++) cf_free(s[i]);
    cf_free(s);
}

clinfer_status cf_h5_attr_string(const char *name, hid_t obj, const char *attr, char **out, struct cf_diag *d)
{
    char **list;
    int n;
    *out = NULL;
    clinfer_status st = attr_strings(name, obj, attr, &list, &n, d);
    if (st || !list) return st;
    if (n != 1) {
        free_strings(list, n);
        return cf_fail(d, CLINFER_E_PARSE, "%s: attribute '%s' holds %d strings, not one", name, attr, n);
    }
    *out = list[0];
    cf_free(list);
    return CLINFER_OK;
}

/* Keras splits a long list attribute into NAME0, NAME1, ... (HDF5's 64 KiB attribute limit). */
static clinfer_status attr_list(const char *name, hid_t obj, const char *attr, char ***out, int *n, struct cf_diag *d)
{
    clinfer_status st = attr_strings(name, obj, attr, out, n, d);
    if (st || *out) return st;
    for (int chunk = 0; chunk < 10000; chunk++) {
        char key[128];
        snprintf(key, sizeof key, "%s%d", attr, chunk);
        char **part;
        int np;
        if ((st = attr_strings(name, obj, key, &part, &np, d))) break;
        if (!part) break;
        char **all = cf_calloc((size_t)(*n + np) + 1, sizeof *all);
        if (!all) {
            free_strings(part, np);
            st = cf_fail_oom(d);
            break;
        }
        if (*n) memcpy(all, *out, sizeof *all * (size_t)*n);
        memcpy(all + *n, part, sizeof *all * (size_t)np);
        cf_free(*out);
        cf_free(part);
        *out = all;
        *n += np;
    }
    if (st) {
        free_strings(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return st;
}

static void shape_text(const int64_t *dims, int rank, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "(");
    for (int i = 0; i < rank && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s%lld", i ? ", " : "", (long long)dims[i]);
    if (n < size) snprintf(out + n, size - n, rank == 1 ? ",)" : ")");
}

/* One weight: the dataset at `path` under loc, of exactly the descriptor's shape, as float32. */
static clinfer_status read_weight(const char *name, hid_t loc, const char *path, const struct cf_node *node,
                                  struct cf_tensor *t, struct cf_diag *d)
{
    hid_t ds = H5Lexists(loc, path, H5P_DEFAULT) > 0 ? H5Dopen2(loc, path, H5P_DEFAULT) : -1;
    if (ds < 0)
        return cf_fail(d, CLINFER_E_MODEL, "%s: layer '%s' (%s): its %s is missing (no dataset '%s')", name,
                       node->name, node->type, t->desc.name, path);
    clinfer_status st = CLINFER_OK;
    hid_t sp = H5Dget_space(ds), ty = H5Dget_type(ds);
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    hsize_t dims[32];
    int64_t got[32];
    char want[128], have[128];
    if (rank < 0 || rank > 32 || ty < 0 || H5Sget_simple_extent_dims(sp, dims, NULL) < 0) {
        st = cf_fail(d, CLINFER_E_PARSE, "%s: dataset '%s' cannot be read", name, path);
        goto done;
    }
    if (H5Tget_class(ty) != H5T_FLOAT && H5Tget_class(ty) != H5T_INTEGER) { /* (Normalization's count is an int) */
        st = cf_fail(d, CLINFER_E_MODEL, "%s: dataset '%s' (the %s of layer '%s') is not a number array", name, path,
                     t->desc.name, node->name);
        goto done;
    }
    int same = rank == t->desc.rank;
    for (int r = 0; r < rank; r++) {
        got[r] = (int64_t)dims[r];
        same &= r < t->desc.rank && got[r] == t->desc.dims[r];
    }
    if (!same) {
        shape_text(t->desc.dims, t->desc.rank, want, sizeof want);
        shape_text(got, rank, have, sizeof have);
        st = cf_fail(d, CLINFER_E_MODEL, "%s: layer '%s' (%s): its %s '%s' has shape %s; the layer needs %s", name,
                     node->name, node->type, t->desc.name, path, have, want);
        goto done;
    }
    if (H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, t->data) < 0)
        st = cf_fail(d, CLINFER_E_PARSE, "%s: dataset '%s' cannot be read (damaged file?)", name, path);
done:
    if (ty >= 0) H5Tclose(ty);
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(ds);
    return st;
}

/* names: the layer names the weights are matched by (NULL: the graph's; else its generated ones counted the other
 * way) */
static int node_by_name(const struct cf_graph *g, char *const *names, const char *name)
{
    for (int i = 0; i < g->n_nodes; i++) /* (a later call of a shared layer holds no weights of its own) */
        if (g->nodes[i].shares < 0 && strcmp(names ? names[i] : g->nodes[i].name, name) == 0) return i;
    return -1;
}

/* The nested model of that name (its first call), or -1. */
static int nest_by_name(const struct cf_graph *g, const char *name)
{
    for (int t = 0; t < g->n_nests; t++)
        if (g->nests[t].shares < 0 && strcmp(g->nests[t].name, name) == 0) return t;
    return -1;
}

static int inside_nest(const struct cf_graph *g, int i, int t)
{
    for (int k = g->nodes[i].nest; k >= 0; k = g->nests[k].parent)
        if (k == t) return 1;
    return 0;
}

static hsize_t links_in(hid_t loc, const char *path)
{
    H5G_info_t info;
    if (H5Lexists(loc, path, H5P_DEFAULT) <= 0 || H5Gget_info_by_name(loc, path, &info, H5P_DEFAULT) < 0) return 0;
    return info.nlinks;
}

struct v3_scan {
    const char *name;
    const struct cf_graph *g;
    char *const *names;
    struct cf_weights *w;
    char *seen;
    struct cf_diag *d;
    clinfer_status st;
    char extra[700]; /* the first layer of the file the model does not have */
};

/* One group under layers/: its vars (attribute 'name': the layer's name; the group's own name is Keras' path name,
 * dense_1 for a layer called 'first') into the layer of that name. */
static herr_t v3_layer(hid_t layers, const char *group, const H5L_info_t *info, void *user)
{
    (void)info;
    struct v3_scan *s = user;
    char vars[600];
    snprintf(vars, sizeof vars, "%s/vars", group);
    hsize_t n = links_in(layers, vars);
    char *lname = NULL;
    hid_t vg = H5Lexists(layers, vars, H5P_DEFAULT) > 0 ? H5Gopen2(layers, vars, H5P_DEFAULT) : -1;
    if (vg >= 0) {
        s->st = cf_h5_attr_string(s->name, vg, "name", &lname, s->d);
        H5Gclose(vg);
        if (s->st) return 1;
    }
    const char *layer = lname ? lname : group;
    char sub[620];
    snprintf(sub, sizeof sub, "%s/layers", group);
    if (H5Lexists(layers, sub, H5P_DEFAULT) > 0) { /* a nested model: its layers, under its own layers/ */
        cf_free(lname);
        hid_t inner = H5Gopen2(layers, sub, H5P_DEFAULT);
        hsize_t idx = 0;
        if (inner < 0 || (H5Literate(inner, H5_INDEX_NAME, H5_ITER_INC, &idx, v3_layer, s) < 0 && !s->st))
            s->st = cf_fail(s->d, CLINFER_E_PARSE, "%s: the group '%s' cannot be read", s->name, sub);
        if (inner >= 0) H5Gclose(inner);
        return s->st ? 1 : 0;
    }
    int i = node_by_name(s->g, s->names, layer);
    if (n > 0 && (i < 0 || s->w->count[i] == 0)) {
        if (!s->extra[0]) /* said after the layers that do match, whose faults say more */
            snprintf(s->extra, sizeof s->extra, "%s: layer '%s' of the file holds %llu weights; the model has %s",
                     s->name, layer, (unsigned long long)n, i < 0 ? "no layer of that name" : "none for it");
    } else if (i >= 0 && s->w->count[i]) {
        const struct cf_node *nd = &s->g->nodes[i];
        s->seen[i] = 1;
        if (n != (hsize_t)s->w->count[i])
            s->st = cf_fail(s->d, CLINFER_E_MODEL, "%s: layer '%s' (%s) needs %d weights; the file holds %llu ('layers/%s')",
                            s->name, nd->name, nd->type, s->w->count[i], (unsigned long long)n, vars);
        for (int k = 0; k < s->w->count[i] && !s->st; k++) {
            char path[640];
            snprintf(path, sizeof path, "%s/%d", vars, k);
            s->st = read_weight(s->name, layers, path, nd, &s->w->t[i][k], s->d);
        }
    }
    cf_free(lname);
    return s->st ? 1 : 0;
}

static clinfer_status keras3_layout(const char *name, hid_t root, const struct cf_graph *g, char *const *names,
                                    struct cf_weights *w, struct cf_diag *d)
{
    char *seen = cf_calloc((size_t)g->n_nodes + 1, 1);
    if (!seen) return cf_fail_oom(d);
    struct v3_scan s = {name, g, names, w, seen, d, CLINFER_OK, ""};
    hid_t layers = H5Gopen2(root, "layers", H5P_DEFAULT);
    if (layers < 0) s.st = cf_fail(d, CLINFER_E_PARSE, "%s: 'layers' is not a group", name);
    hsize_t idx = 0;
    if (layers >= 0 && H5Literate(layers, H5_INDEX_NAME, H5_ITER_INC, &idx, v3_layer, &s) < 0 && !s.st)
        s.st = cf_fail(d, CLINFER_E_PARSE, "%s: the layers group cannot be read", name);
    if (layers >= 0) H5Gclose(layers);
    if (!s.st && s.extra[0]) s.st = cf_fail(d, CLINFER_E_MODEL, "%s", s.extra);
    for (int i = 0; i < g->n_nodes && !s.st; i++)
        if (w->count[i] && !seen[i])
            s.st = cf_fail(d, CLINFER_E_MODEL, "%s: layer '%s' (%s) has no weights in the file", name, g->nodes[i].name,
                           g->nodes[i].type);
    cf_free(seen);
    return s.st;
}

static clinfer_status keras2_layout(const char *name, hid_t root, const struct cf_graph *g, char *const *names,
                                    struct cf_weights *w, struct cf_diag *d)
{
    char **layers;
    int nl;
    clinfer_status st = attr_list(name, root, "layer_names", &layers, &nl, d);
    if (st) return st;
    if (!layers) return cf_fail(d, CLINFER_E_PARSE, "%s: no Keras weights (neither layers/ nor layer_names)", name);
    char *seen = cf_calloc((size_t)g->n_nodes + 1, 1);
    if (!seen) st = cf_fail_oom(d);
    for (int l = 0; l < nl && !st; l++) {
        char **wn;
        int nw;
        hid_t grp = H5Lexists(root, layers[l], H5P_DEFAULT) > 0 ? H5Gopen2(root, layers[l], H5P_DEFAULT) : -1;
        if (grp < 0) {
            st = cf_fail(d, CLINFER_E_PARSE, "%s: layer_names lists '%s', which the file does not hold", name,
                         layers[l]);
            break;
        }
        if ((st = attr_list(name, grp, "weight_names", &wn, &nw, d))) {
            H5Gclose(grp);
            break;
        }
        int i = node_by_name(g, names, layers[l]), t = i < 0 ? nest_by_name(g, layers[l]) : -1;
        if (t >= 0) { /* a nested model: its layers' weights, named inner_layer/weight */
            for (int j = 0; j < nw && !st; j++) {
                char *slash = strrchr(wn[j], '/');
                if (!slash) {
                    st = cf_fail(d, CLINFER_E_MODEL, "%s: model '%s': weight '%s' names no layer", name, layers[l],
                                 wn[j]);
                    break;
                }
                char lname[512];
                snprintf(lname, sizeof lname, "%.*s", (int)(slash - wn[j]), wn[j]);
                const char *base = strrchr(lname, '/');
                base = base ? base + 1 : lname;
                size_t bl = strcspn(slash + 1, ":");
                int found = -1, k = -1;
                for (int n2 = 0; n2 < g->n_nodes && found < 0; n2++) {
                    if (!w->count[n2] || !inside_nest(g, n2, t)) continue;
                    if (strcmp(names ? names[n2] : g->nodes[n2].name, base) != 0) continue;
                    for (int q = 0; q < w->count[n2] && k < 0; q++)
                        if (strlen(w->t[n2][q].desc.name) == bl && strncmp(w->t[n2][q].desc.name, slash + 1, bl) == 0)
                            k = q;
                    if (k >= 0) found = n2;
                }
                if (found < 0)
                    st = cf_fail(d, CLINFER_E_MODEL, "%s: model '%s': weight '%s' matches no weight of its layers",
                                 name, layers[l], wn[j]);
                else if (!(st = read_weight(name, grp, wn[j], &g->nodes[found], &w->t[found][k], d)))
                    seen[found] = 1;
            }
            free_strings(wn, nw);
            H5Gclose(grp);
            continue;
        }
        if (nw > 0 && (i < 0 || w->count[i] == 0)) {
            st = cf_fail(d, CLINFER_E_MODEL, "%s: layer '%s' of the file holds %d weights; the model has %s", name,
                         layers[l], nw, i < 0 ? "no layer of that name" : "none for it");
        } else if (i >= 0 && w->count[i]) {
            seen[i] = 1;
            const struct cf_node *n = &g->nodes[i];
            for (int k = 0; k < w->count[i] && !st; k++) {
                int found = -1;
                for (int j = 0; j < nw && found < 0; j++) {
                    const char *base = strrchr(wn[j], '/');
                    base = base ? base + 1 : wn[j];
                    size_t bl = strcspn(base, ":");
                    if (bl == strlen(w->t[i][k].desc.name) && strncmp(base, w->t[i][k].desc.name, bl) == 0) found = j;
                }
                if (found < 0)
                    st = cf_fail(d, CLINFER_E_MODEL, "%s: layer '%s' (%s): its %s is missing (weight_names has %d)",
                                 name, n->name, n->type, w->t[i][k].desc.name, nw);
                else
                    st = read_weight(name, grp, wn[found], n, &w->t[i][k], d);
            }
            if (!st && nw != w->count[i])
                st = cf_fail(d, CLINFER_E_MODEL, "%s: layer '%s' (%s) holds %d weights in the file; it needs %d", name,
                             n->name, n->type, nw, w->count[i]);
        }
        free_strings(wn, nw);
        H5Gclose(grp);
    }
    for (int i = 0; i < g->n_nodes && !st; i++)
        if (w->count[i] && !seen[i])
            st = cf_fail(d, CLINFER_E_MODEL, "%s: layer '%s' (%s) has no weights in the file", name, g->nodes[i].name,
                         g->nodes[i].type);
    cf_free(seen);
    free_strings(layers, nl);
    return st;
}

static clinfer_status weights_named(const char *name, hid_t root, const struct cf_graph *g, char *const *names,
                                    struct cf_weights *w, struct cf_diag *d)
{
    if (H5Lexists(root, "layers", H5P_DEFAULT) > 0) return keras3_layout(name, root, g, names, w, d);
    if (H5Lexists(root, "model_weights", H5P_DEFAULT) > 0) {
        hid_t mw = H5Gopen2(root, "model_weights", H5P_DEFAULT);
        if (mw < 0) return cf_fail(d, CLINFER_E_PARSE, "%s: 'model_weights' cannot be opened", name);
        clinfer_status st = keras2_layout(name, mw, g, names, w, d);
        H5Gclose(mw);
        return st;
    }
    return keras2_layout(name, root, g, names, w, d);
}

clinfer_status cf_h5_keras_weights(const char *name, hid_t root, const struct cf_graph *g, struct cf_weights *w,
                                   struct cf_diag *d)
{
    quiet();
    clinfer_status st = weights_named(name, root, g, NULL, w, d);
    int generated = 0;
    for (int i = 0; i < g->n_nodes; i++) generated |= g->nodes[i].auto_name;
    if (st != CLINFER_E_MODEL || !generated) return st;
    /* a script read as one Keras, its weights saved by another: conv2d_1 is the other's conv2d */
    struct cf_diag first = *d;
    char **names = cf_calloc((size_t)g->n_nodes + 1, sizeof *names);
    if (!names) return cf_fail_oom(d);
    for (int naming = 1; naming <= 2 && st; naming++) {
        for (int i = 0; i < g->n_nodes; i++) {
            char buf[512];
            cf_keras_renumber(&g->nodes[i], naming == 1, buf, sizeof buf);
            cf_free(names[i]);
            if (!(names[i] = cf_strdup(buf))) {
                st = cf_fail_oom(d);
                goto done;
            }
        }
        st = weights_named(name, root, g, names, w, d);
    }
    if (st == CLINFER_E_MODEL) *d = first;
done:
    for (int i = 0; i < g->n_nodes; i++) cf_free(names[i]);
    cf_free(names);
    return st;
}
