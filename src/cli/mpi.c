/* MPI for the command line (a build with -DCLINFER_MPI=ON): when mpirun or srun started the process, `run` and
 * `bench` share the batch among the ranks. Without MPI (or when no launcher started the process), one rank of one:
 * every function here is then a no-op that returns what a single process would. The library knows nothing of MPI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Rank r's contiguous share of n images: n / ranks each, the first n % ranks ranks one more. */
void cli_mpi_slice(int64_t n, int64_t *lo, int64_t *hi)
{
    int64_t r = cli_mpi_rank(), q = n / cli_mpi_size(), extra = n % cli_mpi_size();
    *lo = r * q + (r < extra ? r : extra);
    *hi = *lo + q + (r < extra);
}

#ifdef CLINFER_MPI
#include <mpi.h>

static struct {
    int on, rank, size, local;
} g = {0, 0, 1, 0};

/* Started by a launcher: Open MPI's mpirun, a PMI (MPICH, Slurm) or a PMIx (srun, prte) one. A process started
 * alone does not initialise MPI (a singleton start would look for a launcher's daemon). */
static int launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

void cli_mpi_init(int *argc, char ***argv)
{
    if (!launched()) return;
    if (MPI_Init(argc, argv) != MPI_SUCCESS) return;
    g.on = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &g.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g.size);
    /* the node-local rank: the launcher's word for it, else the rank among the processes that share memory */
    const char *env = getenv("OMPI_COMM_WORLD_LOCAL_RANK");
    if (!env) env = getenv("SLURM_LOCALID");
    if (!env) env = getenv("MPI_LOCALRANKID");
    if (env) {
        g.local = atoi(env);
    } else {
        MPI_Comm node;
        if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) == MPI_SUCCESS) {
            MPI_Comm_rank(node, &g.local);
            MPI_Comm_free(&node);
        }
    }
    /* errors come back as codes: a rank that fails reports and agrees with the others to stop */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if (g.size > 1) {
        static char prefix[64];
        snprintf(prefix, sizeof prefix, "rank %d of %d: ", g.rank, g.size);
        cli_error_prefix(prefix);
    }
}

void cli_mpi_finalize(void)
{
    if (g.on) MPI_Finalize();
    g.on = 0;
}

int cli_mpi_rank(void) { return g.rank; }
int cli_mpi_size(void) { return g.size; }
int cli_mpi_local_rank(void) { return g.local; }

int cli_mpi_agree(int rc, int *failed_rank)
{
    if (failed_rank) *failed_rank = rc ? g.rank : -1;
    if (g.size == 1) return rc;
    int in[2] = {rc, rc ? g.rank : g.size}, out[2] = {rc, g.size};
    MPI_Allreduce(&in[0], &out[0], 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Allreduce(&in[1], &out[1], 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (failed_rank) *failed_rank = out[1] < g.size ? out[1] : -1;
    return out[0];
}

int64_t cli_mpi_sum(int64_t v)
{
    long long in = v, out = v;
    if (g.size > 1) MPI_Allreduce(&in, &out, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
    return out;
}

int64_t cli_mpi_min(int64_t v)
{
    long long in = v, out = v;
    if (g.size > 1) MPI_Allreduce(&in, &out, 1, MPI_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
    return out;
}

double cli_mpi_max(double v)
{
    double out = v;
    if (g.size > 1) MPI_Allreduce(&v, &out, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return out;
}

void cli_mpi_gather(double v, double *all)
{
    if (g.size == 1) all[0] = v;
    else MPI_Gather(&v, 1, MPI_DOUBLE, all, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
}

void cli_mpi_bcast(void *buf, size_t bytes)
{
    if (g.size > 1) MPI_Bcast(buf, (int)bytes, MPI_BYTE, 0, MPI_COMM_WORLD);
}

struct cli_mpi_file {
    MPI_File fh;
};

static void mpi_why(int err, char *why, size_t size)
{
    int len = 0;
    char text[MPI_MAX_ERROR_STRING];
    if (MPI_Error_string(err, text, &len) != MPI_SUCCESS) len = snprintf(text, sizeof text, "MPI error %d", err);
    snprintf(why, size, "%.*s", len, text);
}

int cli_mpi_file_open(const char *path, struct cli_mpi_file **out, char *why, size_t size)
{
    *out = calloc(1, sizeof **out);
    if (!*out) return snprintf(why, size, "out of memory"), 1;
    int err = MPI_File_open(MPI_COMM_WORLD, path, MPI_MODE_WRONLY, MPI_INFO_NULL, &(*out)->fh);
    if (err != MPI_SUCCESS) {
        mpi_why(err, why, size);
        free(*out);
        *out = NULL;
        return 1;
    }
    return 0;
}

int cli_mpi_file_write_at(struct cli_mpi_file *f, uint64_t offset, const void *buf, size_t bytes, char *why,
                          size_t size)
{
    const char *p = buf;
    while (bytes) { /* (MPI counts are ints: pieces of at most 1 GiB) */
        int n = bytes > (1u << 30) ? 1 << 30 : (int)bytes, got = 0;
        MPI_Status st;
        int err = MPI_File_write_at(f->fh, (MPI_Offset)offset, p, n, MPI_BYTE, &st);
        if (err == MPI_SUCCESS) MPI_Get_count(&st, MPI_BYTE, &got);
        if (err != MPI_SUCCESS || got != n) {
            if (err != MPI_SUCCESS) mpi_why(err, why, size);
            else snprintf(why, size, "MPI-IO wrote %d of %d bytes", got, n);
            return 1;
        }
        p += n;
        offset += (uint64_t)n;
        bytes -= (size_t)n;
    }
    return 0;
}

int cli_mpi_file_close(struct cli_mpi_file *f, char *why, size_t size)
{
    if (!f) return 0;
    int err = MPI_File_sync(f->fh), err2 = MPI_File_close(&f->fh);
    free(f);
    if (err == MPI_SUCCESS) err = err2;
    if (err != MPI_SUCCESS) return mpi_why(err, why, size), 1;
    return 0;
}

#else /* one process */

void cli_mpi_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}
void cli_mpi_finalize(void) {}
int cli_mpi_rank(void) { return 0; }
int cli_mpi_size(void) { return 1; }
int cli_mpi_local_rank(void) { return 0; }
int cli_mpi_agree(int rc, int *failed_rank)
{
    if (failed_rank) *failed_rank = rc ? 0 : -1;
    return rc;
}
int64_t cli_mpi_sum(int64_t v) { return v; }
int64_t cli_mpi_min(int64_t v) { return v; }
double cli_mpi_max(double v) { return v; }
void cli_mpi_gather(double v, double *all) { all[0] = v; }
void cli_mpi_bcast(void *buf, size_t bytes)
{
    (void)buf;
    (void)bytes;
}
int cli_mpi_file_open(const char *path, struct cli_mpi_file **out, char *why, size_t size)
{
    (void)path;
    *out = NULL;
    return snprintf(why, size, "this clinfer was built without MPI"), 1;
}
int cli_mpi_file_write_at(struct cli_mpi_file *f, uint64_t offset, const void *buf, size_t bytes, char *why,
                          size_t size)
{
    (void)f, (void)offset, (void)buf, (void)bytes;
    return snprintf(why, size, "this clinfer was built without MPI"), 1;
}
int cli_mpi_file_close(struct cli_mpi_file *f, char *why, size_t size)
{
    (void)f, (void)why, (void)size;
    return 0;
}
#endif
