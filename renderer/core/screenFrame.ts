/**
 * The screen frame and its one transform to the image frame.
 *
 * - Screen frame: CSS pixels of the canvas element (the Konva stage), origin at its top-left corner.
 * - Image frame: original-image pixels after EXIF orientation (`ImagePoint`, electron/common/frames.ts).
 *
 * A `Viewport` maps image → screen as `screen = image · scale + offset`; `scale` is screen pixels per image pixel.
 * Zoom and pan only ever produce new viewports; nothing else converts between the two frames.
 */
import { type ImagePoint, type Size, imagePoint } from '../../electron/common/frames.ts';

declare const screenFrame: unique symbol;

/** A point in screen (stage) pixels. */
export type ScreenPoint = { readonly x: number; readonly y: number } & { readonly [screenFrame]: true };
export const screenPoint = (x: number, y: number): ScreenPoint => ({ x, y }) as ScreenPoint;

export interface Viewport {
  /** Screen pixels per image pixel. */
  readonly scale: number;
  /** Screen position of image pixel corner (0, 0). */
  readonly x: number;
  readonly y: number;
}

export const MIN_SCALE = 1 / 64;
export const MAX_SCALE = 64;

export const IDENTITY: Viewport = { scale: 1, x: 0, y: 0 };

export function screenToImage(v: Viewport, p: ScreenPoint): ImagePoint {
  return imagePoint((p.x - v.x) / v.scale, (p.y - v.y) / v.scale);
}

export function imageToScreen(v: Viewport, p: { readonly x: number; readonly y: number }): ScreenPoint {
  return screenPoint(p.x * v.scale + v.x, p.y * v.scale + v.y);
}

/** A screen distance (e.g. a handle's radius) in image pixels. */
export const screenToImageLength = (v: Viewport, length: number): number => length / v.scale;

const clampScale = (s: number) => Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));

/** Zoom by `factor` keeping the image point under `anchor` (screen) where it is. */
export function zoomAt(v: Viewport, anchor: ScreenPoint, factor: number): Viewport {
  const scale = clampScale(v.scale * factor);
  const k = scale / v.scale;
  return { scale, x: anchor.x - (anchor.x - v.x) * k, y: anchor.y - (anchor.y - v.y) * k };
}

/** Scale to exactly `scale`, anchored at `anchor`. */
export function zoomTo(v: Viewport, anchor: ScreenPoint, scale: number): Viewport {
  return zoomAt(v, anchor, scale / v.scale);
}

export function panBy(v: Viewport, dx: number, dy: number): Viewport {
  return { scale: v.scale, x: v.x + dx, y: v.y + dy };
}

/** The whole image centred in `view` with `margin` screen pixels around it. */
export function fitViewport(image: Size, view: Size, margin = 16): Viewport {
  const w = Math.max(1, view.width - 2 * margin);
  const h = Math.max(1, view.height - 2 * margin);
  const scale = clampScale(Math.min(w / image.width, h / image.height));
  return {
    scale,
    x: (view.width - image.width * scale) / 2,
    y: (view.height - image.height * scale) / 2,
  };
}

/** One image pixel per screen pixel, keeping the image point at the view's centre in place. */
export function actualSize(v: Viewport, view: Size): Viewport {
  return zoomTo(v, screenPoint(view.width / 2, view.height / 2), 1);
}

/** The part of the image visible in `view`, in image pixels (may extend outside the image). */
export function visibleImageRect(v: Viewport, view: Size) {
  const a = screenToImage(v, screenPoint(0, 0));
  const b = screenToImage(v, screenPoint(view.width, view.height));
  return { x0: a.x, y0: a.y, x1: b.x, y1: b.y };
}

export const insideImage = (p: ImagePoint, image: Size): boolean =>
  p.x >= 0 && p.y >= 0 && p.x < image.width && p.y < image.height;

/** The image rectangle `rect` (image pixels) centred in `view` with `margin` screen pixels around it. */
export function fitRect(
  rect: { readonly x: number; readonly y: number; readonly width: number; readonly height: number },
  view: Size,
  margin = 16,
): Viewport {
  const v = fitViewport({ width: Math.max(1, rect.width), height: Math.max(1, rect.height) }, view, margin);
  return { scale: v.scale, x: v.x - rect.x * v.scale, y: v.y - rect.y * v.scale };
}
