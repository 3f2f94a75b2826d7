/* Convolution (any window, stride, dilation and groups, NHWC or NCHW) and Dense as one GEMM shaped for GPUs: C[M][N]
 * = A[M][K] · B[K][N] with M the output pixels of every image (a dense layer's rows), N a group's output channels,
 * K = KH·KW·(C / G) (a dense layer's inputs), A read through the window as it is needed (an implicit GEMM: no im2col)
 * and B the weights [K][CO16] (HWIO, the output channels padded to 16). A work-group computes a T x T tile of C:
 * (T / R) x (T / R) work-items, each R x R outputs strided by the work-group's width (neighbouring work-items write
 * neighbouring channels), staging TK x T tiles of A and of B in local memory between barriers. Bias, activation and
 * a fused POOL x POOL max pool in the epilogue (each pooled pixel's window computed in turn and its maximum kept).
 * The layer's sizes and T, R are -D constants; the batch is the run-time `rows`, so one program serves every batch.
 * Every edge is guarded: the global size is whole work-groups. */
#ifndef T
#define T 32
#define R 4
#endif
#ifndef TK
#define TK 16
#endif
#define LT (T / R) /* work-items along each side of the work-group */
#ifdef CIN          /* a dense layer: a 1x1 "convolution" of rows x 1 x 1 pixels */
#define NCHW 0
#define H 1
#define W 1
#define C CIN
#define HO 1
#define WO 1
#define CO UNITS
#define KH 1
#define KW 1
#define SH 1
#define SW 1
#define DH 1
#define DW 1
#define PT 0
#define PL 0
#define POOL 1
#define HP 1
#define WP 1
#endif
#ifndef G
#define G 1
#endif
#ifndef POOL
#define POOL 1
#endif
#ifndef HP
#define HP HO
#define WP WO
#endif
#define CG (C / G)   /* a group's input channels */
#define COG (CO / G) /* ... and output channels */
#define KK (KH * KW * CG)
#define CO16P ((CO + 15) / 16 * 16)
#if NCHW
#define XAT(n, iy, ix, ci) ((((size_t)(n) * C + (ci)) * H + (iy)) * W + (ix))
#define YAT(n, oy, ox, co) ((((size_t)(n) * CO + (co)) * HP + (oy)) * WP + (ox))
#else
#define XAT(n, iy, ix, ci) ((((size_t)(n) * H + (iy)) * W + (ix)) * C + (ci))
#define YAT(n, oy, ox, co) ((((size_t)(n) * HP + (oy)) * WP + (ox)) * CO + (co))
#endif

__attribute__((reqd_work_group_size(LT, LT, 1)))
__kernel void gemm_tiled_f32(__global float *A, uint xo, uint yo, __global const float *K, __global const float *B,
                             float4 ap, int rows)
{
    __local float As[TK][T], Bs[TK][T];
    const int tx = get_local_id(0), ty = get_local_id(1), tid = ty * LT + tx;
    const int n0 = get_group_id(0) * T, m0 = get_group_id(1) * T, g = get_global_id(2);
    const int MR = rows * HP * WP; /* the GEMM's rows: every image's pixels */
    __global const float *x = A + xo;
    __global float *y = A + yo;
    float best[R][R];
    for (int q = 0; q < POOL * POOL; q++) { /* a pooled pixel's window, one conv pixel at a time */
        float acc[R][R];
        for (int i = 0; i < R; i++)
            for (int j = 0; j < R; j++) acc[i][j] = 0.0f;
        for (int k0 = 0; k0 < KK; k0 += TK) {
            /* A's tile: TK inputs of T pixels, the inputs fastest (NHWC: neighbouring channels) */
            for (int l = tid; l < TK * T; l += LT * LT) {
                const int mm = l / TK, kk = l % TK, m = m0 + mm, k = k0 + kk;
                float v = 0.0f;
                if (m < MR && k < KK) {
                    const int n = m / (HP * WP), p = m % (HP * WP);
                    const int oy = (p / WP) * POOL + q / POOL, ox = (p % WP) * POOL + q % POOL;
                    const int ci = k % CG, kx = (k / CG) % KW, ky = k / (CG * KW);
                    const int iy = oy * SH + ky * DH - PT, ix = ox * SW + kx * DW - PL;
                    if (iy >= 0 && iy < H && ix >= 0 && ix < W) v = x[XAT(n, iy, ix, g * CG + ci)];
                }
                As[kk][mm] = v;
            }
            /* B's tile: TK rows of T channels, the channels fastest */
            for (int l = tid; l < TK * T; l += LT * LT) {
                const int kk = l / T, nn = l % T, k = k0 + kk, co = n0 + nn;
                Bs[kk][nn] = k < KK && co < COG ? K[(size_t)k * CO16P + g * COG + co] : 0.0f;
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            for (int kk = 0; kk < TK; kk++) {
                float a[R], b[R];
                for (int i = 0; i < R; i++) a[i] = As[kk][ty + i * LT];
                for (int j = 0; j < R; j++) b[j] = Bs[kk][tx + j * LT];
                for (int i = 0; i < R; i++)
                    for (int j = 0; j < R; j++) acc[i][j] = fma(a[i], b[j], acc[i][j]);
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        for (int i = 0; i < R; i++)
            for (int j = 0; j < R; j++) {
                const int co = n0 + tx + j * LT;
                const float b = HAS_BIAS && co < COG ? B[g * COG + co] : 0.0f;
                const float v = act_apply(acc[i][j] + b, ACT, ap);
                best[i][j] = q == 0 ? v : MAX_NAN(best[i][j], v);
            }
    }
    for (int i = 0; i < R; i++) {
        const int m = m0 + ty + i * LT;
        if (m >= MR) continue;
        const int n = m / (HP * WP), p = m % (HP * WP);
        for (int j = 0; j < R; j++) {
            const int co = n0 + tx + j * LT;
            if (co < COG) y[YAT(n, p / WP, p % WP, g * COG + co)] = best[i][j];
        }
    }
}
