/**
 * 0030: annotation sessions and review events.
 *
 * A session is one annotator's sitting (app start to close); annotations and review events point at the session
 * they were made in. A review event records one status change of an annotation (who, when, from → to, why).
 */
import type { Database } from 'better-sqlite3';
import type { Migration } from './migration.ts';

const migration: Migration = {
  version: 30,
  name: 'sessions-reviews',
  up(db: Database) {
    db.exec(`
      CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        annotator TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER CHECK (ended_at IS NULL OR ended_at >= started_at),
        app_version TEXT NOT NULL,
        model_id TEXT
      ) STRICT;

      CREATE TABLE review_events (
        id INTEGER PRIMARY KEY,
        annotation_id INTEGER NOT NULL REFERENCES annotations (id) ON DELETE CASCADE,
        session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
        reviewer TEXT NOT NULL,
        at INTEGER NOT NULL,
        from_status TEXT NOT NULL CHECK (from_status IN ('draft', 'accepted', 'rejected', 'needs-fix')),
        to_status TEXT NOT NULL CHECK (to_status IN ('draft', 'accepted', 'rejected', 'needs-fix')),
        comment TEXT NOT NULL DEFAULT ''
      ) STRICT;

      CREATE INDEX review_events_annotation ON review_events (annotation_id);

      ALTER TABLE annotations ADD COLUMN session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL;
    `);
  },
};

export default migration;
