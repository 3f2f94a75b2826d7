/* The device's FP32 peak, measured: independent float16 FMA chains, 2 * 16 * 8 * ITERS flops per work-item. */
#ifndef ITERS
#define ITERS 4096
#endif

__kernel void peak_fma_f32(__global float *out, float a, float b)
{
    float16 x0 = (float16)(get_global_id(0)), x1 = x0 + 1.0f, x2 = x0 + 2.0f, x3 = x0 + 3.0f, x4 = x0 + 4.0f,
            x5 = x0 + 5.0f, x6 = x0 + 6.0f, x7 = x0 + 7.0f;
    for (int i = 0; i < ITERS; i++) {
        x0 = fma(x0, a, b); x1 = fma(x1, a, b); x2 = fma(x2, a, b); x3 = fma(x3, a, b);
        x4 = fma(x4, a, b); x5 = fma(x5, a, b); x6 = fma(x6, a, b); x7 = fma(x7, a, b);
    }
    float16 s = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7));
    out[get_global_id(0)] = s.s0 + s.s5 + s.sa + s.sf;
}
