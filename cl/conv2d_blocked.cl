/* Conv2D, register-blocked: each work-item computes P output pixels of one row x V float16 vectors of output
 * channels, so one vector load of weights feeds 16*P multiply-adds. Activations NHWC, or NCHW with -DNCHW=1. Weights [KH][KW][C][CO16] (CO padded
 * to a multiple of 16 at load), bias [CO16]. Every size is a compile-time constant (-D), chosen per layer by
 * timing; the #ifndef defaults let the file compile alone. Built as its own program with common.cl. */
#ifndef P
#define P 4
#define V 1
#define N 1
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
#if NCHW
#define XAT(iy, ix, ci) (((size_t)(ci) * H + (iy)) * W + (ix))
#define YAT(oy, ox, co) (((size_t)(co) * HO + (oy)) * WO + (ox))
#else
#define XAT(iy, ix, ci) (((size_t)(iy) * W + (ix)) * C + (ci))
#define YAT(oy, ox, co) (((size_t)(oy) * WO + (ox)) * CO + (co))
#endif

__attribute__((reqd_work_group_size(1, 1, 1)))
__kernel void conv2d_blocked_f32(__global float *A, uint xo, uint yo, __global const float *K, __global const float *B,
                                 float4 ap)
{
    const int cb = get_global_id(0), xb = get_global_id(1), ny = get_global_id(2);
    const int n = ny / HO, oy = ny % HO, ox0 = xb * P, co0 = cb * 16 * V;
    __global const float *x = A + xo + (size_t)n * H * W * C;
    float16 acc[P][V];
    for (int v = 0; v < V; v++) {
        float16 b = HAS_BIAS ? vload16(0, B + co0 + 16 * v) : (float16)0.0f;
        for (int p = 0; p < P; p++) acc[p][v] = b;
    }
    for (int ky = 0; ky < KH; ky++) {
        const int iy = oy * SH + ky * DH - PT;
        if (iy < 0 || iy >= H) continue;
        for (int kx = 0; kx < KW; kx++) {
            __global const float *kp = K + (size_t)((ky * KW + kx) * C) * CO16 + co0;
            /* per pixel: where its input starts, and 0 or 1 for pixels in the padding (no branch in the loop) */
            __global const float *xp[P];
            float mask[P];
            for (int p = 0; p < P; p++) {
                const int ix = (ox0 + p) * SW + kx * DW - PL;
                const int in = ix >= 0 && ix < W && ox0 + p < WO;
                mask[p] = in ? 1.0f : 0.0f;
                xp[p] = x + XAT(iy, in ? ix : 0, 0);
            }
            for (int ci = 0; ci < C; ci++) {
                float16 w[V];
                for (int v = 0; v < V; v++) w[v] = vload16(0, kp + (size_t)ci * CO16 + 16 * v);
                for (int p = 0; p < P; p++) {
                    const float16 xv = (float16)(xp[p][(size_t)ci * XAT(0, 0, 1)] * mask[p]);
                    for (int v = 0; v < V; v++) acc[p][v] = fma(xv, w[v], acc[p][v]);
                }
            }
        }
    }
    __global float *y = A + yo + (size_t)n * HO * WO * CO;
    for (int p = 0; p < P; p++) {
        if (ox0 + p >= WO) break;
        for (int v = 0; v < V; v++) {
            float r[16];
            vstore16(acc[p][v], 0, r);
            for (int k = 0; k < 16; k++) {
                const int co = co0 + 16 * v + k;
                if (co < CO) y[YAT(oy, ox0 + p, co)] = act_apply(r[k], ACT, ap);
            }
        }
    }
}
