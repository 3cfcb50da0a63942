/**
 * Mask rasters → canvases the GPU can draw: coverage becomes the category colour at a given opacity, and the
 * mask's edge (a covered cell next to an uncovered one) is drawn opaque so outlines read at any zoom.
 */
import type { MaskRaster } from '../core/maskRaster.ts';

export interface Rgb {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

export function hexToRgb(hex: string): Rgb {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  const v = m ? parseInt(m[1]!, 16) : 0x999999;
  return { r: (v >> 16) & 255, g: (v >> 8) & 255, b: v & 255 };
}

export interface PaintStyle {
  readonly color: Rgb;
  /** Fill opacity, 0–1. */
  readonly fill: number;
  /** Edge colour (defaults to the fill colour) and opacity. */
  readonly edge?: Rgb;
  readonly edgeOpacity?: number;
}

export function newCanvas(width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, width);
  canvas.height = Math.max(1, height);
  return canvas;
}

/** RGBA bytes as one little-endian word, the layout of ImageData seen through a Uint32Array. */
const word = (r: number, g: number, b: number, a: number) => ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;

/** Colour the cells of `raster` inside `region` (raster pixels) into `image`, at `at`. */
export function paintInto(
  image: ImageData,
  raster: MaskRaster,
  style: PaintStyle,
  region = { x: 0, y: 0, width: raster.width, height: raster.height },
  at = { x: region.x, y: region.y },
): void {
  const { alpha, width: W, height: H } = raster;
  const { color, fill } = style;
  const edge = style.edge ?? color;
  const edgeAlpha = Math.round(255 * (style.edgeOpacity ?? 1));
  // One lookup per coverage value instead of arithmetic per pixel.
  const fillWords = new Uint32Array(256);
  const edgeWords = new Uint32Array(256);
  for (let a = 1; a < 256; a++) {
    fillWords[a] = word(color.r, color.g, color.b, Math.round(a * fill));
    edgeWords[a] = word(
      edge.r,
      edge.g,
      edge.b,
      Math.max(Math.round(a * fill), Math.round((edgeAlpha * a) / 255)),
    );
  }
  const out = new Uint32Array(image.data.buffer, image.data.byteOffset, image.width * image.height);
  for (let y = region.y; y < region.y + region.height; y++) {
    const top = y === 0;
    const bottom = y === H - 1;
    let o = (y - region.y + at.y) * image.width + at.x;
    for (let x = region.x, i = y * W + region.x; x < region.x + region.width; x++, i++, o++) {
      const a = alpha[i]!;
      if (a === 0) {
        out[o] = 0;
        continue;
      }
      const isEdge =
        top ||
        bottom ||
        x === 0 ||
        x === W - 1 ||
        alpha[i - 1] === 0 ||
        alpha[i + 1] === 0 ||
        alpha[i - W] === 0 ||
        alpha[i + W] === 0;
      out[o] = isEdge ? edgeWords[a]! : fillWords[a]!;
    }
  }
}

/** A canvas the size of the raster, painted. */
export function rasterToCanvas(raster: MaskRaster, style: PaintStyle): HTMLCanvasElement {
  const canvas = newCanvas(raster.width, raster.height);
  if (raster.width === 0 || raster.height === 0) return canvas;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(raster.width, raster.height);
  paintInto(image, raster, style);
  ctx.putImageData(image, 0, 0);
  return canvas;
}
