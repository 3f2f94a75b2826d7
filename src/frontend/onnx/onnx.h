/* The ONNX front-end's internals: constants it folds at load time, the values of the ONNX graph, and the
 * op table's handlers. */
#ifndef CF_ONNX_H
#define CF_ONNX_H

#include "../../ir/graph.h"
#include "onnx.pb-c.h"

/* In a folded shape: the batch dimension, whose size is bound only when an input arrives. */
#define SYM_BATCH (INT64_MIN + 12345)

enum ctype { CT_FLOAT, CT_INT64 };

/* A tensor whose values the loader knows: an initializer, a Constant, or a folded subgraph. */
struct ctensor {
    enum ctype type;
    int rank;
    int64_t dims[CF_MAX_RANK];
    int64_t n;     /* elements */
    float *f;      /* CT_FLOAT, owned */
    int64_t *i;    /* CT_INT64, owned */
    int counted;   /* its elements already count as a node's parameters */
    int ir;        /* the hidden Constant node made for it, or -1 */
};

/* A value of the ONNX graph, by name: made by an IR node, or a constant, or an output clinfer does not make. */
struct oval {
    const char *name;
    int ir;            /* producing IR node; -1 none; -2 an output clinfer does not compute */
    struct ctensor *c; /* a constant */
};

struct onnx_ctx {
    const char *path;
    char dir[4096];    /* the model's folder: external data must stay inside it */
    struct cf_graph *g;
    struct cf_diag *d;
    int64_t opset;
    const Onnx__NodeProto *node; /* the node being converted, for messages */
    char where[512];             /* "model.onnx: node '/c1/Conv' (Conv)" */
    struct oval *vals;
    int n_vals, cap_vals;
    struct ctensor **consts;     /* every constant, to free */
    int n_consts, cap_consts;
    int one_d;         /* converting a 1-D Conv or pool as a 2-D one of height 1: attributes have one value */
};

/* tensor.c: a TensorProto as a constant (raw or typed data, external data inside the model's folder). */
clinfer_status cf_onnx_tensor(struct onnx_ctx *X, const Onnx__TensorProto *t, const char *what, struct ctensor **out);
/* The same for a tensor read only once (an initializer): FLOAT raw data is taken from the message, not copied (the
 * message then holds none; a classifier's weights are hundreds of MB) */
clinfer_status cf_onnx_tensor_take(struct onnx_ctx *X, Onnx__TensorProto *t, const char *what, struct ctensor **out);
struct ctensor *cf_onnx_new_const(struct onnx_ctx *X, enum ctype type, int rank, const int64_t *dims);

/* ops.c: converts one node; in[k] is NULL for an absent optional input. */
clinfer_status cf_onnx_node(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                            struct oval *out);

/* nesting.c: how deeply the file's messages nest (counted up to just past limit), read before unpacking it. */
#define CF_ONNX_MAX_NESTING 100
int cf_onnx_nesting(const uint8_t *buf, size_t len, int limit);

/* Records an error about the current node: "model.onnx: node 'n' (Op): ...". */
clinfer_status cf_onnx_fail(struct onnx_ctx *X, clinfer_status st, const char *fmt, ...) CF_PRINTF(3, 4);

#endif
