/* Gemm (alpha, beta, transA, transB) as a Dense where it can be one (B -> (K, N)), and MatMul. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../passes/passes.h"
#include "../../util/alloc.h"
#include "../../util/strbuf.h"
#include "onnx_ops.h"

/* Dense from a constant matrix: kernel [K][N] and an optional bias [N] (or NULL), both cf_malloc'd: the node's from
 * then on, freed here on failure */
static clinfer_status dense_from(struct onnx_ctx *X, int x, float *kernel, int64_t K, int64_t N, float *bias,
                                 struct oval *out)
{
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.filters = N;
    a.use_bias = bias != NULL;
    const struct cf_shape *xs = cf_onnx_ir_shape(X, x);
    clinfer_status st;
    int idx;
    if (xs->d[xs->rank - 1] != K)
        st = cf_onnx_fail(X, CLINFER_E_MODEL, "the input's last axis has %lld values, the matrix %lld rows",
                          (long long)xs->d[xs->rank - 1], (long long)K);
    else st = cf_onnx_add_ir(X, CF_OP_DENSE, &a, &x, 1, &idx);
    struct cf_tensor t[2] = {{{"kernel", 2, {K, N}, 1}, kernel}, {{"bias", 1, {N}, 1}, bias}};
    if (!st && cf_node_own_values(&X->g->nodes[idx], t, bias ? 2 : 1)) st = cf_onnx_oom(X);
    if (st) {
        cf_free(kernel);
        cf_free(bias);
        return st;
    }
    out->ir = idx;
    return CLINFER_OK;
}

clinfer_status cf_onnx_op_gemm(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    float alpha = cf_onnx_attr_f(n, "alpha", 1.0f), beta = cf_onnx_attr_f(n, "beta", 1.0f);
    int transA = (int)cf_onnx_attr_i(n, "transA", 0), transB = (int)cf_onnx_attr_i(n, "transB", 0);
    int x;
    clinfer_status st;
    if ((st = cf_onnx_as_ir(X, in[0], &x))) return st;
    if (cf_onnx_ir_shape(X, x)->rank != 2) return cf_onnx_fail(X, CLINFER_E_MODEL, "A must be 2-D");
    if (transA) {
        static const int swap[2] = {1, 0};
        struct oval tmp = {in[0]->name, x, NULL};
        if ((st = cf_onnx_runtime_weight(X, &tmp, swap, 2, &x))) return st;
    }
    struct oval *C = n_in > 2 ? in[2] : NULL;
    if (C && !C->c && in[1]->c) {
        /* a run-time C: Dense without bias, then [Mul beta] and Add C */
        struct oval *c_rt = C;
        struct oval *tmp_in[2] = {in[0], in[1]};
        struct oval a_ir = {in[0]->name, x, NULL};
        tmp_in[0] = &a_ir;
        Onnx__NodeProto nn = *n;
        Onnx__AttributeProto *kept[8];
        size_t nk = 0;
        for (size_t i = 0; i < n->n_attribute && nk < 8; i++)
            if (strcmp(n->attribute[i]->name, "beta") && strcmp(n->attribute[i]->name, "transA")) kept[nk++] = n->attribute[i];
        nn.attribute = kept;
        nn.n_attribute = nk;
        if ((st = cf_onnx_op_gemm(X, &nn, tmp_in, 2, out))) return st;
        int pair[2] = {out->ir, 0};
        struct cf_attrs a;
        cf_attrs_default(&a);
        a.broadcast = CF_BCAST_NUMPY;
        if ((st = cf_onnx_as_ir(X, c_rt, &pair[1]))) return st;
        if (beta != 1.0f) {
            struct ctensor *bc = cf_onnx_new_const(X, CT_FLOAT, 0, NULL);
            if (!bc) return cf_onnx_oom(X);
            bc->f[0] = beta;
            struct oval bv = {"beta", -1, bc};
            int bb[2] = {pair[1], 0};
            if ((st = cf_onnx_as_ir(X, &bv, &bb[1])) || (st = cf_onnx_add_ir(X, CF_OP_MULTIPLY, &a, bb, 2, &pair[1]))) return st;
        }
        return cf_onnx_add_ir(X, CF_OP_ADD, &a, pair, 2, &out->ir);
    }
    if (!in[1]->c) { /* both operands at run time: [Transpose] MatMul [Mul alpha] [Add beta·C] */
        int ins[2] = {x, 0};
        struct cf_attrs a;
        cf_attrs_default(&a);
        a.broadcast = CF_BCAST_NUMPY;
        if ((st = cf_onnx_as_ir(X, in[1], &ins[1]))) return st;
        if (transB) {
            struct cf_attrs t = a;
            t.perm[0] = 1, t.perm[1] = 0;
            if ((st = cf_onnx_add_ir(X, CF_OP_TRANSPOSE, &t, &ins[1], 1, &ins[1]))) return st;
        }
        if ((st = cf_onnx_add_ir(X, CF_OP_MATMUL, &a, ins, 2, &out->ir))) return st;
        /* y = alpha·(A·B) + beta·C, C a constant or a run-time tensor */
        float factor[2] = {alpha, beta};
        for (int k = 0; k < 2; k++) {
            if (k == 1 && !C) break;
            int operand = -1;
            if (k == 1 && !C->c) {
                if ((st = cf_onnx_as_ir(X, C, &operand))) return st;
                if (beta == 1.0f) goto add;
            } else if (k == 0 && alpha == 1.0f) {
                continue;
            }
            {
                /* the factor (alpha, or beta folded into a constant C, or beta alone for a run-time C) */
                int folded = k == 1 && C->c;
                struct ctensor *c = folded ? cf_onnx_new_const(X, CT_FLOAT, C->c->rank, C->c->dims)
                                           : cf_onnx_new_const(X, CT_FLOAT, 0, NULL);
                if (!c) return cf_onnx_oom(X);
                if (folded && C->c->type != CT_FLOAT) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "C is not FLOAT");
                for (int64_t e = 0; e < c->n; e++) c->f[e] = folded ? beta * C->c->f[e] : factor[k];
                struct oval v = {k == 0 ? "alpha" : C->name, -1, c};
                int f;
                if ((st = cf_onnx_as_ir(X, &v, &f))) return st;
                if (k == 0 || folded) {
                    int pair[2] = {out->ir, f};
                    if ((st = cf_onnx_add_ir(X, folded ? CF_OP_ADD : CF_OP_MULTIPLY, &a, pair, 2, &out->ir))) return st;
                    if (folded) cf_onnx_count_params(X, out->ir, C->c);
                    continue;
                }
                int pair[2] = {operand, f};
                if ((st = cf_onnx_add_ir(X, CF_OP_MULTIPLY, &a, pair, 2, &operand))) return st;
            }
        add : {
            int pair[2] = {out->ir, operand};
            if ((st = cf_onnx_add_ir(X, CF_OP_ADD, &a, pair, 2, &out->ir))) return st;
        }
        }
        return CLINFER_OK;
    }
    struct ctensor *B = NULL, *Cc = NULL;
    if ((st = cf_onnx_need_const(X, in[1], "B", 2, &B)) || (st = cf_onnx_need_float(X, B, "B"))) return st;
    int64_t K = transB ? B->dims[1] : B->dims[0], N = transB ? B->dims[0] : B->dims[1];
    if (C && ((st = cf_onnx_need_const(X, C, "C", -1, &Cc)) || (st = cf_onnx_need_float(X, Cc, "C")))) return st;
    if (Cc && !(Cc->n == 1 || (Cc->n == N && Cc->dims[Cc->rank - 1] == N)))
        return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "C of %lld values does not broadcast along N = %lld only",
                            (long long)Cc->n, (long long)N);
    float *k = cf_malloc(sizeof(float) * (size_t)(K * N)), *b = Cc ? cf_malloc(sizeof(float) * (size_t)N) : NULL;
    if (!k || (Cc && !b)) {
        cf_free(k);
        cf_free(b);
        return cf_onnx_oom(X);
    }
    /* B^T in tiles of 8 x 16: 8 cache lines of B read at a time, whatever its stride (VGG's 4096 x 25088: 0.5 s
     * element by element) */
    if (!transB)
        for (int64_t e = 0; e < K * N; e++) k[e] = alpha * B->f[e];
    for (int64_t i0 = 0; transB && i0 < K; i0 += 8)
        for (int64_t j0 = 0; j0 < N; j0 += 16)
            for (int64_t j = j0; j < N && j < j0 + 16; j++)
                for (int64_t i = i0; i < K && i < i0 + 8; i++) k[i * N + j] = alpha * B->f[j * K + i];
    for (int64_t j = 0; Cc && j < N; j++) b[j] = beta * Cc->f[Cc->n == 1 ? 0 : j];
    if ((st = dense_from(X, x, k, K, N, b, out))) return st;
    cf_onnx_count_params(X, out->ir, B);
    cf_onnx_count_params(X, out->ir, Cc);
    return CLINFER_OK;
}

clinfer_status cf_onnx_op_matmul(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)n;
    (void)n_in;
    int ins[2];
    clinfer_status st;
    if ((st = cf_onnx_as_ir(X, in[0], &ins[0]))) return st;
    if (in[1]->c && in[1]->c->rank == 2 && in[1]->c->type == CT_FLOAT && cf_onnx_ir_shape(X, ins[0])->rank >= 2) {
        struct ctensor *B = in[1]->c;
        float *k = cf_malloc(sizeof(float) * (size_t)B->n); /* (the constant may feed other nodes) */
        if (!k) return cf_onnx_oom(X);
        memcpy(k, B->f, sizeof(float) * (size_t)B->n);
        if ((st = dense_from(X, ins[0], k, B->dims[0], B->dims[1], NULL, out))) return st;
        cf_onnx_count_params(X, out->ir, B);
        return CLINFER_OK;
    }
    if ((st = cf_onnx_as_ir(X, in[1], &ins[1]))) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    if ((st = cf_onnx_add_ir(X, CF_OP_MATMUL, &a, ins, 2, &out->ir))) return st;
    cf_onnx_count_params(X, out->ir, in[0]->c);
    cf_onnx_count_params(X, out->ir, in[1]->c);
    return CLINFER_OK;
}
