/**
 * Zero-shot edge detection with SAM (SA paper §7.2 and appendix D.2): prompt a 16×16 grid of points, remove
 * redundant masks by NMS, then Sobel-filter the unthresholded mask probability maps and keep, per pixel, the
 * strongest response over the masks; thin the result by non-maximum suppression along the gradient direction
 * (Canny's, 4 directions) and scale it to 0..255. The decoding side lives in electron/inference/edges.ts.
 *
 * Maps are row-major W×H float32 in the image frame.
 */

export interface EdgeAccumulator {
  readonly width: number;
  readonly height: number;
  /** Strongest Sobel magnitude seen per pixel. */
  readonly magnitude: Float32Array;
  /** Gradient (x, y) of the mask that gave it. */
  readonly gx: Float32Array;
  readonly gy: Float32Array;
}

export function edgeAccumulator(width: number, height: number): EdgeAccumulator {
  const n = width * height;
  return { width, height, magnitude: new Float32Array(n), gx: new Float32Array(n), gy: new Float32Array(n) };
}

/** `prob` becomes σ(logits), in place. */
export function sigmoidInPlace(values: Float32Array): Float32Array {
  for (let i = 0; i < values.length; i++) values[i] = 1 / (1 + Math.exp(-values[i]!));
  return values;
}

/**
 * Sobel gradient of one probability map (borders replicated) folded into the accumulator: where its magnitude
 * beats the stored one, it and its direction replace them.
 */
export function accumulateSobel(acc: EdgeAccumulator, prob: Float32Array): void {
  const { width: W, height: H, magnitude, gx, gy } = acc;
  if (prob.length !== W * H) throw new Error(`probability map has ${prob.length} values, expected ${W}×${H}`);
  const at = (x: number, y: number) =>
    prob[Math.min(H - 1, Math.max(0, y)) * W + Math.min(W - 1, Math.max(0, x))]!;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const tl = at(x - 1, y - 1);
      const t = at(x, y - 1);
      const tr = at(x + 1, y - 1);
      const l = at(x - 1, y);
      const r = at(x + 1, y);
      const bl = at(x - 1, y + 1);
      const b = at(x, y + 1);
      const br = at(x + 1, y + 1);
      const dx = tr + 2 * r + br - (tl + 2 * l + bl);
      const dy = bl + 2 * b + br - (tl + 2 * t + tr);
      const m = Math.hypot(dx, dy);
      const i = y * W + x;
      if (m > magnitude[i]!) {
        magnitude[i] = m;
        gx[i] = dx;
        gy[i] = dy;
      }
    }
  }
}

/**
 * Canny's non-maximum suppression: a pixel survives when its magnitude is not below either neighbour along its
 * gradient direction (quantized to 0°, 45°, 90°, 135°); then the map is scaled so its maximum is 255.
 */
export function thinEdges(acc: EdgeAccumulator): Uint8Array {
  const { width: W, height: H, magnitude, gx, gy } = acc;
  const thin = new Float32Array(W * H);
  let max = 0;
  const mag = (x: number, y: number) => (x < 0 || y < 0 || x >= W || y >= H ? 0 : magnitude[y * W + x]!);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const m = magnitude[i]!;
      if (m === 0) continue;
      const angle = ((Math.atan2(gy[i]!, gx[i]!) * 180) / Math.PI + 180) % 180;
      let dx: number;
      let dy: number;
      if (angle < 22.5 || angle >= 157.5) [dx, dy] = [1, 0];
      else if (angle < 67.5) [dx, dy] = [1, 1];
      else if (angle < 112.5) [dx, dy] = [0, 1];
      else [dx, dy] = [-1, 1];
      if (m >= mag(x + dx, y + dy) && m >= mag(x - dx, y - dy)) {
        thin[i] = m;
        if (m > max) max = m;
      }
    }
  }
  const out = new Uint8Array(W * H);
  if (max > 0) for (let i = 0; i < out.length; i++) out[i] = Math.round((255 * thin[i]!) / max);
  return out;
}
