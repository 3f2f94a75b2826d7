/* Values of the Keras-script evaluator: their names and texts in messages. */
#include "value.h"

#include <stdio.h>
#include <string.h>

#include "ast.h"
#include "layers.h"

const char *cf_value_type_name(const struct value *v)
{
    switch (v->k) {
    case V_NONE: return "NoneType";
    case V_BOOL: return "bool";
    case V_INT: return "int";
    case V_FLOAT: return "float";
    case V_STR: return "str";
    case V_TUPLE: return "tuple";
    case V_LIST: return "list";
    case V_MODULE: return "module";
    case V_CLASS: return "class";
    case V_FUNC: return "function";
    case V_LAYER: return "layer";
    case V_TENSOR: return "tensor";
    case V_MODEL: return "model";
    case V_METHOD: return "method";
    case V_OPAQUE: return "object";
    case V_DICT: return "dict";
    case V_USERFN: return "function";
    case V_BUILTIN: return "builtin function";
    }
    return "?";
}

void cf_value_repr(const struct value *v, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    switch (v->k) {
    case V_NONE: snprintf(out, size, "None"); break;
    case V_BOOL: snprintf(out, size, "%s", v->i ? "True" : "False"); break;
    case V_INT: snprintf(out, size, "%lld", (long long)v->i); break;
    case V_FLOAT: snprintf(out, size, "%g", v->f); break;
    case V_STR: snprintf(out, size, "'%.*s%s'", 40, v->s, strlen(v->s) > 40 ? "..." : ""); break;
    case V_TUPLE:
    case V_LIST:
        n += (size_t)snprintf(out, size, "%c", v->k == V_TUPLE ? '(' : '[');
        for (int i = 0; i < v->n && n + 8 < size; i++) {
            char item[64];
            cf_value_repr(v->items[i], item, sizeof item);
            n += (size_t)snprintf(out + n, size - n, "%s%s", i ? ", " : "", item);
        }
        if (n + 2 < size) snprintf(out + n, size - n, "%s%c", v->k == V_TUPLE && v->n == 1 ? "," : "",
                                   v->k == V_TUPLE ? ')' : ']');
        break;
    case V_MODULE: snprintf(out, size, "%s", v->s ? v->s : "module"); break;
    case V_CLASS: snprintf(out, size, "%s", v->cls->name); break;
    case V_FUNC: snprintf(out, size, "%s", v->s); break;
    case V_LAYER: snprintf(out, size, "(a %s layer)", cf_keras_class_name(v->cls)); break;
    case V_TENSOR: snprintf(out, size, "(a tensor)"); break;
    case V_MODEL: snprintf(out, size, "(a model)"); break;
    case V_METHOD: snprintf(out, size, "%s", v->s); break;
    case V_OPAQUE: snprintf(out, size, "(an object clinfer does not model)"); break;
    case V_DICT: snprintf(out, size, "(a dict of %d)", v->n); break;
    case V_USERFN: snprintf(out, size, "%s()", v->fn->def->name); break;
    case V_BUILTIN: snprintf(out, size, "%s()", v->s); break;
    }
}
