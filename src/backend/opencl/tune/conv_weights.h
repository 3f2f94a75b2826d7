/* The conv families' weights: HWIO with the output channels padded to 16 ([KH][KW][C][CO16]), shared by the
 * 1x1-GEMM, rows and depthwise kernels, or in blocks of 16 output channels for the blocked kernel (conv_weights.c). */
#ifndef CF_TUNE_CONV_WEIGHTS_H
#define CF_TUNE_CONV_WEIGHTS_H

#include "family.h"

/* packs the layer's kernel (its op's first weight: kernel, or depthwise_kernel) as [rows][CO16]: rows = KH·KW·C, or
 * KH·KW for a depthwise layer */
clinfer_status cf_conv_pack(const struct cf_tune_env *E, int node, int depthwise, struct cf_tuned *t, struct cf_diag *d);

/* packs a (non-depthwise) conv's kernel as [COV / 16][KH·KW·C][16]: each block of 16 output channels one stream, the
 * channels padded with zeros (the bias too) to a multiple of 16·v, so that a work-item's v blocks all exist */
clinfer_status cf_conv_pack_blocks(const struct cf_tune_env *E, int node, int v, struct cf_tuned *t,
                                   struct cf_diag *d);

#endif
