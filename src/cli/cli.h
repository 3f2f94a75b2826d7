/* The clinfer command: one file per subcommand, each returning the process exit code
 * (0 success, 1 a model, file or device problem, 2 a usage error). */
#ifndef CF_CLI_H
#define CF_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "clinfer.h"

int cli_summary(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_compare(int argc, char **argv);
int cli_devices(int argc, char **argv);
int cli_bench(int argc, char **argv);
int cli_profile(int argc, char **argv);

/* Prints "clinfer: error: msg" to stderr. */
void cli_error(const char *fmt, ...);

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
    int verbose, json, iters;
    clinfer_tune tune;
    const char *algo;
    uint64_t max_memory; /* --max-memory: bytes, 0 for the device's */
};

/* Parses the shared options; `allowed` lists the flags this command takes ("-i -o --device ..."). Returns 0,
 * or the exit code of a usage error. */
int cli_parse_run_opts(const char *cmd, int argc, char **argv, const char *allowed, struct cli_run_opts *o);

/* Input tensors for a run: from .npy files (their first dimension is the batch) or, with none given, seeded
 * uniform [0, 1) values for a batch of o->batch. Fills data[k] (free with free()) and sets o->batch. */
int cli_load_inputs(clinfer_context *ctx, const clinfer_model *m, struct cli_run_opts *o, float **data);

/* Output files written whole or not at all (outputs.c): temporaries made before the run, renamed over the targets
 * once every output is written; refused up front when two name one file or one is a file the command reads. */
struct cli_outputs {
    int n;
    const char *path[CLI_MAX_IO];
    FILE *f[CLI_MAX_IO];
    char tmp[CLI_MAX_IO][4200]; /* "" when written in place (stdout, a device) or done */
    int to_stdout[CLI_MAX_IO], in_place[CLI_MAX_IO];
};
/* Each returns 0 or an exit code, having printed why. */
int cli_outputs_open(struct cli_outputs *o, const char *const *paths, int n, const char *const *reads, int n_reads);
int cli_outputs_write(struct cli_outputs *o, int k, const int64_t *dims, int rank, float *data);
int cli_outputs_commit(struct cli_outputs *o);
void cli_outputs_abort(struct cli_outputs *o);

int64_t cli_elems(const int64_t *dims, int rank);

/* The median of v[0..n) (sorts v). */
double cli_median(double *v, int n);
/* a monotonic clock, in ms */
double cli_now_ms(void);

#endif
