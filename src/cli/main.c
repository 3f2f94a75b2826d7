/* clinfer: the command line. Exit codes: 0 success, 1 a model or file problem, 2 a usage error. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: clinfer <command> [options]\n"
    "\n"
    "commands:\n"
    "  summary MODEL [--explain] [--format keras|json] [--batch N]\n"
    "      print the layer table Keras 2 prints; --explain adds the arithmetic behind every shape,\n"
    "      parameter count and MAC count\n"
    "\n"
    "MODEL is a Keras script (.py): the Python code that defines a Keras model.\n";

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("clinfer: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "summary") == 0) return cli_summary(argc - 2, argv + 2);
    cli_error("unknown command '%s'", argv[1]);
    fputs(usage, stderr);
    return 2;
}
