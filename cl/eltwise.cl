/* Binary element-wise ops with broadcasting: op 0 add, 1 multiply, 2 subtract, 3 divide, 4 PRelu (b is the
 * slope), 5 maximum, 6 minimum, then a fused activation (act, ap as in act_apply). Per output axis (last axis first,
 * padded with 1 and 0), each operand's stride (0 where broadcast). */
__kernel void eltwise_f32(__global float *A, uint ao, uint bo, uint yo, uint n, int op, int8 dims, int8 sa, int8 sb,
                          int act, float4 ap)
{
    size_t i = get_global_id(0);
    if (i >= n) return;
    int d[8] = {dims.s0, dims.s1, dims.s2, dims.s3, dims.s4, dims.s5, dims.s6, dims.s7};
    int a[8] = {sa.s0, sa.s1, sa.s2, sa.s3, sa.s4, sa.s5, sa.s6, sa.s7};
    int b[8] = {sb.s0, sb.s1, sb.s2, sb.s3, sb.s4, sb.s5, sb.s6, sb.s7};
    /* (32-bit: the arena's offsets are; the axes past the last coordinate that is not 0 add nothing) */
    uint rem = (uint)i, ia = 0, ib = 0;
    for (int k = 0; k < 8 && rem; k++) {
        const uint c = rem % (uint)d[k];
        rem /= (uint)d[k];
        ia += c * (uint)a[k];
        ib += c * (uint)b[k];
    }
    float x = A[ao + ia], y = A[bo + ib], r;
    switch (op) {
    case 0: r = x + y; break;
    case 1: r = x * y; break;
    case 2: r = x - y; break;
    case 3: r = x / y; break;
    case 5: r = MAX_NAN(x, y); break;
    case 6: r = MIN_NAN(x, y); break;
    default: r = x < 0.0f ? y * x : x; break;
    }
    A[yo + i] = act_apply(r, act, ap);
}

/* The same without broadcasting (both operands of the output's shape): 16 elements per work-item, as vectors. */
inline float16 eltwise16(float16 x, float16 y, int op)
{
    switch (op) {
    case 0: return x + y;
    case 1: return x * y;
    case 2: return x - y;
    case 3: return x / y;
    case 5: return MAX_NAN(x, y);
    case 6: return MIN_NAN(x, y);
    default: return select(x, y * x, x < 0.0f);
    }
}

__kernel void eltwise_flat_f32(__global float *A, uint ao, uint bo, uint yo, uint n, int op, int act, float4 ap)
{
    const size_t i = get_global_id(0) * 16;
    if (i + 16 <= n) {
        vstore16(act_apply16(eltwise16(vload16(0, A + ao + i), vload16(0, A + bo + i), op), act, ap), 0, A + yo + i);
        return;
    }
    for (size_t k = i; k < n; k++) {
        float16 r = eltwise16((float16)A[ao + k], (float16)A[bo + k], op);
        A[yo + k] = act_apply(r.s0, act, ap);
    }
}

/* One operand whole (f), the other (b) constant along runs of `inner` consecutive outputs and repeating every `mid`
 * runs: b[(i / inner) % mid]. A squeeze-excitation's channel scale x · s[n][c] over NCHW, a per-channel bias, a row
 * over a matrix, a scalar: 16 outputs a work-item, without the per-axis index arithmetic of eltwise_f32 (0.5 GB/s on
 * PoCL for efficientnet's scales). `swap`: the whole operand is the second. */
__kernel void eltwise_inner_f32(__global float *A, uint fo, uint bo, uint yo, uint n, int op, uint inner, uint mid,
                                int swap, int act, float4 ap)
{
    const uint i = (uint)get_global_id(0) * 16;
    if (i >= n) return;
    uint q = (i / inner) % mid, r = i % inner; /* (32-bit division: 64-bit costs several times more) */
    if (i + 16 <= n && r + 16 <= inner) { /* the 16 within one run: one value of the operand (a channel's scale) */
        const float16 f = vload16(0, A + fo + i), b = (float16)A[bo + q];
        vstore16(act_apply16(swap ? eltwise16(b, f, op) : eltwise16(f, b, op), act, ap), 0, A + yo + i);
        return;
    }
    float bv[16];
    for (int l = 0; l < 16; l++) {
        bv[l] = A[bo + q];
        if (++r == inner) {
            r = 0;
            if (++q == mid) q = 0;
        }
    }
    if (i + 16 <= n) {
        const float16 f = vload16(0, A + fo + i), b = vload16(0, bv);
        vstore16(act_apply16(swap ? eltwise16(b, f, op) : eltwise16(f, b, op), act, ap), 0, A + yo + i);
        return;
    }
    for (uint k = i; k < n; k++) {
        const float16 f = (float16)A[fo + k], b = (float16)bv[k - i];
        A[yo + k] = act_apply((swap ? eltwise16(b, f, op) : eltwise16(f, b, op)).s0, act, ap);
    }
}
