import { describe, expect, it } from 'vitest';
import { migrate } from '../../electron/store/migrate.ts';
import { databaseAt, rows } from './helpers.ts';

describe('migration 0090-annotation-z', () => {
  it('stacks existing masks in id order (z = id) and keeps every other column', () => {
    const db = databaseAt(80);
    db.prepare(
      "INSERT INTO images (id, rel_path, abs_path, width, height, added_at) VALUES (1, 'a.jpg', '/a.jpg', 4, 3, 5)",
    ).run();
    const add = db.prepare(
      `INSERT INTO annotations (id, image_id, rle_counts, area, bbox_x, bbox_y, bbox_w, bbox_h, source, status,
         created_by, created_at, updated_by, updated_at) VALUES (?, 1, '52', 1, 0, 0, 1, 1, 'manual', 'draft', 'ann', 1, 'ann', 1)`,
    );
    add.run(4);
    add.run(9);
    const before = rows(db, 'annotations') as Record<string, unknown>[];

    migrate(db, { to: 90 });

    const after = rows(db, 'annotations') as Record<string, unknown>[];
    expect(after.map(({ z: _z, ...rest }) => rest)).toEqual(before);
    expect(after.map((a) => a.z)).toEqual([4, 9]);
    expect(() => db.prepare('UPDATE annotations SET z = NULL WHERE id = 4').run()).toThrow(/NOT NULL/);
  });
});
