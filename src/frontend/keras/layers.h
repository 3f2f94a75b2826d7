/* The Keras layer table: every class the Keras-script front-end knows, its op, and its signature
 * (argument names, order and defaults as Keras 2 defines them). One class, one row. */
#ifndef CF_KERAS_LAYERS_H
#define CF_KERAS_LAYERS_H

#include "value.h"

enum argkind {
    AK_ANY,          /* accepted and ignored (initializers, regularizers, constraints, momentum, seed) */
    AK_INT_POS,      /* int >= 1 */
    AK_INT2,         /* int or tuple of 2 ints >= 1 */
    AK_INT2_OR_NONE, /* pooling strides: None means the pool size */
    AK_INT1,         /* int or tuple of 1 int >= 1: the cols of a 1-D layer (its rows are 1) */
    AK_INT1_OR_NONE, /* 1-D pooling strides */
    AK_PADDING,      /* 'valid' | 'same' */
    AK_PADDING_CAUSAL, /* 'valid' | 'same' | 'causal' (Conv1D: pads (K - 1)·D before) */
    AK_DATA_FORMAT,  /* None | 'channels_last' */
    AK_ACT,          /* None | activation name | activation function */
    AK_BOOL,
    AK_FLOAT,
    AK_FLOAT_OR_NONE,
    AK_AXIS,         /* int */
    AK_ZPAD,         /* int | (sym_rows, sym_cols) | ((top, bottom), (left, right)) */
    AK_OUTPAD,       /* None | int | (int, int), >= 0 */
    AK_SHAPE,        /* tuple of positive ints or None, without the batch */
    AK_BATCH_SHAPE,  /* tuple of positive ints or None, with the batch */
    AK_TARGET,       /* Reshape target: tuple of positive ints, one -1 allowed */
    AK_STR,
    AK_DTYPE,        /* None | 'float32' */
    AK_INT_OR_NONE,
    AK_PERM,         /* Permute's dims: a permutation of 1 .. rank-1 */
    AK_UNSET,        /* accepted only as None or False (an option clinfer does not implement) */
    AK_INTERP        /* UpSampling2D's interpolation: 'nearest' | 'bilinear' */
};

enum target {
    T_IGNORE, T_FILTERS, T_KERNEL, T_STRIDES, T_PADDING, T_DILATION, T_GROUPS, T_ACT, T_USE_BIAS, T_DM,
    T_OUTPAD, T_RATE, T_AXIS, T_EPS, T_CENTER, T_SCALE, T_ALPHA, T_MAXVAL, T_THRESHOLD, T_ZPAD, T_TARGET,
    T_KEEPDIMS, T_AFFINE_SCALE, T_AFFINE_OFFSET, T_PERM, T_RESIZE, T_CROP_H, T_CROP_W, T_RESIZE_H, T_RESIZE_W, T_CROP_ASPECT, T_NAME, T_TRAINABLE, T_SHAPE, T_BATCH_SHAPE, T_BATCH_SIZE, T_INPUT_DIM,
    T_INPUTS, T_OUTPUTS, T_LAYERS /* Model / Sequential arguments, handled by the evaluator */
};

struct arg_spec {
    const char *name;
    enum argkind kind;
    enum target tgt;
    int required;
};

enum class_kind {
    K_LAYER,      /* a layer class: calling it makes a layer object */
    K_INPUT_FN,   /* Input(): makes an input tensor */
    K_MODEL,      /* Model(inputs, outputs) */
    K_SEQUENTIAL, /* Sequential(layers) */
    K_MERGE_FN    /* add([a, b]): makes the layer and calls it */
};

struct keras_class {
    const char *name;       /* as written in code */
    enum class_kind kind;
    enum cf_op op;
    enum cf_act act;        /* the activation a class stands for (ReLU, Softmax), LINEAR otherwise */
    const struct arg_spec *args; /* NULL-terminated, in Keras' positional order */
    const char *canonical;  /* aliases and helpers: the class Keras really makes (MaxPool2D -> MaxPooling2D) */
    /* the class's defaults that the op's do not give (NULL: none), and its checks once the arguments are in (pooling
     * strides default to the pool size; Keras refuses strides with dilation) */
    void (*defaults)(struct cf_attrs *a);
    clinfer_status (*finish)(const struct keras_class *c, struct cf_attrs *a, struct cf_loc loc, struct cf_diag *d);
};

/* Finds a class by the name written in code; NULL when there is none. */
const struct keras_class *cf_keras_class(const char *name);
/* The name Keras prints for a class (aliases print as their class). */
const char *cf_keras_class_name(const struct keras_class *c);
/* Iterates the table: returns NULL past the end. */
const struct keras_class *cf_keras_class_at(int i);
/* Arguments every layer accepts (**kwargs of keras.layers.Layer). */
extern const struct arg_spec cf_keras_common_args[];

/* Keras' to_snake_case, the prefix of generated names: MaxPooling2D -> max_pooling2d, LeakyReLU -> leaky_re_lu. */
void cf_keras_snake_case(const char *cls, char *out, size_t size);

/* Converts one argument value to the attribute it sets; fails with a message naming the class, the argument
 * and the value, at the value's place. `shape` receives AK_SHAPE / AK_BATCH_SHAPE values. */
clinfer_status cf_keras_apply_arg(const struct keras_class *c, const struct arg_spec *spec, const struct value *v,
                                  struct cf_attrs *a, struct cf_shape *shape, struct cf_diag *d);

/* The closest of `n` candidate names to `word` (edit distance <= 2), or NULL. */
const char *cf_closest_name(const char *word, const char *const *cands, int n);

#endif
