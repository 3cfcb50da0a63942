/**
 * 0060: annotation ids are never reused (issue 18, item 14).
 *
 * `INTEGER PRIMARY KEY` alone hands out max(id) + 1, so deleting the newest mask freed its id for the next one,
 * and a stale id held by another tab, a serve client or an undo step then named a different mask. AUTOINCREMENT
 * keeps the largest id ever issued in `sqlite_sequence`. The table is rebuilt (SQLite cannot add AUTOINCREMENT in
 * place) with the same columns in the same order, constraints, foreign keys and indexes; copying the rows with
 * their ids records the current largest id in `sqlite_sequence`. The runner turns foreign keys off around this
 * step, so dropping the old table does not cascade into `review_events`, and checks them before committing.
 *
 * Only annotations need it: nothing deletes images, categories, sessions or automatic passes, so their next id
 * is always new; review event ids never leave the store.
 */
import type { Database } from 'better-sqlite3';
import type { Migration } from './migration.ts';

const migration: Migration = {
  version: 60,
  name: 'annotation-ids',
  foreignKeysOff: true,
  up(db: Database) {
    db.exec(`
      CREATE TABLE annotations_0060 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
        category_id INTEGER REFERENCES categories (id) ON DELETE SET NULL,
        rle_counts TEXT,
        area REAL NOT NULL CHECK (area >= 0),
        bbox_x REAL NOT NULL,
        bbox_y REAL NOT NULL,
        bbox_w REAL NOT NULL CHECK (bbox_w >= 0),
        bbox_h REAL NOT NULL CHECK (bbox_h >= 0),
        iscrowd INTEGER NOT NULL DEFAULT 0 CHECK (iscrowd IN (0, 1)),
        source TEXT NOT NULL CHECK (source IN ('manual', 'semi-auto', 'auto', 'imported')),
        model_id TEXT,
        prompts TEXT CHECK (prompts IS NULL OR json_valid(prompts)),
        predicted_iou REAL,
        stability_score REAL,
        crop_box TEXT CHECK (crop_box IS NULL OR json_valid(crop_box)),
        status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'accepted', 'rejected', 'needs-fix')),
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        active_ms INTEGER NOT NULL DEFAULT 0 CHECK (active_ms >= 0),
        clicks INTEGER NOT NULL DEFAULT 0 CHECK (clicks >= 0),
        prompt_count INTEGER NOT NULL DEFAULT 0 CHECK (prompt_count >= 0),
        brush_strokes INTEGER NOT NULL DEFAULT 0 CHECK (brush_strokes >= 0),
        model_wait_ms INTEGER NOT NULL DEFAULT 0 CHECK (model_wait_ms >= 0),
        session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
        CHECK (rle_counts IS NOT NULL OR iscrowd = 0)
      ) STRICT;

      INSERT INTO annotations_0060 (id, image_id, category_id, rle_counts, area, bbox_x, bbox_y, bbox_w, bbox_h,
        iscrowd, source, model_id, prompts, predicted_iou, stability_score, crop_box, status, created_by,
        created_at, updated_by, updated_at, active_ms, clicks, prompt_count, brush_strokes, model_wait_ms,
        session_id)
      SELECT id, image_id, category_id, rle_counts, area, bbox_x, bbox_y, bbox_w, bbox_h,
        iscrowd, source, model_id, prompts, predicted_iou, stability_score, crop_box, status, created_by,
        created_at, updated_by, updated_at, active_ms, clicks, prompt_count, brush_strokes, model_wait_ms,
        session_id
      FROM annotations ORDER BY id;

      DROP TABLE annotations;
      ALTER TABLE annotations_0060 RENAME TO annotations;

      CREATE INDEX annotations_image ON annotations (image_id);
      CREATE INDEX annotations_status_image ON annotations (status, image_id);
      CREATE INDEX annotations_category ON annotations (category_id);
      CREATE INDEX annotations_status_iou ON annotations (status, predicted_iou);
      CREATE INDEX annotations_status_stability ON annotations (status, stability_score);
      CREATE INDEX annotations_created_by ON annotations (created_by, created_at);
    `);
  },
};

export default migration;
