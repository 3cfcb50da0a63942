/**
 * 0090: the stacking order of an image's masks (issue 17, overlap control). A higher `z` is drawn on top and
 * comes later in PNG exports; a new or restored mask goes on top (its image's max z + 1). Existing masks keep
 * their id order (z = id).
 */
import type { Database } from 'better-sqlite3';
import type { Migration } from './migration.ts';

const migration: Migration = {
  version: 90,
  name: 'annotation-z',
  up(db: Database) {
    db.exec(`
      ALTER TABLE annotations ADD COLUMN z INTEGER NOT NULL DEFAULT 0;
      UPDATE annotations SET z = id;
      CREATE INDEX annotations_image_z ON annotations (image_id, z);
    `);
  },
};

export default migration;
