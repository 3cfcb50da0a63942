import { describe, expect, it } from 'vitest';
import { COCO_BETWEEN, COCO_END, cocoHead, cocoSegmentation } from '../../../electron/common/formatCoco.ts';
import { polygonsToRle } from '../../../electron/common/polygonRaster.ts';
import { encodeMask } from '../../../electron/common/rle.ts';

const W = 8;
const H = 8;
const ring = new Uint8Array(W * H);
for (let y = 1; y < 7; y++)
  for (let x = 1; x < 7; x++) ring[y * W + x] = x > 2 && x < 5 && y > 2 && y < 5 ? 0 : 1;
const withHole = encodeMask({ width: W, height: H, data: ring });
const block = encodeMask({
  width: W,
  height: H,
  data: new Uint8Array(W * H).map((_, p) => (p % W < 3 && p < 24 ? 1 : 0)),
});

describe('cocoSegmentation', () => {
  it('auto: polygons for masks without holes, RLE for masks with holes', () => {
    expect(cocoSegmentation(block, false, 'auto', 0)).toEqual({
      segmentation: [[0, 0, 3, 0, 3, 3, 0, 3]],
      encoding: 'polygon',
    });
    expect(cocoSegmentation(withHole, false, 'auto', 0)).toEqual({
      segmentation: { size: [8, 8], counts: withHole.counts },
      encoding: 'rle',
    });
  });

  it('polygon: holes survive pycocotools rasterisation (zero-width slits)', () => {
    const { segmentation, encoding } = cocoSegmentation(withHole, false, 'polygon', 0);
    expect(encoding).toBe('polygon');
    expect(polygonsToRle(segmentation as number[][], H, W).counts).toBe(withHole.counts);
  });

  it('rle mode and crowd regions are always RLE', () => {
    expect(cocoSegmentation(block, false, 'rle', 0).encoding).toBe('rle');
    expect(cocoSegmentation(block, true, 'polygon', 0).encoding).toBe('rle');
  });
});

describe('cocoHead', () => {
  it('with the pieces around images and annotations forms one JSON document', () => {
    const text = `${cocoHead({ a: 1 }, [{ id: 1, name: 'x', supercategory: '' }])}{"id":1}${COCO_BETWEEN}{"id":2}${COCO_END}`;
    expect(JSON.parse(text)).toEqual({
      info: { a: 1 },
      licenses: [],
      categories: [{ id: 1, name: 'x', supercategory: '' }],
      images: [{ id: 1 }],
      annotations: [{ id: 2 }],
    });
  });
});
