/* The graph IR: one node per layer, each with one output tensor, its attributes and its inferred shape. */
#ifndef CF_GRAPH_H
#define CF_GRAPH_H

#include <stdint.h>

#include "../util/diag.h"
#include "../util/strbuf.h"

#define CF_MAX_RANK CLINFER_MAX_RANK
#define CF_DIM_UNKNOWN (-1) /* None */
#define CF_DIM_BATCH (-3)   /* in a Reshape target: the input's batch dimension */
#define CF_SLICE_END INT64_MAX /* a Slice's end: the axis' end */

struct cf_shape {
    int rank;
    int64_t d[CF_MAX_RANK];
};

enum cf_op {
#define OP(id, name, infer, weights, macs, explain, scratch, traits, num) CF_OP_##id,
#include "ops.def"
#undef OP
    CF_OP_COUNT
};

/* What passes, the planner and the backends ask of an op instead of testing which op it is (ops.def says what each
 * means and which ops have it). */
enum cf_op_trait {
    CF_T_VIEW = 1 << 0,
    CF_T_INPUT = 1 << 1,
    CF_T_EPILOGUE = 1 << 2,
    CF_T_MERGE = 1 << 3,
    CF_T_FOLDS_BN = 1 << 4,
    CF_T_RUNTIME_WEIGHTS = 1 << 5,
    CF_T_IN_PLACE = 1 << 6,
    CF_T_ACT = 1 << 7,
    CF_T_SPATIAL2D = 1 << 8,
    CF_T_MANY_INPUTS = 1 << 9,
    CF_T_1D = 1 << 10,
    CF_T_AS_BN = 1 << 11, /* a per-channel affine map that runs as a BatchNormalization (passes/lower_affine.c) */
};
/* How an op's result rounds, for compare's default tolerance (docs/compare.md). */
enum cf_num { CF_NUM_EXACT, CF_NUM_ARITH, CF_NUM_SUM, CF_NUM_FN, CF_NUM_NORM };

struct cf_op_info {
    const char *name;
    unsigned traits;
    enum cf_num num;
};
const struct cf_op_info *cf_op_info(enum cf_op op);
static inline int cf_op_has(enum cf_op op, unsigned trait) { return (cf_op_info(op)->traits & trait) != 0; }
/* whether a backend runs a kernel for the op (not a view, not an input, not a 1-D op: those run as their 2-D op) */
static inline int cf_op_runs(enum cf_op op) { return !cf_op_has(op, CF_T_VIEW | CF_T_INPUT | CF_T_1D | CF_T_AS_BN); }

enum cf_act {
#define ACT(id, name, keras, onnx, alpha, beta) CF_ACT_##id,
#include "activations.def"
#undef ACT
    CF_ACT_COUNT
};

/* VALID, and 'same' as Keras/TensorFlow (and ONNX SAME_UPPER) do it: the odd pad after; SAME_LOWER puts it
 * before; EXPLICIT takes pads as given (ONNX). The shape rule writes the pads it implies into attrs.pads. */
enum cf_padding { CF_PAD_VALID, CF_PAD_SAME, CF_PAD_SAME_LOWER, CF_PAD_EXPLICIT };
enum cf_layout { CF_LAYOUT_NHWC, CF_LAYOUT_NCHW };
/* Broadcasting of element-wise ops: Keras' _Merge keeps the batch axis and right-aligns the others;
 * NumPy (ONNX) right-aligns every axis. */
enum cf_broadcast { CF_BCAST_KERAS, CF_BCAST_NUMPY };
enum cf_pad_mode { CF_PADMODE_CONSTANT, CF_PADMODE_REFLECT, CF_PADMODE_EDGE };

/* Attributes of every op in one flat struct; each op reads the fields its row in ops.def names. */
/* Resize's bilinear source coordinate of output o (factor s, n in, no out): half-pixel (o + 0.5)/s - 0.5 (Keras,
 * TensorFlow, JAX, PyTorch's align_corners=False); align_corners o·(n - 1)/(no - 1); asymmetric o/s. */
enum { CF_RESIZE_NEAREST = 0, CF_RESIZE_HALF_PIXEL = 1, CF_RESIZE_ALIGN_CORNERS = 2, CF_RESIZE_ASYMMETRIC = 3 };

struct cf_attrs {
    int64_t filters;        /* Conv filters, Dense units */
    int kernel[2];          /* kernel or pool size (rows, cols) */
    int strides[2];
    int dilation[2];
    enum cf_padding padding;
    int pads[4];            /* top, bottom, left, right: ZeroPadding2D's, explicit (ONNX), or what 'same' implies */
    int ceil_mode;          /* pooling: round the output size up (ONNX) */
    int count_include_pad;  /* average pooling: divide by the window including padding (ONNX) */
    int groups;             /* Conv2D groups */
    int depth_multiplier;   /* DepthwiseConv2D, SeparableConv2D */
    int output_padding[2];  /* Conv2DTranspose; -1: None */
    int64_t output_shape[2];/* ConvTranspose output_shape (ONNX); -1: none */
    int onnx;               /* ConvTranspose with ONNX's output-size rules rather than Keras' */
    int use_bias;
    enum cf_act act;        /* fused activation */
    int fused_pool;         /* Conv2D: > 1 when a max pool of fused_pool x fused_pool, stride the same, follows the
                             * activation in the epilogue (fusion; out is then the pooled shape) */
    float alpha, beta;      /* activation parameters: ReLU negative_slope, LeakyReLU/ELU alpha, SELU alpha and
                             * gamma, HardSigmoid alpha and beta, Clip min and max */
    float max_value;        /* ReLU max_value; < 0: None */
    float threshold;        /* ReLU threshold */
    int axis;               /* Concatenate, Softmax, BatchNormalization, Flatten (ONNX) (may be negative) */
    int softmax_coerce;     /* ONNX opset < 13: softmax over all the axes from `axis` on */
    float epsilon;          /* BatchNormalization */
    int center, scale;      /* BatchNormalization beta / gamma present */
    float rate;             /* Dropout */
    float affine_scale, affine_offset; /* Rescaling, and Keras' x * c and x + c: y = x·scale + offset */
    int resize[2];          /* UpSampling2D: the integer factors of H and W */
    int64_t center_crop[2]; /* Slice as Keras' CenterCrop: H and W cut to these at their centre (0: not) */
    int resize_linear;      /* 0 nearest (floor(o / s)), else bilinear: CF_RESIZE_* where its source coordinate lies */
    int64_t resize_to[2];   /* Resizing, RandomCrop: the output's H and W (0: resize[]'s integer factors) */
    int crop_aspect;        /* ... of the input's centre cut to the output's aspect ratio first (crop_to_aspect_ratio) */
    int64_t resize_box[4];  /* ... the input region resized: top, left, height, width (the shape rule writes it) */
    int keepdims;           /* global pooling keeps 1x1 spatial dims; ReduceMean keeps reduced axes */
    unsigned reduce_axes;   /* ReduceMean: a bit per axis */
    enum cf_broadcast broadcast;
    int perm[CF_MAX_RANK];  /* Transpose */
    enum cf_pad_mode pad_mode; /* Pad: mode, value, and the begin/end pads of every axis (negative crops) */
    float pad_value;
    int64_t pad_begin[CF_MAX_RANK], pad_end[CF_MAX_RANK];
    int lrn_size;           /* LRN: y = x / (bias + alpha/size·sum x^2)^beta, bias in epsilon */
    int blocksize, d2s_crd; /* DepthToSpace: block size, CRD (1) or DCR (0) order */
    int64_t slice_start[CF_MAX_RANK], slice_end[CF_MAX_RANK], slice_step[CF_MAX_RANK]; /* Slice, per axis, as ONNX
                             * gives them (negative: from the end; clamped; end CF_SLICE_END: to the end) */
    int target_full;        /* Reshape: the target includes the batch axis (ONNX); 0 copies, CF_DIM_BATCH is the batch */
    struct cf_shape target; /* Input/Constant: the declared shape, batch included; Reshape: the target shape,
                             * without the batch unless target_full; one -1 is inferred */
};

/* A weight tensor of a layer (kernel, bias, gamma, ...), named as Keras names it. */
struct cf_weight {
    const char *name;
    int rank;
    int64_t dims[CF_MAX_RANK];
    int trainable;
};
#define CF_MAX_WEIGHTS 6

/* A weight tensor with its values (owned). */
struct cf_tensor {
    struct cf_weight desc;
    float *data;
};

struct cf_node {
    enum cf_op op;
    char *name;          /* layer name (conv2d_1) */
    char *type;          /* the class name the front-end printed (Conv2D, ReLU, MaxPooling2D) */
    int n_in;
    int *in;             /* indices of the nodes whose outputs this node consumes; after the data input, a
                          * Conv, ConvTranspose, Dense or BatchNormalization may take its weights as run-time
                          * inputs (ONNX), in the order and layouts of its weight descriptors */
    struct cf_attrs a;
    int trainable;       /* Keras trainable=False moves weights to the non-trainable count */
    struct cf_loc loc;   /* where the model file defines it */
    int hidden;          /* not a row of the summary (a constant feeding an ONNX node) */
    int auto_name;       /* the name is Keras' generated one (a class prefix and a counter), not one the model gave */
    int n_values;        /* weights the model file gives (ONNX initializers), in the layouts of the op's */
    struct cf_tensor *values; /* weight descriptors; owned */
    int64_t file_params; /* >= 0: the parameter count the file implies (shared initializers counted once) */
    /* A Keras layer called more than once (a shared layer, or a layer of a nested model called more than once) is a
     * node per call: the first holds the weights and is the summary's row, the later ones share them. These index the
     * front-end's graph (and its clones); passes that renumber nodes reset them. */
    int shares;          /* -1, or the node (an earlier call of the same layer) whose weights this call uses */
    int call;            /* which call of its layer this is: Keras' node index, the i of "name[i][0]" */
    int nest;            /* -1, or the nested model (g->nests) this node is a layer of */
    int rank;            /* the node's place among the summary rows of its model (or of its nested model) */
    /* Filled by the passes. */
    struct cf_shape out;
    int64_t params_trainable, params_non_trainable;
    int64_t macs;        /* multiply-accumulates per image */
};

/* A call of a model used as a layer of another (a nested model): its layers are the graph's nodes whose `nest` it
 * is; the summary shows it as one row (and, expanded, its layers under it). */
struct cf_nest {
    char *name;          /* the nested model's name (tower) */
    char *type;          /* its class as Keras prints it (Functional, Sequential, Model) */
    int parent;          /* the nest it is a layer of; -1: a layer of the graph's model */
    int call;            /* which call of the nested model this is (Keras' node index) */
    int shares;          /* -1, or the nest (an earlier call of the same model) that is its row */
    int trainable;       /* model.trainable */
    int sequential;      /* a Sequential: its InputLayer is not one of its rows */
    int rank;            /* its place among the rows of its parent */
    int n_in;
    int *in;             /* the nodes (outside it) it is called on */
    int out;             /* its output: a node inside it */
};

struct cf_graph {
    enum cf_layout layout;
    int sequential_like; /* Keras prints the 65-column layout; else 98 columns with "Connected to" */
    int list_inputs;     /* Keras lists InputLayer rows for functional models, not for Sequential */
    char *name;          /* model name (model_1, sequential_1) */
    char *file;          /* model file the graph came from */
    clinfer_style style; /* the Keras the model was read as (a script) or saved by (a file); AUTO: not Keras */
    int n_nodes, cap_nodes;
    struct cf_node *nodes; /* in Keras' layer order, which is a topological order */
    int n_inputs, n_outputs;
    int *inputs, *outputs;
    int n_nests;
    struct cf_nest *nests;
};

const char *cf_op_name(enum cf_op op);
const char *cf_act_name(enum cf_act act);
/* Looks up an activation by a name Keras accepts as activation='...' (activations.def's keras column); 0 when none. */
int cf_act_lookup(const char *name, enum cf_act *out);
/* ... by its ONNX operator's name (Relu, HardSigmoid); 0 when none. */
int cf_act_lookup_onnx(const char *op_type, enum cf_act *out);
/* Every name Keras accepts as activation='...', for suggestions; returns how many (at most max). */
int cf_act_keras_names(char (*out)[32], int max);
/* Sets an activation with its default parameters (ELU alpha 1, SELU's constants, HardSigmoid 0.2/0.5, ...). */
void cf_act_set(struct cf_attrs *a, enum cf_act act);

void cf_attrs_default(struct cf_attrs *a);

struct cf_graph *cf_graph_new(void);
void cf_graph_free(struct cf_graph *g);
/* Appends a node (copies name and type, takes nothing else); returns its index or -1 out of memory. */
int cf_graph_add(struct cf_graph *g, enum cf_op op, const char *name, const char *type, const int *in, int n_in,
                 const struct cf_attrs *a, struct cf_loc loc);

/* Appends a copy of node n (of any graph, g's own too) reading `in` (n->n_in of them), with its shape and counts,
 * without its values and without the indices that point into its graph (shares, nest); returns its index or -1 out
 * of memory. */
int cf_graph_add_copy(struct cf_graph *g, const struct cf_node *n, const int *in);

/* Appends a nest (copies name and type, and n_in indices of `in`); returns its index or -1 out of memory. */
int cf_graph_add_nest(struct cf_graph *g, const struct cf_nest *n);
/* The nested model that holds node i at the level of nest `level` (-1: the model's own layers): the nest whose
 * parent is `level` on the way up from the node's nest; -1 when the node is a layer at that level itself. */
int cf_graph_nest_at(const struct cf_graph *g, int i, int level);

/* Gives a node copies of weight values (descriptors' names must be static strings); -1 out of memory. */
int cf_node_set_values(struct cf_node *n, const struct cf_tensor *v, int count);
/* Gives a node the values themselves: their data (cf_malloc'd) is the node's from then on, no copy (a classifier's
 * weights are hundreds of MB); -1 out of memory, and then the data is still the caller's. */
int cf_node_own_values(struct cf_node *n, const struct cf_tensor *v, int count);

/* A deep copy but for the nodes' weight values (a session's graph, whose weights come from the model's graph: a
 * classifier's are hundreds of MB); NULL when out of memory. */
struct cf_graph *cf_graph_clone_without_values(const struct cf_graph *src);

/* Shape helpers. */
int cf_shape_equal(const struct cf_shape *a, const struct cf_shape *b);
/* Python tuple text as Keras prints it: "(None, 148, 148, 16)". */
void cf_shape_format(const struct cf_shape *s, char *out, size_t size);
/* Elements of all dims but the first (batch); -1 if any is unknown or the product passes the limit. */
int64_t cf_shape_elems_per_item(const struct cf_shape *s);

#endif
