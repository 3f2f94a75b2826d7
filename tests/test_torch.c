/* Real architectures exported from PyTorch (tests/models/export_torch.py: LeNet, a VGG block, a ResNet basic block
 * with its shortcut, a MobileNet block with depthwise convolution and ReLU6, an Inception block with Concat; random
 * weights, BatchNorm with random statistics, a dynamic batch; and Slice and Split as PyTorch writes them,
 * tests/models/export_slice.py; Resize and Upsample, tests/models/export_resize.py): on ref and on PoCL, at batch 1 and at batch 8 from
 * the same file, they match PyTorch's outputs within 1e-4 relative. */
#include "helpers.h"

#include <criterion/parameterized.h>
#include <math.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/npy.h"

struct torch_case {
    char name[32];
};

/* `clinfer ARGS` run from the source directory, its output discarded: whether it exited 0 */
static int clinfer_ok(const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd %s && %s %s > /dev/null 2>&1", CLINFER_SOURCE_DIR, CLINFER_BINARY, args);
    int st = system(cmd);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* `clinfer compare tests/models/torch/MODEL.onnx --batch N [OPTIONS] [--algo ALGO]` passes */
static int compare_ok(const char *model, int batch, const char *options, const char *algo)
{
    char args[1024];
    snprintf(args, sizeof args, "compare tests/models/torch/%s.onnx --batch %d%s%s%s", model, batch, options,
             algo ? " --algo " : "", algo ? algo : "");
    return clinfer_ok(args);
}

/* How many lines `clinfer profile tests/models/torch/MODEL.onnx --tune none [--algo ALGO]` prints that match a grep
 * pattern: the layers that run a kernel family */
static int profile_count(const char *model, const char *algo, const char *pattern)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd %s && %s profile tests/models/torch/%s.onnx --tune none%s%s 2>&1 | grep -c '%s'",
             CLINFER_SOURCE_DIR, CLINFER_BINARY, model, algo ? " --algo " : "", algo ? algo : "", pattern);
    FILE *f = popen(cmd, "r");
    int count = -1;
    cr_assert(f && fscanf(f, "%d", &count) == 1);
    pclose(f);
    return count;
}

static struct torch_case cases[] = {{"lenet"},           {"vgg_block"},       {"resnet_block"},
                                    {"mobilenet_block"}, {"inception_block"}, {"slice_variants"},
                                    {"resize_variants"}, {"upsample_opset9"}};

ParameterizedTestParameters(torch, matches_pytorch)
{
    return cr_make_param_array(struct torch_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct torch_case *c, torch, matches_pytorch)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/models/torch/%s.onnx", CLINFER_SOURCE_DIR, c->name);
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_load(ctx, path, &m), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    static const char *const devices[] = {"ref", "opencl"};
    for (int batch = 1; batch <= 8; batch += 7)
        for (int dv = 0; dv < 2; dv++) {
            struct cf_array x, want;
            struct cf_diag d = {0};
            snprintf(path, sizeof path, "%s/tests/data/torch/%s_in%d.npy", CLINFER_SOURCE_DIR, c->name, batch);
            cr_assert_eq(cf_npy_read(path, &x, &d), CLINFER_OK, "%s", d.msg);
            snprintf(path, sizeof path, "%s/tests/data/torch/%s_out%d.npy", CLINFER_SOURCE_DIR, c->name, batch);
            cr_assert_eq(cf_npy_read(path, &want, &d), CLINFER_OK, "%s", d.msg);
            clinfer_session *s;
            clinfer_session_options o = {.device = devices[dv], .batch = batch};
            cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
            int64_t n = cf_array_elems(&want);
            float *y = calloc((size_t)n, sizeof(float));
            const float *ins[] = {x.data};
            float *outs[] = {y};
            cr_assert_eq(clinfer_session_run(ctx, s, ins, outs), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
            for (int64_t i = 0; i < n; i++)
                cr_assert(fabsf(y[i] - want.data[i]) <= 1e-4f * fabsf(want.data[i]) + 1e-6f,
                          "%s, batch %d, %s: element %lld is %.9g, PyTorch %.9g", c->name, batch, devices[dv],
                          (long long)i, y[i], want.data[i]);
            free(y);
            clinfer_session_free(s);
            cf_array_free(&x);
            cf_array_free(&want);
        }
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}

ParameterizedTestParameters(torch, compare_passes)
{
    return cr_make_param_array(struct torch_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct torch_case *c, torch, compare_passes)
{
    cr_assert(compare_ok(c->name, 3, "", NULL), "clinfer compare %s failed", c->name);
}

Test(torch, summary_shows_nchw_with_a_none_batch)
{
    char *t = summary_of_file("tests/models/torch/mobilenet_block.onnx", CLINFER_FORMAT_KERAS, 0, 0);
    cr_assert_not_null(strstr(t, "input (InputLayer)              (None, 3, 32, 32)    0"), "%s", t);
    cr_assert_not_null(strstr(t, "/stem/stem.0/Conv (Conv)        (None, 16, 16, 16)   432         input[0][0]"), "%s", t);
    cr_assert_not_null(strstr(t, "Connected to"), "the Add makes a graph with branches");
    clinfer_free(t);
    t = summary_of_file("tests/models/torch/vgg_block.onnx", CLINFER_FORMAT_JSON, 1, 0);
    cr_assert_not_null(strstr(t, "\"layout\": \"NCHW\""));
    cr_assert_not_null(strstr(t, "\"type\": \"BatchNormalization\""));
    cr_assert_not_null(strstr(t, "\"total_params\": 30890"), "%s", t);
    clinfer_free(t);
}

Test(torch, run_command_matches_pytorch_at_batch_8)
{
    char out[512], cmd[2048];
    snprintf(out, sizeof out, "/tmp/clinfer-lenet-%d.npy", (int)getpid());
    snprintf(cmd, sizeof cmd, "cd %s && %s run tests/models/torch/lenet.onnx -i tests/data/torch/lenet_in8.npy -o %s",
             CLINFER_SOURCE_DIR, CLINFER_BINARY, out);
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    struct cf_array y, want;
    struct cf_diag d = {0};
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/torch/lenet_out8.npy", CLINFER_SOURCE_DIR);
    cr_assert_eq(cf_npy_read(out, &y, &d), CLINFER_OK, "%s", d.msg);
    cr_assert_eq(cf_npy_read(path, &want, &d), CLINFER_OK, "%s", d.msg);
    cr_assert_eq(y.rank, 2);
    cr_assert_eq(y.dims[0], 8);
    cr_assert_eq(y.dims[1], 10);
    for (int i = 0; i < 80; i++)
        cr_assert(fabsf(y.data[i] - want.data[i]) <= 1e-4f * fabsf(want.data[i]) + 1e-6f, "%d: %g vs %g", i, y.data[i],
                  want.data[i]);
    cf_array_free(&y);
    cf_array_free(&want);
    remove(out);
}

/* The depthwise kernel over NCHW (ONNX Conv with one group per channel), every row block forced, against ref:
 * tests/models/export_depthwise.py's strides 2 and 3, dilation with a depth multiplier, wide rows, ReLU6, a 5x5 and
 * a 3x3 at stride 2 to two vectors a row (blocks of 8 and 16 rows cut to what the stride-2 form takes); and the
 * MobileNet block. The profile names the kernel, so a fall back to the generic one is seen. */
Test(torch, nchw_depthwise_every_row_block)
{
    static const char *const algos[] = {"depthwise=blocked:1", "depthwise=blocked:3", "depthwise=blocked:8",
                                        "depthwise=blocked:16", "depthwise=direct"};
    for (size_t i = 0; i < sizeof algos / sizeof algos[0]; i++)
        cr_assert(compare_ok("depthwise_variants", 2, " --init random", algos[i]) &&
                      compare_ok("mobilenet_block", 3, "", algos[i]),
                  "clinfer compare with --algo %s failed", algos[i]);
    int count = profile_count("depthwise_variants", NULL, "depthwise [0-9]* rows");
    cr_expect_eq(count, 8, "%d of the 8 depthwise layers run the depthwise kernel", count);
}

/* The rows kernel at stride 2 along the row (tests/models/export_conv_rows.py): rows of 150 inputs, so that a block
 * of 1, 2 or 4 vectors has interior and edge neighbours; 3x3 padded, 1x1, and 5x3 dilated at strides (1, 2). */
Test(torch, nchw_rows_stride_2_every_block_shape)
{
    static const char *const algos[] = {"conv=rows:2:1", "conv=rows:5:2", "conv=rows:8:4", "conv=rows:16:1"};
    for (size_t i = 0; i < sizeof algos / sizeof algos[0]; i++) {
        cr_assert(compare_ok("conv_rows_variants", 2, " --init random", algos[i]), "clinfer compare with --algo %s failed",
                  algos[i]);
        int count = profile_count("conv_rows_variants", algos[i], " rows [0-9]* x");
        cr_expect_eq(count, 3, "--algo %s: %d of the 3 convs run rows", algos[i], count);
    }
}

/* Grouped convs through the rows kernel (tests/models/export_grouped.py: groups of 8, 6 and 3 output channels, stride 2,
 * a grouped 1x1), every channel block forced (one that does not divide a group's channels is refused: the rule's
 * block, or generic), against ref; SiLU (Sigmoid and Mul) folded into the convs' epilogue, and the broadcast
 * element-wise kernel (a channel scale, a [C, 1, 1] bias, a row on either side of a Sub and a Div). */
Test(torch, grouped_convs_silu_and_broadcasts)
{
    static const char *const algos[] = {"conv=rows:1:1", "conv=rows:2:1", "conv=rows:8:2", "conv=rows:6:4",
                                        "conv=rows:16:1", "conv=direct"};
    cr_assert(compare_ok("grouped_se", 2, " --init random", NULL), "clinfer compare failed");
    for (size_t i = 0; i < sizeof algos / sizeof algos[0]; i++)
        cr_assert(compare_ok("grouped_se", 3, " --init random", algos[i]), "clinfer compare with --algo %s failed",
                  algos[i]);
    int count = profile_count("grouped_se", NULL, "^/g[248]/Conv  *Conv  *rows [0-9]* x");
    cr_expect_eq(count, 3, "%d of the 3 grouped convs run the rows kernel", count);
    count = profile_count("grouped_se", "conv=rows:1:1", "^/g[248]/Conv  *Conv  *rows 1 x 1v");
    cr_expect_eq(count, 3, "--algo conv=rows:1:1: %d of the 3 grouped convs run it", count);
    /* the three SiLUs are views: their Sigmoid and Mul both (the squeeze-excitation's Sigmoid goes into its conv) */
    count = profile_count("grouped_se", NULL, "^/act[_0-9]*/\\(Sigmoid\\|Mul\\)  .* view ");
    cr_expect_eq(count, 6, "%d of the SiLUs' 6 Sigmoid and Mul nodes are views", count);
}

/* Pooling over NCHW (cl/pool2d_rows.cl), every row block forced, against ref: the Inception block's 3x3 stride-1
 * padded MaxPool and its 2x2 stride-2 ceil-mode AveragePool (15 -> 8: the last window half outside), rows per
 * work-item that divide the output or not. (The ONNX node cases cover dilation, count_include_pad and more pads.)
 * Over NCHW a max pool is not fused into the conv before it: the VGG block's runs as a layer. */
Test(torch, nchw_pool_every_row_block)
{
    static const char *const algos[] = {"pool=rows:1", "pool=rows:3", "pool=rows:16", "pool=direct"};
    for (size_t i = 0; i < sizeof algos / sizeof algos[0]; i++)
        cr_assert(compare_ok("inception_block", 2, " --init random", algos[i]), "clinfer compare with --algo %s failed",
                  algos[i]);
    int count = profile_count("inception_block", NULL, "Pool  *pool [0-9]* rows");
    cr_expect_eq(count, 2, "%d of the 2 pooling layers run the pooling kernel", count);
    /* over NCHW a max pool after a conv stays a layer (the VGG block's) */
    count = profile_count("vgg_block", NULL, "MaxPool  *pool [0-9]* rows");
    cr_expect_eq(count, 1, "the VGG block's MaxPool is not a layer of its own");
}

/* The GPU-shaped families over NCHW, forced, against ref: depthwise (cl/depthwise_gpu.cl: strides 2 and 3, dilation
 * with a depth multiplier, ReLU6) and pooling (cl/pool_gpu.cl: tests/models/export_pool.py's dilated max pool, ceil
 * mode, a (2, 3) window at stride (1, 3), and the Inception block's), work-groups of 16-256 and 1-8 outputs a
 * work-item; and every layer its GPU-shaped family (--algo gpu). The profile shows each ran. */
Test(torch, nchw_gpu_families)
{
    static const char *const algos[] = {"depthwise=gpu:16:1,pool=gpu:16:3", "depthwise=gpu:64:2,pool=gpu:128:1",
                                        "depthwise=gpu:256:8,pool=gpu:256:2", "gpu"};
    static const char *const models[] = {"depthwise_variants", "pool_variants", "inception_block", "mobilenet_block"};
    for (size_t i = 0; i < sizeof algos / sizeof algos[0]; i++)
        for (size_t m = 0; m < sizeof models / sizeof models[0]; m++)
            cr_assert(compare_ok(models[m], 1 + (int)(i % 3), " --init random", algos[i]),
                      "clinfer compare %s with --algo %s failed", models[m], algos[i]);
    int count = profile_count("depthwise_variants", "depthwise=gpu:64:2", "  *Conv  *gpu dw 64x2 ");
    cr_expect_eq(count, 8, "--algo depthwise=gpu:64:2: %d of the 8 depthwise layers run it", count);
    count = profile_count("pool_variants", "pool=gpu:128:1", "Pool  *gpu pool 128x1 ");
    cr_expect_eq(count, 5, "--algo pool=gpu:128:1: %d of the 5 pooling layers run it", count);
    count = profile_count("mobilenet_block", "gpu", "  gpu [0-9]*:[0-9]* \\|  gpu dw ");
    cr_expect_eq(count, 4, "--algo gpu: %d of the MobileNet block's 4 convs run a GPU-shaped family", count);
}

/* The blocked conv kernel over NCHW (ONNX), every block shape forced, against ref: 2 and 4 pixels store a run of
 * each channel (whole blocks; the Inception block's 15-wide rows end in a part block, its 4-12 channels in a part
 * vector). */
Test(torch, nchw_blocked_conv_every_block_shape)
{
    static const char *const algos[] = {"conv=blocked:1:1", "conv=blocked:3:1", "conv=blocked:5:2", "conv=blocked:12:1",
                                        "conv=blocked:2:4", "conv=blocked:2:1", "conv=blocked:4:1", "conv=blocked:2:2",
                                        "conv=blocked:4:2", "conv=direct"};
    for (size_t i = 0; i < sizeof algos / sizeof algos[0]; i++)
        cr_assert(compare_ok("resnet_block", 2, " --init random", algos[i]) && compare_ok("inception_block", 3, "", algos[i]),
                  "clinfer compare with --algo %s failed", algos[i]);
}

/* Grouped convs of whole 16-channel blocks a group through the blocked kernel over NCHW (export_grouped.py: groups of
 * 32 and 16 output channels, 21- and 11-pixel rows), the rule's blocks and forced ones, against ref; 2 vectors, which
 * groups of 16 do not hold, are refused there (the rule's block runs). */
Test(torch, grouped_convs_blocked_over_nchw)
{
    static const char *const algos[] = {"conv=blocked:2:1", "conv=blocked:4:1", "conv=blocked:3:1", "conv=blocked:2:2"};
    cr_assert(compare_ok("grouped16", 2, " --init random", NULL), "clinfer compare failed");
    for (size_t i = 0; i < sizeof algos / sizeof algos[0]; i++)
        cr_assert(compare_ok("grouped16", 3, " --init random", algos[i]), "clinfer compare with --algo %s failed",
                  algos[i]);
    int count = profile_count("grouped16", NULL, "^/g[24]/Conv  *Conv  *blocked [0-9]px x [12]v");
    cr_expect_eq(count, 2, "%d of the 2 grouped convs run the blocked kernel", count);
    count = profile_count("grouped16", "conv=blocked:2:2", "^/g2/Conv  *Conv  *blocked 2px x 2v");
    cr_expect_eq(count, 1, "--algo conv=blocked:2:2: the groups of 32 run it (%d)", count);
    count = profile_count("grouped16", "conv=blocked:2:2", "^/g4/Conv  *Conv  *blocked [0-9]px x 1v");
    cr_expect_eq(count, 1, "--algo conv=blocked:2:2: the groups of 16 run the rule's block (%d)", count);
}

/* The 1x1 GEMM (P channels x V vectors of pixels), Winograd F(2x2,3x3), CLBlast's SGEMM (im2col, strided batches)
 * and the rows kernel (P channels x V vectors of pixels, any window) over NCHW, every block shape forced, against ref: the Inception block's 15x15 images (a partial last pixel vector, odd tiles) and the ResNet
 * block. The profile names the kernels, so a layer that falls back to another family is seen. */
Test(torch, nchw_gemm1x1_winograd_clblast_and_rows_every_block_shape)
{
    static const struct {
        const char *algo, *family; /* the family as profile names it (a grep pattern) */
        int layers;                /* of the Inception block */
    } forced[] = {{"conv=gemm:1:1", "gemm1x1", 4},     {"conv=gemm:5:2", "gemm1x1", 4},
                 {"conv=gemm:16:1", "gemm1x1", 4},    {"conv=gemm:4:4", "gemm1x1", 4},
                 {"conv=gemm:4:1", "gemm1x1", 4},
                 {"conv=winograd:1:1", "winograd", 2}, {"conv=winograd:3:2", "winograd", 2},
                 {"conv=winograd:2:4", "winograd", 2}, {"conv=clblast", "clblast", 7},
                 {"conv=rows:2:1", "rows [0-9]* x", 7},         {"conv=rows:5:1", "rows [0-9]* x", 7},
                 {"conv=rows:8:2", "rows [0-9]* x", 7},         {"conv=rows:16:1", "rows [0-9]* x", 7},
                 {"conv=rows:4:4", "rows [0-9]* x", 7}};
    for (size_t i = 0; i < sizeof forced / sizeof forced[0]; i++) {
        cr_assert(compare_ok("resnet_block", 2, " --init random", forced[i].algo) &&
                      compare_ok("inception_block", 3, "", forced[i].algo),
                  "clinfer compare with --algo %s failed", forced[i].algo);
        char pattern[64];
        snprintf(pattern, sizeof pattern, " %s ", forced[i].family);
        int count = profile_count("inception_block", forced[i].algo, pattern);
        cr_expect_eq(count, forced[i].layers, "--algo %s: %d of the %d layers it fits run %s", forced[i].algo, count,
                     forced[i].layers, forced[i].family);
    }
}

/* ReduceMean over NCHW, both paths of cl/reduce_mean.cl against ref (tests/models/export_reduce.py): the innermost
 * axes (a run of 35 floats: vectors and a tail; a run of 5: the tail alone) and the channel axis (the odometer). */
Test(torch, reduce_mean_runs_and_strides)
{
    cr_assert(compare_ok("reduce_variants", 3, " --device opencl", NULL), "clinfer compare on reduce_variants.onnx failed");
}

/* PyTorch exports a Pad of zeros before a ceil-mode pool (the Inception block's AveragePool): it runs as a view */
Test(torch, zero_pad_is_a_view)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/models/torch/inception_block.onnx", CLINFER_SOURCE_DIR);
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_load(ctx, path, &m), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    clinfer_session *s;
    clinfer_session_options o = {.device = "opencl", .batch = 1, .seed = 7, .init = CLINFER_INIT_RANDOM};
    cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    int seen = 0;
    for (int i = 0; i < clinfer_model_layer_count(m); i++) {
        if (strcmp(clinfer_model_layer_name(m, i), "/Pad") != 0) continue;
        char algo[64];
        clinfer_session_layer_algo(s, i, algo, sizeof algo);
        cr_assert_str_eq(algo, "view");
        seen++;
    }
    cr_assert_eq(seen, 1, "the model has no layer /Pad");
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}
