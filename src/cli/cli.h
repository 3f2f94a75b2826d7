/* The clinfer command: one file per subcommand, each returning the process exit code (0 success, 1 a model, file
 * or device problem, 2 a usage error; compare: 1 past tolerance, 3 could not run). */
#ifndef CF_CLI_H
#define CF_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "clinfer.h"
#include "../io/npy.h"

/* A subcommand: its name, what it does, the options it takes and their help. Each lives in its own file with its
 * function; main.c lists them. */
struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand's name */
    int needs_model;
    const char *synopsis;  /* "MODEL -i IN.npy -o OUT.npy [options]" */
    const char *summary;   /* one line */
    const char *options;   /* the options it takes: "-i -o --device ..." */
    const char *help;      /* what it does and each option, for --help and the man page */
};
extern const struct cli_command cli_cmd_summary, cli_cmd_run, cli_cmd_compare, cli_cmd_bench, cli_cmd_profile,
    cli_cmd_devices;

/* Prints a command's help (usage, what it does, its options). */
void cli_help(const struct cli_command *c, FILE *f);
/* The word of a space-separated list nearest to word (a suggestion), or NULL when none is near. */
const char *cli_nearest(const char *word, const char *list, char *out, size_t size);

/* Prints "clinfer: error: msg" to stderr (with the prefix, when one is set: "rank 1 of 3: "). */
void cli_error(const char *fmt, ...);
void cli_error_prefix(const char *prefix);

#define CLI_MAX_IO 8 /* inputs and outputs of a model on the command line */

/* Options shared by the commands that run a model. */
struct cli_run_opts {
    const char *model;
    const char *device, *against;
    const char *inputs[CLI_MAX_IO], *outputs[CLI_MAX_IO];
    int n_inputs, n_outputs;
    int64_t batch;
    uint64_t seed;
    clinfer_init init;
    const char *weights;
    double rtol, atol;
    int verbose, quiet, json, iters, explain, check_finite;
    const char *junit, *trace;
    double max_outliers;
    clinfer_tune tune;
    const char *algo;
    uint64_t max_memory; /* --max-memory: bytes, 0 for the device's */
    clinfer_style style; /* --style: how a script is read and a summary printed */
    int line_length;     /* --line-length (summary) */
    int64_t chunk;       /* --chunk: the images a streamed run holds at once; 0: chosen */
    int no_overlap;      /* --overlap off: read, compute and write one after the other */
    int check_inputs;    /* --check-inputs: stop at an input that holds NaN or Inf */
    int show_trainable;  /* --show-trainable (summary) */
    int expand_nested;   /* --expand-nested (summary) */
    const char *layer_range[2]; /* --layer-range FIRST LAST (summary) */
    double positions[4];        /* --positions (summary) */
    int memory;                 /* --memory (summary) */
    int n_positions;
};

/* Parses a command's options (getopt_long; those it does not take are usage errors, with a suggestion) and its
 * model. Returns 0, -1 after printing --help (exit 0), or the exit code of a usage error (2). */
int cli_parse(const struct cli_command *c, int argc, char **argv, struct cli_run_opts *o);

/* A JSON string literal (valid UTF-8, escaped) to f. */
void cli_json_str(FILE *f, const char *s);

/* A progress line on standard error for the context's long calls, when it is a terminal and not quiet
 * (progress.c); end clears it. */
void cli_progress_start(clinfer_context *ctx, int quiet);
void cli_progress_end(void);
/* A streamed run's own count of images done (the library's counts within a chunk are then not shown). */
void cli_progress_stream(int64_t done, int64_t total);

/* Prints what the last call on ctx warned of, if anything ("clinfer: warning: ..."), unless quiet. */
void cli_warnings(const clinfer_context *ctx, int quiet);
/* Flushes standard output; on a write error (a full disk, /dev/full) says so and returns 1. */
int cli_flush_stdout(void);

/* Input tensors for a run: .npy files mapped into memory (their first dimension is the batch) or, with none given,
 * seeded uniform [0, 1) values for a batch of o->batch. Sets o->batch. */
struct cli_inputs {
    int n;
    const float *data[CLI_MAX_IO]; /* input k's batch */
    int64_t row[CLI_MAX_IO];       /* its floats per image */
    struct cf_npy_map map[CLI_MAX_IO];
    float *gen[CLI_MAX_IO];
};
int cli_load_inputs(clinfer_context *ctx, const clinfer_model *m, struct cli_run_opts *o, struct cli_inputs *in);
void cli_inputs_free(struct cli_inputs *in);

/* Output files written whole or not at all (outputs.c): temporaries made before the run, renamed over the targets
 * once every output is written; refused up front when two name one file or one is a file the command reads. */
struct cli_outputs {
    int n;
    const char *path[CLI_MAX_IO];
    FILE *f[CLI_MAX_IO];
    char tmp[CLI_MAX_IO][4200]; /* "" when written in place (stdout, a device) or done */
    int to_stdout[CLI_MAX_IO], in_place[CLI_MAX_IO];
    int n_stdout; /* 1 when one of them is standard output */
};
/* Each returns 0 or an exit code, having printed why. */
int cli_outputs_open(struct cli_outputs *o, const char *const *paths, int n, const char *const *reads, int n_reads);
int cli_outputs_write(struct cli_outputs *o, int k, const int64_t *dims, int rank, float *data);
int cli_outputs_write_text(struct cli_outputs *o, int k, const char *text);
int cli_outputs_commit(struct cli_outputs *o);
void cli_outputs_abort(struct cli_outputs *o);
/* A mapped input that shrinks under the process (SIGBUS) ends it with a message, exit code 1 and the temporaries
 * removed. */
void cli_catch_sigbus(void);

int64_t cli_elems(const int64_t *dims, int rank);

/* MPI (mpi.c): under mpirun or srun in a build with -DCLINFER_MPI=ON, this process is one rank of several; else one
 * rank of one, and each call does what one process would. agree: every rank's exit code, the largest (and the
 * lowest rank that failed, -1 when none did); the rest reduce over the ranks, or broadcast rank 0's bytes. */
void cli_mpi_init(int *argc, char ***argv);
void cli_mpi_finalize(void);
int cli_mpi_rank(void);
int cli_mpi_size(void);
int cli_mpi_local_rank(void);
/* This rank's slice [*lo, *hi) of n images: contiguous, the first ranks one image more when n does not divide. */
void cli_mpi_slice(int64_t n, int64_t *lo, int64_t *hi);
int cli_mpi_agree(int rc, int *failed_rank);
int64_t cli_mpi_sum(int64_t v);
int64_t cli_mpi_min(int64_t v);
double cli_mpi_max(double v);
void cli_mpi_gather(double v, double *all); /* all[r] = rank r's v, on rank 0 */
void cli_mpi_bcast(void *buf, size_t bytes);
/* One file written by every rank at its own offsets (MPI-IO); each returns 0 or 1 with why. */
struct cli_mpi_file;
int cli_mpi_file_open(const char *path, struct cli_mpi_file **out, char *why, size_t size);
int cli_mpi_file_write_at(struct cli_mpi_file *f, uint64_t offset, const void *buf, size_t bytes, char *why,
                          size_t size);
int cli_mpi_file_close(struct cli_mpi_file *f, char *why, size_t size);

/* A streamed run (stream.c): images [lo, hi) of the inputs, in chunks of `chunk` images, each chunk's outputs
 * written as it is done while the next chunk computes and the one after is read (unless no_overlap). Outputs go to
 * the FILE f[k] one after the other (a whole file: header first), or, under MPI, to the shared file mf[k] at the
 * offset of image lo (rank 0 having written the header). */
struct cli_stream {
    clinfer_context *ctx;
    clinfer_session *s;
    const struct cli_inputs *in;
    int64_t total, lo, hi, chunk;
    int no_overlap, quiet;
    int check_inputs;              /* stop at an input that holds NaN or Inf */
    const char *input_path[CLI_MAX_IO];
    int n_out;
    const char *path[CLI_MAX_IO];
    FILE *f[CLI_MAX_IO];
    struct cli_mpi_file *mf[CLI_MAX_IO];
    uint64_t header[CLI_MAX_IO]; /* bytes of output k's header: where image 0 starts in its file */
    /* what it found and took */
    int64_t nan[CLI_MAX_IO], inf[CLI_MAX_IO], first_bad[CLI_MAX_IO]; /* first_bad: a flat index, -1 for none */
    double compute_ms, total_ms;
};
/* Returns 0, or 1 having printed why. */
int cli_stream_run(struct cli_stream *st);

/* The median of v[0..n) (sorts v). */
double cli_median(double *v, int n);
/* a monotonic clock, in ms */
double cli_now_ms(void);

#endif
