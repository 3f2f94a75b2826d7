/* Conv2D 3x3, stride 1, by Winograd F(2x2, 3x3): each 2x2 output tile is A^T [ (G g G^T) . (B^T d B) ] A, 16
 * multiplies per input channel where the direct form needs 36.
 *
 * Each work-item computes T tiles along a row x V float16 vectors of output channels. The transformed weights
 * U = G g G^T are made once at load, laid out [16][C][CO16] (position r*4+j of the 4x4 tile), so one vector load
 * feeds 16*T multiply-adds. The tile's 4x4 products are reduced one row r of the 4x4 at a time: for each r, the
 * input transform's row r needs two input rows (B^T has two non-zeros a row), its 4 products per tile are summed
 * over C, and the output transform folds them in (A^T's column r) before the next r. So only 4*T*V vectors are live
 * in the channel loop, where all 16 would not fit in registers. Activations NHWC, or NCHW with -DNCHW=1. Built as its
 * own program with common.cl; sizes as in conv2d_blocked.cl (-D constants, or the shape
 * class's `sz`). */
#ifndef P
#define P 2
#define V 1
#define H 8
#define W 8
#define C 4
#define HO 8
#define WO 8
#define CO 16
#define CO16 16
#define PT 1
#define PL 1
#define HAS_BIAS 1
#define ACT 0
#endif
#ifndef NCHW
#define NCHW 0
#endif
#define T P /* tiles per work-item: the tuner's P */
#define TH ((HO + 1) / 2)
#define COLS (2 * T + 2) /* input columns a block of T tiles reads */

#if NCHW
#define XAT(iy, ix, ci) (((size_t)(ci) * H + (iy)) * W + (ix))
#define YAT(oy, ox, co) (((size_t)(co) * HO + (oy)) * WO + (ox))
#define CSTEP ((size_t)H * W)
#else
#define XAT(iy, ix, ci) (((size_t)(iy) * W + (ix)) * C + (ci))
#define YAT(oy, ox, co) (((size_t)(oy) * WO + (ox)) * CO + (co))
#define CSTEP ((size_t)1)
#endif

/* row r of B^T d B for every tile, summed over the channels into m: s = d[ra] + sg * d[rb] across the block's
 * columns, then (s[0] - s[2], s[1] + s[2], s[2] - s[1], s[1] - s[3]) within each tile. At an edge the loads are
 * clamped inside the image and replaced by 0 (a select: 0 * NaN would be NaN). */
#define TILE_ROW(MASKED)                                                                                              \
    for (int ci = 0; ci < C; ci++) {                                                                                  \
        float s[COLS];                                                                                                \
        _Pragma("unroll") for (int c = 0; c < COLS; c++)                                                              \
        {                                                                                                             \
            const float a = xa[offa[c] + ci * CSTEP], b = xb[offb[c] + ci * CSTEP];                                   \
            s[c] = MASKED ? (ma[c] ? a : 0.0f) + sg * (mb[c] ? b : 0.0f) : a + sg * b;                                \
        }                                                                                                             \
        __global const float *up = U + ((size_t)(r * 4) * C + ci) * CO16 + co0;                                       \
        _Pragma("unroll") for (int j = 0; j < 4; j++)                                                                 \
        {                                                                                                             \
            float16 w[V];                                                                                             \
            _Pragma("unroll") for (int v = 0; v < V; v++) w[v] = vload16(0, up + (size_t)j * C * CO16 + 16 * v);      \
            _Pragma("unroll") for (int t = 0; t < T; t++)                                                             \
            {                                                                                                         \
                const float e = j == 0 ? s[2 * t] - s[2 * t + 2]                                                      \
                                : j == 1 ? s[2 * t + 1] + s[2 * t + 2]                                                \
                                : j == 2 ? s[2 * t + 2] - s[2 * t + 1]                                                \
                                         : s[2 * t + 1] - s[2 * t + 3];                                               \
                const float16 ev = (float16)e;                                                                        \
                _Pragma("unroll") for (int v = 0; v < V; v++) m[t][j][v] = fma(ev, w[v], m[t][j][v]);                 \
            }                                                                                                         \
        }                                                                                                             \
    }

__attribute__((reqd_work_group_size(1, 1, 1)))
__kernel void winograd_f23_f32(__global float *A, uint xo, uint yo, __global const float *U, __global const float *B,
                               float4 ap, int rows SZ_ARG)
{
    const int cb = get_global_id(0), tb = get_global_id(1), nt = get_global_id(2);
    const int n = nt / TH, ty = nt % TH, tx0 = tb * T, co0 = cb * 16 * V;
    __global const float *x = A + xo + (size_t)n * H * W * C;
    __global float *y = A + yo + (size_t)n * HO * WO * CO;
    const int iy0 = 2 * ty - PT, ix0 = 2 * tx0 - PL;
    const int cols_in = ix0 >= 0 && ix0 + COLS - 1 < W;
    /* y[t][i*2+k][v]: the 2x2 outputs of each tile */
    float16 acc[T][4][V];
#pragma unroll
    for (int t = 0; t < T; t++)
#pragma unroll
        for (int q = 0; q < 4; q++)
#pragma unroll
            for (int v = 0; v < V; v++) acc[t][q][v] = (float16)0.0f;
#pragma unroll
    for (int r = 0; r < 4; r++) {
        /* B^T's row r: d[ra] + sg * d[rb] */
        const int ra = r == 0 ? 0 : r == 1 ? 1 : r == 2 ? 2 : 1, rb = r == 0 ? 2 : r == 1 ? 2 : r == 2 ? 1 : 3;
        const float sg = r == 1 ? 1.0f : -1.0f;
        const int iya = iy0 + ra, iyb = iy0 + rb;
        const int rin_a = iya >= 0 && iya < H, rin_b = iyb >= 0 && iyb < H;
        __global const float *xa = x + XAT(rin_a ? iya : 0, 0, 0), *xb = x + XAT(rin_b ? iyb : 0, 0, 0);
        size_t offa[COLS], offb[COLS];
        int ma[COLS], mb[COLS];
#pragma unroll
        for (int c = 0; c < COLS; c++) {
            const int ix = ix0 + c, cin = ix >= 0 && ix < W;
            offa[c] = offb[c] = XAT(0, cin ? ix : 0, 0);
            ma[c] = cin && rin_a;
            mb[c] = cin && rin_b;
        }
        float16 m[T][4][V];
#pragma unroll
        for (int t = 0; t < T; t++)
#pragma unroll
            for (int j = 0; j < 4; j++)
#pragma unroll
                for (int v = 0; v < V; v++) m[t][j][v] = (float16)0.0f;
        if (cols_in && rin_a && rin_b) {
            TILE_ROW(0)
        } else {
            TILE_ROW(1)
        }
        /* the output transform's share of row r: (m0 + m1 + m2, m1 - m2 - m3), into output row 0 (r < 3) with
         * sign +, and into output row 1 (r > 0) with sign +, -, - for r = 1, 2, 3 */
#pragma unroll
        for (int t = 0; t < T; t++)
#pragma unroll
            for (int v = 0; v < V; v++) {
                const float16 k0 = m[t][0][v] + m[t][1][v] + m[t][2][v], k1 = m[t][1][v] - m[t][2][v] - m[t][3][v];
                if (r < 3) {
                    acc[t][0][v] += k0;
                    acc[t][1][v] += k1;
                }
                if (r == 1) {
                    acc[t][2][v] += k0;
                    acc[t][3][v] += k1;
                } else if (r > 1) {
                    acc[t][2][v] -= k0;
                    acc[t][3][v] -= k1;
                }
            }
    }
#pragma unroll
    for (int v = 0; v < V; v++) {
        const int c0 = co0 + 16 * v;
        if (c0 >= CO) continue;
        const float16 b = HAS_BIAS ? vload16(0, B + c0) : (float16)0.0f;
#pragma unroll
        for (int t = 0; t < T; t++)
#pragma unroll
            for (int q = 0; q < 4; q++) {
                const int oy = 2 * ty + q / 2, ox = 2 * (tx0 + t) + q % 2;
                if (oy < HO && ox < WO) STORE16(y, oy, ox, c0, act_apply16(acc[t][q][v] + b, ACT, ap));
            }
    }
}
