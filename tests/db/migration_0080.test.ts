import { describe, expect, it } from 'vitest';
import { migrate } from '../../electron/store/migrate.ts';
import { databaseAt, rows } from './helpers.ts';

describe('migration 0080-category-position', () => {
  it('orders existing categories as before (by id), and new rows default to position 0', () => {
    const db = databaseAt(70);
    const add = db.prepare('INSERT INTO categories (id, name, color, created_at) VALUES (?, ?, ?, 1)');
    add.run(3, 'cat', '#112233');
    add.run(7, 'dog', '#445566');
    const before = rows(db, 'categories') as Record<string, unknown>[];

    migrate(db, { to: 80 });

    const after = rows(db, 'categories') as Record<string, unknown>[];
    expect(after.map(({ position: _p, ...rest }) => rest)).toEqual(before);
    expect(after.map((c) => c.position)).toEqual([3, 7]);
    expect(
      db
        .prepare('SELECT name FROM categories ORDER BY position, id')
        .all()
        .map((r) => (r as { name: string }).name),
    ).toEqual(['cat', 'dog']);
    expect(() => db.prepare('UPDATE categories SET position = NULL WHERE id = 3').run()).toThrow(/NOT NULL/);
  });
});
