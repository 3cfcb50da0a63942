import type { ToolPointerEvent } from '../types.ts';

/** Left click = positive; right click or Alt+click = negative (CVAT, ISAT, Label Studio). */
export const clickLabel = (e: ToolPointerEvent): 0 | 1 => (e.button === 2 || e.alt ? 0 : 1);

/** The label a click would get right now, for the hover preview (no button is pressed). */
export const hoverLabel = (e: { readonly alt: boolean }): 0 | 1 => (e.alt ? 0 : 1);

export const movedFar = (a: ToolPointerEvent, b: ToolPointerEvent, threshold: number): boolean =>
  Math.hypot(a.screen.x - b.screen.x, a.screen.y - b.screen.y) > threshold;
