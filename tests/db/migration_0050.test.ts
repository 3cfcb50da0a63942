import { describe, expect, it } from 'vitest';
import { migrate } from '../../electron/store/migrate.ts';
import { databaseAt, isStrict, rows, tableNames } from './helpers.ts';

describe('migration 0050-auto-jobs', () => {
  it('keeps the 0040 rows and adds automatic passes with their images', () => {
    const db = databaseAt(40);
    const image = db.prepare(
      'INSERT INTO images (id, rel_path, abs_path, width, height, added_at) VALUES (?, ?, ?, 4, 3, 5)',
    );
    image.run(1, 'a.jpg', '/a.jpg');
    image.run(2, 'b.jpg', '/b.jpg');
    db.prepare(
      `INSERT INTO annotations (image_id, rle_counts, area, bbox_x, bbox_y, bbox_w, bbox_h, source, status, created_by,
         created_at, updated_by, updated_at) VALUES (1, '52', 1, 0, 0, 1, 1, 'auto', 'draft', 'ann', 1, 'ann', 2)`,
    ).run();
    const before = { images: rows(db, 'images'), annotations: rows(db, 'annotations') };

    migrate(db, { to: 50 });

    expect({ images: rows(db, 'images'), annotations: rows(db, 'annotations') }).toEqual(before);
    expect(tableNames(db)).toEqual(expect.arrayContaining(['auto_jobs', 'auto_job_images']));
    expect(isStrict(db, 'auto_jobs')).toBe(true);
    expect(isStrict(db, 'auto_job_images')).toBe(true);

    db.prepare(
      `INSERT INTO auto_jobs (id, kind, params, result_status, created_by, created_at, updated_at)
       VALUES (1, 'amg', '{"points_per_side":8}', 'draft', 'ann', 10, 10)`,
    ).run();
    const add = db.prepare('INSERT INTO auto_job_images (job_id, image_id, position) VALUES (1, ?, ?)');
    add.run(1, 0);
    add.run(2, 1);
    expect(rows(db, 'auto_jobs')).toEqual([
      {
        id: 1,
        kind: 'amg',
        params: '{"points_per_side":8}',
        result_status: 'draft',
        model_id: null,
        state: 'running',
        created_by: 'ann',
        created_at: 10,
        updated_at: 10,
      },
    ]);
    expect(rows(db, 'auto_job_images')).toEqual([
      { job_id: 1, image_id: 1, position: 0, state: 'todo', masks: 0, ms: 0, error: null, finished_at: null },
      { job_id: 1, image_id: 2, position: 1, state: 'todo', masks: 0, ms: 0, error: null, finished_at: null },
    ]);

    // The constraints: known kinds, states and statuses; JSON parameters; an image once per pass.
    const job = (kind: string, params: string, status: string) =>
      db
        .prepare(
          `INSERT INTO auto_jobs (kind, params, result_status, created_by, created_at, updated_at)
           VALUES (?, ?, ?, 'x', 1, 1)`,
        )
        .run(kind, params, status);
    expect(() => job('everything', '{}', 'draft')).toThrow(/CHECK/);
    expect(() => job('amg', 'not json', 'draft')).toThrow(/CHECK/);
    expect(() => job('boxes', '{}', 'rejected')).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE auto_jobs SET state = 'paused'").run()).toThrow(/CHECK/);
    expect(() => add.run(1, 2)).toThrow(/UNIQUE|PRIMARY/);
    expect(() => add.run(2, 5)).toThrow(/UNIQUE/);
    expect(() => db.prepare("UPDATE auto_job_images SET state = 'half'").run()).toThrow(/CHECK/);
    expect(() => db.prepare('UPDATE auto_job_images SET masks = -1').run()).toThrow(/CHECK/);

    // Deleting an image drops it from the pass; deleting the pass drops its list.
    db.prepare('DELETE FROM images WHERE id = 2').run();
    expect(rows(db, 'auto_job_images')).toHaveLength(1);
    db.prepare('DELETE FROM auto_jobs').run();
    expect(rows(db, 'auto_job_images')).toEqual([]);
  });
});
