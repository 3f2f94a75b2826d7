/* The output files of a command, written whole or not at all: each goes to a temporary file beside its target,
 * made before the model runs (so that a path that cannot be written fails first); all of them are written and
 * flushed to disk, and only then renamed over their targets. A failure, or a signal that ends the process, leaves
 * every previous file as it was. Paths that name the same file twice, or a file the command reads, are refused
 * before anything runs. "-" is standard output; a device or FIFO (/dev/null) is written in place. */
#define _DEFAULT_SOURCE /* realpath */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../io/npy.h"
#include "../util/files.h"
#include "cli.h"

/* The temporaries a signal handler removes: plain arrays, read by the handler without locks. */
static char g_tmp[CLI_MAX_IO][4200];
static volatile sig_atomic_t g_n_tmp;

static void on_signal(int sig)
{
    for (int i = 0; i < g_n_tmp; i++)
        if (g_tmp[i][0]) unlink(g_tmp[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* A mapped input that shrank while it was read (another process truncated or rewrote it): its pages past the new
 * end raise SIGBUS. The temporaries go, and the process ends with a message and exit code 1, not a crash. */
static void on_sigbus(int sig)
{
    static const char msg[] = "clinfer: error: an input file shrank while it was being read (it was truncated or "
                              "rewritten by another process); no output file was changed\n";
    (void)sig;
    for (int i = 0; i < g_n_tmp; i++)
        if (g_tmp[i][0]) unlink(g_tmp[i]);
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    _exit(1);
}

void cli_catch_sigbus(void)
{
    struct sigaction bus;
    memset(&bus, 0, sizeof bus);
    bus.sa_handler = on_sigbus;
    sigemptyset(&bus.sa_mask);
    sigaction(SIGBUS, &bus, NULL);
}

static void catch_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

/* A file's identity: its device and inode when it exists, else its resolved path. */
struct ident {
    int exists;
    dev_t dev;
    ino_t ino;
    char path[PATH_MAX + 256];
};

static int identify(const char *path, struct ident *id)
{
    struct stat st;
    memset(id, 0, sizeof *id);
    if (stat(path, &st) == 0) {
        id->exists = 1;
        id->dev = st.st_dev;
        id->ino = st.st_ino;
        return 1;
    }
    char dir[PATH_MAX], real[PATH_MAX];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash) snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) ? (int)(slash - path) : 1, path);
    else snprintf(dir, sizeof dir, ".");
    if (!realpath(dir, real)) return 0;
    snprintf(id->path, sizeof id->path, "%s/%s", real, base);
    return 1;
}

static int same(const struct ident *a, const struct ident *b)
{
    if (a->exists != b->exists) return 0;
    return a->exists ? a->dev == b->dev && a->ino == b->ino : strcmp(a->path, b->path) == 0;
}

int cli_outputs_open(struct cli_outputs *o, const char *const *paths, int n, const char *const *reads, int n_reads)
{
    memset(o, 0, sizeof *o);
    char why[128];
    struct ident ids[CLI_MAX_IO];
    int n_stdout = 0;
    for (int k = 0; k < n; k++) {
        o->path[k] = paths[k];
        if (strcmp(paths[k], "-") == 0) {
            if (n_stdout++) return cli_error("-o -: standard output can take only one of the outputs"), 2;
            o->to_stdout[k] = 1;
            o->n_stdout = 1;
            continue;
        }
        if (!paths[k][0]) return cli_error("-o: an empty file name"), 2;
        if (!identify(paths[k], &ids[k]))
            return cli_error("%s: cannot write there: %s", paths[k], cf_errno_text(errno, why, sizeof why)), 1;
        struct stat st;
        if (stat(paths[k], &st) == 0 && S_ISDIR(st.st_mode))
            return cli_error("%s: is a directory; give a file name for the output", paths[k]), 1;
        o->in_place[k] = stat(paths[k], &st) == 0 && !S_ISREG(st.st_mode); /* /dev/null, a FIFO */
        for (int j = 0; j < k; j++)
            if (!o->to_stdout[j] && same(&ids[j], &ids[k]))
                return cli_error("-o %s and -o %s name the same file: each output needs a file of its own", paths[j],
                                 paths[k]),
                       2;
        for (int r = 0; r < n_reads; r++) {
            struct ident in;
            if (reads[r] && identify(reads[r], &in) && same(&in, &ids[k]) && !o->in_place[k])
                return cli_error("-o %s is %s, which this command reads; write the output to another file", paths[k],
                                 reads[r]),
                       2;
        }
    }
    o->n = n;
    catch_signals();
    for (int k = 0; k < n; k++) {
        if (o->to_stdout[k]) continue;
        if (o->in_place[k]) {
            if (!(o->f[k] = fopen(paths[k], "wb"))) {
                cli_error("%s: cannot open for writing: %s", paths[k], cf_errno_text(errno, why, sizeof why));
                cli_outputs_abort(o);
                return 1;
            }
            continue;
        }
        if (!(o->f[k] = cf_replace_open(paths[k], o->tmp[k], sizeof o->tmp[k]))) {
            cli_error("%s: cannot create the file: %s", paths[k], cf_errno_text(errno, why, sizeof why));
            cli_outputs_abort(o);
            return 1;
        }
        memcpy(g_tmp[k], o->tmp[k], sizeof g_tmp[k]);
        g_n_tmp = k + 1;
    }
    return 0;
}

int cli_outputs_write(struct cli_outputs *o, int k, const int64_t *dims, int rank, float *data)
{
    struct cf_array a = {.rank = rank, .data = data};
    for (int r = 0; r < rank; r++) a.dims[r] = dims[r];
    FILE *f = o->to_stdout[k] ? stdout : o->f[k];
    char why[128];
    if (!cf_npy_write_stream(f, &a) || fflush(f) != 0) {
        cli_error("%s: cannot write the output: %s%s", o->path[k], cf_errno_text(errno, why, sizeof why),
                  o->to_stdout[k] || o->in_place[k] ? "" : " (no output file was changed)");
        return 1;
    }
    return 0;
}

int cli_outputs_write_text(struct cli_outputs *o, int k, const char *text)
{
    FILE *f = o->to_stdout[k] ? stdout : o->f[k];
    char why[128];
    if (fputs(text, f) == EOF || fflush(f) != 0) {
        cli_error("%s: cannot write: %s", o->path[k], cf_errno_text(errno, why, sizeof why));
        return 1;
    }
    return 0;
}

int cli_outputs_commit(struct cli_outputs *o)
{
    char why[128];
    /* every temporary flushed to disk first; then the renames, which cannot run out of space */
    for (int k = 0; k < o->n; k++) {
        if (!o->tmp[k][0]) continue;
        if (fflush(o->f[k]) != 0 || fsync(fileno(o->f[k])) != 0) {
            cli_error("%s: cannot write the output: %s (no output file was changed)", o->path[k],
                      cf_errno_text(errno, why, sizeof why));
            cli_outputs_abort(o);
            return 1;
        }
    }
    for (int k = 0; k < o->n; k++) {
        if (!o->f[k]) continue;
        int ok = o->tmp[k][0] ? cf_replace_commit(o->f[k], o->tmp[k], o->path[k], 1) : fclose(o->f[k]) == 0;
        o->f[k] = NULL;
        if (!ok) {
            cli_error("%s: cannot write the output: %s", o->path[k], cf_errno_text(errno, why, sizeof why));
            o->tmp[k][0] = '\0';
            cli_outputs_abort(o);
            return 1;
        }
        o->tmp[k][0] = '\0';
        g_tmp[k][0] = '\0';
    }
    g_n_tmp = 0;
    return 0;
}

void cli_outputs_abort(struct cli_outputs *o)
{
    for (int k = 0; k < CLI_MAX_IO; k++) {
        if (o->f[k]) fclose(o->f[k]);
        o->f[k] = NULL;
        if (o->tmp[k][0]) unlink(o->tmp[k]);
        o->tmp[k][0] = '\0';
        g_tmp[k][0] = '\0';
    }
    g_n_tmp = 0;
}
