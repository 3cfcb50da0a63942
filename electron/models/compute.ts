/**
 * Compute per model architecture (issue 15): multiply-accumulates of one encode and of one click, counted by
 * native-models/tools/count_macs.py on the project's PyTorch references (tests/integration/models/
 * catalogCompute.test.ts reruns it and compares). The catalog's `gmacs` fields take their values from here.
 */

/**
 * Meta's SAM 1 decoder, one click (a point and the padding point, four tokens at low resolution): the two-way
 * transformer's image-side projections and the two transposed convolutions dominate. Counted by count_macs.py;
 * the same for every SAM 1 encoder, and for SAM 2's decoder (its high-resolution skips are convolved at encode).
 */
export const SAM1_DECODER_GMACS = 1.82;
/**
 * Encode GMACs counted by native-models/tools/count_macs.py (1024² input; EfficientViT-SAM L0/L1 at 512²), by
 * its architecture names; tests/integration/models/catalogCompute.test.ts reruns it and compares.
 */
export const COUNTED_ENCODER_GMACS = {
  'sam-vit-b': 486.04,
  'sam-vit-l': 1492.84,
  'sam-vit-h': 2980.54,
  // TinyViT-5M as MobileSAM builds it; MobileSAM's paper and EdgeSAM's README give 38.2 G.
  'mobile-sam': 38.77,
  // The reference's EfficientViT stages are MBConv where mit-han-lab's L-series use fused MBConv and a lighter
  // neck, so these exceed the published 35 G (L0) and 49 G (L1) MACs about 2.5-3×.
  'efficientvit-sam-l0': 86.69,
  'efficientvit-sam-l1': 144.66,
  // RepViT-M1 (EdgeSAM's m1_cfgs); EdgeSAM's README gives 22.1 GFLOPs for encoder and decoder together.
  edgesam: 20.05,
  'sam2.1-hiera-tiny': 146.2,
  'sam2.1-hiera-small': 180.04,
  'sam2.1-hiera-base-plus': 323.38,
  'sam2.1-hiera-large': 911.41,
} as const;

/**
 * Where the project's reference of an architecture is simpler than the published model, the speed estimate uses
 * the authors' own count: mit-han-lab's EfficientViT-SAM table gives 35 G (L0) and 49 G (L1) MACs at 512², where
 * the reference above counts 2.5-3× that (its stages are plain MBConv).
 */
export const PUBLISHED_ENCODER_GMACS = {
  'efficientvit-sam-l0': 35,
  'efficientvit-sam-l1': 49,
} as const;
