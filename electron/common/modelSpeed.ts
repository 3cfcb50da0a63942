/**
 * How a model's speed on this machine is worded (issue 15): one text for `sam-annotate models list`, `start`, the
 * start screen and the Models panel. Pure: the renderer imports it too. The figures come from
 * electron/models/speed.ts.
 */

/** Seconds per image (encode) and milliseconds per click (decode), each estimated or measured here. */
export interface SpeedFigures {
  readonly encodeSeconds: number;
  readonly clickMs: number;
  readonly encodeMeasured: boolean;
  readonly clickMeasured: boolean;
}

function seconds(s: number): string {
  if (s >= 0.95) return `${Math.round(s)}`;
  return `${Math.max(0.1, Number(s.toFixed(1)))}`;
}

function milliseconds(ms: number): string {
  if (ms < 10) return `${Math.max(1, Math.round(ms))}`;
  return `${Number(ms.toPrecision(2))}`;
}

/**
 * "about 2 s per image, 40 ms per click (estimated)" (one or two significant digits: an estimate is no more
 * precise); "measured: …" when both were measured on real work here, "… (click time measured)" when one was.
 */
export function describeSpeed(s: SpeedFigures): string {
  const text = `${seconds(s.encodeSeconds)} s per image, ${milliseconds(s.clickMs)} ms per click`;
  if (s.encodeMeasured && s.clickMeasured) return `measured: ${text}`;
  if (s.encodeMeasured || s.clickMeasured)
    return `about ${text} (${s.encodeMeasured ? 'image' : 'click'} time measured)`;
  return `about ${text} (estimated)`;
}
