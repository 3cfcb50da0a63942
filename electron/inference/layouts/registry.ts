/**
 * THE list of model layouts (issue 14). Detection tries them in this order; the unknown-layout error lists what
 * each expects; `LayoutKind` is derived from it. Adding a layout (or a family's first layout) is one adapter file
 * exporting a `LayoutEntry` and one line here.
 */
import { edgeSamLayout } from './edgeSam.ts';
import type { LayoutEntry } from './layout.ts';
import { efficientVitSamLayout } from './efficientVitSam.ts';
import { preprocessInGraphLayout } from './preprocessInGraph.ts';
import { samAnnotateLayout } from './samAnnotate.ts';
import { samHqLayout } from './samHq.ts';
import { transformersJsLayout } from './transformersJs.ts';

export const LAYOUTS = [
  samHqLayout, // before sam-annotate: its decoder has all of Meta's inputs too (plus interm_embeddings)
  samAnnotateLayout,
  transformersJsLayout,
  edgeSamLayout,
  preprocessInGraphLayout,
  efficientVitSamLayout,
] as const satisfies readonly LayoutEntry[];

export type LayoutKind = (typeof LAYOUTS)[number]['kind'];
