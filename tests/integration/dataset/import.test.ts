import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decompressRle, encodeMask } from '../../../electron/common/rle.ts';
import { importCoco } from '../../../electron/dataset/importCoco.ts';
import { importSa1b } from '../../../electron/dataset/importSa1b.ts';
import { annotationsOfImage } from '../../../electron/store/annotations.ts';
import { addCategory, listCategories } from '../../../electron/store/categories.ts';
import type { Project } from '../../../electron/store/projectDb.ts';
import { projectStats } from '../../../electron/store/stats.ts';
import { newProject, tempDir, writeImage } from '../../helpers/projects.ts';
import { maskOf } from './fixtures.ts';

const blob = encodeMask(
  maskOf(30, 20, (x, y) => Math.hypot(x - 15, y - 10) < 8 && Math.hypot(x - 15, y - 10) >= 3),
);

async function cocoSetup() {
  const dir = tempDir();
  await writeImage(path.join(dir, 'pics', 'one.png'), 30, 20, 1);
  await writeImage(path.join(dir, 'pics', 'two.png'), 40, 10, 2);
  const coco = {
    info: { description: 'made elsewhere' },
    images: [
      { id: 101, file_name: 'one.png', width: 30, height: 20 },
      { id: 102, file_name: 'two.png', width: 40, height: 10 },
      { id: 103, file_name: 'gone.png', width: 8, height: 8 },
    ],
    categories: [
      { id: 1, name: 'person', supercategory: 'human' },
      { id: 2, name: 'car', supercategory: 'vehicle' },
    ],
    annotations: [
      {
        id: 1,
        image_id: 101,
        category_id: 1,
        segmentation: { size: [20, 30], counts: blob.counts },
        area: 1,
        bbox: [0, 0, 1, 1],
        iscrowd: 0,
      },
      { id: 2, image_id: 101, category_id: 1, segmentation: decompressRle(blob), iscrowd: 1 },
      {
        id: 3,
        image_id: 102,
        category_id: 2,
        segmentation: [
          [2, 2, 10, 2, 10, 8],
          [20, 1, 30, 1, 30, 9, 20, 9],
        ],
        iscrowd: 0,
      },
      { id: 4, image_id: 102, category_id: 2, bbox: [1, 1, 5, 5], area: 25, iscrowd: 0 },
      { id: 5, image_id: 103, category_id: 2, segmentation: [[1, 1, 6, 1, 6, 6, 1, 6]], iscrowd: 0 },
      { id: 6, image_id: 102, category_id: 2, segmentation: [[3.1, 3.1, 3.3, 3.1, 3.2, 3.3]], iscrowd: 0 },
    ],
  };
  const file = path.join(dir, 'annotations', 'instances.json');
  return { dir, coco, file, write: () => writeFileSync(file, JSON.stringify(coco)) };
}

function snapshot(project: Project) {
  return ['images', 'categories', 'annotations'].map((t) =>
    project.reader.prepare(`SELECT * FROM ${t}`).all(),
  );
}

describe('COCO import', () => {
  it('imports RLE, uncompressed RLE, polygons, crowd and boxes; creates unknown categories; flags missing images', async () => {
    const s = await cocoSetup();
    mkdirSync(path.dirname(s.file));
    s.write();
    const project = newProject(s.dir);
    addCategory(project.db, { name: 'person' });
    const report = await importCoco(project, s.file, {
      author: 'importer',
      imagesRoot: path.join(s.dir, 'pics'),
    });
    expect(report.categoriesCreated).toEqual(['car']);
    expect(report.annotations).toEqual({ masks: 4, boxes: 1, crowd: 1 });
    expect(report.images).toMatchObject({ added: 3, matched: 0 });
    expect(report.images.missing).toEqual([
      { file: path.join(s.dir, 'pics', 'gone.png'), problem: 'not found' },
    ]);
    expect(report.skippedEmpty).toEqual(['$.annotations[5]']); // a sub-pixel polygon covers no pixel in pycocotools
    const stats = projectStats(project.reader);
    expect(stats.images.byFileState).toEqual({ ok: 2, missing: 1, changed: 0 });
    expect(stats.annotations.bySource.imported).toBe(5);
    expect(stats.annotations.byStatus.accepted).toBe(5);
    expect(listCategories(project.reader).map((c) => [c.name, c.supercategory])).toEqual([
      ['person', ''],
      ['car', 'vehicle'],
    ]);
    const one = project.reader.prepare("SELECT id FROM images WHERE rel_path = 'pics/one.png'").get() as {
      id: number;
    };
    const masks = annotationsOfImage(project.reader, one.id);
    expect(masks.map((m) => [m.rle!.counts, m.iscrowd])).toEqual([
      [blob.counts, false],
      [blob.counts, true],
    ]);
    const two = project.reader.prepare("SELECT id FROM images WHERE rel_path = 'pics/two.png'").get() as {
      id: number;
    };
    const [poly, box] = annotationsOfImage(project.reader, two.id);
    expect(poly!.area).toBeGreaterThan(80); // two parts unioned
    expect(box).toMatchObject({ rle: null, bbox: [1, 1, 5, 5], area: 25 });

    // importing the same file again matches the images instead of adding them
    const again = await importCoco(project, s.file, {
      author: 'importer',
      imagesRoot: path.join(s.dir, 'pics'),
    });
    expect(again.images).toMatchObject({ added: 0, matched: 3 });
  });

  it('rejects malformed input naming the file and JSON path, and writes nothing', async () => {
    const s = await cocoSetup();
    const project = newProject(s.dir);
    const before = snapshot(project);
    const cases: [() => void, string][] = [
      [
        () => ((s.coco.annotations[4] as { segmentation: unknown }).segmentation = [[1, 1, 6, 1]]),
        '$.annotations[4].segmentation[0] must hold an even number of at least 6 numbers',
      ],
      [
        () => (s.coco.annotations[0]!.segmentation = { size: [20, 30], counts: '\u00ff' } as never),
        '$.annotations[0].segmentation.counts is not a valid COCO RLE',
      ],
      [() => (s.coco.images[1]!.width = 41), '$.images[1] says 41×10 but'],
    ];
    for (const [breakIt, message] of cases) {
      const fresh = await cocoSetup();
      s.coco = fresh.coco;
      breakIt();
      const file = path.join(s.dir, 'bad.json');
      writeFileSync(file, JSON.stringify(s.coco));
      await expect(
        importCoco(project, file, { author: 'a', imagesRoot: path.join(s.dir, 'pics') }),
      ).rejects.toThrow(`${file}: ${message}`);
      expect(snapshot(project)).toEqual(before);
    }
    const broken = path.join(s.dir, 'broken.json');
    writeFileSync(broken, '{"images": [');
    await expect(importCoco(project, broken, { author: 'a' })).rejects.toThrow(`${broken}: not valid JSON`);
    await expect(importCoco(project, path.join(s.dir, 'none.json'), { author: 'a' })).rejects.toThrow(
      'none.json: no such file',
    );
    expect(snapshot(project)).toEqual(before);
  });
});

describe('SA-1B import', () => {
  it('reads a folder of per-image files, and rejects a bad one without importing the good ones', async () => {
    const dir = tempDir();
    await writeImage(path.join(dir, 'sa', 'sa_1.png'), 30, 20, 1);
    await writeImage(path.join(dir, 'sa', 'sa_2.png'), 30, 20, 2);
    const annotation = {
      id: 5,
      segmentation: blob,
      bbox: [7, 2, 15, 15],
      area: 1,
      predicted_iou: 0.9,
      stability_score: 0.95,
      point_coords: [[15, 4]],
      crop_box: [0, 0, 30, 20],
    };
    const doc = (n: number, extra = {}) => ({
      image: { image_id: n, width: 30, height: 20, file_name: `sa_${n}.png` },
      annotations: [{ ...annotation, ...extra }],
    });
    writeFileSync(path.join(dir, 'sa', 'sa_1.json'), JSON.stringify(doc(1)));
    writeFileSync(path.join(dir, 'sa', 'sa_2.json'), JSON.stringify(doc(2, { stability_score: 'high' })));
    const project = newProject(dir);
    await expect(importSa1b(project, path.join(dir, 'sa'), { author: 'a' })).rejects.toThrow(
      `${path.join(dir, 'sa', 'sa_2.json')}: $.annotations[0].stability_score must be a number`,
    );
    expect(snapshot(project).flat()).toEqual([]);

    writeFileSync(path.join(dir, 'sa', 'sa_2.json'), JSON.stringify(doc(2)));
    const report = await importSa1b(project, path.join(dir, 'sa'), { author: 'a', status: 'draft' });
    expect(report.annotations.masks).toBe(2);
    const rows = project.reader.prepare('SELECT * FROM annotations').all() as Record<string, unknown>[];
    expect(rows[0]).toMatchObject({
      category_id: null,
      predicted_iou: 0.9,
      stability_score: 0.95,
      crop_box: '[0,0,30,20]',
      status: 'draft',
      rle_counts: blob.counts,
    });
    expect(JSON.parse(rows[0]!.prompts as string)).toEqual({ points: [{ x: 15, y: 4, label: 1 }] });
    await expect(importSa1b(project, path.join(dir, 'pics'), { author: 'a' })).rejects.toThrow(
      'no such folder',
    );
    expect(readdirSync(path.join(dir, 'sa'))).toHaveLength(4);
  });
});
