/**
 * The full-resolution mask the brush and eraser paint on. Decoded from the mask's RLE when a stroke starts,
 * painted in place while the pointer moves, and encoded back to RLE once, when the stroke ends (issue 4:
 * "brush edits applied to the full-res mask and re-encoded to RLE only on stroke end").
 *
 * Frame: image pixels; pixel (c, r) covers [c, c + 1) × [r, r + 1) and is painted when its centre is within the
 * brush radius.
 */
import type { Size } from '../../electron/common/frames.ts';
import type { BinaryMask, Rle } from '../../electron/common/rle.ts';
import { decodeRle, encodeMask } from '../../electron/common/rle.ts';

export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export class WorkingMask implements BinaryMask {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  /** Pixels touched since the last {@link takeDirty}, or undefined. */
  private dirty: { x0: number; y0: number; x1: number; y1: number } | undefined;
  /** Everything touched since creation. */
  private touched: { x0: number; y0: number; x1: number; y1: number } | undefined;

  private constructor(mask: BinaryMask) {
    this.width = mask.width;
    this.height = mask.height;
    this.data = mask.data;
  }

  static fromRle(rle: Rle): WorkingMask {
    return new WorkingMask(decodeRle(rle));
  }

  static empty(size: Size): WorkingMask {
    return new WorkingMask({ ...size, data: new Uint8Array(size.width * size.height) });
  }

  /** A disc of radius `r` (image px) centred at (cx, cy), set to `value`. */
  dab(cx: number, cy: number, r: number, value: 0 | 1): void {
    const radius = Math.max(0.5, r);
    const y0 = Math.max(0, Math.floor(cy - radius));
    const y1 = Math.min(this.height - 1, Math.ceil(cy + radius));
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - cy;
      const half2 = radius * radius - dy * dy;
      if (half2 < 0) continue;
      const half = Math.sqrt(half2);
      const xa = Math.max(0, Math.ceil(cx - half - 0.5));
      const xb = Math.min(this.width - 1, Math.floor(cx + half - 0.5));
      if (xb < xa) continue;
      this.data.fill(value, y * this.width + xa, y * this.width + xb + 1);
      this.grow(xa, y, xb, y);
    }
  }

  /** Dabs from a to b, close enough together to leave no gaps. */
  segment(ax: number, ay: number, bx: number, by: number, r: number, value: 0 | 1): void {
    const length = Math.hypot(bx - ax, by - ay);
    const steps = Math.max(1, Math.ceil(length / Math.max(0.5, r * 0.35)));
    for (let i = 1; i <= steps; i++) {
      const t = i / steps;
      this.dab(ax + (bx - ax) * t, ay + (by - ay) * t, r, value);
    }
  }

  /** The rectangle painted since the last call (for incremental redraw), or undefined. */
  takeDirty(): PixelRect | undefined {
    const d = this.dirty;
    this.dirty = undefined;
    return d && { x: d.x0, y: d.y0, width: d.x1 - d.x0 + 1, height: d.y1 - d.y0 + 1 };
  }

  get touchedRect(): PixelRect | undefined {
    const d = this.touched;
    return d && { x: d.x0, y: d.y0, width: d.x1 - d.x0 + 1, height: d.y1 - d.y0 + 1 };
  }

  toRle(): Rle {
    return encodeMask(this);
  }

  private grow(x0: number, y0: number, x1: number, y1: number): void {
    for (const key of ['dirty', 'touched'] as const) {
      const d = this[key];
      this[key] = d
        ? { x0: Math.min(d.x0, x0), y0: Math.min(d.y0, y0), x1: Math.max(d.x1, x1), y1: Math.max(d.y1, y1) }
        : { x0, y0, x1, y1 };
    }
  }
}
