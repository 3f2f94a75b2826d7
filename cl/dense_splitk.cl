/* Dense at batch 1 as a split-K GEMV over the weights in Keras' layout [CIN][UNITS], used in place: nothing is
 * rearranged or copied at load. Work-item (b, k) multiplies the KC input values from k*KC by the rows of its block of
 * V float16 vectors of units (the units past the last whole vector as scalars), so that it reads KC runs of 64 V
 * contiguous bytes; a block of all the units reads one contiguous piece of the weights, as STREAMS streams side by
 * side. dense_splitk_sum_f32 adds the chunks' partial rows, the bias and the activation; with one chunk, the first
 * kernel does.
 * A shape class (tune/dense_splitk.c): CIN and UNITS arrive in `sz` (cl/common.cl), so that the dense layers of a
 * network share one program (AlexNet's three built one each: ~25 s apiece on PoCL); KC, V, the bias and the
 * activation are -D constants. The #ifndef defaults let the file compile alone. */
#ifndef KC
#define KC 16
#define V 2
#define HAS_BIAS 1
#define ACT 0
#endif
#ifndef CIN
#define CIN 64
#define UNITS 20
#endif

#define NV (UNITS / 16)                   /* whole vectors of units */
#define TAIL (UNITS % 16)                 /* the units after them (0-15) */
#define NVT (NV + (TAIL > 0))             /* vectors of a partial row, the tail's zero-padded */
#define CHUNKS ((CIN + KC - 1) / KC)
#define STREAMS 16
#define SG 4 /* streams a step */

/* part [CHUNKS][NVT * 16] */
__attribute__((reqd_work_group_size(1, 1, 1)))
__kernel void dense_splitk_f32(__global float *A, uint xo, uint yo, __global const float *WGT, __global const float *B,
                               float4 ap, int rows SZ_ARG, __global float *part)
{
    const int v0 = get_global_id(0) * V, k0 = get_global_id(1) * KC, k1 = min(k0 + KC, CIN);
    const int tail = TAIL > 0 && v0 + V > NV; /* this block holds the tail */
    __global const float *x = A + xo;
    float16 acc[V];
    float at[15]; /* (the tail's units: the loops over them unrolled to 15 and cut at TAIL keep them in registers) */
    #pragma unroll
    for (int j = 0; j < V; j++) acc[j] = (float16)0.0f;
    #pragma unroll
    for (int i = 0; i < 15; i++) at[i] = 0.0f;
    /* the chunk's rows as STREAMS runs read side by side: row k of each run per step. A CPU core keeps more reads in
     * flight for several streams than for one: 38 MB took 1.52 ms as one stream, 1.00 ms as 16 (interleaved runs
     * of both, one process); 4 and 8 streams were between, 32 slower than 16 */
    const int q = (k1 - k0) / STREAMS; /* rows per run */
    const size_t sd = (size_t)q * UNITS; /* the runs' distance */
    for (int k = k0; k < k0 + q; k++) {
        /* the streams SG at a time, in a loop the compiler keeps: with all sixteen unrolled beside the vectors (V x
         * STREAMS vector FMAs) the program took 15 s to build on PoCL, 10 s at SG 4 (as fast: alternated runs of
         * Dense 18496->512 and 9216->4096, 1.00x), 5 s at SG 2 (1.13-1.23x slower). Each accumulator sums its rows
         * in the same order. */
        #pragma nounroll
        for (int s0 = 0; s0 < STREAMS; s0 += SG) {
            __global const float *w = WGT + (size_t)k * UNITS + s0 * sd + v0 * 16;
            #pragma unroll
            for (int j = 0; j < V; j++) {
                if (v0 + j >= NV) continue; /* (not break: a loop with a break is not unrolled) */
                float16 a = acc[j];
                #pragma unroll
                for (int s = 0; s < SG; s++) a = fma((float16)x[k + (s0 + s) * q], vload16(j, w + s * sd), a);
                acc[j] = a;
            }
            if (tail) {
                __global const float *wt = w + (NV - v0) * 16;
                #pragma nounroll
                for (int i = 0; i < TAIL; i++) {
                    float a = at[i];
                    #pragma unroll
                    for (int s = 0; s < SG; s++) a = fma(x[k + (s0 + s) * q], wt[s * sd + i], a);
                    at[i] = a;
                }
            }
        }
    }
    for (int k = k0 + STREAMS * q; k < k1; k++) { /* the rows after the runs */
        const float xs = x[k];
        __global const float *w = WGT + (size_t)k * UNITS + v0 * 16;
        #pragma unroll
        for (int j = 0; j < V; j++) {
            if (v0 + j >= NV) continue;
            acc[j] = fma((float16)xs, vload16(j, w), acc[j]);
        }
        if (tail) {
            #pragma unroll
            for (int i = 0; i < 15; i++) {
                if (i >= TAIL) continue;
                at[i] = fma(xs, WGT[(size_t)k * UNITS + NV * 16 + i], at[i]);
            }
        }
    }
    if (CHUNKS == 1) {
        /* one chunk: the sums are whole; the bias, the activation and the stores here, and no second kernel */
        #pragma unroll
        for (int j = 0; j < V; j++) {
            if (v0 + j >= NV) continue;
            const float16 s = HAS_BIAS ? acc[j] + vload16(v0 + j, B) : acc[j];
            vstore16(act_apply16(s, ACT, ap), v0 + j, A + yo);
        }
        if (tail) {
            #pragma unroll
            for (int i = 0; i < 15; i++) {
                if (i >= TAIL) continue;
                A[yo + NV * 16 + i] = act_apply(HAS_BIAS ? at[i] + B[NV * 16 + i] : at[i], ACT, ap);
            }
        }
        return;
    }
    __global float *p = part + (size_t)get_global_id(1) * NVT * 16;
    #pragma unroll
    for (int j = 0; j < V; j++) {
        if (v0 + j >= NV) continue;
        vstore16(acc[j], v0 + j, p);
    }
    if (tail) {
        #pragma unroll
        for (int i = 0; i < 15; i++) {
            if (i >= TAIL) continue;
            p[NV * 16 + i] = at[i];
        }
    }
}

/* one work-item per vector of units: the sum over the chunks, the bias, the activation */
__attribute__((reqd_work_group_size(1, 1, 1)))
__kernel void dense_splitk_sum_f32(__global float *A, uint yo, __global const float *B, float4 ap,
                                   __global const float *part SZ_ARG)
{
    const int v = get_global_id(0);
    float16 s = (float16)0.0f;
    for (int c = 0; c < CHUNKS; c++) s += vload16(v, part + (size_t)c * NVT * 16);
    if (HAS_BIAS) s += vload16(v, B); /* (the bias buffer is padded to whole vectors) */
    store_lanes(A + yo + v * 16, 1, UNITS - v * 16, act_apply16(s, ACT, ap));
}
