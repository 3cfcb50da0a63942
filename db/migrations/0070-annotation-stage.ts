/**
 * 0070: which stage made a mask, and where a decision on it was made (issue 17: statistics counted Find objects'
 * masks as "Automatic", and accepting a mask in the annotator as "accepted in review").
 *
 * `annotations.stage`: 'manual' (prompts in the annotator), 'semi-auto' (Find objects or boxes → masks on one
 * image, asked for in the annotator), 'auto' (an automatic pass), 'imported'. `source` keeps saying what kind of
 * mask it is (the annotator's "undecided automatic masks" are source 'auto'). Existing automatic masks are a
 * pass's when the pass marked their image done in the same transaction (within a second of the mask), else
 * Find objects'.
 *
 * `review_events.place`: 'review' (Review mode) or 'annotator' (accept / reject in the editor). Older events
 * cannot be told apart; they stay 'review', as the statistics counted them before.
 */
import type { Database } from 'better-sqlite3';
import type { Migration } from './migration.ts';

const migration: Migration = {
  version: 70,
  name: 'annotation-stage',
  up(db: Database) {
    db.exec(`
      ALTER TABLE annotations ADD COLUMN stage TEXT NOT NULL DEFAULT 'manual'
        CHECK (stage IN ('manual', 'semi-auto', 'auto', 'imported'));
      UPDATE annotations SET stage = source WHERE source <> 'auto';
      UPDATE annotations SET stage = CASE
          WHEN EXISTS (
            SELECT 1 FROM auto_job_images j
            WHERE j.image_id = annotations.image_id AND j.state = 'done'
              AND j.finished_at BETWEEN annotations.created_at AND annotations.created_at + 1000
          ) THEN 'auto'
          ELSE 'semi-auto'
        END
        WHERE source = 'auto';
      CREATE INDEX annotations_stage ON annotations (stage);

      ALTER TABLE review_events ADD COLUMN place TEXT NOT NULL DEFAULT 'review'
        CHECK (place IN ('review', 'annotator'));
    `);
  },
};

export default migration;
