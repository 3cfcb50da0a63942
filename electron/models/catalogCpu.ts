/**
 * The CPU models of issue 15 in the catalog (catalog.ts), none needing Python; every URL below was read from its
 * publisher's source:
 * - X-AnyLabeling (CVHub520/X-AnyLabeling @87da33999c3d, `anylabeling/configs/auto_labeling/*.yaml` for the
 *   URLs, `docs/en/model_zoo.md` for the sizes): SAM ViT-B (fp32; its int8 comes from AnyLabeling's zip below),
 *   ViT-L (fp32 and int8), ViT-H (int8 only: no fp32 ViT-H encoder is published there), MobileSAM,
 *   EfficientViT-SAM L0/L1. Their encoders are samexporter `--use-preprocess` exports, fed the image resized to
 *   the long side as float32 [H,W,3] (`services/auto_labeling/sam_onnx.py`), or for EfficientViT-SAM the raw
 *   image as uint8 [H,W,3] (`efficientvit_sam.py` SamEncoder); their decoders are Meta's: layout
 *   `preprocess-in-graph`.
 * - EdgeSAM's own ONNX (chongzhou96/EdgeSAM @b53372c0f5fb README "Checkpoints", files of the HF space
 *   chongzhou/EdgeSAM): float32 [1,3,1024,1024] encoder + EdgeSAM's decoder: layout `edgesam`.
 * Left out, with the reason:
 * - SAM-HQ ViT-B: the only published ONNX (X-AnyLabeling v2.0.0 `sam_hq_vit_b_encoder.onnx`) is a
 *   `--use-preprocess` encoder (X-AnyLabeling's `sam_hq.py` encode() feeds it the resized [H,W,3] image and
 *   stacks the block features it returns as separate outputs); the `sam-hq` layout takes an encoder with a
 *   [1,3,S,S] input, and `preprocess-in-graph` (whose matcher would accept the pair: the decoder has Meta's
 *   inputs) feeds no interm_embeddings. Supporting it is layout work, not a catalog entry.
 * - EfficientViT-SAM XL1: mit-han-lab publishes checkpoints and an export script, and ONNX files only as a
 *   Hugging Face folder listing (han-cai/efficientvit-sam, README before @8d60c1c) whose file names no source
 *   states; X-AnyLabeling publishes L0 and L1 only.
 * - X-AnyLabeling's EdgeSAM (v2.2.0): its encoder takes uint8 [1,3,H,W], which the `edgesam` layout does not
 *   match (LAYOUTS.md §4.1); EdgeSAM's own files are listed instead.
 * - AnyLabeling's zips (URLs: vietanhdev/anylabeling @5c15bbf `anylabeling/configs/auto_labeling/models.yaml`;
 *   files on HF vietanhdev/segment-anything-onnx-models), `archive` entries: only the two whose member names,
 *   byte size and sha256 a source states — MergenEnBilge/Katib `src/katib/services/model_downloads.py`
 *   @d3e8d54e58dd pins `mobile_sam_20230629_quant.zip` and `sam_vit_b_01ec64_quant.zip` (members at the zip's
 *   root; the sha256 were computed by Katib's authors from the bytes, not here). Their encoders are the same
 *   samexporter `--use-preprocess` exports (AnyLabeling's `sam_onnx.py` feeds them the resized [H,W,3] image):
 *   layout `preprocess-in-graph`. The other zips' members are stated nowhere; X-AnyLabeling's plain files
 *   serve those models.
 *
 * `gmacs` are counted by native-models/tools/count_macs.py (shapes of the project's PyTorch references, meta
 * device), except EfficientViT-SAM's, the authors' own (compute.ts `PUBLISHED_ENCODER_GMACS`); `quality` ranks published zero-shot COCO instance segmentation mask AP with ViTDet-H boxes as prompts
 * (5: ≥ 45.5, 4: ≥ 43, 3: ≥ 40, 2: ≥ 38; each family's source is at its entries). Quantized (int8) exports have
 * no published benchmark: one step below their fp32 model, as a precaution.
 */
import type { CatalogEntry, CatalogFile } from './catalog.ts';
import { COUNTED_ENCODER_GMACS, PUBLISHED_ENCODER_GMACS, SAM1_DECODER_GMACS } from './compute.ts';

const HF = 'https://huggingface.co';
const XANY = 'https://github.com/CVHub520/X-AnyLabeling/releases/download';
const MB = 1_000_000;

/** A published encoder/decoder pair, saved as encoder.onnx / decoder.onnx (the folder's first known pair). */
function pair(
  encoder: { url: string; approxBytes: number },
  decoder: { url: string; approxBytes: number },
): CatalogFile[] {
  return [
    { path: 'encoder.onnx', url: encoder.url, sha256: null, md5: null, approxBytes: encoder.approxBytes },
    { path: 'decoder.onnx', url: decoder.url, sha256: null, md5: null, approxBytes: decoder.approxBytes },
  ];
}

/**
 * X-AnyLabeling's SAM 1 ONNX pairs (samexporter, `--use-preprocess` encoders): release v0.2.0, URLs from
 * `segment_anything_vit_{b,l}{,_quant}.yaml` / `segment_anything_vit_h_quant.yaml`, sizes from model_zoo.md.
 * SAM's quality: the SAM paper's zero-shot COCO instance segmentation (ViTDet-H boxes) is 46.5 AP for ViT-H;
 * ViT-L is within 0.5 AP of it and ViT-B about 2 AP below (the paper's encoder-size ablation), as in the checkpoint
 * entries.
 */
function xAnySam(
  size: 'b' | 'l' | 'h',
  stem: string,
  quant: boolean,
  encoderMB: number,
  decoderMB: number,
): CatalogEntry {
  const suffix = quant ? '.quant' : '';
  const full = size === 'b' ? 4 : 5;
  return {
    name: `sam-vit-${size}-xany${quant ? '-int8' : ''}`,
    title: `SAM ViT-${size.toUpperCase()}${quant ? ' int8' : ''} (ONNX by X-AnyLabeling; no Python needed)`,
    kind: 'onnx',
    family: 'sam',
    layout: 'preprocess-in-graph',
    files: pair(
      { url: `${XANY}/v0.2.0/${stem}.encoder${suffix}.onnx`, approxBytes: encoderMB * MB },
      { url: `${XANY}/v0.2.0/${stem}.decoder${suffix}.onnx`, approxBytes: decoderMB * MB },
    ),
    source: 'https://github.com/CVHub520/X-AnyLabeling/blob/main/docs/en/model_zoo.md',
    license: 'Apache-2.0',
    gmacs: { encoder: COUNTED_ENCODER_GMACS[`sam-vit-${size}`], decoder: SAM1_DECODER_GMACS },
    quality: (quant ? full - 1 : full) as CatalogEntry['quality'],
  };
}

/** EfficientViT-SAM L0 / L1 as X-AnyLabeling re-exported them (v0.2.4, `efficientvit_sam_l{0,1}_vit_h.yaml`). */
function xAnyEfficientVit(level: 'l0' | 'l1', encoderMB: number): CatalogEntry {
  const stem = `efficientvit_sam_${level}_vit_h`;
  return {
    name: `efficientvit-sam-${level}`,
    title: `EfficientViT-SAM ${level.toUpperCase()} (ONNX by X-AnyLabeling; no Python needed)`,
    kind: 'onnx',
    family: 'sam',
    layout: 'preprocess-in-graph',
    files: pair(
      { url: `${XANY}/v0.2.4/${stem}.encoder.onnx`, approxBytes: encoderMB * MB },
      { url: `${XANY}/v0.2.4/${stem}.decoder.onnx`, approxBytes: 15.63 * MB },
    ),
    source: 'https://github.com/mit-han-lab/efficientvit/tree/master/applications/efficientvit_sam',
    license: 'Apache-2.0',
    gmacs: { encoder: PUBLISHED_ENCODER_GMACS[`efficientvit-sam-${level}`], decoder: SAM1_DECODER_GMACS },
    // mit-han-lab's README table (ViTDet boxes): COCO mask AP 45.7 (L0), 46.2 (L1); LVIS 41.8, 42.1.
    quality: 5,
  };
}

/**
 * EdgeSAM's own ONNX export (encoder `image` [1,3,1024,1024], EdgeSAM decoder; `scripts/export_onnx_model.py`),
 * URLs from chongzhou96/EdgeSAM README @b53372c0f5fb. No size is published: the estimates are 4 bytes per
 * parameter (RepViT-M1 encoder 5.1 M with SAM's neck, decoder 4.1 M). Licence: S-Lab License 1.0
 * (non-commercial use only). Quality: README table, COCO AP with ViTDet-H boxes 42.2 (EdgeSAM), 42.7 (3x).
 */
function edgeSam(variant: '' | '_3x'): CatalogEntry {
  const weights = 'https://huggingface.co/spaces/chongzhou/EdgeSAM/resolve/main/weights';
  return {
    name: `edgesam${variant.replace('_', '-')}`,
    title: `EdgeSAM${variant ? '-3x' : ''} (ONNX by its authors; no Python needed; non-commercial licence)`,
    kind: 'onnx',
    family: 'sam',
    layout: 'edgesam',
    files: pair(
      { url: `${weights}/edge_sam${variant}_encoder.onnx`, approxBytes: 21 * MB },
      { url: `${weights}/edge_sam${variant}_decoder.onnx`, approxBytes: 16 * MB },
    ),
    source: 'https://github.com/chongzhou96/EdgeSAM#checkpoints',
    license: 'S-Lab-1.0 (non-commercial)',
    gmacs: { encoder: COUNTED_ENCODER_GMACS.edgesam, decoder: SAM1_DECODER_GMACS },
    quality: 3,
  };
}

/**
 * One of AnyLabeling's zips (see the module comment): the encoder and decoder members, at the zip's root, become
 * encoder.onnx / decoder.onnx. Quality: int8, one step below the fp32 model (MobileSAM 2, ViT-B 4).
 */
function anyLabelingZip(
  name: string,
  title: string,
  zip: string,
  [encoder, decoder]: readonly [string, string],
  pinned: { sha256: string; bytes: number },
  encoderGmacs: number,
  quality: CatalogEntry['quality'],
): CatalogEntry {
  return {
    name,
    title,
    kind: 'archive',
    family: 'sam',
    layout: 'preprocess-in-graph',
    files: [
      {
        path: zip,
        url: `${HF}/vietanhdev/segment-anything-onnx-models/resolve/main/${zip}`,
        sha256: pinned.sha256,
        md5: null,
        approxBytes: pinned.bytes,
        members: [
          { member: encoder, path: 'encoder.onnx' },
          { member: decoder, path: 'decoder.onnx' },
        ],
      },
    ],
    source: `${HF}/vietanhdev/segment-anything-onnx-models`,
    license: 'Apache-2.0',
    gmacs: { encoder: encoderGmacs, decoder: SAM1_DECODER_GMACS },
    quality,
  };
}

/** The CPU models of issue 15 (see the module comment for the sources and what was left out). */
export const CPU_MODELS: readonly CatalogEntry[] = [
  {
    name: 'mobile-sam',
    title: "MobileSAM (ONNX by X-AnyLabeling, with SAM ViT-H's decoder; no Python needed)",
    kind: 'onnx',
    family: 'sam',
    layout: 'preprocess-in-graph',
    // mobile_sam_vit_h.yaml: MobileSAM's encoder with Meta's ViT-H decoder (fp32; the same size as ViT-B's).
    files: pair(
      { url: `${XANY}/v0.2.0/mobile_sam.encoder.onnx`, approxBytes: 26.85 * MB },
      { url: `${XANY}/v0.2.0/sam_vit_h_4b8939.decoder.onnx`, approxBytes: 15.74 * MB },
    ),
    source: 'https://github.com/ChaoningZhang/MobileSAM',
    license: 'Apache-2.0',
    gmacs: { encoder: COUNTED_ENCODER_GMACS['mobile-sam'], decoder: SAM1_DECODER_GMACS },
    // EdgeSAM's README table (ViTDet-H boxes): MobileSAM 39.4 COCO AP.
    quality: 2,
  },
  edgeSam(''),
  edgeSam('_3x'),
  xAnyEfficientVit('l0', 117.25),
  xAnyEfficientVit('l1', 166.31),
  xAnySam('b', 'sam_vit_b_01ec64', false, 342.58, 15.74),
  anyLabelingZip(
    'mobile-sam-int8',
    'MobileSAM int8 (ONNX by AnyLabeling, one .zip; no Python needed)',
    'mobile_sam_20230629_quant.zip',
    ['mobile_sam.encoder.quant.onnx', 'sam_vit_h_4b8939.decoder.quant.onnx'],
    { sha256: '8a8ee531538541a55fa6fa7efebae121ef33e5c323b3998b48ea9383b37d90aa', bytes: 10_971_233 },
    COUNTED_ENCODER_GMACS['mobile-sam'],
    1,
  ),
  anyLabelingZip(
    'sam-vit-b-int8',
    'SAM ViT-B int8 (ONNX by AnyLabeling, one .zip; no Python needed)',
    'sam_vit_b_01ec64_quant.zip',
    ['sam_vit_b_01ec64.encoder.quant.onnx', 'sam_vit_b_01ec64.decoder.quant.onnx'],
    { sha256: '9d59db12affc009f71c9ddeab8fc833507510883e7f6bc4c0cc6c45e0d4f5862', bytes: 75_377_417 },
    COUNTED_ENCODER_GMACS['sam-vit-b'],
    3,
  ),
  xAnySam('l', 'sam_vit_l_0b3195', false, 1150, 15.74),
  xAnySam('l', 'sam_vit_l_0b3195', true, 317.18, 8.34),
  xAnySam('h', 'sam_vit_h_4b8939', true, 626.4, 8.34),
];
