/* The Keras-script evaluator's parts and what they share: scope.c (values, names, modules), model.c (argument binding,
 * layers, tensors and models, and a model as graph IR), eval.c (calls, expressions, statements: cf_keras_load). */
#ifndef CF_KERAS_EVAL_H
#define CF_KERAS_EVAL_H

#include "../../util/alloc.h"
#include "layers.h"
#include "ast.h"

struct layer_obj {
    const struct keras_class *cls;
    struct cf_attrs a;
    const char *name;
    struct cf_loc loc;       /* where the layer is made */
    int trainable;
    struct cf_shape in_shape; /* input_shape= and friends; rank 0 when not given */
    int node;                 /* pool node of its first call, -1 before; later calls share its weights */
    int calls;                /* how many times it has been called (Keras' next node index) */
    int auto_name;            /* the name was generated (not name=...) */
    struct model_obj *model;  /* a model used as a layer of a Sequential (its other fields unused but name, loc) */
};

struct model_obj {
    int sequential;
    const char *name;
    struct cf_loc loc;
    int n_in, n_out;
    int *inputs, *outputs; /* pool nodes */
    /* Sequential */
    int cur;               /* current output node; -1 while the model has no input */
    int n_layers, cap_layers;
    struct layer_obj **layers;
    /* used as a layer of another model */
    int trainable;         /* model.trainable */
    int calls;             /* how many times it has been called */
    int first_nest;        /* the pool nest of its first call, -1 before */
};

struct binding {
    const char *name;
    struct value *v;
};

/* The names of the module (globals) or of one call of a def (its locals, with the def's frame as parent). */
struct frame {
    struct binding *tab;
    int n, cap;
    struct frame *parent;
};

/* The evaluator's limits on a script: each reached is an error with its place, never a hang or exhaustion. */
#define CF_PY_MAX_STEPS 2000000  /* statements run, loop iterations and calls, in all */
#define CF_PY_MAX_CALLS 100      /* calls of defs nested (recursion) */
#define CF_PY_MAX_ITEMS 1000000  /* items of one list, tuple, dict or range */
#define CF_PY_MAX_STR 65536      /* bytes of one string made by the script */
#define CF_PY_MAX_BYTES ((size_t)512 << 20) /* the evaluator's memory: values, names, the syntax tree */

enum ctl { CTL_NONE, CTL_RETURN, CTL_BREAK, CTL_CONTINUE };

struct uid {
    char prefix[64];
    int count;
};

struct eval {
    struct cf_arena *A;
    const char *file;
    struct cf_diag *d;
    struct cf_graph *pool; /* every layer call of the script; models take their part of it */
    struct frame globals, *frame; /* frame: where names are bound and first looked up */
    long steps;
    int calls, loops;             /* defs being called, for loops running */
    enum ctl ctl;                 /* a return, break or continue on its way out of blocks */
    struct value *ret;
    struct uid *uids;
    int n_uids, cap_uids;
    struct model_obj *chosen, *last;
    struct model_obj **nest_model; /* per pool nest: the model it is a call of */
    int cap_nest_model;
    clinfer_style style;   /* the Keras the script is read as: names and semantics */
    int keep_order;        /* a model file: its layers in the file's order (else Keras 2's depth order) */
};

#define MAX_BOUND 64 /* arguments of one call */
struct bound {
    int n;
    const struct arg_spec *spec[MAX_BOUND];
    const struct value *v[MAX_BOUND];
};

struct value *cf_keval_new_val(struct eval *E, enum val_kind k, struct cf_loc loc);
/* Evaluates an expression (eval.c); runs a block of statements (exec.c); calls a def (exec.c). */
clinfer_status cf_keval_expr(struct eval *E, const struct expr *e, struct value **out);
clinfer_status cf_keval_block(struct eval *E, const struct block *b);
clinfer_status cf_keval_call_user(struct eval *E, const struct value *f, struct value **args, const char **kw, int n,
                                  struct cf_loc loc, struct value **out);
/* One more step of the script; an error past the limit (of steps, or of the evaluator's memory). */
clinfer_status cf_keval_step(struct eval *E, struct cf_loc loc);
/* An error when the evaluator holds more than CF_PY_MAX_BYTES. */
clinfer_status cf_keval_room(struct eval *E, struct cf_loc loc);
/* builtins.c: Python's builtins of the subset, truth, equality and order, iteration, str() and formatting */
struct value *cf_keval_builtin(struct eval *E, const char *name, struct cf_loc loc);
clinfer_status cf_keval_call_builtin(struct eval *E, const struct value *f, struct value **args, const char **kw,
                                     int n, struct cf_loc loc, struct value **out);
clinfer_status cf_keval_truth(struct eval *E, const struct value *v, struct cf_loc loc, int *out);
int cf_keval_equal(const struct value *a, const struct value *b);
/* a < b: -1 when they cannot be ordered */
int cf_keval_less(const struct value *a, const struct value *b);
/* The items a for loop or a comprehension goes through (a list, tuple, dict's keys, string's characters). */
clinfer_status cf_keval_items(struct eval *E, const struct value *v, struct cf_loc loc, struct value ***items, int *n);
/* str(v), and format(v, spec), into the arena */
clinfer_status cf_keval_str(struct eval *E, const struct value *v, int repr, struct cf_loc loc, const char **out);
clinfer_status cf_keval_format(struct eval *E, const struct value *v, const char *spec, struct cf_loc loc,
                               const char **out);
/* 'fmt' % args, and 'fmt'.format(args) */
clinfer_status cf_keval_percent(struct eval *E, const char *fmt, const struct value *args, struct cf_loc loc,
                                struct value **out);
clinfer_status cf_keval_str_method(struct eval *E, const struct value *m, struct value **args, const char **kw,
                                   int n, struct cf_loc loc, struct value **out);
/* xs.append(x), xs.extend(ys), xs.insert(i, x), xs.pop([i]), xs.index(x), xs.count(x); d.get(k[, default]),
 * d.items(), d.keys(), d.values(), d.update(m) */
clinfer_status cf_keval_container_method(struct eval *E, const struct value *m, struct value **args, const char **kw,
                                         int n, struct cf_loc loc, struct value **out);
struct value *cf_keval_seq(struct eval *E, enum val_kind k, int n, struct cf_loc loc); /* a tuple or list of n */
/* a op b (EX_BINOP's ops) on numbers, strings, lists and tuples */
clinfer_status cf_keval_binop(struct eval *E, char op, struct value *a, struct value *b, struct cf_loc loc,
                              struct value **out);
/* d[key] = val */
clinfer_status cf_keval_dict_set(struct eval *E, struct value *d, struct value *key, struct value *val,
                                 struct cf_loc loc);
/* target = v: a name, a tuple or list of targets (unpacked), or x.trainable (exec.c) */
clinfer_status cf_keval_assign(struct eval *E, const struct expr *target, struct value *v);
struct value *cf_keval_lookup(struct eval *E, const char *name);
int cf_keval_bind(struct eval *E, const char *name, struct value *v);
/* A generated name: prefix_1, prefix_2, ... (zero_based: prefix, prefix_1, ...), counted per prefix. */
const char *cf_keval_fresh_name(struct eval *E, const char *prefix, int zero_based);
/* The names the style's Keras gives a layer of a class (its snake-case prefix), an Input, a model. */
const char *cf_keval_layer_name(struct eval *E, const char *prefix);
const char *cf_keval_input_name(struct eval *E);
const char *cf_keval_model_name(struct eval *E, int sequential);
struct value *cf_keval_module_val(struct eval *E, enum module_kind mod, const char *path, struct cf_loc loc);
clinfer_status cf_keval_module_attr(struct eval *E, const struct value *m, const char *attr, struct cf_loc loc,
                                    struct value **out);
clinfer_status cf_keval_resolve_path(struct eval *E, const char *path, struct cf_loc loc, int upto_segments,
                                     struct value **out);
const struct value *cf_keval_bound_get(const struct bound *b, enum target t);
clinfer_status cf_keval_bind_args(struct eval *E, const struct keras_class *c, int with_common, struct value **args,
                                  const char **kw, int n, struct cf_loc loc, struct bound *b);
clinfer_status cf_keval_make_layer(struct eval *E, const struct keras_class *c, const struct bound *b,
                                   struct cf_loc loc, struct layer_obj **out);
clinfer_status cf_keval_make_input(struct eval *E, const char *name, const struct cf_shape *shape, struct cf_loc loc,
                                   int *node);
clinfer_status cf_keval_tensors_of(struct eval *E, const struct value *v, const char *what, int **out, int *n);
clinfer_status cf_keval_apply_layer(struct eval *E, struct layer_obj *L, const struct value *x, int *node);
/* model(x): a copy of the model's layers in the pool reading x (a nested model), its output in *node */
clinfer_status cf_keval_call_model(struct eval *E, struct model_obj *M, const struct value *x, struct cf_loc loc,
                                   int *node);
/* A Sequential is built (has its layers' shapes): Keras 3 builds an internal Functional each time, which takes a
 * name of the functional counter (a later unnamed Model is functional_N). */
clinfer_status cf_keval_seq_built(struct eval *E, struct model_obj *M, struct cf_loc loc);
/* model.trainable = flag: the model's, and every layer's it holds (nested models' too) */
clinfer_status cf_keval_set_model_trainable(struct eval *E, struct model_obj *M, int flag);
/* layer.trainable = flag: every call of the layer of pool node `node` */
void cf_keval_set_trainable(struct eval *E, int node, int flag);
clinfer_status cf_keval_seq_apply_pending(struct eval *E, struct model_obj *M, int from);
clinfer_status cf_keval_seq_start(struct eval *E, struct model_obj *M, const char *name, const struct cf_shape *shape,
                                  struct cf_loc loc);
clinfer_status cf_keval_seq_add(struct eval *E, struct model_obj *M, struct value *v);
struct model_obj *cf_keval_new_model(struct eval *E, int sequential, const char *name, struct cf_loc loc);
clinfer_status cf_keval_build_graph(struct eval *E, const struct model_obj *M, struct cf_graph **out);
clinfer_status cf_keval_finish_model(struct eval *E, struct model_obj *M, struct cf_graph **out);

#endif
