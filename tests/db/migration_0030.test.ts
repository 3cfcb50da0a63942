import { describe, expect, it } from 'vitest';
import { migrate } from '../../electron/store/migrate.ts';
import { databaseAt, rows, tableNames } from './helpers.ts';

describe('migration 0030-sessions-reviews', () => {
  it('keeps 0020 annotations (session_id NULL) and adds sessions and review events', () => {
    const db = databaseAt(20);
    db.prepare(
      "INSERT INTO images (id, rel_path, abs_path, width, height, added_at) VALUES (1, 'a.jpg', '/a.jpg', 4, 3, 5)",
    ).run();
    db.prepare(
      `INSERT INTO annotations (id, image_id, rle_counts, area, bbox_x, bbox_y, bbox_w, bbox_h, source, status, created_by,
         created_at, updated_by, updated_at, clicks) VALUES (7, 1, '52', 1, 0, 0, 1, 1, 'semi-auto', 'draft', 'ann', 1, 'ann', 2, 3)`,
    ).run();
    const before = rows(db, 'annotations') as Record<string, unknown>[];
    migrate(db, { to: 30 });
    expect(tableNames(db)).toEqual(expect.arrayContaining(['sessions', 'review_events']));
    expect(rows(db, 'annotations')).toEqual(before.map((r) => ({ ...r, session_id: null })));

    db.prepare(
      "INSERT INTO sessions (id, annotator, started_at, app_version) VALUES (3, 'ann', 10, '0.1.0')",
    ).run();
    db.prepare(
      "INSERT INTO review_events (annotation_id, session_id, reviewer, at, from_status, to_status) VALUES (7, 3, 'rev', 11, 'draft', 'accepted')",
    ).run();
    db.prepare('UPDATE annotations SET session_id = 3 WHERE id = 7').run();
    expect(() =>
      db
        .prepare(
          "INSERT INTO review_events (annotation_id, reviewer, at, from_status, to_status) VALUES (7, 'r', 1, 'draft', 'ok')",
        )
        .run(),
    ).toThrow(/CHECK/);
    expect(() => db.prepare('UPDATE sessions SET ended_at = 5 WHERE id = 3').run()).toThrow(/CHECK/);
    db.prepare('DELETE FROM sessions').run();
    expect(db.prepare('SELECT session_id FROM annotations').get()).toEqual({ session_id: null });
    db.prepare('DELETE FROM annotations').run();
    expect(rows(db, 'review_events')).toEqual([]);
  });
});
