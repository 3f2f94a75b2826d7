/* How deeply an ONNX file nests its messages, measured on the protobuf wire format before protobuf-c unpacks it.
 * protobuf-c recurses once per nested message and has no depth limit, and ONNX's schema lets messages nest without
 * end (a node's attribute holds a graph, whose node holds an attribute, ...; a sequence type holds a type), so a
 * small hostile file could otherwise exhaust the stack. Only the fields that lead to a message that can recurse are
 * followed; a file that is malformed in any other way is left for protobuf-c to refuse. */
#include "onnx.h"

enum kind { K_MODEL, K_GRAPH, K_NODE, K_ATTR, K_VALUE_INFO, K_TYPE, K_TYPE_ELEM, K_TYPE_MAP, K_FUNCTION, K_TRAINING };

/* (message, field number) -> the message in that field; onnx.proto's numbers. */
static const struct {
    enum kind in;
    unsigned field;
    enum kind child;
} edges[] = {
    {K_MODEL, 7, K_GRAPH},         {K_MODEL, 20, K_TRAINING},    {K_MODEL, 25, K_FUNCTION},
    {K_TRAINING, 1, K_GRAPH},      {K_TRAINING, 2, K_GRAPH},     {K_FUNCTION, 7, K_NODE},
    {K_GRAPH, 1, K_NODE},          {K_GRAPH, 11, K_VALUE_INFO},  {K_GRAPH, 12, K_VALUE_INFO},
    {K_GRAPH, 13, K_VALUE_INFO},   {K_NODE, 5, K_ATTR},          {K_ATTR, 6, K_GRAPH},
    {K_ATTR, 11, K_GRAPH},         {K_ATTR, 14, K_TYPE},         {K_ATTR, 15, K_TYPE},
    {K_VALUE_INFO, 2, K_TYPE},     {K_TYPE, 4, K_TYPE_ELEM},     {K_TYPE, 9, K_TYPE_ELEM},
    {K_TYPE, 5, K_TYPE_MAP},       {K_TYPE_ELEM, 1, K_TYPE},     {K_TYPE_MAP, 2, K_TYPE},
};

static int varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return 1;
    }
    return 0;
}

/* The deepest nesting below this message (itself at depth), stopping once past limit. */
static int deepest(const uint8_t *p, const uint8_t *end, enum kind k, int depth, int limit)
{
    int most = depth;
    while (p < end && most <= limit) {
        uint64_t tag, v;
        if (!varint(&p, end, &tag)) break;
        switch (tag & 7) {
        case 0: if (!varint(&p, end, &v)) return most; break;
        case 1: if (end - p < 8) return most; p += 8; break;
        case 5: if (end - p < 4) return most; p += 4; break;
        case 2: {
            if (!varint(&p, end, &v) || v > (uint64_t)(end - p)) return most;
            for (size_t e = 0; e < sizeof edges / sizeof edges[0]; e++)
                if (edges[e].in == k && edges[e].field == tag >> 3) {
                    int d = deepest(p, p + v, edges[e].child, depth + 1, limit);
                    if (d > most) most = d;
                }
            p += v;
            break;
        }
        default: return most; /* groups and unknown wire types: protobuf-c decides */
        }
    }
    return most;
}

int cf_onnx_nesting(const uint8_t *buf, size_t len, int limit)
{
    return deepest(buf, buf + len, K_MODEL, 0, limit);
}
