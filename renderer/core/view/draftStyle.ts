/** How the SAM draft is painted (canvas/paint.ts's PaintStyle shape; no DOM here, so node tests read it). */

/**
 * The SAM draft (not stored yet): a neutral light grey, lighter fill and a dashed edge, never the category's colour,
 * which made it look accepted (issue 17). The category's colour appears when Enter stores it.
 */
export function draftStyle() {
  return { color: { r: 0xe5, g: 0xe7, b: 0xeb }, fill: 0.4, edge: { r: 0x38, g: 0xbd, b: 0xf8 }, dash: 3 };
}
