/* Values of the Keras-script evaluator: Python literals, modules, Keras classes, layers, tensors, models. */
#ifndef CF_KERAS_VALUE_H
#define CF_KERAS_VALUE_H

#include "../../ir/graph.h"
#include "ast.h"

enum val_kind {
    V_NONE, V_BOOL, V_INT, V_FLOAT, V_STR, V_TUPLE, V_LIST,
    V_MODULE,  /* mod: which namespace */
    V_CLASS,   /* cls: a Keras layer class, Input, Model, Sequential, or a functional helper (add) */
    V_FUNC,    /* an activation function (keras.activations.relu, tf.nn.relu) or print */
    V_LAYER,   /* a layer object, created, maybe called */
    V_TENSOR,  /* the output of a layer call: node index in the pool graph */
    V_MODEL,
    V_METHOD,  /* a bound method: of a model (model), of a string (str: self in items[0]), self.s the method */
    V_OPAQUE,  /* something outside the model subset (numpy, regularizers): allowed where it is ignored */
    V_DICT,    /* n pairs: items[2k] the key, items[2k + 1] the value, in insertion order */
    V_USERFN,  /* a function the script defines (def): fn */
    V_BUILTIN  /* one of Python's builtins the subset has (len, range, zip, ...): s */
};

enum module_kind { MOD_TF, MOD_KERAS, MOD_LAYERS, MOD_MODELS, MOD_ACTIVATIONS, MOD_OPAQUE };

struct keras_class;
struct layer_obj;
struct model_obj;
struct frame;

/* a def: its statement, the frame it was made in (its closure), its defaults' values (evaluated at def, as Python
 * does) */
struct func {
    const struct stmt *def;
    struct frame *closure;
    struct value **defaults;
};

struct value {
    enum val_kind k;
    struct cf_loc loc;
    int64_t i;      /* V_BOOL, V_INT */
    double f;       /* V_FLOAT */
    const char *s;  /* V_STR, V_FUNC name, V_METHOD name, V_MODULE path */
    int n;          /* V_TUPLE, V_LIST; V_DICT: pairs */
    int cap;        /* a list's or dict's room for items (pairs), when larger than n (append, d[k] = v) */
    struct value **items;
    enum module_kind mod;
    const struct keras_class *cls;
    struct layer_obj *layer;
    int tensor;
    struct model_obj *model;
    struct func *fn;
};

const char *cf_value_type_name(const struct value *v);
/* Short Python-like text of a value for messages ("'abc'", "(3, 3)", "a Conv2D layer"). */
void cf_value_repr(const struct value *v, char *out, size_t size);

#endif
