import { type ImagePoint, type Size, imagePoint } from '../../../../electron/common/frames.ts';

/** A vertex dragged or placed past the image's edge stays on the edge (polygon and outline tools). */
export const clampToImage = (p: ImagePoint, image: Size): ImagePoint =>
  imagePoint(Math.min(image.width, Math.max(0, p.x)), Math.min(image.height, Math.max(0, p.y)));
