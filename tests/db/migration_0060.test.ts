import { describe, expect, it } from 'vitest';
import { migrate } from '../../electron/store/migrate.ts';
import { databaseAt, isStrict, rows, tableNames } from './helpers.ts';

type Db = ReturnType<typeof databaseAt>;

/** Everything about a table but AUTOINCREMENT: its columns, indexes (with their SQL) and foreign keys. */
function shape(db: Db, table: string) {
  return {
    columns: db.prepare(`SELECT * FROM pragma_table_xinfo(?)`).all(table),
    indexes: db
      .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? ORDER BY name")
      .all(table),
    foreignKeys: db.prepare('SELECT * FROM pragma_foreign_key_list(?)').all(table),
    triggers: db.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?").all(table),
  };
}

const TABLES = [
  'images',
  'categories',
  'sessions',
  'annotations',
  'review_events',
  'auto_jobs',
  'auto_job_images',
];

function insertAnnotation(db: Db, id: number | null, extra = {}) {
  const row = {
    id,
    image_id: 1,
    category_id: null,
    session_id: null,
    status: 'draft',
    ...extra,
  };
  return db
    .prepare(
      `INSERT INTO annotations (id, image_id, category_id, rle_counts, area, bbox_x, bbox_y, bbox_w, bbox_h, source,
         status, created_by, created_at, updated_by, updated_at, active_ms, session_id)
       VALUES (@id, @image_id, @category_id, '52', 1, 0, 0, 1, 1, 'manual', @status, 'ann', 1, 'ann', 2, 7, @session_id)`,
    )
    .run(row).lastInsertRowid;
}

describe('migration 0060-annotation-ids', () => {
  it('keeps every row, id, index and foreign key, and makes annotation ids never reused', () => {
    const db = databaseAt(50);
    db.prepare(
      "INSERT INTO images (id, rel_path, abs_path, width, height, added_at) VALUES (1, 'a.jpg', '/a.jpg', 4, 3, 5)",
    ).run();
    db.prepare("INSERT INTO categories (id, name, color, created_at) VALUES (4, 'cat', '#112233', 1)").run();
    db.prepare(
      "INSERT INTO sessions (id, annotator, started_at, app_version) VALUES (2, 'ann', 1, '0.1')",
    ).run();
    insertAnnotation(db, 3, { category_id: 4, session_id: 2, status: 'accepted' });
    insertAnnotation(db, 9);
    insertAnnotation(db, 12);
    db.prepare(
      `INSERT INTO review_events (annotation_id, session_id, reviewer, at, from_status, to_status)
       VALUES (3, 2, 'rev', 3, 'draft', 'accepted'), (12, NULL, 'rev', 4, 'draft', 'rejected')`,
    ).run();
    const before = Object.fromEntries(TABLES.map((t) => [t, rows(db, t)]));
    const shapes = Object.fromEntries(TABLES.map((t) => [t, shape(db, t)]));

    migrate(db, { to: 60 });

    expect(Object.fromEntries(TABLES.map((t) => [t, rows(db, t)]))).toEqual(before);
    expect(Object.fromEntries(TABLES.map((t) => [t, shape(db, t)]))).toEqual(shapes);
    expect(isStrict(db, 'annotations')).toBe(true);
    expect(tableNames(db)).toContain('sqlite_sequence');
    expect(db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'annotations'").get()).toEqual({
      seq: 12,
    });
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);

    // The newest deleted, the next annotation still gets a new id.
    db.prepare('DELETE FROM annotations WHERE id = 12').run();
    expect(Number(insertAnnotation(db, null))).toBe(13);

    // The constraints and foreign key actions are those of before.
    expect(() => insertAnnotation(db, null, { status: 'maybe' })).toThrow(/CHECK/);
    expect(() => insertAnnotation(db, null, { image_id: 99 })).toThrow(/FOREIGN KEY/);
    db.prepare('DELETE FROM categories').run();
    expect(db.prepare('SELECT category_id FROM annotations WHERE id = 3').get()).toEqual({
      category_id: null,
    });
    db.prepare('DELETE FROM annotations WHERE id = 3').run();
    expect(rows(db, 'review_events')).toEqual([]);
  });

  it('an empty table starts at 1, and still never reuses an id', () => {
    const db = databaseAt(50);
    migrate(db, { to: 60 });
    db.prepare(
      "INSERT INTO images (id, rel_path, abs_path, width, height, added_at) VALUES (1, 'a.jpg', '/a.jpg', 4, 3, 5)",
    ).run();
    expect(Number(insertAnnotation(db, null))).toBe(1);
    db.prepare('DELETE FROM annotations').run();
    expect(Number(insertAnnotation(db, null))).toBe(2);
  });
});
