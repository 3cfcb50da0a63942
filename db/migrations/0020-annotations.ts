/**
 * 0020: annotations.
 *
 * The canonical mask is `rle_counts`: COCO compressed RLE counts (pycocotools' string) at the full resolution of
 * the image (`size` is the image's [height, width]), so holes and islands survive exactly. NULL means a box-only
 * annotation (e.g. imported from COCO, waiting for a boxes → masks run). `area` and `bbox_*` are derived from the
 * mask (COCO conventions: pixel count, `w = x_max − x_min + 1`) or, for boxes, are the box.
 * `prompts` is JSON `{"points": [{"x", "y", "label"}], "box": {"x0", "y0", "x1", "y1"}}` in image pixels;
 * `crop_box` is JSON `[x, y, w, h]` (automatic masks made on a crop).
 */
import type { Database } from 'better-sqlite3';
import type { Migration } from './migration.ts';

const counter = (name: string) => `${name} INTEGER NOT NULL DEFAULT 0 CHECK (${name} >= 0)`;

const migration: Migration = {
  version: 20,
  name: 'annotations',
  up(db: Database) {
    db.exec(`
      CREATE TABLE annotations (
        id INTEGER PRIMARY KEY,
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
        ${counter('active_ms')},
        ${counter('clicks')},
        ${counter('prompt_count')},
        ${counter('brush_strokes')},
        ${counter('model_wait_ms')},
        CHECK (rle_counts IS NOT NULL OR iscrowd = 0)
      ) STRICT;

      CREATE INDEX annotations_image ON annotations (image_id);
      CREATE INDEX annotations_status_image ON annotations (status, image_id);
      CREATE INDEX annotations_category ON annotations (category_id);
    `);
  },
};

export default migration;
