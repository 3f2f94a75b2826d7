/* The summary table, byte for byte as Keras 2 prints it, and its --explain and JSON forms. */
#include "helpers.h"

static void assert_golden(const char *model, const char *golden)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", CLINFER_SOURCE_DIR, golden);
    char *want = read_file(path);
    char *got = summary_of_file(model, CLINFER_FORMAT_KERAS, 0, 0);
    cr_assert_str_eq(got, want, "%s differs from %s:\n%s", model, golden, got);
    clinfer_free(got);
    free(want);
}

/* The text from the original question, written out here so the test cannot drift with a golden file. */
static const char question_text[] =
    "_________________________________________________________________\n"
    "Layer (type)                 Output Shape              Param #   \n"
    "=================================================================\n"
    "input_2 (InputLayer)         (None, 150, 150, 3)       0         \n"
    "_________________________________________________________________\n"
    "conv2d_4 (Conv2D)            (None, 148, 148, 16)      448       \n"
    "_________________________________________________________________\n"
    "max_pooling2d_4 (MaxPooling2 (None, 74, 74, 16)        0         \n"
    "_________________________________________________________________\n"
    "conv2d_5 (Conv2D)            (None, 72, 72, 32)        4640      \n"
    "_________________________________________________________________\n"
    "max_pooling2d_5 (MaxPooling2 (None, 36, 36, 32)        0         \n"
    "_________________________________________________________________\n"
    "conv2d_6 (Conv2D)            (None, 34, 34, 64)        18496     \n"
    "_________________________________________________________________\n"
    "max_pooling2d_6 (MaxPooling2 (None, 17, 17, 64)        0         \n"
    "_________________________________________________________________\n"
    "flatten_1 (Flatten)          (None, 18496)             0         \n"
    "_________________________________________________________________\n"
    "dense_1 (Dense)              (None, 512)               9470464   \n"
    "_________________________________________________________________\n"
    "dense_2 (Dense)              (None, 1)                 513       \n"
    "=================================================================\n"
    "Total params: 9,494,561\n"
    "Trainable params: 9,494,561\n"
    "Non-trainable params: 0\n"
    "_________________________________________________________________\n";

Test(summary, question_names_byte_for_byte)
{
    char *got = summary_of_file("examples/seed_named.py", CLINFER_FORMAT_KERAS, 0, 0);
    cr_assert_str_eq(got, question_text);
    clinfer_free(got);
}

Test(summary, seed_uses_fresh_session_names)
{
    char *got = summary_of_file("examples/seed.py", CLINFER_FORMAT_KERAS, 0, 0);
    /* the same table with Keras 2's fresh-session names */
    char want[sizeof question_text + 64];
    snprintf(want, sizeof want, "%s", question_text);
    static const char *const from[] = {"input_2 ", "conv2d_4 ", "max_pooling2d_4 ", "conv2d_5 ", "max_pooling2d_5 ",
                                       "conv2d_6 ", "max_pooling2d_6 "};
    static const char *const to[] = {"input_1 ", "conv2d_1 ", "max_pooling2d_1 ", "conv2d_2 ", "max_pooling2d_2 ",
                                     "conv2d_3 ", "max_pooling2d_3 "};
    for (int i = 0; i < 7; i++) {
        char *p = strstr(want, from[i]);
        cr_assert_not_null(p);
        memcpy(p, to[i], strlen(to[i]));
    }
    cr_assert_str_eq(got, want);
    clinfer_free(got);
}

Test(summary, every_row_is_65_columns)
{
    char *got = summary_of_file("examples/seed.py", CLINFER_FORMAT_KERAS, 0, 0);
    int rows = 0;
    for (char *line = got; *line;) {
        char *nl = strchr(line, '\n');
        cr_assert_not_null(nl);
        if (strncmp(line, "Total", 5) && strncmp(line, "Trainable", 9) && strncmp(line, "Non-trainable", 13)) {
            cr_assert_eq(nl - line, 65, "row %d is %d columns: '%.*s'", rows, (int)(nl - line), (int)(nl - line), line);
            rows++;
        }
        line = nl + 1;
    }
    cr_assert_eq(rows, 24);
    clinfer_free(got);
}

Test(summary, branches_use_98_columns_with_connections) { assert_golden("examples/branches.py", "tests/golden/branches.txt"); }
Test(summary, sequential_hides_its_input_layer) { assert_golden("examples/sequential.py", "tests/golden/sequential.txt"); }

Test(summary, branches_golden_rows)
{
    /* independent of the golden file: the rows Keras 2.2's print_summary gives for a join */
    char *got = summary_of_file("examples/branches.py", CLINFER_FORMAT_KERAS, 0, 0);
    cr_assert_not_null(strstr(got, "add_1 (Add)                     (None, 32, 32, 16)   0           conv2d_2[0][0]  "
                                   "                 \n"
                                   "                                                                 conv2d_3[0][0]  "
                                   "                 \n"));
    cr_assert_not_null(strstr(got, "global_average_pooling2d_1 (Glo (None, 32)           0           "
                                   "concatenate_1[0][0]              \n"));
    clinfer_free(got);
}

Test(explain, shows_the_arithmetic_with_the_layers_numbers)
{
    char *got = summary_of_file("examples/seed_named.py", CLINFER_FORMAT_KERAS, 1, 0);
    static const char *const lines[] = {
        "conv2d_4 (Conv2D)            (None, 148, 148, 16)      448       \n"
        "    rows, cols: O = (W - K + 2P)/S + 1 = (150 - 3 + 2·0)/1 + 1 = 148\n"
        "    params = (K·K·Cin + 1)·Cout = (3·3·3 + 1)·16 = 448\n"
        "    MACs = Ho·Wo·Cout·K·K·Cin = 148·148·16·3·3·3 = 9,462,528\n",
        "    rows, cols: O = (W - K + 2P)/S + 1 = (148 - 2 + 2·0)/2 + 1 = 74\n",
        "    units = 17·17·64 = 18496; params = 0\n",
        "    params = (Cin + 1)·units = (18496 + 1)·512 = 9470464\n",
        "    output = 148·148·16 = 350,464 floats × 4 B = 1,401,856 B per image\n",
        "MACs (multiply-accumulates) per image: 64,128,256\n",
        "Output bytes of all layers per image: 3,297,716\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        cr_assert_not_null(strstr(got, lines[i]), "missing:\n%s\nin:\n%s", lines[i], got);
    clinfer_free(got);
}

Test(explain, same_padding_names_the_padding_it_implies)
{
    char err[1024];
    clinfer_model *m = load_script("x = layers.Input(shape=(15, 15, 3))\n"
                                   "y = layers.Conv2D(8, 4, strides=2, padding='same')(x)\n"
                                   "model = Model(x, y)\n",
                                   err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_summary_options o = {.format = CLINFER_FORMAT_KERAS, .explain = 1};
    char *text;
    cr_assert_eq(clinfer_model_summary(ctx, m, &o, &text), CLINFER_OK);
    /* O = ceil(15/2) = 8; P = (8-1)*2 + 4 - 15 = 3: 1 before, 2 after (TensorFlow puts the extra one after) */
    cr_assert_not_null(strstr(text, "O = ⌈W/S⌉ = ⌈15/2⌉ = 8 ('same' pads P = max((O - 1)·S + K - W, 0) = "
                                    "max(7·2 + 4 - 15, 0) = 3: 1 before, 2 after)"),
                       "%s", text);
    clinfer_free(text);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}

Test(explain, valid_with_remainder_shows_the_floor)
{
    char err[1024];
    clinfer_model *m = load_script("x = layers.Input(shape=(10, 10, 3))\n"
                                   "y = layers.Conv2D(8, 3, strides=2, dilation_rate=1)(x)\n"
                                   "model = Model(x, y)\n",
                                   err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_summary_options o = {.format = CLINFER_FORMAT_KERAS, .explain = 1};
    char *text;
    cr_assert_eq(clinfer_model_summary(ctx, m, &o, &text), CLINFER_OK);
    cr_assert_not_null(strstr(text, "O = ⌊(W - K + 2P)/S⌋ + 1 = ⌊(10 - 3 + 2·0)/2⌋ + 1 = 4"), "%s", text);
    clinfer_free(text);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}

Test(json, carries_the_same_facts)
{
    char *got = summary_of_file("examples/branches.py", CLINFER_FORMAT_JSON, 0, 0);
    static const char *const parts[] = {
        "\"model\": \"model_1\"",
        "{\"name\": \"add_1\", \"type\": \"Add\", \"inputs\": [\"conv2d_2\", \"conv2d_3\"], \"output_shape\": [null, "
        "32, 32, 16], \"trainable_params\": 0, \"non_trainable_params\": 0, \"macs\": 0, \"output_bytes\": 65536}",
        "{\"name\": \"conv2d_2\", \"type\": \"Conv2D\", \"inputs\": [\"conv2d_1\"], \"output_shape\": [null, 32, 32, "
        "16], \"trainable_params\": 2320, \"non_trainable_params\": 0, \"macs\": 2359296, \"output_bytes\": 65536}",
        "\"total_params\": 3370",
        "\"trainable_params\": 3370",
        "\"non_trainable_params\": 0",
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        cr_assert_not_null(strstr(got, parts[i]), "missing %s in\n%s", parts[i], got);
    clinfer_free(got);
}

Test(json, batch_binds_the_first_dimension)
{
    char *got = summary_of_file("examples/seed.py", CLINFER_FORMAT_JSON, 1, 8);
    cr_assert_not_null(strstr(got, "\"batch\": 8"));
    cr_assert_not_null(strstr(got, "\"output_shape\": [8, 148, 148, 16]"));
    cr_assert_not_null(strstr(got, "\"explain\": [\"rows, cols: O = (W - K + 2P)/S + 1 = (150 - 3 + 2·0)/1 + 1 = 148\""));
    cr_assert_not_null(strstr(got, "\"total_macs\": 64128256"));
    clinfer_free(got);
}

Test(json, non_trainable_counts_split)
{
    char *got = summary_of_file("examples/sequential.py", CLINFER_FORMAT_JSON, 0, 0);
    cr_assert_not_null(strstr(got, "\"name\": \"batch_normalization_1\", \"type\": \"BatchNormalization\""));
    cr_assert_not_null(strstr(got, "\"trainable_params\": 64, \"non_trainable_params\": 64"));
    cr_assert_not_null(strstr(got, "\"total_params\": 13114"));
    cr_assert_not_null(strstr(got, "\"non_trainable_params\": 64,\n"));
    clinfer_free(got);
}

/* --memory: under the totals, the weights and the activations' arena a session at that batch holds (the activations
 * and max-pools folded into the convolutions' epilogues: less than the summary's own plan of every layer) */
Test(summary, memory_line_is_the_sessions)
{
    char err[512];
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_load(ctx, CLINFER_SOURCE_DIR "/examples/seed.py", &m), CLINFER_OK);
    clinfer_session_options so = {.device = "ref", .batch = 8};
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_new(ctx, m, &so, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    double arena = (double)clinfer_session_arena_bytes(s, NULL), weights = 4.0 * 9494561; /* (nothing to fold) */
    clinfer_session_free(s);
    char want[256];
    snprintf(want, sizeof want,
             "\n Device memory at batch 8: %.2f MB (weights %.2f MB + activations %.2f MB, the planned arena)\n",
             (weights + arena) / 1048576.0, weights / 1048576.0, arena / 1048576.0);
    clinfer_summary_options o = {.style = CLINFER_STYLE_KERAS3, .batch = 8, .memory = 1};
    char *text = NULL;
    cr_assert_eq(clinfer_model_summary(ctx, m, &o, &text), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
    cr_expect_not_null(strstr(text, want), "%s\nwithout\n%s", text, want);
    cr_expect_not_null(strstr(text, " Non-trainable params: 0 (0.00 B)\n Device memory"), "under the totals:\n%s", text);
    clinfer_free(text);
    (void)err;
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}
