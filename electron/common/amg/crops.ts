/**
 * Crop boxes of Meta's AMG (segment_anything/utils/amg.py `generate_crop_boxes`): the whole image (layer 0), then
 * for layer i ≥ 1 a (2^i)×(2^i) grid of overlapping crops. Boxes are XYXY in image pixels, x1/y1 exclusive.
 * Order is Meta's: the full image, then per layer x0 outer and y0 inner (`itertools.product(x0s, y0s)`).
 */
import type { Size } from '../frames.ts';
import type { BoxXyxy } from './boxes.ts';

export interface CropBox {
  /** [x0, y0, x1, y1] in image pixels, x1 and y1 exclusive. */
  readonly box: BoxXyxy;
  /** 0 for the full image, i for the (2^i)² crops of layer i. */
  readonly layer: number;
}

export function generateCropBoxes(image: Size, nLayers: number, overlapRatio: number): CropBox[] {
  const { width: imW, height: imH } = image;
  const shortSide = Math.min(imH, imW);
  const crops: CropBox[] = [{ box: [0, 0, imW, imH], layer: 0 }];
  const cropLen = (origLen: number, nCrops: number, overlap: number) =>
    Math.ceil((overlap * (nCrops - 1) + origLen) / nCrops);
  for (let layer = 0; layer < nLayers; layer++) {
    const nCrops = 2 ** (layer + 1);
    // Python's int() truncates; the product is evaluated left to right as Meta writes it.
    const overlap = Math.trunc(overlapRatio * shortSide * (2 / nCrops));
    const cropW = cropLen(imW, nCrops, overlap);
    const cropH = cropLen(imH, nCrops, overlap);
    const x0s = Array.from({ length: nCrops }, (_, i) => Math.trunc((cropW - overlap) * i));
    const y0s = Array.from({ length: nCrops }, (_, i) => Math.trunc((cropH - overlap) * i));
    for (const x0 of x0s) {
      for (const y0 of y0s) {
        crops.push({ box: [x0, y0, Math.min(x0 + cropW, imW), Math.min(y0 + cropH, imH)], layer: layer + 1 });
      }
    }
  }
  return crops;
}
