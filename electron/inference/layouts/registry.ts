/**
 * THE list of model layouts (issue 14). Detection tries them in this order; the unknown-layout error lists what
 * each expects; `LayoutKind` is derived from it. Adding a layout (or a family's first layout) is one adapter file
 * exporting a `LayoutEntry` and one line here.
 */
import { edgeSamLayout } from './edgeSam.ts';
import type { LayoutEntry } from './layout.ts';
import { efficientVitSamLayout } from './efficientVitSam.ts';
import { preprocessInGraphLayout } from './preprocessInGraph.ts';
import {
  sam2Layout,
  sam2RectlabelLayout,
  sam2SamexporterLayout,
  sam2TransformersJsLayout,
} from './sam2Layouts.ts';
import { samAnnotateLayout } from './samAnnotate.ts';
import { samHqLayout } from './samHq.ts';
import { transformersJsLayout } from './transformersJs.ts';

// Meta's SAM 1 matcher leaves SAM-HQ folders (interm_embeddings) to samHq, and folders carrying SAM 2's feature
// names to the SAM 2 layouts (RectLabel's SAM 2 decoder has every name of Meta's SAM 1 decoder), which must then
// fit them or say what is missing. The unknown-layout message lists the layouts in this order.
export const LAYOUTS = [
  samAnnotateLayout,
  transformersJsLayout,
  samHqLayout,
  sam2Layout,
  sam2SamexporterLayout,
  sam2RectlabelLayout,
  sam2TransformersJsLayout,
  edgeSamLayout,
  preprocessInGraphLayout,
  efficientVitSamLayout,
] as const satisfies readonly LayoutEntry[];

export type LayoutKind = (typeof LAYOUTS)[number]['kind'];
