/**
 * What review mode shows of an image: a close-up around the mask (its box and 1.5 times as much context, at
 * least 160 image pixels, so a reviewer sees the edges against their surroundings), or the whole image when the
 * close-up would show most of it anyway. Image pixels.
 */
import type { Size } from '../../../electron/common/frames.ts';

export interface ImageRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** @param bbox COCO `[x, y, w, h]` of the mask, image pixels. */
export function closeUpRect(bbox: readonly [number, number, number, number], image: Size): ImageRect {
  const [x, y, w, h] = bbox;
  const width = Math.max(160, w * 2.5);
  const height = Math.max(160, h * 2.5);
  const whole = { x: 0, y: 0, width: image.width, height: image.height };
  if (width * height >= 0.6 * image.width * image.height) return whole;
  return { x: x + w / 2 - width / 2, y: y + h / 2 - height / 2, width, height };
}
