/** Wheel → zoom factor (issue 17: a mouse notch zoomed 14 %, too coarse for close work). */

/** Zoom per pixel of wheel delta: a mouse notch (~100 px) is about 8 %; trackpads send small deltas. */
const PER_PIXEL = 0.0008;
/** Ctrl+wheel is a trackpad pinch (Chromium): its deltas are small, so it zooms more per pixel. */
const PINCH_PER_PIXEL = 0.01;

const MAX_STEP = Math.log(1.1);

/** The factor one wheel event zooms by (> 1 zooms in), proportional to the delta so trackpads are smooth. */
export function wheelZoomFactor(e: { deltaY: number; deltaMode: number; ctrlKey: boolean }): number {
  // deltaMode 1 = lines (Firefox mouse wheels): about 33 px a line.
  const delta = e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY;
  const step = -delta * (e.ctrlKey ? PINCH_PER_PIXEL : PER_PIXEL);
  // Ctrl + a mouse wheel's 100 px notch would zoom ×2.7 at the pinch rate: one event zooms 10 % at most.
  return Math.exp(Math.max(-MAX_STEP, Math.min(MAX_STEP, step)));
}
