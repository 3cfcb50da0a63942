/**
 * The CLI with SAM 2.1 models (issue 14), as a user runs it on the committed fixture folders: `predict` with
 * points, a box, a box with points, multimask and refinement from `--logits-out` gives PyTorch's masks
 * (tests/fixtures/reference/sam2); a layout without a mask input says so in one line; `amg` applies Meta's
 * `SAM2AutomaticMaskGenerator` defaults and writes a sane mask set; `boxes-to-masks` works with a SAM 2 model.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sa1bAnnotation } from '../../../electron/common/formatSa1b.ts';
import { type Rle, decodeRle, rleArea } from '../../../electron/common/rle.ts';
import { readGreyPng } from '../../../electron/dataset/pngMasks.ts';
import { maskIou } from '../../helpers/referenceSuite.ts';
import { cli } from '../../helpers/cli.ts';
import { fixturesDir } from '../../helpers/paths.ts';
import { tempDir } from '../../helpers/projects.ts';

const models = path.join(fixturesDir, 'models');
const sam2 = path.join(models, 'sam2-tiny-random');
const refDir = path.join(fixturesDir, 'reference');
const wide = path.join(refDir, 'wide.png');
const runtime = ['--providers', 'cpu', '--threads', '1', '--no-cache'];

interface RefPrompt {
  name: string;
  point_coords: [number, number][] | null;
  point_labels: number[] | null;
  box: number[] | null;
  multimask_output: boolean;
  mask_input_from: { prompt: string; token: number } | null;
  expected: { tokens: number[]; masks: Rle[] };
}
const index = JSON.parse(readFileSync(path.join(refDir, 'sam2', 'index.json'), 'utf8')) as {
  images: Record<string, { prompts: RefPrompt[] }>;
};
const prompts = new Map(index.images.wide!.prompts.map((p) => [p.name, p]));

function flagsOf(p: RefPrompt): string[] {
  const flags = (p.point_coords ?? []).flatMap(([x, y], i) => ['--point', `${x},${y},${p.point_labels![i]}`]);
  if (p.box) flags.push('--box', p.box.join(','));
  if (p.multimask_output) flags.push('--multimask');
  return flags;
}

interface PredictOut {
  model: { layout: string; model_family: string; capabilities: Record<string, unknown> };
  masks: { token: number; segmentation: Rle }[];
}

function predict(model: string, args: string[]): PredictOut {
  const out = path.join(tempDir('sam2-predict-'), 'out.json');
  const r = cli(['predict', '--model', model, '--image', wide, ...runtime, ...args, '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as PredictOut;
}

function expectMasks(got: PredictOut, p: RefPrompt) {
  expect(
    got.masks.map((m) => m.token),
    p.name,
  ).toEqual(p.expected.tokens);
  // Pixel for pixel but for rounding flips at the threshold (the encoder runs in onnxruntime, not PyTorch).
  got.masks.forEach((m, i) =>
    expect(maskIou(m.segmentation, p.expected.masks[i]!), `${p.name}[${i}]`).toBeGreaterThanOrEqual(0.999),
  );
}

describe('sam-annotate predict with a SAM 2.1 model', () => {
  for (const name of ['point1_multi', 'points3_single', 'box_single', 'box_neg_multi']) {
    it(`${name}: PyTorch's tokens and masks`, () => {
      const p = prompts.get(name)!;
      const got = predict(sam2, flagsOf(p));
      expect(got.model).toMatchObject({
        layout: 'sam2',
        model_family: 'sam2',
        capabilities: { mask_input: true, box: true, single_mask: 'token0-unless-unstable' },
      });
      expectMasks(got, p);
    });
  }

  it("refines from --logits-out through --mask-input as Meta's predictor does (logits clamped to ±32)", () => {
    const refine = prompts.get('refine_single')!;
    const source = prompts.get(refine.mask_input_from!.prompt)!;
    const logits = path.join(tempDir('sam2-logits-'), 'source.f32');
    predict(sam2, [...flagsOf(source), '--logits-out', logits]);
    const candidate = source.expected.tokens.indexOf(refine.mask_input_from!.token);
    expectMasks(predict(sam2, [...flagsOf(refine), '--mask-input', `${logits}#${candidate}`]), refine);
  });

  it('says in one line that a transformers.js SAM 2 model cannot refine', () => {
    const hf = path.join(models, 'sam2-tiny-random-hf');
    const logits = path.join(tempDir('sam2-logits-'), 'source.f32');
    predict(hf, ['--point', '90,80,1', '--multimask', '--logits-out', logits]);
    const out = path.join(tempDir('sam2-predict-'), 'out.json');
    const r = cli(
      ['predict', '--model', hf, '--image', wide, ...runtime, '--point', '90,80,1'].concat([
        '--mask-input',
        `${logits}#0`,
        '--out',
        out,
      ]),
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('model sam2-tiny-random-hf cannot refine from an earlier mask');
  });
});

function amg(model: string, output: string, ...args: string[]) {
  const r = cli(['amg', '--model', model, ...runtime, '--input', wide, '--output', output, ...args]);
  expect(r.code, r.stderr).toBe(0);
  const run = JSON.parse(readFileSync(path.join(output, 'amg-run.json'), 'utf8'));
  const annotations = JSON.parse(readFileSync(path.join(output, 'wide.json'), 'utf8'))
    .annotations as Sa1bAnnotation[];
  return { params: run.params, annotations };
}

describe('sam-annotate amg with a SAM 2.1 model', () => {
  it("applies SAM2AutomaticMaskGenerator's defaults (pred_iou_thresh 0.8); SAM 1 models keep 0.88", () => {
    const dir = tempDir('sam2-amg-');
    const few = ['--points-per-side', '4'];
    expect(amg(sam2, path.join(dir, 'sam2'), ...few).params).toMatchObject({
      pred_iou_thresh: 0.8,
      stability_score_thresh: 0.95,
      box_nms_thresh: 0.7,
      points_per_side: 4,
    });
    const sam1 = amg(path.join(models, 'tiny-random'), path.join(dir, 'sam1'), ...few);
    expect(sam1.params.pred_iou_thresh).toBe(0.88);
    // An explicit flag still wins.
    expect(amg(sam2, path.join(dir, 'flag'), ...few, '--pred-iou-thresh', '0.5').params.pred_iou_thresh).toBe(
      0.5,
    );
  });

  it('writes a sane mask set: filtered as asked, inside the image, areas and boxes of the masks', () => {
    const dir = tempDir('sam2-amg-');
    const { annotations } = amg(
      sam2,
      dir,
      '--points-per-side',
      '8',
      '--pred-iou-thresh',
      '0.3',
      '--stability-score-thresh',
      '0.5',
    );
    expect(annotations.length).toBeGreaterThan(0);
    for (const a of annotations) {
      expect(a.segmentation.size).toEqual([183, 320]);
      expect(a.area).toBe(rleArea(a.segmentation as Rle));
      expect(a.area).toBeGreaterThan(0);
      expect(a.predicted_iou).toBeGreaterThan(0.3);
      expect(a.stability_score).toBeGreaterThanOrEqual(0.5);
      const [x, y, w, h] = a.bbox;
      expect(x >= 0 && y >= 0 && x + w <= 320 && y + h <= 183).toBe(true);
      const [px, py] = a.point_coords[0]!;
      expect(px! >= 0 && px! <= 320 && py! >= 0 && py! <= 183).toBe(true);
      expect(decodeRle(a.segmentation as Rle).data.some((v) => v === 1)).toBe(true);
    }
  });
});

describe('sam-annotate boxes-to-masks with a SAM 2.1 model', () => {
  it('turns box-only annotations into masks (box, then box + the best logits)', () => {
    const dir = tempDir('sam2-boxes-');
    const file = path.join(dir, 'p.samproj');
    const images = path.join(dir, 'images');
    mkdirSync(images);
    copyFileSync(wide, path.join(images, 'wide.png'));
    expect(cli(['project', 'create', file, '--images', images]).code).toBe(0);
    const coco = {
      images: [{ id: 1, file_name: 'wide.png', width: 320, height: 183 }],
      categories: [{ id: 1, name: 'thing', supercategory: '' }],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [35, 40, 110, 80], area: 8800, iscrowd: 0 },
        { id: 2, image_id: 1, category_id: 1, bbox: [180, 40, 110, 100], area: 11000, iscrowd: 0 },
      ],
    };
    const cocoFile = path.join(images, 'coco.json'); // its file_name values are relative to it
    writeFileSync(cocoFile, JSON.stringify(coco));
    expect(cli(['project', 'import', file, '--coco', cocoFile]).stderr).toContain('2 boxes');
    const r = cli(['boxes-to-masks', file, '--model', sam2, ...runtime]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/2 of 2 boxes → masks in 1 image/);
    const stats = JSON.parse(cli(['project', 'stats', file, '--json']).stdout);
    expect(stats.annotations).toMatchObject({ total: 2, masks: 2, boxes: 0 });
  });
});

describe('sam-annotate edges with a SAM 2.1 model', () => {
  it('writes an edge map of the image size (logits resized straight to the image, as SAM 2 does)', async () => {
    const out = path.join(tempDir('sam2-edges-'), 'edges.png');
    const r = cli([
      'edges',
      '--model',
      sam2,
      ...runtime,
      '--input',
      wide,
      '--out',
      out,
      '--points-per-side',
      '8',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { values, width, height } = await readGreyPng(out);
    expect([width, height]).toEqual([320, 183]);
    const edges = [...values].filter((v) => v > 0).length;
    expect(edges).toBeGreaterThan(100);
    expect(edges).toBeLessThan(values.length * 0.9);
  });
});
