/* Importing ONNX: parameters counted per initializer, once; and malformed files (truncated, mutated, tensors
 * whose data disagrees with their dims, cycles, missing inputs, external data outside the model's folder,
 * unsupported operators and attributes), each an error that names the place, none a crash; and the operators
 * beyond the CNN core against ONNX Runtime (on ref and PoCL). */
#include "helpers.h"

#include <sys/stat.h>
#include <unistd.h>

#include <math.h>

#include "frontend/frontend.h"
#include "io/npy.h"
#include "frontend/onnx/onnx.h"
#include "onnx.pb-c.h"

/* A model built here: X (1, 1, 5, 5) -> Conv(W (2, 1, 3, 3), B (2)) -> Y, with hooks to break it. */
struct fixture {
    Onnx__ModelProto model;
    Onnx__GraphProto graph;
    Onnx__OperatorSetIdProto opset, *opsets[1];
    Onnx__NodeProto node, *nodes[2], node2;
    Onnx__TensorProto w, b, *inits[2];
    Onnx__ValueInfoProto in, out, *ins[1], *outs[1];
    Onnx__TypeProto tin, tout;
    Onnx__TypeProto__Tensor ttin, ttout;
    Onnx__TensorShapeProto shape;
    Onnx__TensorShapeProto__Dimension dims[4], *dimp[4];
    float wdata[18], bdata[2];
    int64_t wdims[4], bdims[1];
    char *node_in[3], *node_out[1], *node2_in[1], *node2_out[1];
    Onnx__AttributeProto attr, *attrs[1];
};

static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    onnx__model_proto__init(&f->model);
    onnx__graph_proto__init(&f->graph);
    onnx__operator_set_id_proto__init(&f->opset);
    f->opset.domain = "";
    f->opset.has_version = 1;
    f->opset.version = 13;
    f->opsets[0] = &f->opset;
    f->model.n_opset_import = 1;
    f->model.opset_import = f->opsets;
    f->model.has_ir_version = 1;
    f->model.ir_version = 7;
    f->model.graph = &f->graph;
    onnx__node_proto__init(&f->node);
    f->node.op_type = "Conv";
    f->node.name = "conv";
    f->node_in[0] = "X", f->node_in[1] = "W", f->node_in[2] = "B";
    f->node_out[0] = "Y";
    f->node.n_input = 3;
    f->node.input = f->node_in;
    f->node.n_output = 1;
    f->node.output = f->node_out;
    f->nodes[0] = &f->node;
    f->graph.n_node = 1;
    f->graph.node = f->nodes;
    onnx__tensor_proto__init(&f->w);
    onnx__tensor_proto__init(&f->b);
    f->w.name = "W";
    f->w.has_data_type = f->b.has_data_type = 1;
    f->w.data_type = f->b.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    f->wdims[0] = 2, f->wdims[1] = 1, f->wdims[2] = 3, f->wdims[3] = 3;
    f->w.n_dims = 4;
    f->w.dims = f->wdims;
    for (int i = 0; i < 18; i++) f->wdata[i] = (float)i / 18.0f;
    f->w.has_raw_data = 1;
    f->w.raw_data.data = (uint8_t *)f->wdata;
    f->w.raw_data.len = sizeof f->wdata;
    f->b.name = "B";
    f->bdims[0] = 2;
    f->b.n_dims = 1;
    f->b.dims = f->bdims;
    f->bdata[0] = 0.5f, f->bdata[1] = -0.5f;
    f->b.n_float_data = 2;
    f->b.float_data = f->bdata;
    f->inits[0] = &f->w, f->inits[1] = &f->b;
    f->graph.n_initializer = 2;
    f->graph.initializer = f->inits;
    onnx__value_info_proto__init(&f->in);
    onnx__value_info_proto__init(&f->out);
    onnx__type_proto__init(&f->tin);
    onnx__type_proto__init(&f->tout);
    onnx__type_proto__tensor__init(&f->ttin);
    onnx__type_proto__tensor__init(&f->ttout);
    onnx__tensor_shape_proto__init(&f->shape);
    static const int64_t d[4] = {1, 1, 5, 5};
    for (int i = 0; i < 4; i++) {
        onnx__tensor_shape_proto__dimension__init(&f->dims[i]);
        f->dims[i].value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        f->dims[i].dim_value = d[i];
        f->dimp[i] = &f->dims[i];
    }
    f->shape.n_dim = 4;
    f->shape.dim = f->dimp;
    f->ttin.has_elem_type = f->ttout.has_elem_type = 1;
    f->ttin.elem_type = f->ttout.elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    f->ttin.shape = &f->shape;
    f->tin.value_case = f->tout.value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    f->tin.tensor_type = &f->ttin;
    f->tout.tensor_type = &f->ttout;
    f->in.name = "X";
    f->in.type = &f->tin;
    f->out.name = "Y";
    f->out.type = &f->tout;
    f->ins[0] = &f->in, f->outs[0] = &f->out;
    f->graph.n_input = 1, f->graph.input = f->ins;
    f->graph.n_output = 1, f->graph.output = f->outs;
    f->graph.name = "fixture";
}

/* Packs the model and loads it from `dir/model.onnx`; returns the status, the message in err. */
static clinfer_status load_fixture(struct fixture *f, const char *dir, char *err, size_t size)
{
    size_t len = onnx__model_proto__get_packed_size(&f->model);
    uint8_t *buf = malloc(len);
    onnx__model_proto__pack(&f->model, buf);
    char path[1024];
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    fwrite(buf, 1, len, fp);
    fclose(fp);
    free(buf);
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = NULL;
    clinfer_status st = clinfer_model_load(ctx, path, &m);
    snprintf(err, size, "%s", clinfer_context_errmsg(ctx));
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    return st;
}

static char tmpdir[64];

static void make_tmp(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/clinfer-onnx-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void expect_error(struct fixture *f, clinfer_status want, const char *text)
{
    char err[2048];
    clinfer_status st = load_fixture(f, tmpdir, err, sizeof err);
    cr_assert_eq(st, want, "status %s, want %s: %s", clinfer_status_str(st), clinfer_status_str(want), err);
    cr_assert_not_null(strstr(err, text), "message\n  %s\nlacks\n  %s", err, text);
}

Test(onnx_import, the_fixture_loads)
{
    make_tmp();
    struct fixture f;
    fixture_init(&f);
    char err[1024];
    cr_assert_eq(load_fixture(&f, tmpdir, err, sizeof err), CLINFER_OK, "%s", err);
}

Test(onnx_import, data_length_disagrees_with_dims)
{
    make_tmp();
    struct fixture f;
    fixture_init(&f);
    f.w.raw_data.len = 10;
    expect_error(&f, CLINFER_E_PARSE, "initializer 'W': its data: its data holds 10 bytes but its dims (2, 1, 3, 3) need 72");
    fixture_init(&f);
    f.b.n_float_data = 1;
    expect_error(&f, CLINFER_E_PARSE, "initializer 'B': its data: its data holds 1 values but its dims (2) need 2");
    fixture_init(&f);
    f.wdims[2] = -3;
    expect_error(&f, CLINFER_E_PARSE, "initializer 'W': its data: bad dims (dim 2 is -3)");
}

Test(onnx_import, cycles_and_missing_inputs)
{
    make_tmp();
    struct fixture f;
    fixture_init(&f);
    f.node_in[0] = "Z"; /* made by no node */
    expect_error(&f, CLINFER_E_MODEL, "node 'conv' (Conv): input 'Z' is made by no earlier node and is no graph input or "
                                      "initializer (a missing input, or a cycle)");
    /* a cycle: conv reads relu's output, relu reads conv's */
    fixture_init(&f);
    onnx__node_proto__init(&f.node2);
    f.node2.op_type = "Relu";
    f.node2.name = "relu";
    f.node2_in[0] = "Y";
    f.node2_out[0] = "R";
    f.node2.n_input = 1, f.node2.input = f.node2_in;
    f.node2.n_output = 1, f.node2.output = f.node2_out;
    f.node_in[0] = "R";
    f.nodes[1] = &f.node2;
    f.graph.n_node = 2;
    expect_error(&f, CLINFER_E_MODEL, "node 'conv' (Conv): input 'R' is made by no earlier node");
    fixture_init(&f);
    f.out.name = "nothing";
    expect_error(&f, CLINFER_E_MODEL, "graph outputs: output 'nothing' is made by no node");
}

Test(onnx_import, unsupported_operators_attributes_and_types)
{
    make_tmp();
    struct fixture f;
    fixture_init(&f);
    f.node.op_type = "Einsum";
    expect_error(&f, CLINFER_E_UNSUPPORTED, "node 'conv' (Einsum): operator Einsum is not supported");
    fixture_init(&f);
    onnx__attribute_proto__init(&f.attr);
    f.attr.name = "bogus";
    f.attr.has_i = 1;
    f.attrs[0] = &f.attr;
    f.node.n_attribute = 1;
    f.node.attribute = f.attrs;
    expect_error(&f, CLINFER_E_UNSUPPORTED, "node 'conv' (Conv): attribute 'bogus' is not supported");
    fixture_init(&f);
    f.ttin.elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
    expect_error(&f, CLINFER_E_UNSUPPORTED, "graph input 'X': its data type is not FLOAT");
    fixture_init(&f);
    f.w.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
    expect_error(&f, CLINFER_E_UNSUPPORTED, "initializer 'W' has a data type clinfer does not read");
    fixture_init(&f);
    f.node.domain = "com.microsoft";
    expect_error(&f, CLINFER_E_UNSUPPORTED, "domain 'com.microsoft' is not supported");
    fixture_init(&f);
    f.opset.version = 99;
    expect_error(&f, CLINFER_E_UNSUPPORTED, "opset 99 is outside 1 to 22");
}

/* the fixture's node made `op` on X alone, with one attribute (ints when n > 1 or ints_attr, else an int) */
static void one_input_op(struct fixture *f, const char *op, int opset, const char *attr, const int64_t *v, int n,
                         int ints_attr)
{
    fixture_init(f);
    f->node.op_type = (char *)op;
    f->node.n_input = 1;
    f->opset.version = opset;
    onnx__attribute_proto__init(&f->attr);
    f->attr.name = (char *)attr;
    f->attr.has_type = 1;
    if (ints_attr) {
        f->attr.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
        f->attr.n_ints = (size_t)n;
        f->attr.ints = (int64_t *)v;
    } else {
        f->attr.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
        f->attr.has_i = 1;
        f->attr.i = v[0];
    }
    f->attrs[0] = &f->attr;
    f->node.n_attribute = 1;
    f->node.attribute = f->attrs;
}

/* Slice, Split and Cast given what cannot work: the node and the cause named */
Test(onnx_import, slice_split_and_cast_refuse_what_cannot_work)
{
    make_tmp();
    struct fixture f;
    static const int64_t two_two[] = {2, 2}, seven[] = {7};
    one_input_op(&f, "Split", 11, "split", two_two, 2, 1);
    expect_error(&f, CLINFER_E_MODEL, "node 'conv' (Split): split sizes (2 of them, 4 in all) do not split 1 into 1 outputs");
    one_input_op(&f, "Cast", 13, "to", seven, 1, 0);
    expect_error(&f, CLINFER_E_UNSUPPORTED,
                 "node 'conv' (Cast): Cast of a run-time tensor to integers (data type 7) is not supported");
    one_input_op(&f, "Slice", 9, "starts", two_two, 2, 1);
    expect_error(&f, CLINFER_E_MODEL, "node 'conv' (Slice): starts and ends are required");
    one_input_op(&f, "Slice", 13, "starts", two_two, 2, 1);
    expect_error(&f, CLINFER_E_UNSUPPORTED, "attribute 'starts' is not supported");
}

/* A string where a number belongs, a list where one number belongs, a type with no value: refused, named. */
Test(onnx_import, attributes_of_the_wrong_type)
{
    make_tmp();
    struct fixture f;
    static uint8_t two[] = "2";
    fixture_init(&f);
    onnx__attribute_proto__init(&f.attr);
    f.attr.name = "group";
    f.attr.has_type = 1;
    f.attr.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
    f.attr.has_s = 1;
    f.attr.s.data = two;
    f.attr.s.len = 1;
    f.attrs[0] = &f.attr;
    f.node.n_attribute = 1;
    f.node.attribute = f.attrs;
    expect_error(&f, CLINFER_E_MODEL, "node 'conv' (Conv): attribute 'group' must be INT, got STRING");
    /* the same without the type field (files older than it): the filled field says what it is */
    f.attr.has_type = 0;
    expect_error(&f, CLINFER_E_MODEL, "attribute 'group' must be INT, got STRING");
    static int64_t st[] = {2, 2};
    onnx__attribute_proto__init(&f.attr);
    f.attr.name = "strides";
    f.attr.has_type = 1;
    f.attr.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    f.attr.has_i = 1;
    f.attr.i = 2;
    expect_error(&f, CLINFER_E_MODEL, "attribute 'strides' must be INTS, got INT");
    onnx__attribute_proto__init(&f.attr);
    f.attr.name = "group";
    f.attr.has_type = 1;
    f.attr.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    expect_error(&f, CLINFER_E_MODEL, "attribute 'group' is declared INT but has no value");
    onnx__attribute_proto__init(&f.attr);
    f.attr.name = "strides";
    f.attr.n_ints = 2;
    f.attr.ints = st;
    f.attr.has_type = 1;
    f.attr.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    char err[2048];
    cr_assert_eq(load_fixture(&f, tmpdir, err, sizeof err), CLINFER_OK, "%s", err); /* the right type loads */
}

Test(onnx_import, external_data_must_stay_in_the_models_folder)
{
    make_tmp();
    struct fixture f;
    fixture_init(&f);
    Onnx__StringStringEntryProto loc, *locs[1] = {&loc};
    onnx__string_string_entry_proto__init(&loc);
    loc.key = "location";
    loc.value = "../../etc/passwd";
    f.w.has_raw_data = 0;
    f.w.n_external_data = 1;
    f.w.external_data = locs;
    f.w.has_data_location = 1;
    f.w.data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    expect_error(&f, CLINFER_E_MODEL, "external data '../../etc/passwd' is outside the model's folder");
    loc.value = "/etc/passwd";
    expect_error(&f, CLINFER_E_MODEL, "external data '/etc/passwd' is outside the model's folder");
    /* a symbolic link inside the folder that points out of it */
    char link[256];
    snprintf(link, sizeof link, "%s/weights.bin", tmpdir);
    cr_assert_eq(symlink("/etc/hostname", link), 0);
    loc.value = "weights.bin";
    expect_error(&f, CLINFER_E_MODEL, "external data 'weights.bin' is outside the model's folder");
    /* and a real file inside it works */
    remove(link);
    FILE *fp = fopen(link, "wb");
    fwrite(f.wdata, 1, sizeof f.wdata, fp);
    fclose(fp);
    char err[1024];
    cr_assert_eq(load_fixture(&f, tmpdir, err, sizeof err), CLINFER_OK, "%s", err);
    /* a legal name with two dots in it is inside (the check goes by path components, not by substring) */
    char dotted[256];
    snprintf(dotted, sizeof dotted, "%s/w..bin", tmpdir);
    cr_assert_eq(rename(link, dotted), 0);
    loc.value = "w..bin";
    cr_assert_eq(load_fixture(&f, tmpdir, err, sizeof err), CLINFER_OK, "%s", err);
    loc.value = "./sub/../w..bin";
    expect_error(&f, CLINFER_E_MODEL, "external data './sub/../w..bin' is outside the model's folder");
}

/* External data that is a FIFO (opening it would wait for a writer forever) or a directory (its size is
 * nonsense) is refused by name, at once */
Test(onnx_import, external_data_must_be_a_regular_file, .timeout = 20)
{
    make_tmp();
    struct fixture f;
    fixture_init(&f);
    Onnx__StringStringEntryProto loc, *locs[1] = {&loc};
    onnx__string_string_entry_proto__init(&loc);
    loc.key = "location";
    f.w.has_raw_data = 0;
    f.w.n_external_data = 1;
    f.w.external_data = locs;
    f.w.has_data_location = 1;
    f.w.data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    char path[256];
    snprintf(path, sizeof path, "%s/fifo.bin", tmpdir);
    cr_assert_eq(mkfifo(path, 0600), 0);
    loc.value = "fifo.bin";
    expect_error(&f, CLINFER_E_IO, "the external data is a FIFO (named pipe), not a regular file");
    snprintf(path, sizeof path, "%s/dir.bin", tmpdir);
    cr_assert_eq(mkdir(path, 0700), 0);
    loc.value = "dir.bin";
    expect_error(&f, CLINFER_E_IO, "the external data is a directory, not a regular file");
}

/* Every prefix and many byte mutations of a real model: an error or a model, never a crash. */
Test(onnx_import, truncated_and_mutated_files)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/models/torch/mobilenet_block.onnx", CLINFER_SOURCE_DIR);
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp);
    static unsigned char buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    cr_assert_gt(len, 1000);
    struct cf_graph *g;
    struct cf_diag d;
    int errors = 0;
    for (size_t cut = 0; cut < len; cut += 7) {
        memset(&d, 0, sizeof d);
        if (cf_onnx_load("cut.onnx", buf, cut, &g, &d) == CLINFER_OK) cf_graph_free(g);
        else {
            cr_assert(strncmp(d.msg, "cut.onnx: ", 10) == 0, "%s", d.msg);
            errors++;
        }
    }
    cr_assert_gt(errors, 0);
    unsigned seed = 7;
    for (int round = 0; round < 3000; round++) {
        unsigned char copy[1 << 16];
        memcpy(copy, buf, len);
        for (int k = 0; k < 1 + round % 4; k++) {
            seed = seed * 1103515245u + 12345u;
            copy[(seed >> 8) % len] = (unsigned char)(seed >> 20);
        }
        memset(&d, 0, sizeof d);
        if (cf_onnx_load("mut.onnx", copy, len, &g, &d) == CLINFER_OK) cf_graph_free(g);
        else cr_assert(strlen(d.msg) > 10, "an empty message at round %d", round);
    }
}

Test(onnx_import, a_shared_initializer_counts_once)
{
    make_tmp();
    struct fixture f;
    fixture_init(&f);
    /* a second Conv reads the first's output with the same W and B: its own parameters are 0 */
    onnx__node_proto__init(&f.node2);
    f.node2.op_type = "Conv";
    f.node2.name = "conv2";
    char *in2[3] = {"Y", "W", "B"}, *out2[1] = {"Y2"};
    f.wdims[1] = 2; /* W (2, 2, 3, 3): both convs map 2 channels to 2 */
    float w2[36] = {0};
    f.w.raw_data.data = (uint8_t *)w2;
    f.w.raw_data.len = sizeof w2;
    f.dims[1].dim_value = 2;
    f.node2.n_input = 3, f.node2.input = in2;
    f.node2.n_output = 1, f.node2.output = out2;
    f.nodes[1] = &f.node2;
    f.graph.n_node = 2;
    f.out.name = "Y2";
    char err[1024];
    cr_assert_eq(load_fixture(&f, tmpdir, err, sizeof err), CLINFER_OK, "%s", err);
    char path[1024];
    snprintf(path, sizeof path, "%s/model.onnx", tmpdir);
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_load(ctx, path, &m), CLINFER_OK);
    cr_assert_str_eq(clinfer_model_layer_name(m, 1), "conv");
    cr_assert_eq(clinfer_model_layer_params(m, 1, NULL), 36 + 2);
    cr_assert_str_eq(clinfer_model_layer_name(m, 2), "conv2");
    cr_assert_eq(clinfer_model_layer_params(m, 2, NULL), 0);
    clinfer_summary_options o = {.format = CLINFER_FORMAT_KERAS};
    char *text;
    cr_assert_eq(clinfer_model_summary(ctx, m, &o, &text), CLINFER_OK);
    cr_assert_not_null(strstr(text, "conv (Conv)                  (1, 2, 3, 3)              38        \n"), "%s", text);
    cr_assert_not_null(strstr(text, "Total params: 38\n"), "%s", text);
    clinfer_free(text);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
}

/* Regressions found by the fuzzers (tests/fuzz). */
Test(onnx_import, fuzz_regressions)
{
    make_tmp();
    struct fixture f;
    fixture_init(&f);
    onnx__attribute_proto__init(&f.attr);
    f.attr.name = ""; /* an attribute without a name read past the end of the op table's list */
    f.attrs[0] = &f.attr;
    f.node.n_attribute = 1;
    f.node.attribute = f.attrs;
    expect_error(&f, CLINFER_E_UNSUPPORTED, "node 'conv' (Conv): attribute '' is not supported");
    fixture_init(&f);
    f.node_in[1] = ""; /* a required input left empty (the way ONNX marks an absent optional one) */
    expect_error(&f, CLINFER_E_MODEL, "node 'conv' (Conv): its input 2 is required but left empty");
    static const char *const files[] = {"onnx-unnamed-attribute.onnx", "onnx-empty-required-input.onnx",
                                        "onnx-slice-step-overflow.onnx",  /* a step of -2^63 + 1 overflowed */
                                        "onnx-shape-mul-overflow.onnx",   /* int64 shape arithmetic overflowed */
                                        "onnx-reshape-dims-overflow.onnx", /* a folded Reshape's dims */
                                        "onnx-pad-overflow.onnx"}; /* pads of 2^62 added to a size overflowed */
    static const char *const errors[] = {NULL, NULL, NULL, NULL, NULL,
                                         "layer 'pad' (Pad): pads (4251398048237748247, 5836665117072162817) of axis 2 "
                                         "are too large"};
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/tests/data/regressions/%s", CLINFER_SOURCE_DIR, files[k]);
        FILE *fp = fopen(path, "rb");
        cr_assert_not_null(fp, "%s", path);
        static unsigned char buf[1 << 16];
        size_t len = fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        struct cf_graph *g = NULL;
        struct cf_diag d = {0};
        if (cf_onnx_load("crash.onnx", buf, len, &g, &d) == CLINFER_OK) cf_graph_free(g);
        else cr_assert(strncmp(d.msg, "crash.onnx: ", 12) == 0, "%s", d.msg);
        if (errors[k]) cr_assert_str_eq(d.msg + 12, errors[k], "%s", files[k]);
    }
}

/* Wraps payload (len bytes, room to grow in buf) as field `field` of a message, in place; returns the new length. */
static size_t wrap(uint8_t *buf, size_t len, unsigned field)
{
    uint8_t head[16];
    size_t h = 0;
    head[h++] = (uint8_t)(field << 3 | 2);
    for (size_t v = len; ; v >>= 7) {
        head[h++] = (uint8_t)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
        if (v < 0x80) break;
    }
    memmove(buf + h, buf, len);
    memcpy(buf, head, h);
    return len + h;
}

/* Graphs inside attributes inside nodes inside graphs, 30,000 deep (360 kB): protobuf-c would recurse until the
 * stack ran out. Refused before unpacking; a file nested as deep as real ones (a few levels) still loads. */
Test(onnx_import, endless_nesting_is_refused_before_unpacking)
{
    enum { levels = 30000 };
    uint8_t *buf = malloc(levels * 12 + 16);
    cr_assert_not_null(buf);
    size_t len = 0;
    for (int i = 0; i < levels; i++) len = wrap(buf, wrap(buf, wrap(buf, len, 6), 5), 1); /* attr.g, node.attribute, graph.node */
    len = wrap(buf, len, 7);                                                               /* model.graph */
    struct cf_graph *g = NULL;
    struct cf_diag d = {0};
    cr_assert_eq(cf_onnx_load("deep.onnx", buf, len, &g, &d), CLINFER_E_PARSE);
    cr_assert_not_null(strstr(d.msg, "deep.onnx: its messages nest more than 100 deep"), "%s", d.msg);
    cr_assert_gt(cf_onnx_nesting(buf, len, 3000), 3000, "the walk follows every level (to its limit)");
    free(buf);
    /* sequence of sequence of ... types, the other way to nest without end */
    uint8_t small[4096];
    len = 0;
    for (int i = 0; i < 150; i++) len = wrap(small, wrap(small, len, 1), 4); /* type.sequence_type, sequence.elem_type */
    len = wrap(small, wrap(small, wrap(small, len, 2), 11), 7);             /* value_info.type, graph.input, model.graph */
    cr_assert_gt(cf_onnx_nesting(small, len, 1000), 300);
    cr_assert_eq(cf_onnx_load("types.onnx", small, len, &g, &d), CLINFER_E_PARSE);
    /* the fixture nests 5 deep (model, graph, value_info, type, tensor type is not followed) */
    struct fixture f;
    fixture_init(&f);
    len = onnx__model_proto__get_packed_size(&f.model);
    uint8_t *packed = malloc(len);
    onnx__model_proto__pack(&f.model, packed);
    cr_assert_eq(cf_onnx_nesting(packed, len, 100), 3, "model > graph > value_info > type: depth 3");
    free(packed);
}

/* Operators beyond the CNN core (tests/models/export_onnx_ops.py, built with onnx.helper): Gelu of opset 20 (exact
 * and tanh), Mish, a model of opset 22, Equal / Where / Expand on constants, and pooling with count_include_pad,
 * dilation and ceil_mode; on ref, on PoCL and on PoCL with every layer its GPU-shaped family (--algo gpu) at batch 1
 * and 3 against ONNX Runtime's outputs. */
Test(onnx_import, onnx_ops_match_onnxruntime)
{
    static const char *const models[] = {"gelu_mish_opset20", "conv_opset22", "shape_logic", "hard_swish_opset13",
                                         "pool_include_pad"};
    static const char *const devices[] = {"ref", "opencl", "opencl"}, *const algos[] = {NULL, NULL, "gpu"};
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    for (int mi = 0; mi < 5; mi++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/tests/models/onnx_ops/%s.onnx", CLINFER_SOURCE_DIR, models[mi]);
        clinfer_model *m = NULL;
        cr_assert_eq(clinfer_model_load(ctx, path, &m), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
        for (int batch = 1; batch <= 3; batch += 2)
            for (int dv = 0; dv < 3; dv++) {
                struct cf_array x, want;
                struct cf_diag d = {0};
                snprintf(path, sizeof path, "%s/tests/data/onnx_ops/%s_in%d.npy", CLINFER_SOURCE_DIR, models[mi], batch);
                cr_assert_eq(cf_npy_read(path, &x, &d), CLINFER_OK, "%s", d.msg);
                snprintf(path, sizeof path, "%s/tests/data/onnx_ops/%s_out%d.npy", CLINFER_SOURCE_DIR, models[mi], batch);
                cr_assert_eq(cf_npy_read(path, &want, &d), CLINFER_OK, "%s", d.msg);
                clinfer_session *s;
                clinfer_session_options o = {.device = devices[dv], .batch = batch, .algo = algos[dv]};
                cr_assert_eq(clinfer_session_new(ctx, m, &o, &s), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
                int64_t n = cf_array_elems(&want);
                float *y = calloc((size_t)n, sizeof(float));
                const float *ins[] = {x.data};
                float *outs[] = {y};
                cr_assert_eq(clinfer_session_run(ctx, s, ins, outs), CLINFER_OK, "%s", clinfer_context_errmsg(ctx));
                for (int64_t i = 0; i < n; i++)
                    cr_assert(fabsf(y[i] - want.data[i]) <= 1e-4f * fabsf(want.data[i]) + 1e-5f,
                              "%s, batch %d, %s%s: element %lld is %.9g, ONNX Runtime %.9g", models[mi], batch,
                              devices[dv], algos[dv] ? " --algo gpu" : "", (long long)i, y[i], want.data[i]);
                free(y);
                clinfer_session_free(s);
                cf_array_free(&x);
                cf_array_free(&want);
            }
        clinfer_model_free(m);
    }
    clinfer_context_free(ctx);
}

/* x · HardSigmoid(x) (PyTorch's Hardswish before opset 14) runs as one hard-swish in the Conv's epilogue: the
 * HardSigmoid and the Mul are views in the profile (the values are checked against ONNX Runtime above) */
Test(onnx_import, hard_sigmoid_times_x_is_one_hard_swish)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cd %s && %s profile tests/models/onnx_ops/hard_swish_opset13.onnx --batch 2 --device opencl 2>&1 | "
             "grep -cE '^(HardSigmoid|Mul)_1 +(HardSigmoid|Mul) +view'",
             CLINFER_SOURCE_DIR, CLINFER_BINARY);
    FILE *f = popen(cmd, "r");
    int count = -1;
    cr_assert(f && fscanf(f, "%d", &count) == 1);
    pclose(f);
    cr_assert_eq(count, 2, "the HardSigmoid and the Mul should both be views, %d are", count);
}
