/**
 * The project schema's migrations, in order. Append only; versions step by 10 to leave room for hotfixes
 * (how to add one: db/README.md).
 */
import m0010 from './0010-initial.ts';
import m0020 from './0020-annotations.ts';
import m0030 from './0030-sessions-reviews.ts';
import m0040 from './0040-review-indexes.ts';
import m0050 from './0050-auto-jobs.ts';
import m0060 from './0060-annotation-ids.ts';
import m0070 from './0070-annotation-stage.ts';
import m0080 from './0080-category-position.ts';
import m0090 from './0090-annotation-z.ts';
import type { Migration } from './migration.ts';

export type { Migration } from './migration.ts';

export const MIGRATIONS: readonly Migration[] = [
  m0010,
  m0020,
  m0030,
  m0040,
  m0050,
  m0060,
  m0070,
  m0080,
  m0090,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
