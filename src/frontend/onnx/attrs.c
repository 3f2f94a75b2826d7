/* A node's attributes: by name, with defaults, each checked against the type it claims. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../passes/passes.h"
#include "../../util/alloc.h"
#include "../../util/strbuf.h"
#include "onnx_ops.h"

/* --- attributes --- */

const Onnx__AttributeProto *cf_onnx_attr(const Onnx__NodeProto *n, const char *name)
{
    for (size_t i = 0; i < n->n_attribute; i++)
        if (n->attribute[i]->name && strcmp(n->attribute[i]->name, name) == 0) return n->attribute[i];
    return NULL;
}

int64_t cf_onnx_attr_i(const Onnx__NodeProto *n, const char *name, int64_t def)
{
    const Onnx__AttributeProto *a = cf_onnx_attr(n, name);
    return a && a->has_i ? a->i : def;
}

float cf_onnx_attr_f(const Onnx__NodeProto *n, const char *name, float def)
{
    const Onnx__AttributeProto *a = cf_onnx_attr(n, name);
    return a && a->has_f ? a->f : def;
}

void cf_onnx_attr_s(const Onnx__NodeProto *n, const char *name, const char *def, char *out, size_t size)
{
    const Onnx__AttributeProto *a = cf_onnx_attr(n, name);
    if (a && a->has_s) snprintf(out, size, "%.*s", (int)(a->s.len < size - 1 ? a->s.len : size - 1), (const char *)a->s.data);
    else snprintf(out, size, "%s", def);
}

/* The type each attribute clinfer reads must have: ONNX gives a name one type in every operator that takes it,
 * except where an entry names the operator too (Pad before opset 11 takes its fill as a FLOAT 'value'). A model that
 * puts a string where a number belongs is refused here rather than read as a default. */
enum { A_FLOAT = 1, A_INT = 2, A_STRING = 3, A_TENSOR = 4, A_FLOATS = 6, A_INTS = 7 };
static const struct {
    int type;
    const char *names;
} attr_types[] = {
    {A_FLOAT, "Pad.value alpha beta bias epsilon gamma momentum ratio min max value_float"},
    {A_INT, "allowzero axis blocksize broadcast ceil_mode count_include_pad group is_test keepdims "
            "noop_with_empty_axes seed size spatial start end storage_order training_mode transA transB value_int"},
    {A_INTS, "axes dilations kernel_shape output_padding output_shape pads perm shape strides value_ints"},
    {A_FLOATS, "value_floats"},
    {A_STRING, "auto_pad mode"},
    {A_TENSOR, "value"},
};
static const char *const attr_type_names[] = {"UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH",
                                              "FLOATS", "INTS", "STRINGS", "TENSORS", "GRAPHS"};

static const char *type_name(int t)
{
    return t >= 0 && t < (int)(sizeof attr_type_names / sizeof attr_type_names[0]) ? attr_type_names[t] : "an unknown type";
}

/* The type an attribute carries: its declared type, or (in files older than the type field) the field it fills. */
static int carried_type(const Onnx__AttributeProto *a)
{
    if (a->has_type && a->type != 0) return (int)a->type;
    if (a->has_f) return A_FLOAT;
    if (a->has_i) return A_INT;
    if (a->has_s) return A_STRING;
    if (a->t) return A_TENSOR;
    if (a->n_floats) return A_FLOATS;
    if (a->n_ints) return A_INTS;
    return 0;
}

/* Whether the field of the expected type is filled (a list may be empty). */
static int has_value(const Onnx__AttributeProto *a, int type)
{
    switch (type) {
    case A_FLOAT: return a->has_f;
    case A_INT: return a->has_i;
    case A_STRING: return a->has_s;
    case A_TENSOR: return a->t != NULL;
    default: return 1;
    }
}

clinfer_status cf_onnx_check_attr_type(struct onnx_ctx *X, const Onnx__NodeProto *n, const Onnx__AttributeProto *a)
{
    char qualified[160];
    snprintf(qualified, sizeof qualified, "%s.%s", n->op_type, a->name);
    int rows = (int)(sizeof attr_types / sizeof attr_types[0]);
    for (int k = 0; k < 2 * rows; k++) { /* the operator's own entry first, then the name's */
        if (!cf_word_listed(attr_types[k % rows].names, k < rows ? qualified : a->name)) continue;
        int want = attr_types[k % rows].type, got = carried_type(a);
        if (got != want)
            return cf_onnx_fail(X, CLINFER_E_MODEL, "attribute '%s' must be %s, got %s", a->name, type_name(want),
                                got ? type_name(got) : "no value");
        if (!has_value(a, want))
            return cf_onnx_fail(X, CLINFER_E_MODEL, "attribute '%s' is declared %s but has no value", a->name,
                                type_name(want));
        return CLINFER_OK;
    }
    return CLINFER_OK;
}

/* -1 when absent; else the count (at most max are copied) */
int cf_onnx_attr_ints(const Onnx__NodeProto *n, const char *name, int64_t *out, int max)
{
    const Onnx__AttributeProto *a = cf_onnx_attr(n, name);
    if (!a) return -1;
    for (size_t i = 0; i < a->n_ints && (int)i < max; i++) out[i] = a->ints[i];
    return (int)a->n_ints;
}
