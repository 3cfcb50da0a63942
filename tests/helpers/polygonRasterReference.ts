/**
 * The polygon rasteriser as it was before issue 18: a literal port of pycocotools' `maskApi.c` `rleFrPoly` that
 * walks every edge on the 5× grid, however far outside the image. Tests compare the clipped rasteriser with it;
 * its memory grows with the perimeter, so give it only polygons of moderate size.
 */
/** C's `(int)` conversion of a double: truncation toward zero. */
const cInt = (value: number): number => Math.trunc(value);

/**
 * Run lengths (COCO order) of one polygon, exactly the counts pycocotools' `frPyObjects([poly], h, w)` gives.
 * `xy` holds `k` points as `[x0, y0, …]`; an odd trailing number is ignored, as `int(len(p) / 2)` does.
 */
export function referencePolygonToCounts(xy: ArrayLike<number>, h: number, w: number): number[] {
  const scale = 5;
  const k = Math.floor(xy.length / 2);
  const x = new Int32Array(k + 1);
  const y = new Int32Array(k + 1);
  for (let j = 0; j < k; j++) {
    x[j] = cInt(scale * xy[j * 2]! + 0.5);
    y[j] = cInt(scale * xy[j * 2 + 1]! + 0.5);
  }
  x[k] = x[0]!;
  y[k] = y[0]!;
  let m = 0;
  for (let j = 0; j < k; j++) m += Math.max(Math.abs(x[j]! - x[j + 1]!), Math.abs(y[j]! - y[j + 1]!)) + 1;
  // Dense boundary points on the 5× grid.
  const u = new Int32Array(m);
  const v = new Int32Array(m);
  m = 0;
  for (let j = 0; j < k; j++) {
    let xs = x[j]!;
    let xe = x[j + 1]!;
    let ys = y[j]!;
    let ye = y[j + 1]!;
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      [xs, xe] = [xe, xs];
      [ys, ye] = [ye, ys];
    }
    // 0/0 = NaN for a zero-length edge, as in C; its single point never borders a column step, so it is unused.
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u[m] = t + xs;
        v[m] = cInt(ys + s * t + 0.5);
        m++;
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v[m] = t + ys;
        u[m] = cInt(xs + s * t + 0.5);
        m++;
      }
    }
  }
  // Steps across a pixel column line become toggles at (column, ceil(row)).
  const a = new Float64Array(m + 1);
  let n = 0;
  for (let j = 1; j < m; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j]! < u[j - 1]! ? u[j]! : u[j]! - 1;
    xd = (xd + 0.5) / scale - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) continue;
    let yd = v[j]! < v[j - 1]! ? v[j]! : v[j - 1]!;
    yd = (yd + 0.5) / scale - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > h) yd = h;
    yd = Math.ceil(yd);
    a[n++] = xd * h + yd;
  }
  a[n++] = h * w;
  const sorted = a.subarray(0, n).sort();
  // Differences of the sorted toggles; a zero difference (two toggles at one pixel) cancels, as maskApi.c does.
  let previous = 0;
  for (let j = 0; j < n; j++) {
    const t = sorted[j]!;
    sorted[j] = t - previous;
    previous = t;
  }
  const counts = [sorted[0]!];
  for (let j = 1; j < n;) {
    if (sorted[j]! > 0) counts.push(sorted[j++]!);
    else {
      j++;
      if (j < n) counts[counts.length - 1]! += sorted[j++]!;
    }
  }
  return counts;
}
