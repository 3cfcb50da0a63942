import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AMG_CSV_HEADER } from '../../../electron/common/formatAmgCsv.ts';
import { polygonsToRle } from '../../../electron/common/polygonRaster.ts';
import { type Rle, decodeRle, rleBboxCoco, rleBboxSam } from '../../../electron/common/rle.ts';
import { exportCoco } from '../../../electron/dataset/exportCoco.ts';
import { exportAmgPng, exportPngMasks } from '../../../electron/dataset/exportPng.ts';
import { exportSa1b } from '../../../electron/dataset/exportSa1b.ts';
import { exportYolo } from '../../../electron/dataset/exportYolo.ts';
import { exportProject } from '../../../electron/dataset/exportProject.ts';
import { importCoco } from '../../../electron/dataset/importCoco.ts';
import { importSa1b } from '../../../electron/dataset/importSa1b.ts';
import { readGreyPng } from '../../../electron/dataset/pngMasks.ts';
import { annotationsOfImage, moveAnnotation } from '../../../electron/store/annotations.ts';
import { setImageStatus } from '../../../electron/store/images.ts';
import type { Project } from '../../../electron/store/projectDb.ts';
import { newProject, tempDir } from '../../helpers/projects.ts';
import { annotatedProject } from './fixtures.ts';

/** Masks of a project keyed by the image's content hash, sorted (to compare projects with different ids). */
function masksByImage(project: Project): Record<string, string[]> {
  const rows = project.reader
    .prepare(
      'SELECT i.sha256, a.rle_counts FROM annotations a JOIN images i ON i.id = a.image_id WHERE a.rle_counts IS NOT NULL',
    )
    .all() as { sha256: string; rle_counts: string }[];
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[r.sha256] ??= []).push(r.rle_counts);
  for (const list of Object.values(out)) list.sort();
  return out;
}

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

describe('COCO export', () => {
  it('writes categories, images and accepted masks with COCO bbox/area and iscrowd', async () => {
    const f = await annotatedProject();
    const out = path.join(f.dir, 'coco.json');
    const report = await exportCoco(f.project, out, 'auto', { includeUncategorized: true });
    const coco = json(out);
    expect(coco.categories).toEqual([
      { id: f.categories.cat, name: 'cat', supercategory: 'animal' },
      { id: f.categories.dog, name: 'dog', supercategory: 'animal' },
      { id: 3, name: 'uncategorized', supercategory: '' },
    ]);
    // image c has nothing accepted and is not marked done: left out rather than passed off as empty
    expect(coco.images).toEqual([
      { id: f.images.a, file_name: 'a.png', width: 60, height: 40 },
      { id: f.images.b, file_name: 'sub/b.jpg', width: 50, height: 30 },
    ]);
    expect(coco.annotations).toHaveLength(4); // no draft, no box-only
    const [donut, square, crowd, b] = coco.annotations;
    expect(donut.segmentation).toEqual({ size: [40, 60], counts: f.masks.donut!.counts }); // holes → RLE in auto mode
    expect(donut.bbox).toEqual(rleBboxCoco(f.masks.donut!));
    expect(square).toMatchObject({
      segmentation: [[40, 5, 50, 5, 50, 15, 40, 15]],
      area: 100,
      bbox: [40, 5, 10, 10],
      iscrowd: 0,
    });
    expect(crowd).toMatchObject({ iscrowd: 1, segmentation: { counts: f.masks.crowd!.counts } });
    expect(b.category_id).toBe(3);
    expect(report).toMatchObject({ images: 2, annotations: 4, polygons: 2, rle: 2 });
    expect(coco.info.sam_annotate.images_root).toBe(path.join(f.dir, 'images'));
  });

  // Issue 17: automatic masks nobody labelled were exported under an invented "unlabeled" category.
  it('leaves out masks without a category and says so, unless asked to include them as "uncategorized"', async () => {
    const f = await annotatedProject();
    const out = path.join(f.dir, 'coco.json');
    const summary = await exportProject(f.project, 'coco', out, {});
    expect(summary).toMatch(
      /^wrote .*: 1 images, 3 annotations .*; left out 1 mask without a category \(label it, or export with --include-uncategorized\)$/,
    );
    const coco = json(out);
    expect(coco.categories.map((c: { name: string }) => c.name)).toEqual(['cat', 'dog']);
    expect(coco.annotations.every((a: { category_id: number }) => a.category_id !== undefined)).toBe(true);

    const all = await exportProject(f.project, 'coco', out, { includeUncategorized: true });
    expect(all).not.toContain('left out');
    const included = json(out);
    expect(included.categories).toContainEqual({ id: 3, name: 'uncategorized', supercategory: '' });
    expect(included.annotations).toHaveLength(4);
    // SA-1B has no categories: nothing is left out there.
    expect(await exportProject(f.project, 'sa1b', path.join(f.dir, 'sa1b'), {})).not.toContain('left out');
  });

  for (const mode of ['auto', 'polygon', 'rle'] as const) {
    it(`${mode} mode re-imports pixel-exactly (as pycocotools decodes it)`, async () => {
      const f = await annotatedProject();
      const out = path.join(f.dir, `coco-${mode}.json`);
      await exportCoco(f.project, out, mode, { includeUncategorized: true });
      const other = newProject(tempDir());
      const report = await importCoco(other, out, { author: 't', imagesRoot: path.join(f.dir, 'images') });
      expect(report.annotations).toEqual({ masks: 4, boxes: 0, crowd: 1 });
      expect(masksByImage(other)).toEqual(masksByImage(filtered(f.project)));
    });
  }

  it('polygon mode at a half-pixel tolerance keeps IoU ≥ 0.98 and never drops islands or holes', async () => {
    const f = await annotatedProject();
    const out = path.join(f.dir, 'coco.json');
    await exportCoco(f.project, out, 'polygon', { tolerance: 0.5 });
    const donut = json(out).annotations[0];
    expect(donut.segmentation).toHaveLength(3); // ring (with its hole), centre island, speck
    const back = decodeRle(polygonsToRle(donut.segmentation, 40, 60)).data;
    const want = decodeRle(f.masks.donut!).data;
    let inter = 0;
    let union = 0;
    for (let i = 0; i < want.length; i++) {
      inter += back[i]! & want[i]!;
      union += back[i]! | want[i]!;
    }
    expect(inter / union).toBeGreaterThanOrEqual(0.98);
  });

  it('filters: --all takes every status and image, --category narrows, done images are kept as negatives', async () => {
    const f = await annotatedProject();
    const out = path.join(f.dir, 'coco.json');
    await exportCoco(f.project, out, 'rle', { all: true, includeUncategorized: true });
    expect(json(out).annotations).toHaveLength(5);
    expect(json(out).images).toHaveLength(3);
    await exportCoco(f.project, out, 'rle', { categories: ['dog'] });
    expect(json(out).categories.map((c: { name: string }) => c.name)).toEqual(['dog']);
    expect(json(out).annotations).toHaveLength(2);
    setImageStatus(f.project.db, f.images.c, 'done');
    await exportCoco(f.project, out, 'rle');
    expect(json(out).images.map((i: { id: number }) => i.id)).toContain(f.images.c);
    await expect(exportCoco(f.project, out, 'rle', { categories: ['horse'] })).rejects.toThrow(
      'no category "horse"',
    );
  });
});

/** The fixture project as seen by the default export: accepted masks only (the draft removed). */
function filtered(project: Project): Project {
  project.db.prepare("DELETE FROM annotations WHERE status != 'accepted'").run();
  return project;
}

describe('SA-1B export', () => {
  it('writes one file per image with SAM bbox, documented human values, and re-imports exactly', async () => {
    const f = await annotatedProject();
    const out = path.join(f.dir, 'sa1b');
    expect(await exportSa1b(f.project, out)).toMatchObject({ images: 2, annotations: 4, files: 2 });
    const a = json(path.join(out, 'a.json'));
    // file_name is the image's path from the JSON's folder (bare when the image sits beside it, as in SA-1B)
    expect(a.image).toEqual({ image_id: f.images.a, width: 60, height: 40, file_name: '../images/a.png' });
    const [donut, square] = a.annotations;
    expect(donut).toMatchObject({
      predicted_iou: 0.91,
      stability_score: 0.96,
      point_coords: [[12, 20]],
      crop_box: [0, 0, 60, 40],
    });
    expect(donut.bbox).toEqual(rleBboxSam(f.masks.donut!));
    expect(square).toMatchObject({
      bbox: [40, 5, 9, 9],
      area: 100,
      predicted_iou: 1,
      stability_score: 1,
      point_coords: [[40.5, 9.5]],
    });
    const b = json(path.join(out, 'sub', 'b.json'));
    expect(b.image.file_name).toBe('../../images/sub/b.jpg');
    expect(b.annotations[0].crop_box).toEqual([0, 0, 25, 30]);
  });

  it('re-imports into a new project with default settings, and with --images-root once moved (issue 18 item 15)', async () => {
    const f = await annotatedProject();
    const sa1b = path.join(f.dir, 'exports', 'sa1b');
    mkdirSync(path.dirname(sa1b));
    await exportSa1b(f.project, sa1b);
    const other = newProject(tempDir());
    const report = await importSa1b(other, sa1b, { author: 't' });
    expect(report.images).toEqual({ added: 2, matched: 0, missing: [] });
    expect(masksByImage(other)).toEqual(masksByImage(filtered(f.project)));

    // moved elsewhere: the JSON tree mirrors the image tree, so --images-root finds the images again
    const moved = path.join(tempDir(), 'deeper', 'still');
    cpSync(sa1b, moved, { recursive: true });
    const lost = await importSa1b(newProject(tempDir()), moved, { author: 't' });
    expect(lost.images.missing.map((m) => m.problem)).toEqual(['not found', 'not found']);
    const third = newProject(tempDir());
    const found = await importSa1b(third, moved, { author: 't', imagesRoot: path.join(f.dir, 'images') });
    expect(found.images.missing).toEqual([]);
    expect(masksByImage(third)).toEqual(masksByImage(f.project));
  });

  it('round-trips through import when the images sit beside the JSON files (the SA-1B layout)', async () => {
    const f = await annotatedProject();
    const sa1b = path.join(f.dir, 'sa1b');
    await exportSa1b(f.project, sa1b);
    // SA-1B itself: each JSON beside its image, file_name a bare name
    const images = path.join(f.dir, 'images');
    for (const name of ['a.json', 'sub/b.json']) {
      const doc = json(path.join(sa1b, name));
      doc.image.file_name = path.posix.basename(doc.image.file_name);
      writeFileSync(path.join(images, name), JSON.stringify(doc));
    }
    const other = newProject(tempDir());
    const report = await importSa1b(other, images, { author: 't' });
    expect(report.images.missing).toEqual([]);
    expect(masksByImage(other)).toEqual(masksByImage(filtered(f.project)));
    const again = path.join(f.dir, 'again');
    await exportSa1b(other, again);
    const strip = (doc: { annotations: { id: number }[] }) =>
      doc.annotations.map(({ id: _id, ...rest }) => rest);
    expect(strip(json(path.join(again, 'a.json')))).toEqual(strip(json(path.join(sa1b, 'a.json'))));
  });
});

describe('YOLO export', () => {
  it('writes class-indexed normalised rings that rasterise back to the masks; crowd left out', async () => {
    const f = await annotatedProject();
    const out = path.join(f.dir, 'yolo');
    expect(await exportYolo(f.project, out, { includeUncategorized: true })).toMatchObject({
      images: 2,
      annotations: 3,
      skippedCrowd: 1,
    });
    expect(readFileSync(path.join(out, 'classes.txt'), 'utf8')).toBe('cat\ndog\nuncategorized\n');
    const lines = readFileSync(path.join(out, 'labels', 'a.txt'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['0', '1']);
    const rasterise = (line: string, w: number, h: number) => {
      const xy = line
        .split(' ')
        .slice(1)
        .map(Number)
        .map((v, i) => Math.round(v * (i % 2 ? h : w)));
      return polygonsToRle([xy], h, w).counts;
    };
    expect(rasterise(lines[0]!, 60, 40)).toBe(f.masks.donut!.counts);
    expect(rasterise(lines[1]!, 60, 40)).toBe(f.masks.square!.counts);
    const b = readFileSync(path.join(out, 'labels', 'sub', 'b.txt'), 'utf8').trim();
    expect(b.split(' ')[0]).toBe('2');
    expect(rasterise(b, 50, 30)).toBe(f.masks.bMask!.counts);
  });
});

describe('PNG exports', () => {
  it('instance (16-bit) and semantic PNGs hold every mask, later masks on top', async () => {
    const f = await annotatedProject();
    const out = path.join(f.dir, 'png');
    await exportPngMasks(f.project, out);
    const instances = await readGreyPng(path.join(out, 'instances', 'a.png'));
    const semantic = await readGreyPng(path.join(out, 'semantic', 'a.png'));
    expect(instances.values).toBeInstanceOf(Uint16Array);
    const masks: Rle[] = [f.masks.donut!, f.masks.square!, f.masks.crowd!];
    const classOf = [1, 2, 2];
    const expectedInstances = new Uint16Array(60 * 40);
    const expectedSemantic = new Uint8Array(60 * 40);
    masks.forEach((m, k) =>
      decodeRle(m).data.forEach((v, p) => {
        if (v) [expectedInstances[p], expectedSemantic[p]] = [k + 1, classOf[k]!];
      }),
    );
    expect(instances.values).toEqual(expectedInstances);
    expect(semantic.values).toEqual(expectedSemantic);
    expect(readFileSync(path.join(out, 'instances.csv'), 'utf8').split('\n').slice(0, 3)).toEqual([
      'file,value,annotation_id,category_id,category,iscrowd',
      `a.png,1,1,${f.categories.cat},cat,0`,
      `a.png,2,2,${f.categories.dog},dog,0`,
    ]);
  });

  it('paint masks in stacking order: a mask sent to the bottom is covered by the ones above (issue 17)', async () => {
    const f = await annotatedProject();
    const [donut, , crowd] = annotationsOfImage(f.project.reader, f.images.a).map((a) => a.id);
    moveAnnotation(f.project.db, crowd!, 'down');
    moveAnnotation(f.project.db, crowd!, 'down'); // now: crowd, donut, square (the crowd overlaps the donut)
    const out = path.join(f.dir, 'png');
    await exportPngMasks(f.project, out);
    const semantic = await readGreyPng(path.join(out, 'semantic', 'a.png'));
    const instances = await readGreyPng(path.join(out, 'instances', 'a.png'));
    const valueOf = new Map(
      readFileSync(path.join(out, 'instances.csv'), 'utf8')
        .split('\n')
        .slice(1)
        .filter((line) => line.startsWith('a.png,'))
        .map((line) => line.split(',').map(Number) as number[])
        .map(([, value, id]) => [id!, value!]),
    );
    const expectedInstances = new Uint16Array(60 * 40);
    const expectedSemantic = new Uint8Array(60 * 40);
    const stack: [Rle, number, number][] = [
      [f.masks.crowd!, crowd!, 2],
      [f.masks.donut!, donut!, 1],
      [f.masks.square!, 2, 2],
    ];
    let covered = 0;
    for (const [m, id, cls] of stack)
      decodeRle(m).data.forEach((v, p) => {
        if (!v) return;
        if (id === donut && expectedInstances[p]) covered++;
        [expectedInstances[p], expectedSemantic[p]] = [valueOf.get(id)!, cls];
      });
    expect(covered).toBeGreaterThan(0); // the test means something: the donut covers crowd pixels
    expect(instances.values).toEqual(expectedInstances);
    expect(semantic.values).toEqual(expectedSemantic);
  });

  it('amg-png follows amg.py: <image>/<i>.png (mask × 255) and metadata.csv', async () => {
    const f = await annotatedProject();
    const out = path.join(f.dir, 'amg');
    await exportAmgPng(f.project, out);
    const first = await readGreyPng(path.join(out, 'a', '0.png'));
    expect(first.values).toEqual(decodeRle(f.masks.donut!).data.map((v) => v * 255));
    const csv = readFileSync(path.join(out, 'a', 'metadata.csv'), 'utf8');
    const [header, row0] = csv.split('\n');
    expect(header).toBe(AMG_CSV_HEADER);
    const [bx, by, bw, bh] = rleBboxSam(f.masks.donut!);
    expect(row0).toBe(
      `0,${decodeRle(f.masks.donut!).data.reduce((s, v) => s + v, 0)},${bx},${by},${bw},${bh},12.0,20.0,0.91,0.96,0,0,60,40`,
    );
    expect(csv.endsWith('\n')).toBe(false);
  });
});
