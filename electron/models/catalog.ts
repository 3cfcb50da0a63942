/**
 * Models `sam-annotate models download NAME` knows where to get.
 *
 * Three kinds: `checkpoint` entries download Meta's PyTorch checkpoint and convert it here with the project's
 * converter (native-models/export.py for SAM 1, export_sam2.py for SAM 2.1; needs Python with torch and onnx);
 * `onnx` entries download a published ONNX pair that opens as is (LAYOUTS.md); `archive` entries download one
 * .zip and extract the listed members (archive.ts).
 *
 * The CPU models (issue 15), none needing Python; every URL below was read from its publisher's source:
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
 * device); `quality` ranks published zero-shot COCO instance segmentation mask AP with ViTDet-H boxes as prompts
 * (5: ≥ 45.5, 4: ≥ 43, 3: ≥ 40, 2: ≥ 38; each family's source is at its entries). Quantized (int8) exports have
 * no published benchmark: one step below their fp32 model, as a precaution.
 *
 * SAM 2.1 (issue 14): Meta's checkpoint URLs are those of facebookresearch/sam2 checkpoints/download_ckpts.sh
 * (@2b90b9f); no checksum is published for them. The ONNX pairs are X-AnyLabeling's release v2.5.0 files, layout A
 * (samexporter; /work/shared/reference/sam2-layouts.md §1.2), renamed to encoder.onnx / decoder.onnx in the
 * folder; no checksum is known. No byte size is published for either: the sizes below are estimates, 4 bytes per
 * parameter of Meta's published counts (38.9 M, 46 M, 80.8 M, 224.4 M; the decoder 5.1 M), for the listing only.
 *
 * Checksums: this catalog was written on a machine without internet access, so no digest below was computed from
 * the real files here. Meta's checkpoint names end in the first six hex digits of their MD5
 * (`sam_vit_b_01ec64.pth`); the full MD5s below are the ones many public download scripts check, consistent with
 * those prefixes, and the download verifies them. No sha256 is known for any entry, and the transformers.js
 * exports have no checksum at all: they are downloaded unverified (the CLI says so) and only checked by opening
 * the folder. Pass `--sha256 HEX` (repeatable, one per file in order) to verify a download yourself.
 */
import { LAYOUTS, type LayoutKind } from '../inference/layouts/registry.ts';
import { type ArchiveMember, unsafeFolderPathReason, unsafePathReason } from './archive.ts';
import type { ModelType } from './families.ts';

/** Layouts of the catalog's files: the registry's kinds (electron/inference/layouts/registry.ts). */
export type CatalogLayout = LayoutKind;

export interface CatalogFile {
  /** Path inside the model folder (or the checkpoint's or archive's file name in the staging folder). */
  readonly path: string;
  readonly url: string;
  /** Expected sha256, or null when none is known (see above). */
  readonly sha256: string | null;
  /** Expected MD5, from public sources (see above), or null. */
  readonly md5: string | null;
  /** Approximate size, for the listing. */
  readonly approxBytes: number;
  /** An archive entry's file: the members to extract (name in the .zip → path in the model folder). */
  readonly members?: readonly ArchiveMember[];
}

export interface CatalogEntry {
  readonly name: string;
  readonly title: string;
  readonly kind: 'checkpoint' | 'onnx' | 'archive';
  /** What the manifest of the installed model says: 'sam' (SAM 1) or 'sam2.1'. */
  readonly family: 'sam' | 'sam2.1';
  /** For checkpoints: the converter's --type (families.ts routes it to export.py or export_sam2.py). */
  readonly modelType?: ModelType;
  readonly layout: CatalogLayout;
  readonly files: readonly CatalogFile[];
  readonly source: string;
  readonly license: string;
  /**
   * Multiply-accumulates (billions) of one encode at the model's input size and of one click (one prompt set, the
   * decoder's candidates at low resolution): the speed estimate scales this machine's measured throughput by them
   * (issue 15). Counted on the project's PyTorch reference of the architecture where it has one.
   */
  readonly gmacs: { readonly encoder: number; readonly decoder: number };
  /**
   * Relative mask quality, 1 (rough) to 5 (best), from the published zero-shot benchmarks of the family (each
   * family's comment says which): the recommendation's "most accurate" picks the highest that this machine runs
   * at a usable speed.
   */
  readonly quality: 1 | 2 | 3 | 4 | 5;
}

const META = 'https://dl.fbaipublicfiles.com/segment_anything';
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
const HF = 'https://huggingface.co';

function metaCheckpoint(
  name: string,
  type: 'vit_b' | 'vit_l' | 'vit_h',
  file: string,
  md5: string,
  approxBytes: number,
  encoderGmacs: number,
): CatalogEntry {
  if (!file.includes(`_${md5.slice(0, 6)}.pth`)) throw new Error(`catalog: ${file} does not carry ${md5}`);
  return {
    name,
    title: `Meta SAM ${type.replace('vit_', 'ViT-').toUpperCase().replace('VIT', 'ViT')} (official checkpoint, converted here)`,
    kind: 'checkpoint',
    family: 'sam',
    modelType: type,
    layout: 'sam-annotate',
    files: [{ path: file, url: `${META}/${file}`, sha256: null, md5, approxBytes }],
    source: 'https://github.com/facebookresearch/segment-anything#model-checkpoints',
    license: 'Apache-2.0',
    gmacs: { encoder: encoderGmacs, decoder: SAM1_DECODER_GMACS },
    quality: type === 'vit_b' ? 4 : 5,
  };
}

function transformersJs(
  name: string,
  repo: string,
  title: string,
  encoderBytes: number,
  encoderGmacs: number,
  quality: CatalogEntry['quality'],
): CatalogEntry {
  const file = (p: string, approxBytes: number): CatalogFile => ({
    path: p,
    url: `${HF}/${repo}/resolve/main/${p}`,
    sha256: null,
    md5: null,
    approxBytes,
  });
  return {
    name,
    title,
    kind: 'onnx',
    family: 'sam',
    layout: 'transformers.js',
    files: [
      file('onnx/vision_encoder.onnx', encoderBytes),
      file('onnx/prompt_encoder_mask_decoder.onnx', 16_500_000),
    ],
    source: `${HF}/${repo}`,
    license: 'Apache-2.0',
    gmacs: { encoder: encoderGmacs, decoder: SAM1_DECODER_GMACS },
    quality,
  };
}

const META_SAM2 = 'https://dl.fbaipublicfiles.com/segment_anything_2/092824';
const XANYLABELING = 'https://github.com/CVHub520/X-AnyLabeling/releases/download/v2.5.0';
const SAM2_DECODER_BYTES = 5_113_695 * 4;
/** SAM 2's decoder, one click: counted by count_macs.py (the skips' convolutions run at encode). */
const SAM2_DECODER_GMACS = 1.82;

/** One SAM 2.1 size: Meta's checkpoint (converted here) and X-AnyLabeling's layout-A ONNX pair (no Python). */
function sam21(
  size: 'tiny' | 'small' | 'base_plus' | 'large',
  type: ModelType,
  label: string,
  params: number,
  encoderGmacs: number,
  quality: CatalogEntry['quality'],
): CatalogEntry[] {
  const common = {
    family: 'sam2.1',
    source: 'https://github.com/facebookresearch/sam2',
    license: 'Apache-2.0',
    gmacs: { encoder: encoderGmacs, decoder: SAM2_DECODER_GMACS },
    quality,
  } as const;
  const stem = `sam2.1_hiera_${size}`;
  const name = `sam2.1-hiera-${size.replace('_', '-')}`;
  const onnx = (role: 'encoder' | 'decoder', approxBytes: number): CatalogFile => ({
    path: `${role}.onnx`,
    url: `${XANYLABELING}/${stem}.${role}.onnx`,
    sha256: null,
    md5: null,
    approxBytes,
  });
  return [
    {
      ...common,
      name,
      title: `Meta SAM 2.1 Hiera-${label} (official checkpoint, converted here)`,
      kind: 'checkpoint',
      modelType: type,
      layout: 'sam-annotate',
      files: [
        {
          path: `${stem}.pt`,
          url: `${META_SAM2}/${stem}.pt`,
          sha256: null,
          md5: null,
          approxBytes: params * 4,
        },
      ],
    },
    {
      ...common,
      name: `${name}-onnx`,
      title: `SAM 2.1 Hiera-${label} (ONNX by X-AnyLabeling, samexporter layout; no Python needed)`,
      kind: 'onnx',
      layout: 'sam2-samexporter',
      files: [onnx('encoder', params * 4 - SAM2_DECODER_BYTES), onnx('decoder', SAM2_DECODER_BYTES)],
      source: 'https://github.com/CVHub520/X-AnyLabeling/releases/tag/v2.5.0',
    },
  ];
}

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
    gmacs: { encoder: COUNTED_ENCODER_GMACS[`efficientvit-sam-${level}`], decoder: SAM1_DECODER_GMACS },
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
const CPU_MODELS: readonly CatalogEntry[] = [
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

export const CATALOG: readonly CatalogEntry[] = [
  metaCheckpoint(
    'sam-vit-b',
    'vit_b',
    'sam_vit_b_01ec64.pth',
    '01ec64d29a2fca3f0661936605ae66f5',
    375_042_383,
    COUNTED_ENCODER_GMACS['sam-vit-b'],
  ),
  metaCheckpoint(
    'sam-vit-l',
    'vit_l',
    'sam_vit_l_0b3195.pth',
    '0b3195507c641ddb6910d2bb5adee89c',
    1_249_524_607,
    COUNTED_ENCODER_GMACS['sam-vit-l'],
  ),
  metaCheckpoint(
    'sam-vit-h',
    'vit_h',
    'sam_vit_h_4b8939.pth',
    '4b8939a88964f0f4ff5f5b2642c598a6',
    2_564_550_879,
    COUNTED_ENCODER_GMACS['sam-vit-h'],
  ),
  // SlimSAM's pruned ViT-B has no PyTorch reference here: its 21 / 100 GMACs stay hand estimates.
  transformersJs(
    'slimsam-77',
    'Xenova/slimsam-77-uniform',
    'SlimSAM-77 (pruned SAM ViT-B, ONNX by Xenova; points only)',
    38_000_000,
    21,
    2,
  ),
  transformersJs(
    'slimsam-50',
    'Xenova/slimsam-50-uniform',
    'SlimSAM-50 (pruned SAM ViT-B, ONNX by Xenova; points only)',
    100_000_000,
    100,
    3,
  ),
  transformersJs(
    'sam-vit-b-onnx',
    'Xenova/sam-vit-base',
    'SAM ViT-B (ONNX by Xenova; points only)',
    350_000_000,
    COUNTED_ENCODER_GMACS['sam-vit-b'],
    4,
  ),
  ...sam21('tiny', 'sam2.1_hiera_t', 'T', 38_900_000, COUNTED_ENCODER_GMACS['sam2.1-hiera-tiny'], 4),
  ...sam21('small', 'sam2.1_hiera_s', 'S', 46_000_000, COUNTED_ENCODER_GMACS['sam2.1-hiera-small'], 4),
  ...sam21(
    'base_plus',
    'sam2.1_hiera_b+',
    'B+',
    80_800_000,
    COUNTED_ENCODER_GMACS['sam2.1-hiera-base-plus'],
    5,
  ),
  ...sam21('large', 'sam2.1_hiera_l', 'L', 224_400_000, COUNTED_ENCODER_GMACS['sam2.1-hiera-large'], 5),
  ...CPU_MODELS,
];

/**
 * What is wrong with a catalog entry, or [] (the unit test runs it on every entry): a layout the registry does not
 * know, a URL that is not https, a file path that could leave the folder or repeats, an archive entry that is not
 * one .zip with members mapped to distinct paths, a non-positive compute count.
 */
export function catalogEntryProblems(e: CatalogEntry): string[] {
  const problems: string[] = [];
  if (!LAYOUTS.some((l) => l.kind === e.layout))
    problems.push(`layout ${e.layout} is not a registered layout`);
  if (!(e.gmacs.encoder > 0 && e.gmacs.decoder > 0)) problems.push('gmacs must be positive');
  if (!e.files.length) problems.push('no files');
  const paths = new Set<string>();
  for (const f of e.files) {
    if (!/^https:\/\/[^/]+\//.test(f.url)) problems.push(`${f.url} is not an https URL`);
    const unsafe = unsafeFolderPathReason(f.path);
    if (unsafe) problems.push(`file path ${f.path} ${unsafe}`);
    if (paths.has(f.path)) problems.push(`file path ${f.path} appears twice`);
    paths.add(f.path);
    if (f.members && e.kind !== 'archive')
      problems.push(`${f.path} lists members but the entry is not an archive`);
  }
  if (e.kind === 'archive') {
    const members = e.files[0]?.members ?? [];
    if (e.files.length !== 1 || !members.length) problems.push('an archive entry is one file with members');
    const targets = new Set<string>();
    for (const m of members) {
      const unsafe = unsafeFolderPathReason(m.path) ?? unsafePathReason(m.member);
      if (unsafe) problems.push(`member ${m.member} → ${m.path} ${unsafe}`);
      if (targets.has(m.path)) problems.push(`two members are extracted to ${m.path}`);
      targets.add(m.path);
    }
  }
  return problems;
}

export function findCatalogEntry(name: string): CatalogEntry | undefined {
  return CATALOG.find((e) => e.name === name);
}
