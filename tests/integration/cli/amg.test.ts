/**
 * `sam-annotate amg | merge | edges | boxes-to-masks` as a user runs them, on the tiny fixture model: SA-1B
 * output equal to the reference, resuming, shards + merge equal to one run, Meta's amg.py folder layout, one-line
 * errors, an edge map, and boxes of a project (made with `sam-annotate project`) turned into masks.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { AMG_CSV_HEADER } from '../../../electron/common/formatAmgCsv.ts';
import type { Sa1bAnnotation } from '../../../electron/common/formatSa1b.ts';
import { type Rle, decodeRle } from '../../../electron/common/rle.ts';
import { readGreyPng } from '../../../electron/dataset/pngMasks.ts';
import { cli } from '../../helpers/cli.ts';
import { fixturesDir } from '../../helpers/paths.ts';
import { tempDir } from '../../helpers/projects.ts';

const model = path.join(fixturesDir, 'models', 'tiny-random');
const wide = path.join(fixturesDir, 'reference', 'wide.png');
const tall = path.join(fixturesDir, 'reference', 'tall.png');
const runtime = ['--providers', 'cpu', '--threads', '1', '--no-cache'];
// Few prompts and masks: fast, and still masks to compare (the random weights' IoU reaches ~2).
const small = [
  '--points-per-side',
  '4',
  '--pred-iou-thresh',
  '1.5',
  '--stability-score-thresh',
  '0.4',
  '--box-nms-thresh',
  '1',
];

function amg(...args: string[]) {
  return cli(['amg', '--model', model, ...runtime, ...args]);
}

/** A folder of images, some nested: copies of the two fixture images under other names. */
function dataset(dir: string, names: string[]): string {
  for (const [i, name] of names.entries()) {
    const file = path.join(dir, ...name.split('/'));
    mkdirSync(path.dirname(file), { recursive: true });
    copyFileSync(i % 2 ? tall : wide, file);
  }
  return dir;
}

/** Every non-hidden file under `dir` → its bytes, by POSIX relative path. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (folder: string, prefix: string) => {
    for (const e of readdirSync(folder, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) walk(path.join(folder, e.name), `${prefix}${e.name}/`);
      else out.set(`${prefix}${e.name}`, readFileSync(path.join(folder, e.name)).toString('base64'));
    }
  };
  walk(dir, '');
  return out;
}

function oneLineError(r: { code: number | null; stderr: string }, code: number, pattern: RegExp) {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.trim().split('\n');
  expect(lines[lines.length - 1]).toMatch(/^sam-annotate: error: /);
  expect(lines[lines.length - 1]).toMatch(pattern);
}

describe('sam-annotate amg', () => {
  it('writes SA-1B per-image files equal to the reference run, and resumes where it stopped', () => {
    const dir = tempDir('sam-amg-');
    const input = dataset(path.join(dir, 'in'), ['wide.png', 'sub/tall.png']);
    const out = path.join(dir, 'out');
    const ref = JSON.parse(readFileSync(path.join(fixturesDir, 'amg', 'wide.grid.json'), 'utf8')) as {
      annotations: Sa1bAnnotation[];
      reference: { params: Record<string, number> };
    };
    const flags = Object.entries(ref.reference.params).flatMap(([k, v]) => [
      `--${k.replace(/_/g, '-')}`,
      String(v),
    ]);
    const first = amg('--input', input, '--output', out, ...flags);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/amg: 2 images → \d+ masks/);
    expect(readdirSync(out).sort()).toEqual(['amg-run.json', 'sub', 'wide.json']);
    const doc = JSON.parse(readFileSync(path.join(out, 'wide.json'), 'utf8'));
    expect(doc.image).toEqual({ image_id: 2, width: 320, height: 183, file_name: 'wide.png' }); // 'sub/tall.png' sorts first
    expect(doc.annotations.map((a: Sa1bAnnotation) => a.segmentation.counts)).toEqual(
      ref.annotations.map((a) => a.segmentation.counts),
    );
    expect(doc.annotations.map((a: Sa1bAnnotation) => a.id)).toEqual(ref.annotations.map((_, i) => i));
    expect(JSON.parse(readFileSync(path.join(out, 'sub', 'tall.json'), 'utf8')).image.file_name).toBe(
      'sub/tall.png',
    );

    // Nothing left to do: both skipped, files untouched.
    const mtime = statSync(path.join(out, 'wide.json')).mtimeMs;
    const again = amg('--input', input, '--output', out, ...flags);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('2 already done');
    expect(statSync(path.join(out, 'wide.json')).mtimeMs).toBe(mtime);

    // A missing and a torn output are redone, the rest kept.
    rmSync(path.join(out, 'sub', 'tall.json'));
    writeFileSync(path.join(out, 'wide.json'), '{"image": {"file_name": "wide.png"}, "annot');
    const resumed = amg('--input', input, '--output', out, ...flags);
    expect(resumed.stderr).toMatch(/amg: 2 images → /);
    expect(JSON.parse(readFileSync(path.join(out, 'wide.json'), 'utf8'))).toEqual(doc);

    // Other settings into the same folder: refused, in one line.
    oneLineError(
      amg('--input', input, '--output', out, ...flags, '--points-per-side', '5'),
      1,
      /other settings \(points_per_side 12 vs 5\)/,
    );
  });

  it('splits a dataset into shards that merge into exactly the unsharded output (and a COCO file)', () => {
    const dir = tempDir('sam-amg-');
    const names = ['a.png', 'b.png', 'c/d.png', 'c/e.png', 'h/i/j.png'];
    const input = dataset(path.join(dir, 'in'), names);
    const whole = path.join(dir, 'whole');
    expect(amg('--input', input, '--output', whole, ...small).code).toBe(0);
    const shards = [0, 1, 2].map((i) => path.join(dir, `shard${i}`));
    const counts = shards.map((out, i) => {
      const r = amg('--input', input, '--output', out, '--shard', `${i}/3`, ...small);
      expect(r.code, r.stderr).toBe(0);
      return Number(/: (\d+) of 5 images/.exec(r.stderr)![1]);
    });
    expect(counts.reduce((a, b) => a + b)).toBe(5);
    expect(counts.filter((c) => c > 0).length).toBeGreaterThan(1);

    const merged = path.join(dir, 'merged');
    const coco = path.join(dir, 'all.json');
    const m = cli(['merge', ...shards, '--output', merged, '--coco', coco]);
    expect(m.code, m.stderr).toBe(0);
    expect(tree(merged)).toEqual(tree(whole));
    const c = JSON.parse(readFileSync(coco, 'utf8'));
    expect(c.images.map((i: { id: number }) => i.id).sort((a: number, b: number) => a - b)).toEqual([
      1, 2, 3, 4, 5,
    ]);
    const total = [...tree(whole).keys()]
      .filter((f) => f !== 'amg-run.json')
      .reduce((n, f) => n + JSON.parse(readFileSync(path.join(whole, f), 'utf8')).annotations.length, 0);
    expect(c.annotations.length).toBe(total);
    expect(c.annotations[0]).toMatchObject({ id: 1, category_id: 1, iscrowd: 0 });

    oneLineError(cli(['merge', shards[0]!, whole, '--output', path.join(dir, 'bad')]), 1, /is in two shards/);
    const other = path.join(dir, 'other');
    amg('--input', path.join(input, 'a.png'), '--output', other, '--points-per-side', '5');
    oneLineError(
      cli(['merge', whole, other, '--output', path.join(dir, 'bad')]),
      1,
      /different settings \(points_per_side 4 vs 5\)/,
    );
  });

  it("writes Meta's amg.py folder layout with --format amg-png", async () => {
    const dir = tempDir('sam-amg-');
    const out = path.join(dir, 'out');
    const r = amg('--input', wide, '--output', out, '--format', 'amg-png', ...small);
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(path.join(out, 'wide')).sort();
    const csv = readFileSync(path.join(out, 'wide', 'metadata.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe(AMG_CSV_HEADER);
    const n = csv.length - 1;
    expect(n).toBeGreaterThan(0);
    expect(files).toEqual([...Array.from({ length: n }, (_, i) => `${i}.png`), 'metadata.csv'].sort());
    expect((await sharp(path.join(out, 'wide', '0.png')).metadata()).channels).toBe(1);
    const { values: data, width, height } = await readGreyPng(path.join(out, 'wide', '0.png'));
    expect([width, height]).toEqual([320, 183]);
    expect(new Set(data)).toEqual(new Set([0, 255]));
    const [id, area] = csv[1]!.split(',');
    expect(id).toBe('0');
    expect(data.filter((v) => v === 255).length).toBe(Number(area));
  });

  it('reports bad input in one line (usage errors exit 2)', () => {
    const dir = tempDir('sam-amg-');
    oneLineError(cli(['amg', '--output', dir]), 2, /--input is required/);
    oneLineError(amg('--input', wide, '--output', dir, '--shard', '2/2'), 2, /--shard 2\/2: expected I\/N/);
    oneLineError(
      amg('--input', wide, '--output', dir, '--pred-iou-thresh', 'high'),
      2,
      /--pred-iou-thresh high: expected a number/,
    );
    oneLineError(
      amg('--input', wide, '--output', dir, '--points-per-batch', '0'),
      2,
      /--points-per-batch 0: expected a whole number ≥ 1/,
    );
    oneLineError(
      amg('--input', wide, '--output', dir, '--format', 'tiff'),
      2,
      /--format tiff: expected sa1b or amg-png/,
    );
    oneLineError(amg('--input', path.join(dir, 'nope'), '--output', dir), 1, /nope: no such file or folder/);
  });
});

describe('sam-annotate edges', () => {
  it('writes a grey edge map of the image size with some edges and mostly background', async () => {
    const dir = tempDir('sam-edges-');
    const out = path.join(dir, 'edges.png');
    const r = cli([
      'edges',
      '--model',
      model,
      ...runtime,
      '--input',
      wide,
      '--out',
      out,
      '--points-per-side',
      '8',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect((await sharp(out).metadata()).channels).toBe(1);
    const { values: data, width, height } = await readGreyPng(out);
    expect([width, height]).toEqual([320, 183]);
    const values = [...data];
    const edges = values.filter((v) => v > 0).length;
    expect(Math.max(...values)).toBe(255);
    expect(edges).toBeGreaterThan(100);
    expect(edges).toBeLessThan(data.length * 0.9);
  });
});

describe('sam-annotate boxes-to-masks', () => {
  it('turns the box-only annotations of a project into masks (semi-auto), one transaction per image', () => {
    const dir = tempDir('sam-boxes-');
    const images = dataset(path.join(dir, 'images'), ['wide.png', 'tall.png']);
    const file = path.join(dir, 'p.samproj');
    expect(cli(['project', 'create', file, '--images', images]).code).toBe(0);
    const coco = {
      images: [
        { id: 1, file_name: 'wide.png', width: 320, height: 183 },
        { id: 2, file_name: 'tall.png', width: 150, height: 230 },
      ],
      categories: [{ id: 1, name: 'thing', supercategory: '' }],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [35, 40, 110, 80], area: 8800, iscrowd: 0 },
        { id: 2, image_id: 1, category_id: 1, bbox: [180, 40, 110, 100], area: 11000, iscrowd: 0 },
        { id: 3, image_id: 2, category_id: 1, bbox: [20, 120, 110, 90], area: 9900, iscrowd: 0 },
      ],
    };
    writeFileSync(path.join(images, 'coco.json'), JSON.stringify(coco));
    const imported = cli(['project', 'import', file, '--coco', path.join(images, 'coco.json')]);
    expect(imported.stderr).toContain('imported 0 masks, 3 boxes');

    const r = cli(['boxes-to-masks', file, '--model', model, ...runtime, '--author', 'tester']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('3 of 3 boxes → masks in 2 images');
    const stats = JSON.parse(cli(['project', 'stats', file, '--json']).stdout);
    expect(stats.annotations).toMatchObject({ total: 3, masks: 3, boxes: 0 });
    expect(stats.annotations.bySource).toMatchObject({ 'semi-auto': 3 });
    expect(stats.annotations.byStage).toMatchObject({ auto: 3 }); // a batch over the project (issue 17)

    const out = path.join(dir, 'masks.json');
    expect(cli(['project', 'export', file, '--format', 'coco-rle', '--out', out, '--all']).code).toBe(0);
    const exported = JSON.parse(readFileSync(out, 'utf8'));
    for (const a of exported.annotations) {
      const mask = decodeRle(a.segmentation as Rle);
      expect(a.area).toBeGreaterThan(0);
      expect([mask.width, mask.height]).toEqual(
        a.image_id === exported.images.find((i: { file_name: string }) => i.file_name === 'tall.png').id
          ? [150, 230]
          : [320, 183],
      );
    }
    // A second run finds nothing left to do.
    expect(cli(['boxes-to-masks', file, '--model', model, ...runtime]).stderr).toContain('0 of 0 boxes');
  });
});
