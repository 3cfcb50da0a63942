import { describe, expect, it } from 'vitest';
import { migrate } from '../../electron/store/migrate.ts';
import { databaseAt, rows } from './helpers.ts';

const plan = (db: ReturnType<typeof databaseAt>, text: string) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${text}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');

describe('migration 0040-review-indexes', () => {
  it('keeps the 0030 rows and adds the review queue and annotator indexes', () => {
    const db = databaseAt(30);
    db.prepare(
      "INSERT INTO images (id, rel_path, abs_path, width, height, added_at) VALUES (1, 'a.jpg', '/a.jpg', 4, 3, 5)",
    ).run();
    const insert = db.prepare(
      `INSERT INTO annotations (image_id, rle_counts, area, bbox_x, bbox_y, bbox_w, bbox_h, source, status, created_by,
         created_at, updated_by, updated_at, predicted_iou, stability_score, active_ms)
       VALUES (1, '52', 1, 0, 0, 1, 1, 'auto', ?, ?, ?, 'x', 1, ?, ?, ?)`,
    );
    for (let i = 0; i < 6; i++)
      insert.run(i % 2 ? 'draft' : 'accepted', `ann${i % 3}`, 100 + i, 0.5 + i / 20, 0.9 - i / 50, 1000 * i);
    db.prepare(
      "INSERT INTO review_events (annotation_id, reviewer, at, from_status, to_status) VALUES (2, 'rev', 11, 'draft', 'accepted')",
    ).run();
    const before = { annotations: rows(db, 'annotations'), reviews: rows(db, 'review_events') };

    migrate(db, { to: 40 });

    expect({ annotations: rows(db, 'annotations'), reviews: rows(db, 'review_events') }).toEqual(before);
    const indexes = (
      db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'annotations'")
        .all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    expect(indexes).toEqual(
      expect.arrayContaining([
        'annotations_status_iou',
        'annotations_status_stability',
        'annotations_created_by',
      ]),
    );
    // One status sorted by a score is read in index order, without a sort of every match.
    expect(
      plan(db, "SELECT * FROM annotations WHERE status = 'draft' ORDER BY predicted_iou, id LIMIT 50"),
    ).toMatch(/USING INDEX annotations_status_iou \(status=\?\)$/);
    expect(
      plan(
        db,
        "SELECT * FROM annotations WHERE status = 'draft' ORDER BY stability_score DESC, id DESC LIMIT 5",
      ),
    ).toMatch(/USING INDEX annotations_status_stability \(status=\?\)$/);
    expect(plan(db, "SELECT count(*) FROM annotations WHERE created_by = 'ann1'")).toMatch(
      /annotations_created_by/,
    );
  });
});
