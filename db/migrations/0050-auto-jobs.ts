/**
 * 0050: automatic passes (issue 5, the fully automatic stage), persisted so a pass resumes after a crash.
 *
 * `auto_jobs` is one pass over some images: what it runs (`kind`: 'amg' = automatic mask generation, 'boxes' =
 * box-only annotations → masks), its parameters (JSON, Meta's AMG names), the status its masks get, and its
 * state. 'running' means unfinished: the process running it may have died, and the app offers to resume it.
 * `auto_job_images` lists the pass's images in order with a per-image state; an image's masks and its 'done' are
 * written in one transaction, so after a crash every image is either done (with all its masks) or still to do.
 */
import type { Database } from 'better-sqlite3';
import type { Migration } from './migration.ts';

const migration: Migration = {
  version: 50,
  name: 'auto-jobs',
  up(db: Database) {
    db.exec(`
      CREATE TABLE auto_jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('amg', 'boxes')),
        params TEXT NOT NULL CHECK (json_valid(params)),
        result_status TEXT NOT NULL CHECK (result_status IN ('draft', 'accepted')),
        model_id TEXT,
        state TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'cancelled', 'finished')),
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE auto_job_images (
        job_id INTEGER NOT NULL REFERENCES auto_jobs (id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
        position INTEGER NOT NULL CHECK (position >= 0),
        state TEXT NOT NULL DEFAULT 'todo' CHECK (state IN ('todo', 'done', 'failed')),
        masks INTEGER NOT NULL DEFAULT 0 CHECK (masks >= 0),
        ms INTEGER NOT NULL DEFAULT 0 CHECK (ms >= 0),
        error TEXT,
        finished_at INTEGER,
        PRIMARY KEY (job_id, image_id),
        UNIQUE (job_id, position)
      ) STRICT;

      CREATE INDEX auto_job_images_state ON auto_job_images (job_id, state, position);
      CREATE INDEX auto_jobs_state ON auto_jobs (state);
    `);
  },
};

export default migration;
