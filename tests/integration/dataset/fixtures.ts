/** A small annotated project: two images, masks with holes and islands, a crowd region, a box, several statuses. */
import path from 'node:path';
import { type BinaryMask, type Rle, encodeMask } from '../../../electron/common/rle.ts';
import { addImagesFromFolder } from '../../../electron/dataset/addImages.ts';
import { addAnnotation } from '../../../electron/store/annotations.ts';
import { addCategory } from '../../../electron/store/categories.ts';
import { setImageStatus } from '../../../electron/store/images.ts';
import type { Project } from '../../../electron/store/projectDb.ts';
import { newProject, tempDir, writeImage } from '../../helpers/projects.ts';

export function maskOf(width: number, height: number, inside: (x: number, y: number) => boolean): BinaryMask {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = inside(x, y) ? 1 : 0;
  return { width, height, data };
}

export interface Fixture {
  dir: string;
  project: Project;
  images: { a: number; b: number; c: number };
  masks: Record<string, Rle>;
  categories: { cat: number; dog: number };
}

export async function annotatedProject(): Promise<Fixture> {
  const dir = tempDir();
  await writeImage(path.join(dir, 'images', 'a.png'), 60, 40, 1);
  await writeImage(path.join(dir, 'images', 'sub', 'b.jpg'), 50, 30, 2);
  await writeImage(path.join(dir, 'images', 'c.png'), 20, 20, 3);
  const project = newProject(dir);
  const { added } = await addImagesFromFolder(project, path.join(dir, 'images'));
  const id = (name: string) => added.find((i) => i.file.endsWith(name))!.id;
  const images = { a: id('a.png'), b: id('b.jpg'), c: id('c.png') };
  const cat = addCategory(project.db, { name: 'cat', supercategory: 'animal' }).id;
  const dog = addCategory(project.db, { name: 'dog', supercategory: 'animal' }).id;
  const masks = {
    // a donut with an island in its hole, plus a separate speck
    donut: encodeMask(
      maskOf(60, 40, (x, y) => {
        const r = Math.hypot(x - 20, y - 20);
        return (r < 15 && r >= 8) || r < 3 || (x === 55 && y === 35);
      }),
    ),
    square: encodeMask(maskOf(60, 40, (x, y) => x >= 40 && x < 50 && y >= 5 && y < 15)),
    crowd: encodeMask(maskOf(60, 40, (x, y) => x >= 30 && y >= 30 && (x + y) % 3 === 0)),
    bMask: encodeMask(maskOf(50, 30, (x, y) => x > 5 && x < 45 && y > 10 && y < 20 && !(x > 20 && x < 25))),
    draft: encodeMask(maskOf(50, 30, (x, y) => x < 3 && y < 3)),
  };
  const base = { source: 'semi-auto' as const, author: 'ann', status: 'accepted' as const };
  addAnnotation(project.db, {
    ...base,
    imageId: images.a,
    categoryId: cat,
    mask: masks.donut,
    prompts: { points: [{ x: 12, y: 20, label: 1 }] },
    predictedIou: 0.91,
    stabilityScore: 0.96,
    modelId: 'sam',
  });
  addAnnotation(project.db, {
    ...base,
    imageId: images.a,
    categoryId: dog,
    mask: masks.square,
    source: 'manual',
  });
  addAnnotation(project.db, {
    ...base,
    imageId: images.a,
    categoryId: dog,
    mask: masks.crowd,
    iscrowd: true,
    source: 'imported',
  });
  addAnnotation(project.db, {
    ...base,
    imageId: images.a,
    categoryId: cat,
    mask: null,
    box: [1, 2, 3, 4],
    source: 'imported',
  });
  addAnnotation(project.db, {
    ...base,
    imageId: images.b,
    categoryId: null,
    mask: masks.bMask,
    source: 'auto',
    cropBox: [0, 0, 25, 30],
  });
  addAnnotation(project.db, {
    ...base,
    imageId: images.b,
    categoryId: cat,
    mask: masks.draft,
    status: 'draft',
  });
  setImageStatus(project.db, images.c, 'todo');
  return { dir, project, images, masks, categories: { cat, dog } };
}
