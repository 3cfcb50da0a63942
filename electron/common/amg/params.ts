/**
 * The parameters of Meta's `SamAutomaticMaskGenerator` (segment_anything/automatic_mask_generator.py), under
 * Meta's names and with Meta's defaults, plus the SA paper's filter of masks covering most of the image
 * (`drop_masks_covering`, off by default: Meta's code does not apply it).
 */
import { UserError } from '../errors.ts';

export interface AmgParams {
  /** Grid of n×n points per side of the image (None in Meta's code = use `point_grids`). */
  readonly points_per_side: number | null;
  /** Prompts decoded per decoder call (Meta: per GPU batch). Changes speed and memory, never the result. */
  readonly points_per_batch: number;
  /** Keep masks whose predicted IoU is > this (0 = no filter). */
  readonly pred_iou_thresh: number;
  /** Keep masks whose stability score is ≥ this (0 = no filter). */
  readonly stability_score_thresh: number;
  /** Logit offset of the stability score (IoU of the masks at +offset and −offset). */
  readonly stability_score_offset: number;
  /** Box-NMS IoU threshold within one crop (scored by predicted IoU). */
  readonly box_nms_thresh: number;
  /** Extra crop layers: layer i has (2^i)² crops. */
  readonly crop_n_layers: number;
  /** Box-NMS IoU threshold between crops (smaller crops win). */
  readonly crop_nms_thresh: number;
  /** Crop overlap as a fraction of the image's shorter side, for the first crop layer. */
  readonly crop_overlap_ratio: number;
  /** Points per side in layer n are points_per_side / factor^n. */
  readonly crop_n_points_downscale_factor: number;
  /** Explicit normalized grids ([x, y] in [0, 1]) per crop layer; exclusive with points_per_side. */
  readonly point_grids: ReadonlyArray<ReadonlyArray<readonly [number, number]>> | null;
  /** If > 0, fill holes and remove islands smaller than this many pixels, then re-run NMS. */
  readonly min_mask_region_area: number;
  /**
   * Not Meta's: drop masks whose area is ≥ this fraction of the image (the SA paper's data engine used 0.95),
   * after everything else. 0 = off (Meta's behaviour).
   */
  readonly drop_masks_covering: number;
}

export const AMG_DEFAULTS: AmgParams = {
  points_per_side: 32,
  points_per_batch: 64,
  pred_iou_thresh: 0.88,
  stability_score_thresh: 0.95,
  stability_score_offset: 1.0,
  box_nms_thresh: 0.7,
  crop_n_layers: 0,
  crop_nms_thresh: 0.7,
  crop_overlap_ratio: 512 / 1500,
  crop_n_points_downscale_factor: 1,
  point_grids: null,
  min_mask_region_area: 0,
  drop_masks_covering: 0,
};

/** The model family whose generator's defaults apply ('sam2': Meta's `SAM2AutomaticMaskGenerator`). */
export type AmgFamily = 'sam1' | 'sam2';

/**
 * Meta's `SAM2AutomaticMaskGenerator` defaults (sam2/automatic_mask_generator.py): SAM 1's except
 * `pred_iou_thresh` 0.8. Its other arguments are what this pipeline always does for SAM 2: `mask_threshold` 0
 * (the manifest's), `multimask_output` True (tokens 1..3), `use_m2m` False (no refinement pass), grid points
 * stretched into the model frame as `transform_coords(normalize=True)` does (x/w·S, y/h·S, float32).
 */
export const SAM2_AMG_DEFAULTS: AmgParams = { ...AMG_DEFAULTS, pred_iou_thresh: 0.8 };

export function amgDefaults(family: AmgFamily = 'sam1'): AmgParams {
  return family === 'sam2' ? SAM2_AMG_DEFAULTS : AMG_DEFAULTS;
}

/** The paper's value for `drop_masks_covering` (SA paper, appendix B). */
export const PAPER_COVERAGE_FILTER = 0.95;

/**
 * Defaults (of `family`'s generator) filled in and every value checked; a bad value is a UserError naming the parameter. Exactly one of
 * `points_per_side` and `point_grids` must be set (as Meta asserts); with `point_grids`, one grid per crop layer.
 */
export function resolveAmgParams(partial: Partial<AmgParams> = {}, family: AmgFamily = 'sam1'): AmgParams {
  const grids = partial.point_grids ?? null;
  const p: AmgParams = {
    ...amgDefaults(family),
    ...partial,
    points_per_side: grids && partial.points_per_side === undefined ? null : (partial.points_per_side ?? 32),
    point_grids: grids,
  };
  const bad = (name: keyof AmgParams, why: string): never => {
    throw new UserError(`AMG parameter ${name} = ${JSON.stringify(p[name])}: ${why}`);
  };
  const integer = (name: keyof AmgParams, min: number) => {
    const v = p[name] as number;
    if (!Number.isInteger(v) || v < min) bad(name, `expected a whole number ≥ ${min}`);
  };
  // Meta does not check thresholds: ≤ 0 turns a filter off, > 1 an NMS off; only demand numbers.
  const finite = (name: keyof AmgParams) => {
    if (!Number.isFinite(p[name] as number)) bad(name, 'expected a number');
  };
  if ((p.points_per_side === null) === (p.point_grids === null))
    bad('points_per_side', 'exactly one of points_per_side and point_grids must be given');
  if (p.points_per_side !== null) integer('points_per_side', 1);
  integer('points_per_batch', 1);
  finite('pred_iou_thresh');
  finite('stability_score_thresh');
  if (!(p.stability_score_offset >= 0 && Number.isFinite(p.stability_score_offset)))
    bad('stability_score_offset', 'expected a number ≥ 0');
  finite('box_nms_thresh');
  integer('crop_n_layers', 0);
  finite('crop_nms_thresh');
  if (!(p.crop_overlap_ratio >= 0 && p.crop_overlap_ratio < 1))
    bad('crop_overlap_ratio', 'expected 0 ≤ x < 1');
  integer('crop_n_points_downscale_factor', 1);
  integer('min_mask_region_area', 0);
  if (!(p.drop_masks_covering >= 0 && p.drop_masks_covering <= 1))
    bad('drop_masks_covering', 'expected a fraction from 0 (off) to 1');
  if (p.point_grids) {
    if (p.point_grids.length < p.crop_n_layers + 1)
      bad('point_grids', `one grid per crop layer is needed (${p.crop_n_layers + 1})`);
    for (const grid of p.point_grids) {
      if (!grid.length || grid.some((q) => q.length !== 2 || !q.every((v) => v >= 0 && v <= 1)))
        bad('point_grids', 'each grid is a non-empty list of [x, y] with 0 ≤ x, y ≤ 1');
    }
  }
  // A grid of points_per_side / factor^n must keep at least one point per side in every layer.
  if (p.points_per_side !== null) {
    const last = Math.trunc(p.points_per_side / p.crop_n_points_downscale_factor ** p.crop_n_layers);
    if (last < 1) bad('crop_n_points_downscale_factor', `leaves no points in crop layer ${p.crop_n_layers}`);
  }
  return p;
}
