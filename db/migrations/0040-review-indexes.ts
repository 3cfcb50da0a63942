/**
 * 0040: indexes for review mode and the statistics (issue 5).
 *
 * The review queue is usually one status ("draft", "needs-fix") sorted by a model score, worst first, a page at
 * a time: (status, score) serves that without sorting every matching row for every page (1 M automatic masks
 * make a project of that size). (created_by, created_at) serves the annotator filter and the per-annotator
 * trend of the statistics. No table changes.
 */
import type { Database } from 'better-sqlite3';
import type { Migration } from './migration.ts';

const migration: Migration = {
  version: 40,
  name: 'review-indexes',
  up(db: Database) {
    db.exec(`
      CREATE INDEX annotations_status_iou ON annotations (status, predicted_iou);
      CREATE INDEX annotations_status_stability ON annotations (status, stability_score);
      CREATE INDEX annotations_created_by ON annotations (created_by, created_at);
    `);
  },
};

export default migration;
