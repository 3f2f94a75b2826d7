/* The op table holds every op to every place that must know it: a shape rule and the other verbs (src/ops/), a
 * function in ref's table, and a launch in the OpenCL backend's table unless the op never reaches a kernel (a view
 * or an input, which ops.def marks); traits that claim something of an op are checked against what it does. */
#include "helpers.h"

#include "backend/opencl/launch.h"
#include "backend/ref/ref.h"
#include "ops/ops.h"

Test(ops, every_op_has_its_verbs_and_a_function_in_each_backend)
{
    for (int op = 0; op < CF_OP_COUNT; op++) {
        const struct cf_op_info *info = cf_op_info((enum cf_op)op);
        const struct cf_op_verbs *v = cf_op_verbs((enum cf_op)op);
        cr_assert(info->name && *info->name, "op %d has no name", op);
        cr_assert(v->infer && v->weights && v->macs && v->explain && v->scratch, "%s lacks a verb", info->name);
        if (info->traits & CF_T_1D) { /* run as their 2-D op (passes/lower_1d.c), which the backends have */
            enum cf_op two = cf_op_as_2d((enum cf_op)op);
            cr_assert(two != (enum cf_op)op && !cf_op_has(two, CF_T_1D), "%s is 1-D with no 2-D op to run as", info->name);
            cr_assert(ref_op(two) && cf_cl_op(two) && !ref_op((enum cf_op)op), "%s", info->name);
            continue;
        }
        cr_assert_eq(cf_op_as_2d((enum cf_op)op), op, "%s is no 1-D op but has a 2-D op to run as", info->name);
        if (info->traits & CF_T_AS_BN) { /* run as a BatchNormalization (passes/lower_affine.c) */
            cr_assert(ref_op(CF_OP_BATCH_NORM) && cf_cl_op(CF_OP_BATCH_NORM) && !ref_op((enum cf_op)op), "%s", info->name);
            continue;
        }
        cr_assert_not_null(ref_op((enum cf_op)op), "%s has no function in ref's table (src/backend/ref/ref.c)",
                           info->name);
        int runs = cf_op_runs((enum cf_op)op);
        cr_assert(!runs || cf_cl_op((enum cf_op)op),
                  "%s has no launch in the OpenCL table (src/backend/opencl/ops.c) and is no view or input", info->name);
        cr_assert(runs || !cf_cl_op((enum cf_op)op), "%s is a view or input but has an OpenCL launch", info->name);
    }
}

Test(ops, traits_match_what_the_ops_do)
{
    for (int op = 0; op < CF_OP_COUNT; op++) {
        const struct cf_op_info *info = cf_op_info((enum cf_op)op);
        const struct cf_op_verbs *v = cf_op_verbs((enum cf_op)op);
        /* element-wise merges share the broadcasting shape rule; views and inputs have no weights to upload */
        if (info->traits & CF_T_MERGE) cr_assert(v->infer == merge_infer, "%s is MERGE without merge_infer", info->name);
        if (info->traits & (CF_T_VIEW | CF_T_INPUT))
            cr_assert(v->weights == no_weights, "%s is a view or input with weights", info->name);
        /* a BatchNormalization folds into the weights of an op that learns some; an activation layer has none */
        if (info->traits & CF_T_FOLDS_BN) cr_assert(v->weights != no_weights, "%s folds BN but has no weights", info->name);
        if (info->traits & CF_T_ACT) cr_assert(v->weights == no_weights, "%s", info->name);
    }
    cr_assert_str_eq(cf_op_name(CF_OP_CONV2D), "Conv2D");
    cr_assert_str_eq(cf_op_name((enum cf_op)CF_OP_COUNT), "?");
}

Test(ops, the_activation_table_answers_each_front_end)
{
    enum cf_act a;
    cr_assert(cf_act_lookup("relu6", &a) && a == CF_ACT_RELU6);
    cr_assert(!cf_act_lookup("leaky_relu", &a), "Keras 2 takes no activation='leaky_relu'");
    cr_assert(cf_act_lookup_onnx("HardSigmoid", &a) && a == CF_ACT_HARD_SIGMOID);
    struct cf_attrs at;
    cf_act_set(&at, CF_ACT_HARD_SIGMOID);
    cr_assert(at.alpha == 0.2f && at.beta == 0.5f);
    char names[64][32];
    int n = cf_act_keras_names(names, 64);
    cr_assert_geq(n, 13);
    for (int k = 0; k < n; k++) cr_assert(cf_act_lookup(names[k], &a), "'%s' is listed but not found", names[k]);
}
