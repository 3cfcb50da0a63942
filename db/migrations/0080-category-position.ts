/**
 * 0080: the order of the categories (issue 17: categories can be reordered in the app). `position` orders the
 * category list, the number keys 1–9 and the class indices of YOLO / PNG exports; COCO category ids stay the
 * rows' ids, so a reorder or rename never renumbers a COCO export. Existing categories keep their id order.
 */
import type { Database } from 'better-sqlite3';
import type { Migration } from './migration.ts';

const migration: Migration = {
  version: 80,
  name: 'category-position',
  up(db: Database) {
    db.exec(`
      ALTER TABLE categories ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
      UPDATE categories SET position = id;
      CREATE INDEX categories_position ON categories (position);
    `);
  },
};

export default migration;
