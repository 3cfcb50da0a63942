/**
 * Models `sam-annotate models download NAME` knows where to get.
 *
 * Three kinds: `checkpoint` entries download Meta's PyTorch checkpoint and convert it here with the project's
 * converter (native-models/export.py for SAM 1, export_sam2.py for SAM 2.1; needs Python with torch and onnx);
 * `onnx` entries download a published ONNX pair that opens as is (LAYOUTS.md); `archive` entries download one
 * .zip and extract the listed members (archive.ts).
 *
 * The CPU models of issue 15 (no Python needed) are in catalogCpu.ts; compute counts in compute.ts.
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
 * those prefixes, and the download verifies them. No sha256 is known for these entries (only AnyLabeling's zips in
 * catalogCpu.ts carry one), and the transformers.js exports have no checksum at all: they are downloaded unverified (the CLI says so) and only checked by opening
 * the folder. Pass `--sha256 HEX` (repeatable, one per file in order) to verify a download yourself.
 */
import { LAYOUTS, type LayoutKind } from '../inference/layouts/registry.ts';
import { type ArchiveMember, unsafeFolderPathReason, unsafePathReason } from './archive.ts';
import { CPU_MODELS } from './catalogCpu.ts';
import { COUNTED_ENCODER_GMACS, SAM1_DECODER_GMACS } from './compute.ts';
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
const SAM2_DECODER_GMACS = SAM1_DECODER_GMACS;

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
