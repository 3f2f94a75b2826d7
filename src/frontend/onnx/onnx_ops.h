/* The ONNX front-end's op groups and what they share (attrs.c: a node's attributes; values.c: values and IR nodes;
 * fold.c: nodes whose inputs are all constants, folded at load; ops_conv.c, ops_gemm.c, ops_eltwise.c,
 * ops_shape.c: the operators; ops.c: the table from operator to handler). */
#ifndef CF_ONNX_OPS_H
#define CF_ONNX_OPS_H

#include "onnx.h"

/* a handler: converts node n, with inputs in[0..n_in) (NULL where an optional one is absent), into out */
typedef clinfer_status (*onnx_fn)(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                  struct oval *out);

/* attrs.c */
const Onnx__AttributeProto *cf_onnx_attr(const Onnx__NodeProto *n, const char *name);
int64_t cf_onnx_attr_i(const Onnx__NodeProto *n, const char *name, int64_t def);
float cf_onnx_attr_f(const Onnx__NodeProto *n, const char *name, float def);
void cf_onnx_attr_s(const Onnx__NodeProto *n, const char *name, const char *def, char *out, size_t size);
clinfer_status cf_onnx_check_attr_type(struct onnx_ctx *X, const Onnx__NodeProto *n, const Onnx__AttributeProto *a);
int cf_onnx_attr_ints(const Onnx__NodeProto *n, const char *name, int64_t *out, int max);

/* values.c */
clinfer_status cf_onnx_add_ir(struct onnx_ctx *X, enum cf_op op, const struct cf_attrs *a, const int *ins, int n_in,
                              int *idx);
void cf_onnx_count_params(struct onnx_ctx *X, int i, struct ctensor *c);
clinfer_status cf_onnx_as_ir(struct onnx_ctx *X, struct oval *v, int *idx);
clinfer_status cf_onnx_need_const(struct onnx_ctx *X, struct oval *v, const char *what, int rank, struct ctensor **out);
clinfer_status cf_onnx_need_float(struct onnx_ctx *X, struct ctensor *c, const char *what);
clinfer_status cf_onnx_const_ints(struct onnx_ctx *X, struct oval *v, const char *what, int64_t *out, int max, int *n);
const struct cf_shape *cf_onnx_ir_shape(struct onnx_ctx *X, int idx);

/* fold.c */
clinfer_status cf_onnx_oom(struct onnx_ctx *X);
clinfer_status cf_onnx_fold_reshape_to(struct onnx_ctx *X, struct ctensor *c, int rank, const int64_t *dims,
                                       struct oval *out);
clinfer_status cf_onnx_axes_of(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, int from_opset,
                               int64_t *axes, int *count);
int cf_onnx_norm_axis(int64_t a, int rank);
clinfer_status cf_onnx_squeeze_dims(struct onnx_ctx *X, int unsqueeze, const int64_t *in_dims, int rank,
                                    const int64_t *axes, int n_axes, int64_t *out, int *out_rank);
clinfer_status cf_onnx_fold(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out,
                            int *done);

/* ops_conv.c */
clinfer_status cf_onnx_runtime_weight(struct onnx_ctx *X, struct oval *v, const int *perm, int rank, int *idx);
clinfer_status cf_onnx_op_global_pool(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                      struct oval *out);
clinfer_status cf_onnx_op_conv_any(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                   struct oval *out);

/* ops_gemm.c */
clinfer_status cf_onnx_op_gemm(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                               struct oval *out);
clinfer_status cf_onnx_op_matmul(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                 struct oval *out);

/* ops_eltwise.c */
clinfer_status cf_onnx_op_binary(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                 struct oval *out);
clinfer_status cf_onnx_op_activation(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                     struct oval *out);
clinfer_status cf_onnx_op_batch_norm(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                     struct oval *out);
clinfer_status cf_onnx_op_lrn(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                              struct oval *out);

/* ops_shape.c */
clinfer_status cf_onnx_op_fold_only(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                    struct oval *out);
clinfer_status cf_onnx_op_flatten(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                  struct oval *out);
clinfer_status cf_onnx_reshape_ir(struct onnx_ctx *X, int x, const int64_t *t, int tn, struct oval *out);
clinfer_status cf_onnx_op_reshape(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                  struct oval *out);
clinfer_status cf_onnx_op_squeeze(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                  struct oval *out);
clinfer_status cf_onnx_op_transpose(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                    struct oval *out);
clinfer_status cf_onnx_op_concat(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                 struct oval *out);
clinfer_status cf_onnx_op_pad(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                              struct oval *out);
clinfer_status cf_onnx_op_identity(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                   struct oval *out);
clinfer_status cf_onnx_op_constant(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                   struct oval *out);
clinfer_status cf_onnx_op_constant_of_shape(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                            struct oval *out);
clinfer_status cf_onnx_op_shape(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                struct oval *out);
clinfer_status cf_onnx_op_reduce_mean(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                      struct oval *out);
clinfer_status cf_onnx_op_depth_to_space(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                         struct oval *out);
/* ops_slice.c; Split fills out[k] for each of the node's outputs */
clinfer_status cf_onnx_op_slice(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                struct oval *out);
clinfer_status cf_onnx_op_split(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                struct oval *out);
clinfer_status cf_onnx_op_cast(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                               struct oval *out);

/* ops_resize.c */
clinfer_status cf_onnx_op_resize(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                 struct oval *out);

#endif
