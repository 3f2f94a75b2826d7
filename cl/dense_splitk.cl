/* Dense at batch 1 as a split-K GEMV over the weights in Keras' layout [CIN][UNITS], used in place: nothing is
 * rearranged or copied at load. Work-item (b, k) multiplies the KC input values from k*KC by the rows of its block of
 * V float16 vectors of units (the units past the last whole vector as scalars), so that it reads KC runs of 64 V
 * contiguous bytes; a block of all the units streams one contiguous piece of the weights. dense_splitk_sum_f32 adds
 * the chunks' partial rows, the bias and the activation; with one chunk, the first kernel does.
 * Sizes are compile-time constants (-D); the #ifndef defaults let the file compile alone. */
#ifndef CIN
#define CIN 64
#define UNITS 20
#define KC 16
#define V 2
#define HAS_BIAS 1
#define ACT 0
#endif

#define NV (UNITS / 16)                   /* whole vectors of units */
#define TAIL (UNITS % 16)                 /* the units after them */
#define NVT (NV + (TAIL > 0))             /* vectors of a partial row, the tail's zero-padded */
#define CHUNKS ((CIN + KC - 1) / KC)

/* part [CHUNKS][NVT * 16] */
__attribute__((reqd_work_group_size(1, 1, 1)))
__kernel void dense_splitk_f32(__global float *A, uint xo, uint yo, __global const float *W, __global const float *B,
                               float4 ap, __global float *part)
{
    const int v0 = get_global_id(0) * V, k0 = get_global_id(1) * KC, k1 = min(k0 + KC, CIN);
    const int tail = TAIL > 0 && v0 + V > NV; /* this block holds the tail */
    __global const float *x = A + xo;
    float16 acc[V];
    float at[TAIL > 0 ? TAIL : 1];
    #pragma unroll
    for (int j = 0; j < V; j++) acc[j] = (float16)0.0f;
    #pragma unroll
    for (int i = 0; i < (TAIL > 0 ? TAIL : 1); i++) at[i] = 0.0f;
    int k = k0;
    for (; k + 4 <= k1; k += 4) { /* four rows per step: four loads of each vector in flight */
        const float4 xv = vload4(0, x + k);
        __global const float *w = W + (size_t)k * UNITS + v0 * 16;
        #pragma unroll
        for (int j = 0; j < V; j++) {
            if (v0 + j >= NV) continue; /* (not break: a loop with a break is not unrolled) */
            float16 a = acc[j];
            a = fma((float16)xv.s0, vload16(j, w), a);
            a = fma((float16)xv.s1, vload16(j, w + UNITS), a);
            a = fma((float16)xv.s2, vload16(j, w + 2 * UNITS), a);
            acc[j] = fma((float16)xv.s3, vload16(j, w + 3 * UNITS), a);
        }
        if (tail) {
            __global const float *wt = W + (size_t)k * UNITS + NV * 16;
            #pragma unroll
            for (int i = 0; i < TAIL; i++)
                at[i] = fma(xv.s3, wt[3 * UNITS + i], fma(xv.s2, wt[2 * UNITS + i], fma(xv.s1, wt[UNITS + i], fma(xv.s0, wt[i], at[i]))));
        }
    }
    for (; k < k1; k++) {
        const float xs = x[k];
        __global const float *w = W + (size_t)k * UNITS + v0 * 16;
        #pragma unroll
        for (int j = 0; j < V; j++) {
            if (v0 + j >= NV) continue;
            acc[j] = fma((float16)xs, vload16(j, w), acc[j]);
        }
        if (tail) {
            #pragma unroll
            for (int i = 0; i < TAIL; i++) at[i] = fma(xs, W[(size_t)k * UNITS + NV * 16 + i], at[i]);
        }
    }
#if CHUNKS == 1
    /* one chunk: the sums are whole; the bias, the activation and the stores here, and no second kernel */
    #pragma unroll
    for (int j = 0; j < V; j++) {
        if (v0 + j >= NV) continue;
        const float16 s = HAS_BIAS ? acc[j] + vload16(v0 + j, B) : acc[j];
        vstore16(act_apply16(s, ACT, ap), v0 + j, A + yo);
    }
    if (tail) {
        #pragma unroll
        for (int i = 0; i < TAIL; i++) A[yo + NV * 16 + i] = act_apply(HAS_BIAS ? at[i] + B[NV * 16 + i] : at[i], ACT, ap);
    }
#else
    __global float *p = part + (size_t)get_global_id(1) * NVT * 16;
    #pragma unroll
    for (int j = 0; j < V; j++) {
        if (v0 + j >= NV) continue;
        vstore16(acc[j], v0 + j, p);
    }
    if (tail) {
        #pragma unroll
        for (int i = 0; i < TAIL; i++) p[NV * 16 + i] = at[i];
    }
#endif
}

/* one work-item per vector of units: the sum over the chunks, the bias, the activation */
__attribute__((reqd_work_group_size(1, 1, 1)))
__kernel void dense_splitk_sum_f32(__global float *A, uint yo, __global const float *B, float4 ap,
                                   __global const float *part)
{
    const int v = get_global_id(0);
    float16 s = (float16)0.0f;
    for (int c = 0; c < CHUNKS; c++) s += vload16(v, part + (size_t)c * NVT * 16);
    if (HAS_BIAS) s += vload16(v, B); /* (the bias buffer is padded to whole vectors) */
    store_lanes(A + yo + v * 16, 1, UNITS - v * 16, act_apply16(s, ACT, ap));
}
