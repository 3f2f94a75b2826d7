/* Dense at 1-7 rows shaped for GPUs: a split-K GEMV on the Keras weights [CIN][UNITS] as they are. A work-group of
 * 64 x 4 work-items takes 64 units and one chunk of KC inputs: neighbouring work-items read neighbouring weights (one
 * coalesced row of 64 a step), the 4 lanes of a unit take every fourth input of the chunk and are summed in local
 * memory; the chunks' partial rows go to `part` [CHUNKS][rows][UNITS], and gemv_gpu_sum_f32 adds them, the bias and
 * the activation. Many work-groups share a layer (units / 64 x chunks x rows), so a large layer reads its weights at
 * close to the memory's bandwidth. Sizes are -D constants but the rows; the #ifndef defaults let the file compile. */
#ifndef CIN
#define CIN 64
#define UNITS 20
#define HAS_BIAS 1
#define ACT 0
#endif
#ifndef KC
#define KC 256
#endif
#define LU 64
#define LK 4
#define CHUNKS ((CIN + KC - 1) / KC)

__attribute__((reqd_work_group_size(LU, LK, 1)))
__kernel void gemv_gpu_f32(__global float *A, uint xo, uint yo, __global const float *W, __global const float *B,
                           float4 ap, int rows, __global float *part)
{
    __local float sums[LK][LU];
    const int lx = get_local_id(0), ly = get_local_id(1);
    const int u = get_group_id(0) * LU + lx, chunk = get_group_id(1), r = get_global_id(2);
    const int k0 = chunk * KC, k1 = min(k0 + KC, CIN);
    __global const float *x = A + xo + (size_t)r * CIN;
    float acc = 0.0f;
    if (u < UNITS)
        for (int k = k0 + ly; k < k1; k += LK) acc = fma(x[k], W[(size_t)k * UNITS + u], acc);
    sums[ly][lx] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    if (ly == 0 && u < UNITS) part[((size_t)chunk * rows + r) * UNITS + u] = sums[0][lx] + sums[1][lx] + sums[2][lx] + sums[3][lx];
}

__kernel void gemv_gpu_sum_f32(__global float *A, uint yo, __global const float *B, float4 ap, int rows,
                               __global const float *part)
{
    const int i = get_global_id(0);
    if (i >= rows * UNITS) return;
    const int u = i % UNITS;
    float s = HAS_BIAS ? B[u] : 0.0f;
    for (int c = 0; c < CHUNKS; c++) s += part[(size_t)c * rows * UNITS + i];
    A[yo + i] = act_apply(s, ACT, ap);
}
