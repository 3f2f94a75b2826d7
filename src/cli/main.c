/* clinfer: the command line. The subcommands (one file each), `clinfer help [CMD]`, `clinfer CMD --help`,
 * `clinfer --version`, and a suggestion for a mistyped subcommand. Exit codes: 0 success, 1 a model, file or device
 * problem, 2 a usage error (compare: 1 past tolerance, 3 could not run). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_command *const commands[] = {&cli_cmd_summary, &cli_cmd_run,     &cli_cmd_compare,
                                                     &cli_cmd_bench,   &cli_cmd_profile, &cli_cmd_devices};
#define N_COMMANDS ((int)(sizeof commands / sizeof commands[0]))

static const char common_help[] =
    "MODEL is a Keras script (.py: the Python code that defines a Keras model), a saved Keras model (.keras,\n"
    ".h5) or an ONNX file (.onnx).\n"
    "DEV is ref (the C reference backend), opencl (the first GPU, else the first device), opencl:N, or\n"
    "opencl:<part of a device name> (`clinfer devices` lists them); for run and bench also a list of them\n"
    "(opencl:0,opencl:1) or all (every GPU, else every OpenCL device), which share the batch.\n"
    "Options take their value as --opt VALUE or --opt=VALUE; -- ends the options.\n"
    "Exit codes: 0 success, 1 a model, file or device problem, 2 a usage error\n"
    "(compare: 0 within tolerance, 1 past tolerance, 2 usage, 3 could not run).\n";

static void usage(FILE *f)
{
    fputs("usage: clinfer <command> [options]\n       clinfer help <command>\n       clinfer --version\n\n"
          "clinfer reads a Keras script or an ONNX model, prints the summary Keras prints with the arithmetic behind\n"
          "it, and runs the model on an OpenCL device or the C reference backend.\n\ncommands:\n",
          f);
    for (int i = 0; i < N_COMMANDS; i++) fprintf(f, "  %-9s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "\n%s\n`clinfer help COMMAND` (or `clinfer COMMAND --help`) tells a command's options.\n", common_help);
}

void cli_help(const struct cli_command *c, FILE *f)
{
    fprintf(f, "usage: clinfer %s %s\n\n%s\n\n%s\n%s", c->name, c->synopsis, c->summary, c->help, common_help);
}

/* The bash completion, from the command table (installed as share/bash-completion/completions/clinfer) */
static void completion_bash(void)
{
    printf("# bash completion for clinfer, made by `clinfer --completion bash`\n_clinfer() {\n"
           "  local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
           "  if [ $COMP_CWORD -eq 1 ]; then COMPREPLY=($(compgen -W \"");
    for (int i = 0; i < N_COMMANDS; i++) printf("%s ", commands[i]->name);
    printf("help --help --version\" -- \"$cur\")); return; fi\n"
           "  case $prev in --format) COMPREPLY=($(compgen -W \"text json\" -- \"$cur\")); return;;\n"
           "    --tune) COMPREPLY=($(compgen -W \"none fast full\" -- \"$cur\")); return;;\n"
           "    --init) COMPREPLY=($(compgen -W \"keras random\" -- \"$cur\")); return;;\n"
           "    --device|--against) COMPREPLY=($(compgen -W \"ref opencl opencl:0 opencl:1\" -- \"$cur\")); return;;\n"
           "  esac\n  case $cmd in\n");
    for (int i = 0; i < N_COMMANDS; i++) printf("    %s) opts=\"%s --help\";;\n", commands[i]->name, commands[i]->options);
    printf("    help) COMPREPLY=($(compgen -W \"");
    for (int i = 0; i < N_COMMANDS; i++) printf("%s ", commands[i]->name);
    printf("\" -- \"$cur\")); return;;\n    *) return;;\n  esac\n"
           "  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"));\n"
           "  else COMPREPLY=($(compgen -f -- \"$cur\")); fi\n}\ncomplete -o filenames -F _clinfer clinfer\n");
}

static const struct cli_command *find(const char *name)
{
    for (int i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0) return commands[i];
    return NULL;
}

static int unknown(const char *name)
{
    char list[256] = "", near[64];
    for (int i = 0; i < N_COMMANDS; i++) {
        strcat(list, commands[i]->name);
        strcat(list, " ");
    }
    if (cli_nearest(name, list, near, sizeof near)) cli_error("unknown command '%s'; did you mean '%s'?", name, near);
    else cli_error("unknown command '%s' (clinfer --help lists the commands)", name);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *a = argv[1];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
        usage(stdout);
        return cli_flush_stdout();
    }
    if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
        printf("clinfer %s\n", clinfer_version());
        return cli_flush_stdout();
    }
    if (strcmp(a, "--help-all") == 0) { /* (for the man page: every command's help) */
        usage(stdout);
        for (int i = 0; i < N_COMMANDS; i++) {
            printf("\n%s:\n", commands[i]->name);
            cli_help(commands[i], stdout);
        }
        return cli_flush_stdout();
    }
    if (strcmp(a, "--completion") == 0 && argc == 3 && strcmp(argv[2], "bash") == 0) {
        completion_bash();
        return cli_flush_stdout();
    }
    if (strcmp(a, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return cli_flush_stdout();
        }
        const struct cli_command *c = find(argv[2]);
        if (!c) return unknown(argv[2]);
        cli_help(c, stdout);
        return cli_flush_stdout();
    }
    const struct cli_command *c = find(a);
    if (!c) return unknown(a);
    cli_mpi_init(&argc, &argv); /* (under mpirun or srun, in a build with MPI) */
    int rc = c->run(argc - 1, argv + 1);
    int flush = cli_flush_stdout();
    cli_mpi_finalize();
    if (rc == -1) return flush; /* --help */
    return rc ? rc : flush ? (c == &cli_cmd_compare ? 3 : 1) : 0;
}
