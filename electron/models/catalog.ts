/**
 * Models `sam-annotate models download NAME` knows where to get.
 *
 * Two kinds: `checkpoint` entries download Meta's PyTorch checkpoint and convert it here with the project's
 * converter (native-models/export.py, needs Python with torch and onnx); `onnx` entries download a published
 * ONNX pair that opens as is (LAYOUTS.md).
 *
 * Checksums: this catalog was written on a machine without internet access, so no digest below was computed from
 * the real files here. Meta's checkpoint names end in the first six hex digits of their MD5
 * (`sam_vit_b_01ec64.pth`); the full MD5s below are the ones many public download scripts check, consistent with
 * those prefixes, and the download verifies them. No sha256 is known for any entry, and the transformers.js
 * exports have no checksum at all: they are downloaded unverified (the CLI says so) and only checked by opening
 * the folder. Pass `--sha256 HEX` (repeatable, one per file in order) to verify a download yourself.
 */
import type { LayoutKind } from '../inference/layouts/registry.ts';

export interface CatalogFile {
  /** Path inside the model folder (or the checkpoint's file name). */
  readonly path: string;
  readonly url: string;
  /** Expected sha256, or null when none is known (see above). */
  readonly sha256: string | null;
  /** Expected MD5, from public sources (see above), or null. */
  readonly md5: string | null;
  /** Approximate size, for the listing. */
  readonly approxBytes: number;
}

export interface CatalogEntry {
  readonly name: string;
  readonly title: string;
  readonly kind: 'checkpoint' | 'onnx';
  /** For checkpoints: the converter's --type. */
  readonly modelType?: 'vit_b' | 'vit_l' | 'vit_h';
  readonly layout: LayoutKind;
  readonly files: readonly CatalogFile[];
  readonly source: string;
  readonly license: string;
}

const META = 'https://dl.fbaipublicfiles.com/segment_anything';
const HF = 'https://huggingface.co';

function metaCheckpoint(
  name: string,
  type: 'vit_b' | 'vit_l' | 'vit_h',
  file: string,
  md5: string,
  approxBytes: number,
): CatalogEntry {
  if (!file.includes(`_${md5.slice(0, 6)}.pth`)) throw new Error(`catalog: ${file} does not carry ${md5}`);
  return {
    name,
    title: `Meta SAM ${type.replace('vit_', 'ViT-').toUpperCase().replace('VIT', 'ViT')} (official checkpoint, converted here)`,
    kind: 'checkpoint',
    modelType: type,
    layout: 'sam-annotate',
    files: [{ path: file, url: `${META}/${file}`, sha256: null, md5, approxBytes }],
    source: 'https://github.com/facebookresearch/segment-anything#model-checkpoints',
    license: 'Apache-2.0',
  };
}

function transformersJs(name: string, repo: string, title: string, encoderBytes: number): CatalogEntry {
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
    layout: 'transformers.js',
    files: [
      file('onnx/vision_encoder.onnx', encoderBytes),
      file('onnx/prompt_encoder_mask_decoder.onnx', 16_500_000),
    ],
    source: `${HF}/${repo}`,
    license: 'Apache-2.0',
  };
}

export const CATALOG: readonly CatalogEntry[] = [
  metaCheckpoint(
    'sam-vit-b',
    'vit_b',
    'sam_vit_b_01ec64.pth',
    '01ec64d29a2fca3f0661936605ae66f5',
    375_042_383,
  ),
  metaCheckpoint(
    'sam-vit-l',
    'vit_l',
    'sam_vit_l_0b3195.pth',
    '0b3195507c641ddb6910d2bb5adee89c',
    1_249_524_607,
  ),
  metaCheckpoint(
    'sam-vit-h',
    'vit_h',
    'sam_vit_h_4b8939.pth',
    '4b8939a88964f0f4ff5f5b2642c598a6',
    2_564_550_879,
  ),
  transformersJs(
    'slimsam-77',
    'Xenova/slimsam-77-uniform',
    'SlimSAM-77 (pruned SAM ViT-B, ONNX by Xenova; points only)',
    38_000_000,
  ),
  transformersJs(
    'slimsam-50',
    'Xenova/slimsam-50-uniform',
    'SlimSAM-50 (pruned SAM ViT-B, ONNX by Xenova; points only)',
    100_000_000,
  ),
  transformersJs(
    'sam-vit-b-onnx',
    'Xenova/sam-vit-base',
    'SAM ViT-B (ONNX by Xenova; points only)',
    350_000_000,
  ),
];

export function findCatalogEntry(name: string): CatalogEntry | undefined {
  return CATALOG.find((e) => e.name === name);
}
