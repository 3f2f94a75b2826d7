/* Graph shape facts: whether Keras would print a graph in its sequential layout. */
#include "../util/alloc.h"
#include "passes.h"

int cf_sequential_like(const struct cf_graph *g)
{
    int n = g->n_nodes, ok = 1;
    int *depth = cf_calloc((size_t)n + 1, sizeof(int)), *count = cf_calloc((size_t)n + 1, sizeof(int));
    if (!depth || !count) {
        cf_free(depth);
        cf_free(count);
        return 0;
    }
    /* nodes are in a topological order: walk back from the outputs */
    for (int i = n - 1; i >= 0; i--) {
        const struct cf_node *v = &g->nodes[i];
        int visible = 0;
        for (int k = 0; k < v->n_in; k++) {
            if (g->nodes[v->in[k]].hidden) continue;
            visible++;
            if (depth[v->in[k]] < depth[i] + 1) depth[v->in[k]] = depth[i] + 1;
        }
        if (visible > 1) ok = 0;
    }
    for (int i = 0; i < n; i++)
        if (!g->nodes[i].hidden && ++count[depth[i]] > 1) ok = 0;
    cf_free(depth);
    cf_free(count);
    return ok;
}
