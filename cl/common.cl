/* Shared by every kernel file: the activation functions (ids as in src/ir/activations.def, passed with -D). */
#ifndef ACT_LINEAR
#define ACT_LINEAR 0
#define ACT_RELU 1
#define ACT_SIGMOID 2
#define ACT_TANH 3
#define ACT_SOFTMAX 4
#define ACT_ELU 5
#define ACT_SELU 6
#define ACT_SOFTPLUS 7
#define ACT_SOFTSIGN 8
#define ACT_SWISH 9
#define ACT_GELU 10
#define ACT_HARD_SIGMOID 11
#define ACT_RELU6 12
#define ACT_LEAKY_RELU 13
#define ACT_LOG_SOFTMAX 14
#define ACT_CLIP 15
#define ACT_HARD_SWISH 16
#define ACT_MISH 17
#define ACT_GELU_TANH 18
#endif

/* NumPy's maximum and minimum (IEEE-754's maximum and minimum): a NaN in either operand gives NaN, where OpenCL's
 * fmax and fmin return the other operand. Scalars and vectors alike. */
#define MAX_NAN(a, b) select((b), (a), isgreater((a), (b)) | isnan(a))
#define MIN_NAN(a, b) select((b), (a), isless((a), (b)) | isnan(a))

/* p = (alpha, beta, max_value, threshold): ReLU(max_value, negative_slope = alpha, threshold), LeakyReLU and ELU
 * alpha, SELU alpha and gamma (beta), HardSigmoid alpha and beta, Clip min (alpha) and max (beta) */
static inline float act_apply(float x, int act, float4 p)
{
    switch (act) {
    case ACT_RELU:
        /* NaN stays NaN; below the threshold 0 without a slope (0 * -inf would be NaN) */
        if (p.z >= 0.0f && x >= p.z) return p.z;
        return x >= p.w || isnan(x) ? x : p.x == 0.0f ? 0.0f : p.x * (x - p.w);
    case ACT_SIGMOID: return 1.0f / (1.0f + exp(-x));
    case ACT_TANH: return tanh(x);
    case ACT_ELU: return x > 0.0f ? x : p.x * (exp(x) - 1.0f);
    case ACT_SELU: return p.y * (x > 0.0f ? x : p.x * (exp(x) - 1.0f));
    case ACT_SOFTPLUS: return x > 0.0f ? x + log1p(exp(-x)) : log1p(exp(x));
    case ACT_SOFTSIGN: return x / (fabs(x) + 1.0f);
    case ACT_SWISH: return x / (1.0f + exp(-x));
    case ACT_GELU: return 0.5f * x * (1.0f + erf(x * 0.70710678118654752f));
    case ACT_HARD_SIGMOID: return MIN_NAN(MAX_NAN(p.x * x + p.y, 0.0f), 1.0f);
    case ACT_RELU6: return MIN_NAN(MAX_NAN(x, 0.0f), 6.0f);
    case ACT_LEAKY_RELU: return x >= 0.0f ? x : p.x * x;
    case ACT_CLIP: return MIN_NAN(MAX_NAN(x, p.x), p.y);
    case ACT_HARD_SWISH: return x <= -3.0f ? 0.0f : x >= 3.0f ? x : x * (x + 3.0f) / 6.0f; /* x·relu6(x + 3)/6 */
    case ACT_MISH: return x * tanh(x > 0.0f ? x + log1p(exp(-x)) : log1p(exp(x)));
    case ACT_GELU_TANH: return 0.5f * x * (1.0f + tanh(0.7978845608028654f * (x + 0.044715f * x * x * x)));
    default: return x; /* linear; softmax runs as its own pass over rows */
    }
}

/* act_apply on a whole vector: vector arithmetic where the activation has a vector form, else lane by lane */
static inline float16 act_apply16(float16 x, int act, float4 p)
{
    switch (act) {
    case ACT_LINEAR: return x;
    case ACT_RELU: {
        const float16 below = p.x == 0.0f ? (float16)0.0f : p.x * (x - p.w);
        const float16 r = select(below, x, (x >= p.w) | isnan(x));
        return p.z >= 0.0f ? select(r, (float16)p.z, x >= p.z) : r; /* as act_apply, also for NaN */
    }
    case ACT_RELU6: return MIN_NAN(MAX_NAN(x, (float16)0.0f), (float16)6.0f);
    case ACT_CLIP: return MIN_NAN(MAX_NAN(x, (float16)p.x), (float16)p.y);
    case ACT_LEAKY_RELU: return select(p.x * x, x, x >= 0.0f);
    /* (the exponentials as one vector call: lane by lane through act_apply's switch, efficientnet's SiLU ran at
     * 1 GB/s on PoCL) */
    case ACT_SIGMOID: return 1.0f / (1.0f + exp(-x));
    case ACT_SWISH: return x / (1.0f + exp(-x));
    case ACT_TANH: return tanh(x);
    case ACT_ELU: return select(p.x * (exp(x) - 1.0f), x, x > 0.0f);
    case ACT_HARD_SIGMOID: return MIN_NAN(MAX_NAN(p.x * x + p.y, (float16)0.0f), (float16)1.0f);
    case ACT_HARD_SWISH: /* as act_apply: NaN falls through to the product */
        return select(select(x * (x + 3.0f) / 6.0f, x, x >= 3.0f), (float16)0.0f, x <= -3.0f);
    default: {
        float r[16];
        vstore16(x, 0, r);
        for (int l = 0; l < 16; l++) r[l] = act_apply(r[l], act, p);
        return vload16(0, r);
    }
    }
}

/* Lanes r..15 of a, then lanes 0..r-1 of b: the 16 floats from a's lane r, when a and b are neighbouring vectors of
 * a row. Literal swizzles, so that with r a constant once unrolled the compiler makes one two-source permute (a
 * shuffle2 whose mask is computed from r became partial loads and chains of permutes on PoCL: the NCHW depthwise
 * kernel ran 1.2x faster with this). */
static inline float16 window16(float16 a, float16 b, int r)
{
    switch (r) {
    case 1: return (float16)(a.s1234, a.s5678, a.s9abc, a.sdef, b.s0);
    case 2: return (float16)(a.s2345, a.s6789, a.sabcd, a.sef, b.s01);
    case 3: return (float16)(a.s3456, a.s789a, a.sbcde, a.sf, b.s012);
    case 4: return (float16)(a.s4567, a.s89ab, a.scdef, b.s0123);
    case 5: return (float16)(a.s5678, a.s9abc, a.sdef, b.s0123, b.s4);
    case 6: return (float16)(a.s6789, a.sabcd, a.sef, b.s0123, b.s45);
    case 7: return (float16)(a.s789a, a.sbcde, a.sf, b.s0123, b.s456);
    case 8: return (float16)(a.s89ab, a.scdef, b.s0123, b.s4567);
    case 9: return (float16)(a.s9abc, a.sdef, b.s0123, b.s4567, b.s8);
    case 10: return (float16)(a.sabcd, a.sef, b.s0123, b.s4567, b.s89);
    case 11: return (float16)(a.sbcde, a.sf, b.s0123, b.s4567, b.s89a);
    case 12: return (float16)(a.scdef, b.s0123, b.s4567, b.s89ab);
    case 13: return (float16)(a.sdef, b.s0123, b.s4567, b.s89ab, b.sc);
    case 14: return (float16)(a.sef, b.s0123, b.s4567, b.s89ab, b.scd);
    case 15: return (float16)(a.sf, b.s0123, b.s4567, b.s89ab, b.scde);
    default: return a;
    }
}

/* Input row xr of w floats as n float16 vectors, rv[q] from element first + 16 q: whole loads inside the row, `none`
 * outside it (the zero padding, or a pool's identity), lane by lane across its edges. With constant sizes the
 * branches fold away and rv stays in registers. */
static inline void load_row16(__global const float *xr, int first, int w, float none, int n, float16 *rv)
{
#pragma unroll
    for (int q = 0; q < n; q++) {
        const int e0 = first + 16 * q;
        if (e0 >= 0 && e0 + 16 <= w) {
            rv[q] = vload16(0, xr + e0);
        } else if (e0 + 16 <= 0 || e0 >= w) {
            rv[q] = (float16)none;
        } else {
            float tl[16];
            for (int l = 0; l < 16; l++) tl[l] = e0 + l >= 0 && e0 + l < w ? xr[e0 + l] : none;
            rv[q] = vload16(0, tl);
        }
    }
}

/* The 16 inputs of a tap for 16 outputs at stride sw (1 or 2) along a row loaded by load_row16, the first at element
 * e of rv: one window (window16), or the even lanes of two */
static inline float16 strided_window16(const float16 *rv, int e, int sw)
{
    const float16 lo = window16(rv[e / 16], rv[e / 16 + 1], e % 16);
    return sw == 1 ? lo : (float16)(lo.even, window16(rv[e / 16 + 1], rv[e / 16 + 2], e % 16).even);
}

/* stores the first n lanes of v at p, p + step, p + 2 step, ...: one vector store when all 16 are contiguous */
static inline void store_lanes(__global float *p, size_t step, int n, float16 v)
{
    if (step == 1 && n >= 16) {
        vstore16(v, 0, p);
        return;
    }
    float r[16];
    vstore16(v, 0, r);
    for (int l = 0; l < 16 && l < n; l++) p[l * step] = r[l];
}

/* the 16 output channels from c0 at an output pixel, those below CO: for the kernels whose YAT(oy, ox, co) gives an
 * output's place (expanded where it is used, with that file's YAT and CO) */
#define STORE16(y, oy, ox, c0, v) store_lanes((y) + YAT(oy, ox, c0), YAT(0, 0, 1), CO - (c0), v)

/* a 4-D element by (n, y, x, c) and the layout's strides s = (n, h, w, c) */
#define AT4(S, N_, Y_, X_, C_) ((size_t)(N_) * (S).x + (size_t)(Y_) * (S).y + (size_t)(X_) * (S).z + (size_t)(C_) * (S).w)

/* A program of a shape class (-DSHAPE_CLASS=1) serves every layer alike in what its speed needs as constants (window,
 * stride, dilation, padding, activation, block sizes): the sizes the host does not give as -D constants arrive in the
 * kernel's last argument, `int16 sz` (SZ_ARG), in the slots of tune/common.c's size table. */
#ifdef SHAPE_CLASS
#define SZ_ARG , const int16 sz
#ifndef H
#define H (sz.s0)
#endif
#ifndef W
#define W (sz.s1)
#endif
#ifndef C
#define C (sz.s2)
#endif
#ifndef HO
#define HO (sz.s3)
#endif
#ifndef WO
#define WO (sz.s4)
#endif
#ifndef CO
#define CO (sz.s5)
#endif
#ifndef CO16
#define CO16 (sz.s6)
#endif
#ifndef HP
#define HP (sz.s7)
#endif
#ifndef WP
#define WP (sz.s8)
#endif
#ifndef M
#define M (sz.s9)
#endif
#ifndef G
#define G (sz.sa)
#endif
#ifndef CIN
#define CIN (sz.sb)
#endif
#ifndef UNITS
#define UNITS (sz.sc)
#endif
#else
#define SZ_ARG
#endif
