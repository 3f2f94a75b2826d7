/* The command line's options: one table for every command (getopt_long: --opt=value, --opt value, --, bundled short
 * options), each command taking the ones its help lists; a mistyped option gets the nearest one it takes. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"
#include "cli.h"

enum {
    O_DEVICE = 256, O_AGAINST, O_BATCH, O_WEIGHTS, O_SEED, O_INIT, O_TUNE, O_ALGO, O_MAX_MEMORY, O_ITERS, O_RTOL,
    O_ATOL, O_MAX_OUTLIERS, O_FORMAT, O_JSON, O_JUNIT, O_EXPLAIN, O_CHECK_FINITE, O_TRACE, O_STYLE, O_LINE_LENGTH,
    O_CHUNK, O_OVERLAP, O_CHECK_INPUTS, O_SHOW_TRAINABLE, O_LAYER_RANGE, O_POSITIONS, O_MEMORY,
    O_EXPAND_NESTED
};

static const struct option longopts[] = {
    {"input", required_argument, NULL, 'i'},        {"output", required_argument, NULL, 'o'},
    {"verbose", no_argument, NULL, 'v'},            {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},               {"device", required_argument, NULL, O_DEVICE},
    {"against", required_argument, NULL, O_AGAINST}, {"batch", required_argument, NULL, O_BATCH},
    {"weights", required_argument, NULL, O_WEIGHTS}, {"seed", required_argument, NULL, O_SEED},
    {"init", required_argument, NULL, O_INIT},      {"tune", required_argument, NULL, O_TUNE},
    {"algo", required_argument, NULL, O_ALGO},      {"max-memory", required_argument, NULL, O_MAX_MEMORY},
    {"iters", required_argument, NULL, O_ITERS},    {"rtol", required_argument, NULL, O_RTOL},
    {"atol", required_argument, NULL, O_ATOL},      {"max-outliers", required_argument, NULL, O_MAX_OUTLIERS},
    {"format", required_argument, NULL, O_FORMAT},  {"json", no_argument, NULL, O_JSON},
    {"junit", required_argument, NULL, O_JUNIT},    {"explain", no_argument, NULL, O_EXPLAIN},
    {"check-finite", no_argument, NULL, O_CHECK_FINITE}, {"trace", required_argument, NULL, O_TRACE},
    {"style", required_argument, NULL, O_STYLE},    {"line-length", required_argument, NULL, O_LINE_LENGTH},
    {"chunk", required_argument, NULL, O_CHUNK},    {"overlap", required_argument, NULL, O_OVERLAP},
    {"check-inputs", no_argument, NULL, O_CHECK_INPUTS}, {"show-trainable", no_argument, NULL, O_SHOW_TRAINABLE},
    {"expand-nested", no_argument, NULL, O_EXPAND_NESTED},
    {"layer-range", required_argument, NULL, O_LAYER_RANGE}, {"positions", required_argument, NULL, O_POSITIONS},
    {"memory", no_argument, NULL, O_MEMORY},
    {NULL, 0, NULL, 0}};

/* "-i" or "--device" for an option id: how the commands' option lists spell it */
static void spelled(int id, char *out, size_t size)
{
    if (id > 0 && id < 256) {
        snprintf(out, size, "-%c", id);
        return;
    }
    for (const struct option *p = longopts; p->name; p++)
        if (p->val == id) {
            snprintf(out, size, "--%s", p->name);
            return;
        }
    snprintf(out, size, "?");
}

static int taken(const char *allowed, int id)
{
    char name[40];
    spelled(id, name, sizeof name);
    return cf_word_listed(allowed, name) || id == 'h';
}

/* Levenshtein distance, for suggestions */
static int distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b), row[64];
    if (la > 62 || lb > 62) return 99;
    for (int j = 0; j <= lb; j++) row[j] = j;
    for (int i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = i;
        for (int j = 1; j <= lb; j++) {
            int up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

const char *cli_nearest(const char *word, const char *list, char *out, size_t size)
{
    int best = 99;
    out[0] = '\0';
    for (const char *p = list; *p;) {
        while (*p == ' ') p++;
        size_t n = strcspn(p, " ");
        if (!n) break;
        char cand[64];
        snprintf(cand, sizeof cand, "%.*s", (int)n, p);
        int dist = distance(word, cand);
        if (dist < best) best = dist, snprintf(out, size, "%s", cand);
        p += n;
    }
    int len = (int)strlen(word);
    return best <= (len > 6 ? 3 : 2) ? out : NULL;
}

static int usage_error(const struct cli_command *c, const char *fmt, const char *a, const char *b)
{
    fputs("clinfer: error: ", stderr);
    fprintf(stderr, "%s: ", c->name);
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\n(clinfer %s --help lists its options)\n", c->name);
    return 2;
}

static int number_error(const char *opt, const char *what, const char *v)
{
    cli_error("%s takes %s, got '%s'", opt, what, v);
    return 2;
}

int cli_parse(const struct cli_command *c, int argc, char **argv, struct cli_run_opts *o)
{
    opterr = 0;
    optind = 0; /* (GNU: start afresh) */
    o->batch = o->batch ? o->batch : 0;
    for (;;) {
        int li = -1;
        int id = getopt_long(argc, argv, ":i:o:vqh", longopts, &li);
        if (id == -1) break;
        const char *arg = argv[optind - 1];
        if (id == '?' || id == ':') {
            char opt[64], near[64];
            if (id == ':') {
                if (optopt) spelled(optopt, opt, sizeof opt);
                else snprintf(opt, sizeof opt, "%s", arg);
                return usage_error(c, "%s needs a value%s", opt, "");
            }
            if (optopt) snprintf(opt, sizeof opt, "-%c", optopt);
            else snprintf(opt, sizeof opt, "%.*s", (int)strcspn(arg, "="), arg);
            if (cli_nearest(opt, c->options, near, sizeof near)) {
                char hint[96];
                snprintf(hint, sizeof hint, "; did you mean %s?", near);
                return usage_error(c, "unknown option '%s'%s", opt, hint);
            }
            return usage_error(c, "unknown option '%s'%s", opt, "");
        }
        if (id == 'h') {
            cli_help(c, stdout);
            return -1;
        }
        if (!taken(c->options, id)) {
            char opt[64];
            spelled(id, opt, sizeof opt);
            return usage_error(c, "%s is not an option of this command%s", opt, "");
        }
        char opt[64];
        spelled(id, opt, sizeof opt);
        const char *v = optarg;
        char *end = NULL;
        switch (id) {
        case 'i':
            if (o->n_inputs == CLI_MAX_IO) return number_error("-i", "at most 8 inputs", v);
            o->inputs[o->n_inputs++] = v;
            break;
        case 'o':
            if (o->n_outputs == CLI_MAX_IO) return number_error("-o", "at most 8 outputs", v);
            o->outputs[o->n_outputs++] = v;
            break;
        case 'v': o->verbose = 1; break;
        case 'q': o->quiet = 1; break;
        case O_DEVICE: o->device = v; break;
        case O_AGAINST: o->against = v; break;
        case O_WEIGHTS: o->weights = v; break;
        case O_ALGO: o->algo = v; break;
        case O_JUNIT: o->junit = v; break;
        case O_TRACE: o->trace = v; break;
        case O_EXPLAIN: o->explain = 1; break;
        case O_CHECK_FINITE: o->check_finite = 1; break;
        case O_CHECK_INPUTS: o->check_inputs = 1; break;
        case O_SHOW_TRAINABLE: o->show_trainable = 1; break;
        case O_EXPAND_NESTED: o->expand_nested = 1; break;
        case O_MEMORY: o->memory = 1; break;
        case O_POSITIONS: { /* 0.3,0.6,0.7,1 */
            o->n_positions = 0;
            for (const char *p = v;;) {
                double x = strtod(p, &end);
                if (end == p || !(x > 0) || x > 10000 || o->n_positions == 4)
                    return number_error(opt, "3 or 4 increasing positive numbers, comma-separated (0.4,0.8,1)", v);
                o->positions[o->n_positions++] = x;
                if (!*end) break;
                if (*end != ',') return number_error(opt, "3 or 4 increasing positive numbers, comma-separated", v);
                p = end + 1;
            }
            for (int k = 1; k < o->n_positions; k++)
                if (!(o->positions[k] > o->positions[k - 1]))
                    return number_error(opt, "3 or 4 increasing positive numbers, comma-separated", v);
            break;
        }
        case O_LAYER_RANGE: { /* --layer-range FIRST LAST, or FIRST,LAST */
            const char *comma = strchr(v, ',');
            if (comma) {
                static char first[512];
                snprintf(first, sizeof first, "%.*s", (int)(comma - v), v);
                o->layer_range[0] = first;
                o->layer_range[1] = comma + 1;
            } else if (optind < argc && argv[optind][0] != '-') {
                o->layer_range[0] = v;
                o->layer_range[1] = argv[optind++];
            } else {
                return usage_error(c, "--layer-range takes the first and the last layer's names%s%s", "", "");
            }
            break;
        }
        case O_JSON: o->json = 1; break;
        case O_FORMAT:
            if (strcmp(v, "json") == 0) o->json = 1;
            else if (strcmp(v, "text") == 0 || (strcmp(v, "keras") == 0 && strcmp(c->name, "summary") == 0)) o->json = 0;
            else return number_error("--format", strcmp(c->name, "summary") == 0 ? "text (or keras) or json" : "text or json", v);
            break;
        case O_BATCH:
        case O_CHUNK: {
            errno = 0;
            long long b = strtoll(v, &end, 10);
            if (end == v || *end || errno || b < 1 || b > (1LL << 31)) return number_error(opt, "a positive integer", v);
            if (id == O_BATCH) o->batch = b;
            else o->chunk = b;
            break;
        }
        case O_OVERLAP:
            if (strcmp(v, "on") == 0) o->no_overlap = 0;
            else if (strcmp(v, "off") == 0) o->no_overlap = 1;
            else return number_error(opt, "on or off", v);
            break;
        case O_SEED: {
            errno = 0;
            unsigned long long s = strtoull(v, &end, 10);
            if (end == v || *end || errno || v[0] == '-') return number_error(opt, "a non-negative integer", v);
            o->seed = s;
            break;
        }
        case O_ITERS: {
            long n = strtol(v, &end, 10);
            if (end == v || *end || n < 1 || n > 100000) return number_error(opt, "an integer from 1 to 100000", v);
            o->iters = (int)n;
            break;
        }
        case O_STYLE:
            if (strcmp(v, "keras2") == 0) o->style = CLINFER_STYLE_KERAS2;
            else if (strcmp(v, "tf2") == 0) o->style = CLINFER_STYLE_TF2;
            else if (strcmp(v, "keras3") == 0) o->style = CLINFER_STYLE_KERAS3;
            else return number_error(opt, "keras2, tf2 or keras3", v);
            break;
        case O_LINE_LENGTH: {
            long n = strtol(v, &end, 10);
            if (end == v || *end || n < 20 || n > 1000) return number_error(opt, "an integer from 20 to 1000", v);
            o->line_length = (int)n;
            break;
        }
        case O_INIT:
            if (strcmp(v, "keras") == 0) o->init = CLINFER_INIT_KERAS;
            else if (strcmp(v, "random") == 0) o->init = CLINFER_INIT_RANDOM;
            else return number_error(opt, "keras or random", v);
            break;
        case O_TUNE:
            if (strcmp(v, "none") == 0) o->tune = CLINFER_TUNE_NONE;
            else if (strcmp(v, "fast") == 0) o->tune = CLINFER_TUNE_FAST;
            else if (strcmp(v, "full") == 0) o->tune = CLINFER_TUNE_FULL;
            else return number_error(opt, "none, fast or full", v);
            break;
        case O_MAX_MEMORY: {
            double m = strtod(v, &end);
            double unit = *end == 'K' ? 1024.0 : *end == 'M' ? 1048576.0 : *end == 'G' ? 1073741824.0 : 1.0;
            if (unit > 1.0) end++;
            if (end == v || *end || !(m >= 1) || m * unit > 1e18)
                return number_error(opt, "a size in bytes (suffix K, M or G)", v);
            o->max_memory = (uint64_t)(m * unit);
            break;
        }
        case O_RTOL:
        case O_ATOL:
        case O_MAX_OUTLIERS: {
            double t = strtod(v, &end);
            if (end == v || *end || !(t >= 0) || (id == O_MAX_OUTLIERS && t > 1))
                return number_error(opt, id == O_MAX_OUTLIERS ? "a fraction from 0 to 1" : "a number >= 0", v);
            if (id == O_RTOL) o->rtol = t;
            else if (id == O_ATOL) o->atol = t;
            else o->max_outliers = t;
            break;
        }
        }
    }
    for (int i = optind; i < argc; i++) {
        if (o->model) return usage_error(c, "takes one model, got '%s' and '%s'", o->model, argv[i]);
        o->model = argv[i];
    }
    if (!o->model && c->needs_model) return usage_error(c, "which model? (clinfer %s MODEL ...)%s", c->name, "");
    return 0;
}
