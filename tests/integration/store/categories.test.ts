import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportProject } from '../../../electron/dataset/exportProject.ts';
import { annotationsOfImage } from '../../../electron/store/annotations.ts';
import {
  addCategory,
  deleteCategory,
  importCategoryNames,
  listCategories,
  reorderCategories,
  updateCategory,
} from '../../../electron/store/categories.ts';
import { annotatedProject } from '../dataset/fixtures.ts';

const names = (f: Awaited<ReturnType<typeof annotatedProject>>) =>
  listCategories(f.project.db).map((c) => c.name);

describe('managing categories (issue 17)', () => {
  it('reorders: the list, YOLO classes and COCO follow the new order; COCO ids stay the ids', async () => {
    const f = await annotatedProject();
    const bird = addCategory(f.project.db, { name: 'bird' }).id;
    expect(names(f)).toEqual(['cat', 'dog', 'bird']);
    reorderCategories(f.project.db, [bird, f.categories.dog, f.categories.cat]);
    expect(names(f)).toEqual(['bird', 'dog', 'cat']);
    updateCategory(f.project.db, f.categories.dog, { name: 'puppy', color: '#00ff00' });

    const yolo = path.join(f.dir, 'yolo');
    await exportProject(f.project, 'yolo', yolo, {});
    expect(readFileSync(path.join(yolo, 'classes.txt'), 'utf8')).toBe('bird\npuppy\ncat\n');
    const coco = path.join(f.dir, 'coco.json');
    await exportProject(f.project, 'coco', coco, {});
    const written = JSON.parse(readFileSync(coco, 'utf8')) as { categories: { id: number; name: string }[] };
    expect(written.categories.map((c) => [c.id, c.name])).toEqual([
      [bird, 'bird'],
      [f.categories.dog, 'puppy'],
      [f.categories.cat, 'cat'],
    ]);
  });

  it('refuses a reorder that does not list every category once, and changes nothing', async () => {
    const f = await annotatedProject();
    const { cat, dog } = f.categories;
    for (const ids of [[cat], [cat, cat], [cat, dog, 999]])
      expect(() => reorderCategories(f.project.db, ids)).toThrow(/expected each of the 2 category ids once/);
    expect(names(f)).toEqual(['cat', 'dog']);
  });

  it('deletes: refused while masks use it without a target; with a target its masks move, in one step', async () => {
    const f = await annotatedProject();
    const { cat, dog } = f.categories;
    const catMasks = () =>
      annotationsOfImage(f.project.db, f.images.a).filter((a) => a.categoryId === cat).length;
    const used = catMasks();
    expect(used).toBeGreaterThan(0);
    expect(() => deleteCategory(f.project.db, cat, null, 'ann')).toThrow(
      new RegExp(`category "cat" is used by \\d+ masks?: choose a category to move them to`),
    );
    expect(() => deleteCategory(f.project.db, cat, cat, 'ann')).toThrow(/to itself/);
    expect(() => deleteCategory(f.project.db, cat, 999, 'ann')).toThrow(/no category with id 999/);
    expect(names(f)).toEqual(['cat', 'dog']);
    expect(catMasks()).toBe(used);

    const dogBefore = annotationsOfImage(f.project.db, f.images.a).filter((a) => a.categoryId === dog).length;
    expect(deleteCategory(f.project.db, cat, dog, 'editor')).toBeGreaterThanOrEqual(used);
    expect(names(f)).toEqual(['dog']);
    const moved = annotationsOfImage(f.project.db, f.images.a).filter((a) => a.categoryId === dog);
    expect(moved.length).toBe(dogBefore + used);
    const unused = addCategory(f.project.db, { name: 'unused' }).id;
    expect(deleteCategory(f.project.db, unused, null, 'ann')).toBe(0);
    expect(names(f)).toEqual(['dog']);
  });

  it('imports names in order after the existing ones, skipping those already there', async () => {
    const f = await annotatedProject();
    const { added, skipped } = importCategoryNames(f.project.db, ['zebra', ' dog ', 'ant']);
    expect(added.map((c) => c.name)).toEqual(['zebra', 'ant']);
    expect(skipped).toEqual(['dog']);
    expect(names(f)).toEqual(['cat', 'dog', 'zebra', 'ant']);
    expect(added.every((c) => /^#[0-9a-f]{6}$/.test(c.color))).toBe(true);
  });
});
