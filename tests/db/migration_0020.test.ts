import { describe, expect, it } from 'vitest';
import { migrate } from '../../electron/store/migrate.ts';
import { ANNOTATION_SOURCES, ANNOTATION_STATUSES } from '../../electron/store/types.ts';
import { databaseAt, rows, tableNames } from './helpers.ts';

function annotationInsert(db: ReturnType<typeof databaseAt>) {
  return db.prepare(
    `INSERT INTO annotations (image_id, category_id, rle_counts, area, bbox_x, bbox_y, bbox_w, bbox_h, iscrowd, source,
       status, created_by, created_at, updated_by, updated_at, prompts)
     VALUES (?, ?, ?, 1, 0, 0, 1, 1, ?, ?, ?, 'me', 0, 'me', 0, ?)`,
  );
}

describe('migration 0020-annotations', () => {
  it('keeps 0010 data and adds annotations referencing it', () => {
    const db = databaseAt(10);
    db.prepare(
      "INSERT INTO images (id, rel_path, abs_path, width, height, added_at) VALUES (1, 'a.jpg', '/a.jpg', 4, 3, 5)",
    ).run();
    db.prepare("INSERT INTO categories (id, name, color, created_at) VALUES (2, 'cat', '#123456', 6)").run();
    const before = { images: rows(db, 'images'), categories: rows(db, 'categories') };
    migrate(db, { to: 20 });
    expect({ images: rows(db, 'images'), categories: rows(db, 'categories') }).toEqual(before);
    expect(tableNames(db)).toContain('annotations');
    annotationInsert(db).run(1, 2, '52', 0, 'manual', 'accepted', '{"points":[]}');
    expect(rows(db, 'annotations')).toHaveLength(1);
  });

  it('checks sources, statuses, crowd-needs-mask, JSON and foreign keys; deleting an image deletes its annotations', () => {
    const db = databaseAt(20);
    db.prepare(
      "INSERT INTO images (id, rel_path, abs_path, width, height, added_at) VALUES (1, 'a.jpg', '/a.jpg', 4, 3, 5)",
    ).run();
    db.prepare("INSERT INTO categories (id, name, color, created_at) VALUES (2, 'cat', '#123456', 6)").run();
    const insert = annotationInsert(db);
    for (const source of ANNOTATION_SOURCES)
      for (const status of ANNOTATION_STATUSES) insert.run(1, 2, '52', 0, source, status, null);
    expect(() => insert.run(1, 2, '52', 0, 'magic', 'draft', null)).toThrow(/CHECK/);
    expect(() => insert.run(1, 2, '52', 0, 'manual', 'done', null)).toThrow(/CHECK/);
    expect(() => insert.run(1, 2, null, 1, 'manual', 'draft', null)).toThrow(/CHECK/); // crowd without a mask
    expect(() => insert.run(1, 2, '52', 0, 'manual', 'draft', '{not json')).toThrow(/CHECK/);
    expect(() => insert.run(9, 2, '52', 0, 'manual', 'draft', null)).toThrow(/FOREIGN KEY/);
    db.prepare('DELETE FROM categories').run();
    expect(db.prepare('SELECT count(*) AS n FROM annotations WHERE category_id IS NULL').get()).toEqual({
      n: 16,
    });
    db.prepare('DELETE FROM images').run();
    expect(rows(db, 'annotations')).toEqual([]);
  });
});
