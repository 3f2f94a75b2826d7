/* clinfer: the command line. Exit codes: 0 success, 1 a model or file problem, 2 a usage error. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: clinfer <command> [options]\n"
    "\n"
    "commands:\n"
    "  summary MODEL [--explain [--device DEV]] [--format keras|json] [--batch N]\n"
    "      print the layer table Keras 2 prints; --explain adds the arithmetic behind every shape,\n"
    "      parameter count and MAC count, and the kernel each layer runs on the device\n"
    "\n"
    "  run MODEL -i IN.npy -o OUT.npy [--device DEV] [--weights W.npz] [--seed S] [--init keras|random]\n"
    "          [--max-memory SIZE] [-v]\n"
    "      run the model on a batch (the first dimension of IN.npy); float32 .npy in and out; a batch\n"
    "      that does not fit the device (or SIZE, e.g. 512M) runs in sub-batches that do\n"
    "  compare MODEL [-i IN.npy] [--device DEV] [--against DEV] [--rtol R] [--atol A] [--batch N]\n"
    "          [--weights W.npz] [--seed S] [--init keras|random] [--max-memory SIZE]\n"
    "      run on two devices (default: opencl against ref), print each layer's largest error,\n"
    "      exit 1 when any is past tolerance\n"
    "  bench MODEL [--device DEV] [--batch N] [--iters N] [--tune none|fast|full] [--json]\n"
    "      images/s and ms per batch (median after warm-up); compile and tuning time apart\n"
    "  profile MODEL [--device DEV] [--batch N] [--tune none|fast|full]\n"
    "      per layer: kernel, time (OpenCL events), GFLOPS, GB/s, % of the device's peak, share\n"
    "  devices\n"
    "      list the OpenCL platforms and devices\n"
    "\n"
    "MODEL is a Keras script (.py): the Python code that defines a Keras model.\n"
    "DEV is ref, opencl (the first GPU, else the first device), opencl:N, or opencl:<part of a name>.\n";

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "summary") == 0) return cli_summary(argc - 2, argv + 2);
    if (strcmp(argv[1], "run") == 0) return cli_run(argc - 2, argv + 2);
    if (strcmp(argv[1], "compare") == 0) return cli_compare(argc - 2, argv + 2);
    if (strcmp(argv[1], "devices") == 0) return cli_devices(argc - 2, argv + 2);
    if (strcmp(argv[1], "bench") == 0) return cli_bench(argc - 2, argv + 2);
    if (strcmp(argv[1], "profile") == 0) return cli_profile(argc - 2, argv + 2);
    cli_error("unknown command '%s'", argv[1]);
    fputs(usage, stderr);
    return 2;
}
