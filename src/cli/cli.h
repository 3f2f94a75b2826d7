/* The clinfer command: one file per subcommand, each returning the process exit code. */
#ifndef CF_CLI_H
#define CF_CLI_H

int cli_summary(int argc, char **argv);

/* Prints "clinfer: error: msg" to stderr. */
void cli_error(const char *fmt, ...);

#endif
