import { describe, expect, it } from 'vitest';
import { parseSa1b, sa1bAnnotation, sa1bDocument } from '../../../electron/common/formatSa1b.ts';
import { JsonReader } from '../../../electron/common/jsonReader.ts';
import { encodeMask } from '../../../electron/common/rle.ts';

const single = encodeMask({
  width: 4,
  height: 3,
  data: Uint8Array.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
});

describe('sa1bAnnotation', () => {
  it("uses SAM's bbox (one pixel narrower than COCO's) and documented values for a human mask", () => {
    const a = sa1bAnnotation({
      id: 3,
      rle: single,
      prompts: null,
      predictedIou: null,
      stabilityScore: null,
      cropBox: null,
    });
    expect(a).toEqual({
      id: 3,
      segmentation: { size: [3, 4], counts: single.counts },
      bbox: [1, 1, 0, 0],
      area: 1,
      predicted_iou: 1,
      point_coords: [[1.5, 1.5]],
      crop_box: [0, 0, 4, 3],
      stability_score: 1,
    });
    expect(Object.keys(a)).toEqual([
      'id',
      'segmentation',
      'bbox',
      'area',
      'predicted_iou',
      'point_coords',
      'crop_box',
      'stability_score',
    ]);
  });

  it('keeps model values, the first positive click, else the box centre', () => {
    const base = {
      id: 1,
      rle: single,
      predictedIou: 0.9,
      stabilityScore: 0.97,
      cropBox: [1, 1, 2, 2] as [number, number, number, number],
    };
    const click = sa1bAnnotation({
      ...base,
      prompts: {
        points: [
          { x: 9, y: 9, label: 0 },
          { x: 2, y: 1, label: 1 },
        ],
      },
    });
    expect([click.point_coords, click.predicted_iou, click.stability_score, click.crop_box]).toEqual([
      [[2, 1]],
      0.9,
      0.97,
      [1, 1, 2, 2],
    ]);
    const box = sa1bAnnotation({ ...base, prompts: { points: [], box: { x0: 0, y0: 0, x1: 4, y1: 2 } } });
    expect(box.point_coords).toEqual([[2, 1]]);
  });
});

describe('parseSa1b', () => {
  const doc = (annotation: object) =>
    JSON.parse(sa1bDocument({ image_id: 1, width: 4, height: 3, file_name: 'a.jpg' }, [annotation as never]));

  it('reads what sa1bDocument writes', () => {
    const a = sa1bAnnotation({
      id: 3,
      rle: single,
      prompts: null,
      predictedIou: 0.5,
      stabilityScore: 0.6,
      cropBox: null,
    });
    const parsed = parseSa1b(new JsonReader('x.json'), doc(a));
    expect(parsed.image).toEqual({ image_id: 1, width: 4, height: 3, file_name: 'a.jpg' });
    expect(parsed.annotations[0]).toEqual({
      id: 3,
      segmentation: { size: [3, 4], counts: single.counts },
      point: [1.5, 1.5],
      cropBox: [0, 0, 4, 3],
      predictedIou: 0.5,
      stabilityScore: 0.6,
    });
  });

  it('names the file and JSON path of a bad field', () => {
    const reader = new JsonReader('sa_1.json');
    expect(() => parseSa1b(reader, doc({ id: 1, segmentation: { size: [4, 3], counts: 'x' } }))).toThrow(
      'sa_1.json: $.annotations[0].segmentation.size is [4,3] but the image is [3, 4]',
    );
    expect(() =>
      parseSa1b(reader, doc({ id: 1, segmentation: { size: [3, 4], counts: '2' }, crop_box: [0, 0] })),
    ).toThrow('sa_1.json: $.annotations[0].crop_box must hold 4 numbers');
    expect(() =>
      parseSa1b(reader, { image: { image_id: 1, width: 0, height: 3, file_name: 'a' }, annotations: [] }),
    ).toThrow('sa_1.json: $.image.width must be an integer ≥ 1');
  });
});
