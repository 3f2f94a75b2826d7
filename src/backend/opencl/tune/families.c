/* The family table: every tuned family, in the order the tuner gathers a layer's candidates (a primary family first
 * for its layers, then those that join it). A family is a file of this folder and a row here. */
#include "family.h"

extern const struct cf_family cf_family_blocked, cf_family_dense_tiled, cf_family_depthwise, cf_family_pool_rows,
    cf_family_gemm1x1, cf_family_winograd, cf_family_rows, cf_family_dense_splitk, cf_family_clblast,
    cf_family_gemm_tiled, cf_family_gemv_gpu, cf_family_depthwise_gpu, cf_family_pool_gpu;

const struct cf_family *const cf_families[] = {
    &cf_family_blocked,  &cf_family_dense_tiled, &cf_family_depthwise, &cf_family_pool_rows,   /* primary */
    &cf_family_gemm1x1,  &cf_family_winograd,    &cf_family_rows,      &cf_family_dense_splitk, &cf_family_clblast,
    &cf_family_gemv_gpu, &cf_family_depthwise_gpu, &cf_family_pool_gpu, &cf_family_gemm_tiled, NULL};
