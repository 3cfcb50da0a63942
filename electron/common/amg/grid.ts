/**
 * Point grids of Meta's AMG (segment_anything/utils/amg.py `build_point_grid`, `build_all_layer_point_grids`):
 * normalized [x, y] in [0, 1], row by row (y outer, x inner), computed in float64 exactly as numpy's `linspace`
 * does, so `grid × crop size` gives Meta's prompt coordinates bit for bit.
 */

/** A normalized point [x, y], 0..1 across the crop. */
export type GridPoint = readonly [x: number, y: number];

/** numpy.linspace(start, stop, num) (endpoint=True): `i · step + start`, the last value exactly `stop`. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

/** n×n points offset by 1/(2n) from the borders (Meta's `build_point_grid`). */
export function buildPointGrid(nPerSide: number): GridPoint[] {
  const offset = 1 / (2 * nPerSide);
  const side = linspace(offset, 1 - offset, nPerSide);
  const points: GridPoint[] = [];
  for (const y of side) for (const x of side) points.push([x, y]);
  return points;
}

/** One grid per crop layer: layer i has `int(n / scale^i)` points per side (Meta's truncation). */
export function buildAllLayerPointGrids(
  nPerSide: number,
  nLayers: number,
  scalePerLayer: number,
): GridPoint[][] {
  const grids: GridPoint[][] = [];
  for (let i = 0; i <= nLayers; i++) grids.push(buildPointGrid(Math.trunc(nPerSide / scalePerLayer ** i)));
  return grids;
}

/**
 * The prompts of one crop: `grid × [crop width, crop height]` (float64), in the crop's own image frame (pixel
 * units, origin at the crop's top-left). Returned interleaved [x0, y0, x1, y1, …].
 */
export function pointsForCrop(
  grid: readonly GridPoint[],
  cropWidth: number,
  cropHeight: number,
): Float64Array {
  const out = new Float64Array(grid.length * 2);
  grid.forEach(([x, y], i) => {
    out[2 * i] = x * cropWidth;
    out[2 * i + 1] = y * cropHeight;
  });
  return out;
}
