/* clinfer: the whole public API of the clinfer inference engine.
 *
 * Manners (after sqlite and Lua):
 * - Opaque handles. Every fallible call returns a clinfer_status; out-parameters come last and are set to NULL (or
 *   0) on failure. The detail of the last failure is kept on the context (clinfer_context_errmsg), valid until the
 *   next call on that context.
 * - Ownership: the caller owns what *_new, *_load and clinfer_compare return and frees it with the matching *_free
 *   (each accepts NULL); text the library returns through a char ** is freed with clinfer_free. Strings returned as
 *   const char * belong to the handle they came from and live as long as it does.
 * - Threads: a context, and the calls that take it, belong to one thread at a time; use a context per thread. A
 *   model is read-only once loaded and may be shared by sessions in several threads; a session is used by one
 *   thread at a time. Distinct sessions run in parallel (the library holds no global lock while running).
 * - The library never prints, exits or aborts on bad input: every problem is a status and a message. */
#ifndef CLINFER_H
#define CLINFER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the shared library exports: the clinfer_* functions of this header and nothing else (it is built with
 * hidden visibility; CLINFER_BUILDING is defined there). */
#if defined(CLINFER_BUILDING) && defined(__GNUC__)
#define CLINFER_API __attribute__((visibility("default")))
#else
#define CLINFER_API
#endif

/* The version of this header; clinfer_version() is the library's ("0.2.0"). */
#define CLINFER_VERSION_MAJOR 0
#define CLINFER_VERSION_MINOR 2
#define CLINFER_VERSION_PATCH 0
#define CLINFER_VERSION_STRING "0.2.0"

/* The most dimensions a tensor has (the length of every dims[] array the API fills). */
#define CLINFER_MAX_RANK 8

typedef enum clinfer_status {
    CLINFER_OK = 0,            /* success */
    CLINFER_E_IO = 1,          /* a file could not be read or written */
    CLINFER_E_PARSE = 2,       /* a model file is malformed (syntax, truncated data) */
    CLINFER_E_MODEL = 3,       /* a model is well formed but wrong: unknown layer, bad argument, shapes that cannot work */
    CLINFER_E_UNSUPPORTED = 4, /* valid input that clinfer does not implement */
    CLINFER_E_NOMEM = 5,       /* an allocation failed */
    CLINFER_E_ARG = 6,         /* the caller passed an invalid argument */
    CLINFER_E_LIMIT = 7,       /* a size or count passes a fixed limit (nesting depth, tensor size) */
    CLINFER_E_DEVICE = 8       /* no OpenCL device can be reached, or a call on one failed */
} clinfer_status;

/* A short fixed name for a status code ("CLINFER_E_PARSE"); a static string, never NULL. */
CLINFER_API const char *clinfer_status_str(clinfer_status s);
/* The library's version, "MAJOR.MINOR.PATCH" (a static string). */
CLINFER_API const char *clinfer_version(void);

typedef struct clinfer_context clinfer_context;
typedef struct clinfer_model clinfer_model;

/* A context: where the calls that take it keep their last error, warnings and progress callback.
 * CLINFER_E_ARG (out NULL), CLINFER_E_NOMEM. */
CLINFER_API clinfer_status clinfer_context_new(clinfer_context **out);
CLINFER_API void clinfer_context_free(clinfer_context *ctx);
/* The message of the last failure on this context ("" after a success): it names the place (file:line:col, layer or
 * node) and the cause. Valid until the next call on the context; "no context" for NULL. */
CLINFER_API const char *clinfer_context_errmsg(const clinfer_context *ctx);
/* Progress of long work in a call on a context: `done` of `total` steps of `phase` ("kernels": a session's layers
 * given their kernels, built or loaded; "tuning": candidates timed for a layer, whose name is in detail; "images":
 * a run's images done, when it runs in several passes). Called on the calling thread, often; keep it quick. */
typedef void (*clinfer_progress_fn)(void *user, const char *phase, int64_t done, int64_t total, const char *detail);
/* Sets (or, with NULL, removes) the context's progress callback. */
CLINFER_API void clinfer_context_set_progress(clinfer_context *ctx, clinfer_progress_fn fn, void *user);

/* What the last call on this context warned of without failing ("" when nothing): a kernel cache that cannot be
 * used, say. Valid until the next call on the context. */
CLINFER_API const char *clinfer_context_warnings(const clinfer_context *ctx);

/* Which Keras a summary looks like, and which Keras a script is read as: its layer names (Keras 2.2: conv2d_1,
 * conv2d_2; tf.keras 2 and Keras 3: conv2d, conv2d_1), its model names and the semantics where they differ
 * (hard_sigmoid). AUTO: a model file is read and printed as the Keras that saved it, a script as Keras 2.2. */
typedef enum clinfer_style {
    CLINFER_STYLE_AUTO = 0,
    CLINFER_STYLE_KERAS2 = 1, /* Keras 2.2's print_summary: 65 / 98 columns, cut fields */
    CLINFER_STYLE_TF2 = 2,    /* tf.keras 2.x: 65 / 98 columns, wrapped fields, sizes in the totals */
    CLINFER_STYLE_KERAS3 = 3  /* Keras 3: a box table of 88 / 108 columns, counts with commas */
} clinfer_style;

/* Loads a model; the format comes from the extension (.py: a Keras script; .keras: a Keras 3 model file; .h5: a
 * tf.keras 2 or Keras 2 HDF5 model, its weights with it; .onnx: ONNX). The file must be a regular file. CLINFER_E_ARG, CLINFER_E_IO (the file: with the system's reason), CLINFER_E_PARSE (malformed),
 * CLINFER_E_MODEL (well formed but wrong), CLINFER_E_UNSUPPORTED (a format, layer or operator clinfer does not
 * read), CLINFER_E_LIMIT, CLINFER_E_NOMEM. */
CLINFER_API clinfer_status clinfer_model_load(clinfer_context *ctx, const char *path, clinfer_model **out);
/* Loads a Keras script held in memory (len bytes, not necessarily NUL-terminated); `name` is used in messages as the
 * file name. The same statuses as clinfer_model_load. */
CLINFER_API clinfer_status clinfer_model_load_keras(clinfer_context *ctx, const char *name, const char *text, size_t len,
                                        clinfer_model **out);
/* clinfer_model_load for a script read as `style` (the names, model names and semantics of that Keras); for a model
 * file, whose names are its own, the style is what its summary defaults to. */
CLINFER_API clinfer_status clinfer_model_load_styled(clinfer_context *ctx, const char *path, clinfer_style style,
                                                     clinfer_model **out);
/* clinfer_model_load_keras for a script read as `style`. */
CLINFER_API clinfer_status clinfer_model_load_keras_styled(clinfer_context *ctx, const char *name, const char *text,
                                                           size_t len, clinfer_style style, clinfer_model **out);
CLINFER_API void clinfer_model_free(clinfer_model *model);

typedef enum clinfer_format {
    CLINFER_FORMAT_KERAS = 0, /* the table Keras prints (in the options' style) */
    CLINFER_FORMAT_JSON = 1   /* the same facts as one JSON document */
} clinfer_format;

typedef struct clinfer_summary_options {
    clinfer_format format;
    int explain;   /* add the arithmetic behind every shape and count */
    int64_t batch; /* > 0: bind the batch dimension (shapes print it instead of None); 0: leave it None */
    clinfer_style style; /* the table of that Keras (AUTO: the model's own: see clinfer_style) */
    int line_length;     /* Keras' line_length, 20 to 1000 (0: that Keras' default width) */
    int show_trainable;  /* Keras' show_trainable: a "Trainable" column (the tf2 and keras3 styles) */
    const char *layer_range[2]; /* Keras' layer_range: the rows from the first layer whose name matches [0] (from its
                                   start; a POSIX extended regular expression) to the last that matches [1];
                                   NULL: all */
    const double *positions; /* Keras' positions: where each column ends, one per column (3, or 4 with Connected
                                to): fractions of the line, or (tf2, keras2, when the last is > 1) columns */
    int n_positions;         /* 0: the style's own */
    int memory;              /* a line under the totals: the memory a batch takes on the device (the weights and
                                the planned arena of activations at batch, or 1) */
    int expand_nested;       /* Keras' expand_nested: a nested model's layers under its row (tf2 and keras3) */
} clinfer_summary_options;

/* Renders the summary of a model (opts NULL: the Keras table, no explain, batch None); *out is freed with
 * clinfer_free. CLINFER_E_ARG (NULL, a format or batch out of range), CLINFER_E_MODEL (the batch cannot bind),
 * CLINFER_E_NOMEM. */
CLINFER_API clinfer_status clinfer_model_summary(clinfer_context *ctx, const clinfer_model *model,
                                     const clinfer_summary_options *opts, char **out);

/* Model facts, by layer index 0 .. count-1: the graph's nodes, in an order that runs (the summary's rows, hidden
 * constants included; a shared layer and a nested model's layers once per call, their later calls with 0 parameters).
 * Names and types belong to the model; an index out of range gives NULL, 0 or -1 as each says. */
CLINFER_API int clinfer_model_layer_count(const clinfer_model *model);
CLINFER_API const char *clinfer_model_layer_name(const clinfer_model *model, int i);
CLINFER_API const char *clinfer_model_layer_type(const clinfer_model *model, int i);
/* Output shape of layer i; -1 stands for an unknown dimension (None). Returns the rank (0 for no such layer);
 * dims may be NULL to ask for the rank alone. */
CLINFER_API int clinfer_model_layer_shape(const clinfer_model *model, int i, int64_t dims[CLINFER_MAX_RANK]);
CLINFER_API int64_t clinfer_model_layer_params(const clinfer_model *model, int i, int64_t *non_trainable);
CLINFER_API int64_t clinfer_model_layer_macs(const clinfer_model *model, int i);
/* The model's inputs and outputs, in the order run takes and gives them: how many, and the layer each one is (its
 * name is clinfer_model_layer_name of it); -1 for no such input or output. */
CLINFER_API int clinfer_model_input_count(const clinfer_model *model);
CLINFER_API int clinfer_model_input_layer(const clinfer_model *model, int k);
CLINFER_API int clinfer_model_output_count(const clinfer_model *model);
CLINFER_API int clinfer_model_output_layer(const clinfer_model *model, int k);

/* ---- Sessions: a model with its batch bound, its buffers planned and its weights, ready to run on a device. */

typedef struct clinfer_session clinfer_session;

typedef enum clinfer_init {
    CLINFER_INIT_KERAS = 0, /* Keras' defaults: glorot_uniform kernels, zero biases, BatchNormalization identity */
    CLINFER_INIT_RANDOM = 1 /* every weight random, biases and statistics too: exercises every term of every kernel */
} clinfer_init;

typedef enum clinfer_tune {
    CLINFER_TUNE_NONE = 0, /* per-layer kernels by a rule of thumb (or the tuning database) */
    CLINFER_TUNE_FAST = 1, /* the first time a (layer shape, device) is seen, time a shortlist of candidates and
                            * remember, within CLINFER_TUNE_FAST_BUDGET_MS of timing a session: the layer it runs out
                            * in keeps its best so far, and it and the layers after it take the rule of thumb,
                            * unremembered (a later session tunes them) */
    CLINFER_TUNE_FULL = 2  /* the same with many candidates */
} clinfer_tune;
#define CLINFER_TUNE_FAST_BUDGET_MS 15000 /* (the command line's --help says 15 s; $CLINFER_TUNE_BUDGET_MS, in ms,
                                              * changes it for tests and experiments) */

typedef struct clinfer_session_options {
    const char *device;  /* "ref", "opencl" (the first GPU, else the first device), "opencl:N", or
                            "opencl:<case-insensitive substring of a device name>"; NULL: "ref". Several devices:
                            a comma-separated list of those ("opencl:0,opencl:1"), or "all" (every OpenCL GPU, else
                            every OpenCL device): a run then shares its images among them in proportion to their
                            measured speed (see clinfer_session_device_count). */
    int64_t batch;       /* binds the model's None batch dimension; > 0 */
    uint64_t seed;       /* seed of the initial weights */
    clinfer_init init;
    const char *weights; /* an .npz of Keras weights (names like conv2d_1/kernel:0), or NULL */
    clinfer_tune tune;
    const char *algo;    /* forces kernels, for tests and experiments: "conv=blocked:8:2,dense=tiled:4:4" or
                            "conv=direct"; NULL: chosen */
    uint64_t max_memory; /* the most memory (bytes) the session may hold for activations and weights; 0: what the
                            device has. A batch that does not fit runs as sub-batches that do (same results). */
} clinfer_session_options;

/* Makes a session: the model's batch bound, its weights made or loaded, its buffers planned, and the device's
 * kernels built (or loaded from the cache) and, with tune, chosen by timing. A batch that does not fit the memory
 * (the device's, max_memory, or the process's limits) runs in sub-batches. CLINFER_E_ARG (a NULL pointer, a batch
 * < 1, an init or tune that is not one of the enums' values, an algo that is not one of its forms, an unknown
 * device name), CLINFER_E_DEVICE (no such device, or a driver failure), CLINFER_E_IO and CLINFER_E_PARSE (the
 * weights file), CLINFER_E_MODEL (weights that do not fit), CLINFER_E_NOMEM (it does not fit even one image, or an
 * allocation failed: the message gives the sizes and the limit). */
CLINFER_API clinfer_status clinfer_session_new(clinfer_context *ctx, const clinfer_model *model,
                                   const clinfer_session_options *opts, clinfer_session **out);
CLINFER_API void clinfer_session_free(clinfer_session *s);

CLINFER_API int clinfer_session_input_count(const clinfer_session *s);
CLINFER_API int clinfer_session_output_count(const clinfer_session *s);
/* Shapes with the batch bound; returns the rank (0 for no such input or output); dims may be NULL. */
CLINFER_API int clinfer_session_input_shape(const clinfer_session *s, int i, int64_t dims[CLINFER_MAX_RANK]);
CLINFER_API int clinfer_session_output_shape(const clinfer_session *s, int i, int64_t dims[CLINFER_MAX_RANK]);
/* Their names (the layers'), valid as long as the session; NULL for no such input or output. */
CLINFER_API const char *clinfer_session_input_name(const clinfer_session *s, int i);
CLINFER_API const char *clinfer_session_output_name(const clinfer_session *s, int i);

/* Runs the layers once more on what the device holds (the last run's inputs), without copying anything in or out,
 * and waits: the device's own time, as PyTorch's benchmarks have it (inputs already on the device). On the first
 * device of several. CLINFER_E_ARG, CLINFER_E_DEVICE. */
CLINFER_API clinfer_status clinfer_session_run_on_device(clinfer_context *ctx, clinfer_session *s);

/* inputs[i] holds input i (C order, float32, the shape clinfer_session_input_shape gives); outputs[i] receives
 * output i (outputs may be NULL to run for the side effects, as profiling does). The inputs have been read when it
 * returns. CLINFER_E_ARG, CLINFER_E_DEVICE, CLINFER_E_NOMEM. */
CLINFER_API clinfer_status clinfer_session_run(clinfer_context *ctx, clinfer_session *s, const float *const *inputs,
                                   float *const *outputs);
/* Runs count images (any number: more or fewer than the session's batch; 0 does nothing), in passes of the
 * sub-batch: inputs[i] holds count images of input i, outputs[i] receives count images of output i (images of the
 * shapes clinfer_session_input_shape and clinfer_session_output_shape give, less their first dimension). A range
 * [first, first + count) of a larger batch of the caller's is run with pointers to its image first. The results
 * are those of clinfer_session_run on the same images. CLINFER_E_ARG also when count is not the batch and the
 * model does not carry the batch first in every input and output. */
CLINFER_API clinfer_status clinfer_session_run_images(clinfer_context *ctx, clinfer_session *s, int64_t count,
                                          const float *const *inputs, float *const *outputs);
/* Runs and copies every layer's output (on the first device of several): layers[i] (NULL to skip) receives layer i's output, of
 * clinfer_session_layer_elems(s, i) floats. Layer i is the model's layer i. */
CLINFER_API clinfer_status clinfer_session_run_layers(clinfer_context *ctx, clinfer_session *s, const float *const *inputs,
                                          float *const *layers);
CLINFER_API int64_t clinfer_session_layer_elems(const clinfer_session *s, int i);

/* Runs once and times every layer (OpenCL events on a device, wall time on ref): ms[i] for layer i (on the first
 * device of several). */
CLINFER_API clinfer_status clinfer_session_profile(clinfer_context *ctx, clinfer_session *s, const float *const *inputs,
                                       double *ms);
/* The kernel layer i runs (written into out, at most size bytes with the NUL) ("blocked 8px x 2v", "gemv 4u", "direct", "generic", "reference"; "view" for Flatten,
 * Reshape, Dropout, Identity and folded BatchNormalization; "input"). */
CLINFER_API void clinfer_session_layer_algo(const clinfer_session *s, int i, char *out, size_t size);
/* The global and local work sizes of layer i's kernel in the last run (3 dimensions; local 0: the OpenCL
 * implementation chose it); 0 when it launched nothing (ref, a view, an input). */
CLINFER_API int clinfer_session_layer_launch(const clinfer_session *s, int i, size_t global[3], size_t local[3]);

/* The memory a layer's kernel reads and writes at the session's batch: inputs, output, weights (bytes); and its
 * multiply-accumulates at that batch. */
CLINFER_API int64_t clinfer_session_layer_bytes(const clinfer_session *s, int i);
CLINFER_API int64_t clinfer_session_layer_macs(const clinfer_session *s, int i);

/* The devices a session runs on (1, or the length of its device list), and the images device k (0 the first) ran
 * in the last run: its share, which follows its speed. */
CLINFER_API int clinfer_session_device_count(const clinfer_session *s);
CLINFER_API int64_t clinfer_session_device_images(const clinfer_session *s, int k);
/* The device the session runs on, in words (one line per device for several). */
CLINFER_API const char *clinfer_session_device(const clinfer_session *s);
/* Milliseconds clinfer_session_new spent: device setup, kernel programs (built or from the cache), weights, and
 * tuning (which clinfer_session_tune_ms tells apart). */
CLINFER_API double clinfer_session_setup_ms(const clinfer_session *s);
CLINFER_API double clinfer_session_tune_ms(const clinfer_session *s);
/* The layers CLINFER_TUNE_FAST's budget left to the rule of thumb (0 when every layer was tuned or remembered). */
CLINFER_API int clinfer_session_tune_left(const clinfer_session *s);
/* Bytes of the planned arena (of every device, for several); *naive_bytes: every tensor in its own buffer. */
CLINFER_API size_t clinfer_session_arena_bytes(const clinfer_session *s, size_t *naive_bytes);
/* The images a session runs at once: its batch, or a smaller sub-batch when the batch does not fit the device's
 * memory (or opts.max_memory); a run then goes through the batch in sub-batches of this size. On several devices,
 * the sum of theirs. */
CLINFER_API int64_t clinfer_session_sub_batch(const clinfer_session *s);

/* ---- Comparing two devices layer by layer: the CPU-vs-GPU check of a CI job. */

typedef struct clinfer_compare_options {
    clinfer_session_options session; /* the model's session; session.device is the device under test (NULL: "opencl") */
    const char *against;             /* the reference device; NULL: "ref" */
    double rtol, atol;    /* an element a (the device) against b (the reference) fails when
                           * |a - b| > atol * max|b| + rtol * |b|, max|b| over the layer's finite values; < 0: each
                           * layer's default for its op (docs/compare.md) */
    double max_outliers;  /* the fraction of a layer's elements that may fail by size (not by NaN or Inf); 0: none */
} clinfer_compare_options;

/* What one layer's comparison found. A NaN passes only against a NaN, an Inf only against the same Inf; a
 * non-finite value on one side only always fails. */
typedef struct clinfer_compare_layer {
    double rtol, atol;         /* the tolerance the layer was held to */
    int64_t elements;
    int64_t past_tolerance;    /* finite on both sides, past tolerance */
    int64_t nonfinite_mismatch;/* non-finite on one side only (or a different one) */
    int64_t nonfinite[2];      /* the device's and the reference's non-finite values */
    int64_t first_bad;         /* the first failing element, -1 when none */
    double max_abs, max_rel;   /* the largest errors over finite pairs; rel is |a - b| / max(|b|, atol * max|b|) */
    double nmse;               /* normalised mean squared error: sum (a - b)^2 / sum b^2 */
    double scale;              /* max |b| */
    double worst;              /* the largest |a - b| / (atol * max|b| + rtol * |b|) over finite pairs: the share of
                                * its tolerance the worst element takes (the layer passes by size while <= 1) */
    int pass;
} clinfer_compare_layer;

typedef enum clinfer_verdict {
    CLINFER_VERDICT_PASS = 0,      /* every layer within tolerance */
    CLINFER_VERDICT_RECOVERS = 1,  /* a layer is past tolerance but the outputs are within it: rounding amplified */
    CLINFER_VERDICT_STAYS_OFF = 2, /* from the first layer past tolerance the outputs stay off: a wrong kernel */
    CLINFER_VERDICT_NONFINITE = 3  /* a NaN or Inf on one side only */
} clinfer_verdict;

typedef struct clinfer_comparison clinfer_comparison;

/* Runs the model on both devices with the same inputs (as clinfer_session_run takes them, at session.batch) and
 * compares every layer's output. The comparison holds its results; free it with clinfer_comparison_free. The
 * statuses of clinfer_session_new and clinfer_session_run (the message names the device that failed), and
 * CLINFER_E_ARG for max_outliers outside [0, 1]. A comparison past tolerance is a success of this call: see
 * clinfer_comparison_verdict. */
CLINFER_API clinfer_status clinfer_compare(clinfer_context *ctx, const clinfer_model *model, const clinfer_compare_options *opts,
                               const float *const *inputs, clinfer_comparison **out);
CLINFER_API void clinfer_comparison_free(clinfer_comparison *c);
/* The devices in words: which 0 is the device under test, 1 the reference. */
CLINFER_API const char *clinfer_comparison_device(const clinfer_comparison *c, int which);
/* Layer i (the model's layer i) into *out; CLINFER_E_ARG for no such layer. */
CLINFER_API clinfer_status clinfer_comparison_layer(const clinfer_comparison *c, int i, clinfer_compare_layer *out);
/* The first layer past tolerance in the model's order, -1 when none; and the first layer that holds a non-finite
 * value on either side (which: 0 device, 1 reference), -1 when none. */
CLINFER_API int clinfer_comparison_first_failure(const clinfer_comparison *c);
CLINFER_API int clinfer_comparison_first_nonfinite(const clinfer_comparison *c, int which);
CLINFER_API clinfer_verdict clinfer_comparison_verdict(const clinfer_comparison *c);

/* A listing (text, freed with clinfer_free) of every OpenCL platform and device (index, name, vendor, type, compute units, memory,
 * OpenCL C version, driver version). */
CLINFER_API clinfer_status clinfer_devices(clinfer_context *ctx, char **out);
/* The same as one JSON document: {"devices": [{"name": "ref", ...}, {"name": "opencl:0", "device": ..., ...}]}. */
CLINFER_API clinfer_status clinfer_devices_json(clinfer_context *ctx, char **out);
/* The device list "all" stands for ("opencl:0,opencl:1": every OpenCL GPU, else every OpenCL device), into *out
 * (free with clinfer_free). */
CLINFER_API clinfer_status clinfer_devices_all(clinfer_context *ctx, char **out);

/* The FP32 peak of an OpenCL device ("opencl", "opencl:N", ...), measured with an FMA microbenchmark (a fraction of a
 * second), in GFLOPS. CLINFER_E_DEVICE. */
CLINFER_API clinfer_status clinfer_device_peak(clinfer_context *ctx, const char *device, double *gflops);

/* Frees text the library returned through a char ** (summaries, listings); NULL is accepted. */
CLINFER_API void clinfer_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
