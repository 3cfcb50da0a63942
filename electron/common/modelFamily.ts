/**
 * How the model manager names a model's family and what it can do (issue 14): one wording for `sam-annotate models
 * list`, the Models panel and the status bar. Pure: the renderer imports it too.
 */

/** Meta's SAM 1 architectures (native-models/export.py --type). */
export const SAM1_TYPES = ['vit_b', 'vit_l', 'vit_h'] as const;
/** Meta's SAM 2 / 2.1 architectures, named as Meta's config files (native-models/export_sam2.py --type). */
export const SAM2_TYPES = [
  'sam2.1_hiera_t',
  'sam2.1_hiera_s',
  'sam2.1_hiera_b+',
  'sam2.1_hiera_l',
  'sam2_hiera_t',
  'sam2_hiera_s',
  'sam2_hiera_b+',
  'sam2_hiera_l',
] as const;
export type ModelType = (typeof SAM1_TYPES)[number] | (typeof SAM2_TYPES)[number];

/**
 * Published pairs carry no manifest: the family their layout implies. Only SAM 2 is exported as samexporter /
 * RectLabel here; Meta's own SAM 1 export opens as sam-annotate; the fast variants' layouts are their own family.
 */
const LAYOUT_FAMILY: Readonly<Record<string, string>> = {
  sam2: 'SAM 2.x',
  'sam2-samexporter': 'SAM 2.x',
  'sam2-rectlabel': 'SAM 2.x',
  'sam2-transformers.js': 'SAM 2.x',
  'sam-annotate': 'SAM 1',
  'preprocess-in-graph': 'SAM 1 (MobileSAM, EfficientViT-SAM)',
  'sam-hq': 'SAM-HQ',
  edgesam: 'EdgeSAM',
  'efficientvit-sam': 'EfficientViT-SAM',
};

/** The family a manifest names ('sam', 'sam2', 'sam2.1'), or, without one, what the layout implies. */
export function familyLabel(family: string | null, layout: string | null): string {
  if (family === 'sam') return 'SAM 1';
  if (family === 'sam2') return 'SAM 2';
  if (family === 'sam2.1') return 'SAM 2.1';
  if (family) return family;
  return (layout && LAYOUT_FAMILY[layout]) ?? (layout ? 'SAM' : '?');
}

/** What the decoder takes and gives (the layout adapter's capabilities), in the shape every listing shows. */
export interface ModelAbilities {
  readonly box: boolean;
  /** Earlier low-res logits as `mask_input`: each click refines the previous mask. */
  readonly maskInput: boolean;
  readonly singleMaskToken: boolean;
  /** Candidates ordered other than by predicted IoU (EdgeSAM: by stability), with the words for it (issue 15). */
  readonly ranking?: { readonly by: string; readonly label: string };
}

/** "box, refinement, single-mask token" minus what the model lacks; "points only" when it has none of them. */
export function abilitiesLabel(c: ModelAbilities | null): string {
  if (!c) return '-';
  const parts = [c.box ? 'box' : '', c.maskInput ? 'refinement' : '', c.singleMaskToken ? 'single-mask' : ''];
  const prompts = parts.filter(Boolean).join(', ') || 'points only';
  return c.ranking ? `${prompts}, ${c.ranking.label}` : prompts;
}
