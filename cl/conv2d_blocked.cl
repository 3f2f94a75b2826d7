/* Conv2D, register-blocked: each work-item computes P output pixels of one row x V float16 vectors of output
 * channels, so one vector load of weights feeds 16*P multiply-adds. Activations NHWC, or NCHW with -DNCHW=1. Weights
 * [COV / 16][KH][KW][C / G][16] (CO padded with zeros to COV, a multiple of 16 V, at load: a block of 16 channels
 * reads its weights as one stream), bias [COV]. Grouped (G groups): a block's channels read the C / G input channels
 * of their group; the host makes 16 V divide a group's CO / G, so that a block lies in one group. The window, the
 * stride and the block sizes are compile-time constants (-D), chosen per layer by timing; the layer's sizes are the
 * kernel's `sz` (a shape class: one program for every layer alike but for its sizes, common.cl), or constants too.
 * The #ifndef defaults let the file compile alone. Built as its own program with common.cl. */
#ifndef P
#define P 4
#define V 1
#define H 8
#define W 8
#define C 4
#define HO 8
#define WO 8
#define CO 16
#define CO16 16
#define KH 3
#define KW 3
#define SH 1
#define SW 1
#define DH 1
#define DW 1
#define PT 1
#define PL 1
#define HAS_BIAS 1
#define ACT 0
#endif
#ifndef NCHW
#define NCHW 0
#endif
#ifndef G
#define G 1
#endif
#define CG (C / G) /* the input channels of a group */
/* a fused max pool of POOL x POOL, stride POOL, after the activation: HO x WO conv pixels computed (the ones the
 * pool reads), HP x WP stored */
#ifndef POOL
#define POOL 1
#endif
#ifndef HP
#define HP HO
#define WP WO
#endif
#if P % POOL
#error "the pixels of a block must be a multiple of the pool"
#endif
#if NCHW
#define XAT(iy, ix, ci) (((size_t)(ci) * H + (iy)) * W + (ix))
#define YAT(oy, ox, co) (((size_t)(co) * HP + (oy)) * WP + (ox))
#else
#define XAT(iy, ix, ci) (((size_t)(iy) * W + (ix)) * C + (ci))
#define YAT(oy, ox, co) (((size_t)(oy) * WP + (ox)) * CO + (co))
#endif

/* the input of pixel p of a block, and the step between channels */
#if NCHW
#define PXSTEP ((size_t)SW)
#define CSTEP ((size_t)H * W)
#else
#define PXSTEP ((size_t)SW * C)
#define CSTEP ((size_t)1)
#endif

/* one input row of the window: P pixels x C channels x V vectors of weights. Interior blocks read straight through
 * (a broadcast load per pixel and channel, no masks); blocks at an edge take 0 for a pixel outside the row (a
 * select, not a product: 0 * NaN or 0 * Inf would be NaN where the padding is 0). */
#define CONV_ROW(MASKED)                                                                                              \
    for (int kx = 0; kx < KW; kx++) {                                                                                 \
        __global const float *kp = K + ((size_t)co0 * KH * KW * CG + (size_t)((ky * KW + kx) * CG) * 16);              \
        const int ix0 = ox0 * SW + kx * DW - PL;                                                                      \
        __global const float *xb = x + XAT(iy, MASKED ? 0 : ix0, 0);                                                  \
        size_t off[P];                                                                                                \
        int inside[P];                                                                                                \
        _Pragma("unroll") for (int p = 0; p < P; p++) {                                                               \
            const int ix = ix0 + p * SW, in = ix >= 0 && ix < W && ox0 + p < WO;                                      \
            inside[p] = in;                                                                                           \
            off[p] = MASKED ? XAT(0, in ? ix : 0, 0) : p * PXSTEP;                                                    \
        }                                                                                                             \
        for (int ci = 0; ci < CG; ci++) {                                                                             \
            float16 w[V];                                                                                             \
            _Pragma("unroll") for (int v = 0; v < V; v++)                                                             \
                w[v] = vload16(0, kp + ((size_t)v * KH * KW * CG + ci) * 16);                                         \
            _Pragma("unroll") for (int p = 0; p < P; p++) {                                                           \
                const float xs = xb[off[p] + ci * CSTEP];                                                             \
                const float16 xv = (float16)(MASKED && !inside[p] ? 0.0f : xs);                                       \
                _Pragma("unroll") for (int v = 0; v < V; v++) acc[p][v] = fma(xv, w[v], acc[p][v]);                   \
            }                                                                                                         \
        }                                                                                                             \
    }

__attribute__((reqd_work_group_size(1, 1, 1)))
__kernel void conv2d_blocked_f32(__global float *A, uint xo, uint yo, __global const float *K, __global const float *B,
                                 float4 ap, int rows SZ_ARG)
{
    const int xb = get_global_id(0), ny = get_global_id(1), cb = get_global_id(2);
    const int n = ny / HP, orow = ny % HP, ox0 = xb * P, co0 = cb * 16 * V;
    /* (the group's first input channel) */
    __global const float *x = A + xo + (size_t)n * H * W * C + (size_t)(co0 / (CO / G)) * CG * CSTEP;
    __global float *y = A + yo + (size_t)n * HP * WP * CO;
    /* the block is interior when every pixel of it, at every kx, lies inside the row */
    const int interior = ox0 + P <= WO && ox0 * SW - PL >= 0 && (ox0 + P - 1) * SW + (KW - 1) * DW - PL < W;
    float16 acc[P][V];
#if POOL > 1
    float16 best[P][V];
#endif
    for (int r = 0; r < POOL; r++) {
        const int oy = orow * POOL + r;
#pragma unroll
        for (int v = 0; v < V; v++) {
            float16 b = HAS_BIAS ? vload16(0, B + co0 + 16 * v) : (float16)0.0f;
#pragma unroll
            for (int p = 0; p < P; p++) acc[p][v] = b;
        }
        for (int ky = 0; ky < KH; ky++) {
            const int iy = oy * SH + ky * DH - PT;
            if (iy < 0 || iy >= H) continue;
            if (interior) {
                CONV_ROW(0)
            } else {
                CONV_ROW(1)
            }
        }
#if POOL > 1
#pragma unroll
        for (int p = 0; p < P; p++)
#pragma unroll
            for (int v = 0; v < V; v++) {
                const float16 a = act_apply16(acc[p][v], ACT, ap);
                best[p][v] = r == 0 ? a : MAX_NAN(best[p][v], a);
            }
#endif
    }
#if POOL > 1
    /* the pool across the block's pixels: P / POOL outputs */
#pragma unroll
    for (int q = 0; q < P / POOL; q++) {
        const int ox = ox0 / POOL + q;
#pragma unroll
        for (int v = 0; v < V; v++) {
            float16 m = best[q * POOL][v];
#pragma unroll
            for (int j = 1; j < POOL; j++) m = MAX_NAN(m, best[q * POOL + j][v]);
            if (ox < WP && co0 + 16 * v < CO) STORE16(y, orow, ox, co0 + 16 * v, m);
        }
    }
#else
#if NCHW && (P == 2 || P == 4)
    /* NCHW, a whole block: a channel's P pixels are consecutive in its plane, one store of P floats a channel (16 a
     * vector of channels, not 16 P scalar ones: the stores had been most of a 1x1 conv of few input channels) */
    if (ox0 + P <= WO) {
#pragma unroll
        for (int v = 0; v < V; v++) {
            const int c0 = co0 + 16 * v;
            if (c0 >= CO) continue;
            float16 o[P];
#pragma unroll
            for (int p = 0; p < P; p++) o[p] = act_apply16(acc[p][v], ACT, ap);
            __global float *yp = y + YAT(orow, ox0, c0);
            const size_t plane = (size_t)HP * WP;
            const int nl = CO - c0;
#if P == 2
#define RUN_STORE(l, s) \
    if (l < nl) vstore2((float2)(o[0].s, o[1].s), 0, yp + l * plane);
#else
#define RUN_STORE(l, s) \
    if (l < nl) vstore4((float4)(o[0].s, o[1].s, o[2].s, o[3].s), 0, yp + l * plane);
#endif
            RUN_STORE(0, s0) RUN_STORE(1, s1) RUN_STORE(2, s2) RUN_STORE(3, s3)
            RUN_STORE(4, s4) RUN_STORE(5, s5) RUN_STORE(6, s6) RUN_STORE(7, s7)
            RUN_STORE(8, s8) RUN_STORE(9, s9) RUN_STORE(10, sa) RUN_STORE(11, sb)
            RUN_STORE(12, sc) RUN_STORE(13, sd) RUN_STORE(14, se) RUN_STORE(15, sf)
#undef RUN_STORE
        }
        return;
    }
#endif
#pragma unroll
    for (int p = 0; p < P; p++) {
#pragma unroll
        for (int v = 0; v < V; v++) {
            const int c0 = co0 + 16 * v;
            if (ox0 + p >= WO || c0 >= CO) continue;
            STORE16(y, orow, ox0 + p, c0, act_apply16(acc[p][v], ACT, ap));
        }
    }
#endif
}
