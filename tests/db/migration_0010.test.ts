import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../electron/store/migrate.ts';
import { FILE_STATES, IMAGE_STATUSES } from '../../electron/store/types.ts';
import { databaseAt, rows, tableNames } from './helpers.ts';

describe('migration 0010-initial', () => {
  it('creates project_meta, images and categories on an empty database', () => {
    const db = new Database(':memory:');
    migrate(db, { to: 10 });
    expect(tableNames(db)).toEqual(['categories', 'images', 'project_meta']);
  });

  it('accepts exactly the statuses and file states the code uses', () => {
    const db = databaseAt(10);
    const insert = db.prepare(
      'INSERT INTO images (rel_path, abs_path, width, height, status, file_state, added_at) VALUES (?, ?, 1, 1, ?, ?, 0)',
    );
    IMAGE_STATUSES.forEach((s, i) => insert.run(`s${i}`, `/s${i}`, s, 'ok'));
    FILE_STATES.forEach((s, i) => insert.run(`f${i}`, `/f${i}`, 'todo', s));
    expect(rows(db, 'images')).toHaveLength(IMAGE_STATUSES.length + FILE_STATES.length);
    expect(() => insert.run('x', '/x', 'finished', 'ok')).toThrow(/CHECK/);
    expect(() => insert.run('y', '/y', 'todo', 'gone')).toThrow(/CHECK/);
  });

  it('enforces unique paths and hashes, positive sizes, #rrggbb colours and STRICT types', () => {
    const db = databaseAt(10);
    const image = db.prepare(
      'INSERT INTO images (rel_path, abs_path, sha256, width, height, added_at) VALUES (?, ?, ?, ?, ?, 0)',
    );
    image.run('a.jpg', '/a.jpg', 'a'.repeat(64), 10, 10);
    expect(() => image.run('a.jpg', '/b.jpg', null, 10, 10)).toThrow(/UNIQUE/);
    expect(() => image.run('b.jpg', '/b.jpg', 'a'.repeat(64), 10, 10)).toThrow(/UNIQUE/);
    expect(() => image.run('c.jpg', '/c.jpg', null, 0, 10)).toThrow(/CHECK/);
    expect(() => image.run('d.jpg', '/d.jpg', null, 'wide', 10)).toThrow(
      /cannot store TEXT value in INTEGER column/,
    );
    const category = db.prepare('INSERT INTO categories (name, color, created_at) VALUES (?, ?, 0)');
    category.run('cat', '#a1b2c3');
    expect(() => category.run('dog', 'red')).toThrow(/CHECK/);
    expect(() => category.run('cat', '#000000')).toThrow(/UNIQUE/);
  });
});
