/* A graph's weights: freeing them and finding a node's tensor by name. */
#include "weights.h"

#include <string.h>

#include "../util/alloc.h"

void cf_weights_free(struct cf_weights *w)
{
    if (!w) return;
    for (int i = 0; i < w->n_nodes && w->t; i++) {
        for (int k = 0; w->count && k < w->count[i]; k++) cf_free(w->t[i][k].data);
        cf_free(w->t[i]);
    }
    cf_free(w->t);
    cf_free(w->count);
    memset(w, 0, sizeof *w);
}

const struct cf_tensor *cf_weights_get(const struct cf_weights *w, int node, const char *name)
{
    for (int k = 0; k < w->count[node]; k++)
        if (strcmp(w->t[node][k].desc.name, name) == 0) return &w->t[node][k];
    return NULL;
}
