/* Buffer planning (after ggml-alloc): walk the nodes in order, give each new buffer the best-fitting free block
 * of the arena, and free a buffer after its last reader has run. Inputs and outputs are pinned (never freed),
 * views share their input's buffer, and an activation that is the last reader of its input works in place. */
#include "plan.h"

#include <string.h>

#include "../ops/ops.h"
#include "../util/alloc.h"
#include "../util/checked.h"

struct block {
    size_t off, size;
};

struct allocator {
    size_t align, end;
    int n, cap;
    struct block *free; /* sorted by offset, never adjacent */
};

static size_t align_up(size_t x, size_t a) { return (x + a - 1) & ~(a - 1); }

static int fa_alloc(struct allocator *A, size_t size, size_t *off)
{
    size = align_up(size ? size : 1, A->align);
    int best = -1;
    for (int i = 0; i < A->n; i++)
        if (A->free[i].size >= size && (best < 0 || A->free[i].size < A->free[best].size)) best = i;
    if (best >= 0) {
        *off = A->free[best].off;
        A->free[best].off += size;
        A->free[best].size -= size;
        if (A->free[best].size == 0) {
            memmove(&A->free[best], &A->free[best + 1], sizeof *A->free * (size_t)(A->n - best - 1));
            A->n--;
        }
        return 1;
    }
    /* grow the arena; a free block at its end is used first */
    if (A->n > 0 && A->free[A->n - 1].off + A->free[A->n - 1].size == A->end) {
        *off = A->free[A->n - 1].off;
        A->end = *off + size;
        A->n--;
        return 1;
    }
    *off = A->end;
    A->end += size;
    return 1;
}

static int fa_release(struct allocator *A, size_t off, size_t size)
{
    size = align_up(size ? size : 1, A->align);
    int i = 0;
    while (i < A->n && A->free[i].off < off) i++;
    int merge_prev = i > 0 && A->free[i - 1].off + A->free[i - 1].size == off;
    int merge_next = i < A->n && off + size == A->free[i].off;
    if (merge_prev && merge_next) {
        A->free[i - 1].size += size + A->free[i].size;
        memmove(&A->free[i], &A->free[i + 1], sizeof *A->free * (size_t)(A->n - i - 1));
        A->n--;
    } else if (merge_prev) {
        A->free[i - 1].size += size;
    } else if (merge_next) {
        A->free[i].off = off;
        A->free[i].size += size;
    } else {
        if (A->n == A->cap) {
            int cap = A->cap ? A->cap * 2 : 16;
            struct block *p = cf_realloc(A->free, sizeof *p * (size_t)cap);
            if (!p) return 0;
            A->free = p;
            A->cap = cap;
        }
        memmove(&A->free[i + 1], &A->free[i], sizeof *A->free * (size_t)(A->n - i));
        A->free[i] = (struct block){off, size};
        A->n++;
    }
    return 1;
}

void cf_plan_free(struct cf_plan *p)
{
    if (!p) return;
    cf_free(p->storage);
    cf_free(p->in_place);
    cf_free(p->offset);
    cf_free(p->bytes);
    cf_free(p->scratch_offset);
    cf_free(p->scratch_bytes);
    cf_free(p->last);
    memset(p, 0, sizeof *p);
}

clinfer_status cf_plan_buffers(const struct cf_graph *g, size_t align, int naive, struct cf_plan *out,
                               struct cf_diag *d)
{
    int n = g->n_nodes;
    memset(out, 0, sizeof *out);
    out->n_nodes = n;
    out->align = align;
    size_t cnt = (size_t)(n > 0 ? n : 1);
    out->storage = cf_malloc(sizeof(int) * cnt);
    out->in_place = cf_calloc(cnt, sizeof(int));
    out->offset = cf_calloc(cnt, sizeof(size_t));
    out->bytes = cf_calloc(cnt, sizeof(size_t));
    out->scratch_offset = cf_calloc(cnt, sizeof(size_t));
    out->scratch_bytes = cf_calloc(cnt, sizeof(size_t));
    out->last = cf_malloc(sizeof(int) * cnt);
    int *last_reader = cf_malloc(sizeof(int) * cnt), *pinned = cf_calloc(cnt, sizeof(int));
    struct allocator A = {.align = align};
    clinfer_status st = CLINFER_OK;
    if (!out->storage || !out->in_place || !out->offset || !out->bytes || !out->scratch_offset ||
        !out->scratch_bytes || !out->last || !last_reader || !pinned) {
        st = cf_fail_oom(d);
        goto done;
    }
    /* sizes, and the last step that reads each node's output (outputs: never) */
    for (int i = 0; i < n; i++) {
        const struct cf_node *nd = &g->nodes[i];
        int64_t e = 1;
        for (int k = 0; k < nd->out.rank; k++)
            if (nd->out.d[k] < 0 || !cf_mul_ok(e, nd->out.d[k], &e) || e > CF_MAX_TENSOR_ELEMS) {
                char buf[160];
                cf_shape_format(&nd->out, buf, sizeof buf);
                st = cf_fail_at(d, nd->loc, nd->out.d[k] < 0 ? CLINFER_E_ARG : CLINFER_E_LIMIT,
                                "layer '%s': its output %s %s", nd->name, buf,
                                nd->out.d[k] < 0 ? "has an unknown dimension; bind the batch first"
                                                 : "has more than 2^36 elements (256 GiB of floats)");
                goto done;
            }
        int64_t s = cf_op_scratch(g, (struct cf_node *)nd);
        if (s < 0) {
            st = cf_fail_at(d, nd->loc, CLINFER_E_LIMIT, "layer '%s': its temporary buffer is too large", nd->name);
            goto done;
        }
        out->bytes[i] = (size_t)e * sizeof(float);
        out->scratch_bytes[i] = (size_t)s * sizeof(float);
        out->naive_bytes += out->bytes[i] + out->scratch_bytes[i];
        last_reader[i] = i;
        out->storage[i] = i;
        out->last[i] = i;
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++)
            if (last_reader[g->nodes[i].in[k]] < i) last_reader[g->nodes[i].in[k]] = i;
    for (int i = 0; i < n; i++) out->last[i] = last_reader[i];
    for (int k = 0; k < g->n_inputs; k++) pinned[g->inputs[k]] = 1;
    for (int k = 0; k < g->n_outputs; k++) pinned[g->outputs[k]] = 1;
    /* storage roots: views share, a lone activation that is the last reader of its input's buffer works in place */
    for (int i = 0; i < n; i++) {
        const struct cf_node *nd = &g->nodes[i];
        if (naive || nd->n_in != 1) continue;
        int r = out->storage[nd->in[0]];
        if (cf_op_has(nd->op, CF_T_VIEW)) {
            out->storage[i] = r;
        } else if (cf_op_has(nd->op, CF_T_IN_PLACE) && !pinned[r] && out->last[r] == i) {
            out->storage[i] = r;
            out->in_place[i] = 1;
        } else {
            continue;
        }
        /* the root's buffer now lives as long as its last reader through this node */
        if (pinned[i]) pinned[r] = 1;
        if (last_reader[i] > out->last[r]) out->last[r] = last_reader[i];
        out->last[i] = out->last[r];
    }
    /* pinned buffers live to the end; so does a root whose view or in-place chain reaches an output */
    for (int i = 0; i < n; i++)
        if (pinned[i]) out->last[out->storage[i]] = n;
    for (int i = 0; i < n; i++) out->last[i] = out->last[out->storage[i]];
    /* inputs first, so nothing else can take their place */
    for (int k = 0; k < g->n_inputs; k++) fa_alloc(&A, out->bytes[g->inputs[k]], &out->offset[g->inputs[k]]);
    for (int i = 0; i < n; i++) {
        if (out->storage[i] == i && !cf_op_has(g->nodes[i].op, CF_T_INPUT)) fa_alloc(&A, out->bytes[i], &out->offset[i]);
        if (out->scratch_bytes[i]) {
            fa_alloc(&A, out->scratch_bytes[i], &out->scratch_offset[i]);
            if (!naive && !fa_release(&A, out->scratch_offset[i], out->scratch_bytes[i])) goto oom;
        }
        if (naive) continue;
        /* buffers whose last reader is this step */
        for (int k = 0; k < g->nodes[i].n_in; k++) {
            int r = out->storage[g->nodes[i].in[k]];
            int dup = 0;
            for (int j = 0; j < k; j++) dup |= out->storage[g->nodes[i].in[j]] == r;
            if (!dup && out->last[r] == i && !fa_release(&A, out->offset[r], out->bytes[r])) goto oom;
        }
    }
    for (int i = 0; i < n; i++) out->offset[i] = out->offset[out->storage[i]];
    out->arena_bytes = A.end;
    goto done;
oom:
    st = cf_fail_oom(d);
done:
    cf_free(A.free);
    cf_free(last_reader);
    cf_free(pinned);
    if (st) cf_plan_free(out);
    return st;
}
