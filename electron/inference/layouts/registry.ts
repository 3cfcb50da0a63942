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

// SAM 2 first: its graphs are a superset of SAM 1's names in places (RectLabel's decoder has every input and
// output of Meta's SAM 1 decoder), and a folder carrying SAM 2's feature names must fit a SAM 2 contract.
export const LAYOUTS = [
  sam2Layout,
  sam2SamexporterLayout,
  sam2RectlabelLayout,
  sam2TransformersJsLayout,
  samHqLayout, // before sam-annotate: its decoder has all of Meta's inputs too (plus interm_embeddings)
  samAnnotateLayout,
  transformersJsLayout,
  edgeSamLayout,
  preprocessInGraphLayout,
  efficientVitSamLayout,
] as const satisfies readonly LayoutEntry[];

export type LayoutKind = (typeof LAYOUTS)[number]['kind'];
