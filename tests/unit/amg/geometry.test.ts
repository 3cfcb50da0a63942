/**
 * Pure geometry of automatic mask generation against Meta's formulas (expected values computed by
 * segment_anything/utils/amg.py's functions, as copied in native-models/sam_tools/amg.py).
 */
import { describe, expect, it } from 'vitest';
import {
  boxXyxyToXywh,
  isBoxNearCropEdge,
  uncropBox,
  uncropPoint,
} from '../../../electron/common/amg/boxes.ts';
import { generateCropBoxes } from '../../../electron/common/amg/crops.ts';
import { buildAllLayerPointGrids, buildPointGrid, pointsForCrop } from '../../../electron/common/amg/grid.ts';
import { AMG_DEFAULTS, resolveAmgParams } from '../../../electron/common/amg/params.ts';

// generate_crop_boxes((h, w), layers, ratio) → boxes (XYXY, exclusive), in Meta's order.
const CROPS = [
  {
    height: 183,
    width: 320,
    layers: 2,
    ratio: 0.3413333333333333,
    boxes: [
      [0, 0, 320, 183],
      [0, 0, 191, 123],
      [0, 61, 191, 183],
      [129, 0, 320, 123],
      [129, 61, 320, 183],
      [0, 0, 104, 69],
      [0, 38, 104, 107],
      [0, 76, 104, 145],
      [0, 114, 104, 183],
      [73, 0, 177, 69],
      [73, 38, 177, 107],
      [73, 76, 177, 145],
      [73, 114, 177, 183],
      [146, 0, 250, 69],
      [146, 38, 250, 107],
      [146, 76, 250, 145],
      [146, 114, 250, 183],
      [219, 0, 320, 69],
      [219, 38, 320, 107],
      [219, 76, 320, 145],
      [219, 114, 320, 183],
    ],
    layers_of: [0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
  },
  {
    height: 1500,
    width: 2250,
    layers: 3,
    ratio: 0.3413333333333333,
    boxes: [
      [0, 0, 2250, 1500],
      [0, 0, 1381, 1006],
      [0, 494, 1381, 1500],
      [869, 0, 2250, 1006],
      [869, 494, 2250, 1500],
      [0, 0, 755, 567],
      [0, 311, 755, 878],
      [0, 622, 755, 1189],
      [0, 933, 755, 1500],
      [499, 0, 1254, 567],
      [499, 311, 1254, 878],
      [499, 622, 1254, 1189],
      [499, 933, 1254, 1500],
      [998, 0, 1753, 567],
      [998, 311, 1753, 878],
      [998, 622, 1753, 1189],
      [998, 933, 1753, 1500],
      [1497, 0, 2250, 567],
      [1497, 311, 2250, 878],
      [1497, 622, 2250, 1189],
      [1497, 933, 2250, 1500],
      [0, 0, 394, 300],
      [0, 172, 394, 472],
      [0, 344, 394, 644],
      [0, 516, 394, 816],
      [0, 688, 394, 988],
      [0, 860, 394, 1160],
      [0, 1032, 394, 1332],
      [0, 1204, 394, 1500],
      [266, 0, 660, 300],
      [266, 172, 660, 472],
      [266, 344, 660, 644],
      [266, 516, 660, 816],
      [266, 688, 660, 988],
      [266, 860, 660, 1160],
      [266, 1032, 660, 1332],
      [266, 1204, 660, 1500],
      [532, 0, 926, 300],
      [532, 172, 926, 472],
      [532, 344, 926, 644],
      [532, 516, 926, 816],
      [532, 688, 926, 988],
      [532, 860, 926, 1160],
      [532, 1032, 926, 1332],
      [532, 1204, 926, 1500],
      [798, 0, 1192, 300],
      [798, 172, 1192, 472],
      [798, 344, 1192, 644],
      [798, 516, 1192, 816],
      [798, 688, 1192, 988],
      [798, 860, 1192, 1160],
      [798, 1032, 1192, 1332],
      [798, 1204, 1192, 1500],
      [1064, 0, 1458, 300],
      [1064, 172, 1458, 472],
      [1064, 344, 1458, 644],
      [1064, 516, 1458, 816],
      [1064, 688, 1458, 988],
      [1064, 860, 1458, 1160],
      [1064, 1032, 1458, 1332],
      [1064, 1204, 1458, 1500],
      [1330, 0, 1724, 300],
      [1330, 172, 1724, 472],
      [1330, 344, 1724, 644],
      [1330, 516, 1724, 816],
      [1330, 688, 1724, 988],
      [1330, 860, 1724, 1160],
      [1330, 1032, 1724, 1332],
      [1330, 1204, 1724, 1500],
      [1596, 0, 1990, 300],
      [1596, 172, 1990, 472],
      [1596, 344, 1990, 644],
      [1596, 516, 1990, 816],
      [1596, 688, 1990, 988],
      [1596, 860, 1990, 1160],
      [1596, 1032, 1990, 1332],
      [1596, 1204, 1990, 1500],
      [1862, 0, 2250, 300],
      [1862, 172, 2250, 472],
      [1862, 344, 2250, 644],
      [1862, 516, 2250, 816],
      [1862, 688, 2250, 988],
      [1862, 860, 2250, 1160],
      [1862, 1032, 2250, 1332],
      [1862, 1204, 2250, 1500],
    ],
    layers_of: [
      0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
      3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
      3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    ],
  },
  {
    height: 1000,
    width: 1000,
    layers: 1,
    ratio: 0.0,
    boxes: [
      [0, 0, 1000, 1000],
      [0, 0, 500, 500],
      [0, 500, 500, 1000],
      [500, 0, 1000, 500],
      [500, 500, 1000, 1000],
    ],
    layers_of: [0, 1, 1, 1, 1],
  },
  {
    height: 480,
    width: 640,
    layers: 2,
    ratio: 0.5,
    boxes: [
      [0, 0, 640, 480],
      [0, 0, 440, 360],
      [0, 120, 440, 480],
      [200, 0, 640, 360],
      [200, 120, 640, 480],
      [0, 0, 250, 210],
      [0, 90, 250, 300],
      [0, 180, 250, 390],
      [0, 270, 250, 480],
      [130, 0, 380, 210],
      [130, 90, 380, 300],
      [130, 180, 380, 390],
      [130, 270, 380, 480],
      [260, 0, 510, 210],
      [260, 90, 510, 300],
      [260, 180, 510, 390],
      [260, 270, 510, 480],
      [390, 0, 640, 210],
      [390, 90, 640, 300],
      [390, 180, 640, 390],
      [390, 270, 640, 480],
    ],
    layers_of: [0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
  },
];

describe('point grids (build_point_grid, build_all_layer_point_grids)', () => {
  it('offsets the grid by 1/(2n) and walks rows of x', () => {
    expect(buildPointGrid(1)).toEqual([[0.5, 0.5]]);
    const three = buildPointGrid(3);
    expect(three.slice(0, 3)).toEqual([
      [0.16666666666666666, 0.16666666666666666],
      [0.5, 0.16666666666666666],
      [0.8333333333333334, 0.16666666666666666],
    ]);
    expect(three.filter((_, i) => i % 3 === 0).map((p) => p[1])).toEqual([
      0.16666666666666666, 0.5, 0.8333333333333334,
    ]);
  });

  it("reproduces numpy's linspace bit for bit (i · step + start, last = stop)", () => {
    expect(
      buildPointGrid(7)
        .slice(0, 7)
        .map((p) => p[0]),
    ).toEqual([
      0.07142857142857142, 0.2142857142857143, 0.3571428571428572, 0.5, 0.6428571428571429,
      0.7857142857142858, 0.9285714285714286,
    ]);
    const side = buildPointGrid(32)
      .slice(0, 32)
      .map((p) => p[0]);
    expect(side).toEqual(Array.from({ length: 32 }, (_, i) => (2 * i + 1) / 64));
  });

  it('shrinks the grid per layer with int(n / factor^i)', () => {
    expect(buildAllLayerPointGrids(32, 2, 2).map((g) => g.length)).toEqual([1024, 256, 64]);
    expect(buildAllLayerPointGrids(5, 2, 2).map((g) => g.length)).toEqual([25, 4, 1]);
    expect(buildAllLayerPointGrids(4, 1, 1).map((g) => g.length)).toEqual([16, 16]);
  });

  it('scales a grid by the crop size (x by width, y by height)', () => {
    expect([...pointsForCrop(buildPointGrid(2), 320, 183)]).toEqual([
      80, 45.75, 240, 45.75, 80, 137.25, 240, 137.25,
    ]);
  });
});

describe('crop boxes (generate_crop_boxes)', () => {
  for (const c of CROPS) {
    it(`${c.width}×${c.height}, ${c.layers} layers, overlap ratio ${c.ratio.toFixed(3)}`, () => {
      const crops = generateCropBoxes({ width: c.width, height: c.height }, c.layers, c.ratio);
      expect(crops.map((b) => [...b.box])).toEqual(c.boxes);
      expect(crops.map((b) => b.layer)).toEqual(c.layers_of);
    });
  }

  it('gives (2^i)² crops in layer i, x outer and y inner', () => {
    const crops = generateCropBoxes({ width: 100, height: 100 }, 1, 0);
    expect(crops.map((c) => c.box)).toEqual([
      [0, 0, 100, 100],
      [0, 0, 50, 50],
      [0, 50, 50, 100],
      [50, 0, 100, 50],
      [50, 50, 100, 100],
    ]);
  });
});

describe('boxes', () => {
  it("converts XYXY to XYWH without +1 (Meta's box_xyxy_to_xywh)", () => {
    expect(boxXyxyToXywh([3, 4, 3, 4])).toEqual([3, 4, 0, 0]);
    expect(boxXyxyToXywh([0, 0, 319, 182])).toEqual([0, 0, 319, 182]);
  });

  it('uncrops boxes and points by the crop origin', () => {
    expect(uncropBox([1, 2, 3, 4], [10, 20, 50, 60])).toEqual([11, 22, 13, 24]);
    expect(uncropPoint(1.5, 2.25, [10, 20, 50, 60])).toEqual([11.5, 22.25]);
  });

  it('flags boxes within 20 px of an inner crop edge, not of an image edge', () => {
    const image = [0, 0, 200, 100] as const;
    const crop = [0, 0, 120, 70] as const; // inner edges: x = 120, y = 70
    expect(isBoxNearCropEdge([10, 10, 50, 40], crop, image)).toBe(false);
    expect(isBoxNearCropEdge([10, 10, 100, 40], crop, image)).toBe(true); // |100 − 120| = 20 ≤ 20
    expect(isBoxNearCropEdge([10, 10, 99, 40], crop, image)).toBe(false); // 21
    expect(isBoxNearCropEdge([10, 10, 50, 50], crop, image)).toBe(true); // y1 50 vs 70
    expect(isBoxNearCropEdge([0, 0, 50, 40], crop, image)).toBe(false); // at the image's own left/top edge
    // the whole image as the crop: nothing is near an inner edge
    expect(isBoxNearCropEdge([0, 0, 199, 99], image, image)).toBe(false);
    // a crop at the bottom right: its left/top edges are inner; the box is in the crop's frame
    expect(isBoxNearCropEdge([5, 30, 40, 40], [80, 30, 200, 100], image)).toBe(true);
    expect(isBoxNearCropEdge([25, 25, 100, 59], [80, 30, 200, 100], image)).toBe(false);
  });
});

describe('parameters', () => {
  it("has Meta's names and defaults", () => {
    expect(AMG_DEFAULTS).toEqual({
      points_per_side: 32,
      points_per_batch: 64,
      pred_iou_thresh: 0.88,
      stability_score_thresh: 0.95,
      stability_score_offset: 1.0,
      box_nms_thresh: 0.7,
      crop_n_layers: 0,
      crop_nms_thresh: 0.7,
      crop_overlap_ratio: 512 / 1500,
      crop_n_points_downscale_factor: 1,
      point_grids: null,
      min_mask_region_area: 0,
      drop_masks_covering: 0,
    });
    expect(resolveAmgParams()).toEqual(AMG_DEFAULTS);
  });

  it('takes point_grids instead of points_per_side', () => {
    const p = resolveAmgParams({ point_grids: [[[0.5, 0.5]]] });
    expect(p.points_per_side).toBeNull();
  });

  it('names the bad parameter in one line', () => {
    expect(() => resolveAmgParams({ points_per_batch: 0 })).toThrow(/^AMG parameter points_per_batch = 0: /);
    expect(() => resolveAmgParams({ point_grids: [[[0.5, 0.5]]], points_per_side: 8 })).toThrow(
      /exactly one/,
    );
    expect(() => resolveAmgParams({ crop_n_layers: 1, point_grids: [[[0.5, 0.5]]] })).toThrow(/one grid per/);
    expect(() => resolveAmgParams({ crop_overlap_ratio: 1 })).toThrow(/crop_overlap_ratio/);
    expect(() =>
      resolveAmgParams({ points_per_side: 2, crop_n_layers: 2, crop_n_points_downscale_factor: 2 }),
    ).toThrow(/no points in crop layer 2/);
    expect(() => resolveAmgParams({ drop_masks_covering: 1.5 })).toThrow(/drop_masks_covering/);
  });
});
