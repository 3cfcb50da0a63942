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
  /** Draw the edge as dashes of this many raster cells (undecided automatic masks), else solid. */
  readonly dash?: number;
  /** Whether the raster's own border counts as an edge (default true: a mask cut by its box). */
  readonly edgeAtBorder?: boolean;
}

/** A distinct colour per id (golden-angle hues): uncategorized automatic masks stay apart from their neighbours. */
export function colorForId(id: number): Rgb {
  const h = ((Math.abs(id) * 137.508) % 360) / 60;
  const s = 0.7;
  const l = 0.58;
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const x = c * (1 - Math.abs((h % 2) - 1));
  const m = l - c / 2;
  const [r, g, b] =
    h < 1
      ? [c, x, 0]
      : h < 2
        ? [x, c, 0]
        : h < 3
          ? [0, c, x]
          : h < 4
            ? [0, x, c]
            : h < 5
              ? [x, 0, c]
              : [c, 0, x];
  return { r: Math.round((r + m) * 255), g: Math.round((g + m) * 255), b: Math.round((b + m) * 255) };
}

export const rgbToHex = ({ r, g, b }: Rgb): string =>
  `#${((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1)}`;

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
  const border = style.edgeAtBorder ?? true;
  const dash = style.dash ?? 0;
  for (let y = region.y; y < region.y + region.height; y++) {
    const top = border && y === 0;
    const bottom = border && y === H - 1;
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
        (border && (x === 0 || x === W - 1)) ||
        (x > 0 && alpha[i - 1] === 0) ||
        (x < W - 1 && alpha[i + 1] === 0) ||
        (y > 0 && alpha[i - W] === 0) ||
        (y < H - 1 && alpha[i + W] === 0);
      out[o] = isEdge && (!dash || (x + y) % (2 * dash) < dash) ? edgeWords[a]! : fillWords[a]!;
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
