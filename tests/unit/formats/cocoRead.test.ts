import { describe, expect, it } from 'vitest';
import { cocoMaskOf, parseCoco } from '../../../electron/common/formatCocoRead.ts';
import { JsonReader } from '../../../electron/common/jsonReader.ts';
import { decompressRle, encodeMask } from '../../../electron/common/rle.ts';

const reader = new JsonReader('train.json');
const base = () => ({
  images: [{ id: 4, file_name: 'a.jpg', width: 6, height: 5 }],
  categories: [{ id: 2, name: 'cat', supercategory: 'animal' }],
  annotations: [] as object[],
});
const mask = encodeMask({
  width: 6,
  height: 5,
  data: new Uint8Array(30).map((_, i) => (i % 7 === 0 ? 1 : 0)),
});

describe('parseCoco', () => {
  it('reads polygons, compressed and uncompressed RLE, crowd and box-only annotations', () => {
    const coco = base();
    coco.annotations = [
      { id: 1, image_id: 4, category_id: 2, segmentation: [[0, 0, 3, 0, 3, 2]], iscrowd: 0 },
      { id: 2, image_id: 4, category_id: 2, segmentation: { size: [5, 6], counts: mask.counts }, iscrowd: 1 },
      { id: 3, image_id: 4, category_id: 2, segmentation: decompressRle(mask) },
      { id: 4, image_id: 4, category_id: 2, bbox: [1, 1, 2, 2], area: 4 },
    ];
    const parsed = parseCoco(reader, coco);
    const masks = parsed.annotations.map((a) => cocoMaskOf(reader, a, parsed.images[0]!));
    expect(decompressRle(masks[0]!).counts).toEqual([5, 1, 4, 2, 18]); // maskApi.c rleFrPoly gives the same runs
    expect(masks[1]!.counts).toBe(mask.counts);
    expect(masks[2]!.counts).toBe(mask.counts);
    expect(masks[3]).toBeNull();
    expect(parsed.annotations.map((a) => a.iscrowd)).toEqual([false, true, false, false]);
    expect(parsed.annotations[3]!.bbox).toEqual([1, 1, 2, 2]);
    expect(parsed.categories).toEqual([{ id: 2, name: 'cat', supercategory: 'animal' }]);
  });

  const bad: [string, (c: ReturnType<typeof base>) => void, string][] = [
    ['a missing images list', (c) => delete (c as Partial<typeof c>).images, '$.images must be an array'],
    [
      'a duplicate image id',
      (c) => c.images.push({ ...c.images[0]! }),
      '$.images[1].id 4 is already the id of $.images[0]',
    ],
    [
      'an unknown image',
      (c) => c.annotations.push({ image_id: 9, category_id: 2, bbox: [0, 0, 1, 1] }),
      '$.annotations[0].image_id 9 is not the id',
    ],
    [
      'an unknown category',
      (c) => c.annotations.push({ image_id: 4, category_id: 7, bbox: [0, 0, 1, 1] }),
      '$.annotations[0].category_id 7 is not the id',
    ],
    [
      'a two-point polygon (pycocotools would read it as a box)',
      (c) =>
        c.annotations.push({
          image_id: 4,
          category_id: 2,
          segmentation: [
            [0, 0, 3, 0, 3, 2],
            [1, 1, 2, 2],
          ],
        }),
      '$.annotations[0].segmentation[1] must hold an even number of at least 6 numbers',
    ],
    [
      'a non-number coordinate',
      (c) => c.annotations.push({ image_id: 4, category_id: 2, segmentation: [[0, 0, 3, 'x', 3, 2]] }),
      '$.annotations[0].segmentation[0][3] must be a number',
    ],
    [
      'an RLE of the wrong size',
      (c) =>
        c.annotations.push({
          image_id: 4,
          category_id: 2,
          segmentation: { size: [6, 5], counts: mask.counts },
        }),
      '$.annotations[0].segmentation.size is [6,5] but $.images[0] is [5, 6]',
    ],
    [
      'a bad iscrowd',
      (c) => c.annotations.push({ image_id: 4, category_id: 2, bbox: [0, 0, 1, 1], iscrowd: 2 }),
      '$.annotations[0].iscrowd must be 0 or 1',
    ],
    [
      'neither segmentation nor bbox',
      (c) => c.annotations.push({ image_id: 4, category_id: 2 }),
      '$.annotations[0] has neither a segmentation nor a bbox',
    ],
  ];
  for (const [what, change, message] of bad) {
    it(`names the file and JSON path for ${what}`, () => {
      const coco = base();
      change(coco);
      expect(() => parseCoco(reader, coco)).toThrow(`train.json: ${message}`);
    });
  }

  it('names the path of an RLE whose runs do not fit', () => {
    const coco = base();
    coco.annotations.push({ image_id: 4, category_id: 2, segmentation: { size: [5, 6], counts: [3, 4] } });
    const parsed = parseCoco(reader, coco);
    expect(() => cocoMaskOf(reader, parsed.annotations[0]!, parsed.images[0]!)).toThrow(
      'train.json: $.annotations[0].segmentation.counts is not a valid COCO RLE (RLE runs sum to 7 pixels',
    );
  });
});
