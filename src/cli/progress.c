/* A one-line progress display on a terminal, for the library's long phases (kernels built, layers tuned, images run):
 * drawn once a phase has taken a second, redrawn at most ten times a second, cleared at the end; nothing when
 * standard error is not a terminal, or with -q. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static struct {
    char phase[32];
    double t0, last;
    int on, drawn, streaming;
} g;

static const char *words(const char *phase)
{
    if (strcmp(phase, "kernels") == 0) return "preparing kernels: layer";
    if (strcmp(phase, "tuning") == 0) return "tuning: candidate";
    if (strcmp(phase, "images") == 0 || strcmp(phase, "stream") == 0) return "running: image";
    return phase;
}

static void show(void *user, const char *phase, int64_t done, int64_t total, const char *detail)
{
    if (g.streaming && strcmp(phase, "images") == 0) return; /* (a streamed run's own count is the one shown) */
    if (user == &g && !g.on) return;
    double now = cli_now_ms();
    if (strcmp(phase, g.phase) != 0) {
        snprintf(g.phase, sizeof g.phase, "%s", phase);
        g.t0 = now;
    }
    if (now - g.t0 < 1000 || (now - g.last < 100 && done < total)) return;
    g.last = now;
    char extra[96] = "";
    if ((strcmp(phase, "images") == 0 || strcmp(phase, "stream") == 0) && done > 0) {
        double rate = (double)done * 1000.0 / (now - g.t0), left = rate > 0 ? (double)(total - done) / rate : 0;
        snprintf(extra, sizeof extra, ", %.0f images/s, %.0f s left", rate, left);
    }
    fprintf(stderr, "\r\033[Kclinfer: %s %lld/%lld%s%s%s%s", words(phase), (long long)done, (long long)total,
            *detail ? " (" : "", detail, *detail ? ")" : "", extra);
    fflush(stderr);
    g.drawn = 1;
}

void cli_progress_start(clinfer_context *ctx, int quiet)
{
    memset(&g, 0, sizeof g);
    g.on = !quiet && isatty(STDERR_FILENO);
    if (g.on) clinfer_context_set_progress(ctx, show, NULL);
}

void cli_progress_stream(int64_t done, int64_t total)
{
    g.streaming = 1;
    show(&g, "stream", done, total, "");
}

void cli_progress_end(void)
{
    if (g.drawn) fputs("\r\033[K", stderr);
    g.drawn = 0;
}
