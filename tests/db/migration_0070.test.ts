import { describe, expect, it } from 'vitest';
import { migrate } from '../../electron/store/migrate.ts';
import { databaseAt, rows } from './helpers.ts';

describe('migration 0070-annotation-stage', () => {
  it('records the stage each mask was made in, and where each decision was made', () => {
    const db = databaseAt(60);
    db.prepare(
      "INSERT INTO images (id, rel_path, abs_path, width, height, added_at) VALUES (1, 'a.jpg', '/a.jpg', 4, 3, 5)",
    ).run();
    const add = db.prepare(
      `INSERT INTO annotations (id, image_id, rle_counts, area, bbox_x, bbox_y, bbox_w, bbox_h, source, status,
         created_by, created_at, updated_by, updated_at) VALUES (?, 1, '52', 1, 0, 0, 1, 1, ?, 'draft', 'ann', ?, 'ann', ?)`,
    );
    add.run(1, 'manual', 100, 100);
    add.run(2, 'imported', 100, 100);
    add.run(3, 'semi-auto', 100, 100);
    add.run(4, 'auto', 1000, 1000); // a pass's mask: the pass marked the image done in the same transaction
    add.run(5, 'auto', 9000, 9000); // Find objects later, outside any pass
    db.prepare(
      `INSERT INTO auto_jobs (id, kind, params, result_status, created_by, created_at, updated_at)
       VALUES (1, 'amg', '{}', 'draft', 'ann', 900, 900)`,
    ).run();
    db.prepare(
      "INSERT INTO auto_job_images (job_id, image_id, position, state, finished_at) VALUES (1, 1, 0, 'done', 1003)",
    ).run();
    db.prepare(
      `INSERT INTO review_events (annotation_id, reviewer, at, from_status, to_status)
       VALUES (4, 'rev', 2000, 'draft', 'accepted')`,
    ).run();
    const before = rows(db, 'annotations') as Record<string, unknown>[];

    migrate(db, { to: 70 });

    const after = rows(db, 'annotations') as Record<string, unknown>[];
    expect(after.map(({ stage: _stage, ...rest }) => rest)).toEqual(before);
    expect(after.map((a) => a.stage)).toEqual(['manual', 'imported', 'semi-auto', 'auto', 'semi-auto']);
    // Decisions before this version were all counted as Review's: they stay so.
    expect(rows(db, 'review_events')).toMatchObject([{ annotation_id: 4, place: 'review' }]);
    expect(() => db.prepare("UPDATE annotations SET stage = 'magic' WHERE id = 1").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE review_events SET place = 'elsewhere'").run()).toThrow(/CHECK/);
  });
});
