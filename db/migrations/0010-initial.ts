/**
 * 0010: project metadata, images and categories.
 *
 * Images are referenced, not copied: `rel_path` is relative to the project file's folder (POSIX separators) so
 * that moving the folder keeps the project working; `abs_path` is the fallback when only the project file
 * moved. `sha256` is the image's identity (NULL while the file has never been seen, e.g. a COCO import whose
 * pictures are elsewhere); `file_state` flags a file that went missing or changed since it was added.
 */
import type { Database } from 'better-sqlite3';
import type { Migration } from './migration.ts';

const migration: Migration = {
  version: 10,
  name: 'initial',
  up(db: Database) {
    db.exec(`
      CREATE TABLE project_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        rel_path TEXT NOT NULL UNIQUE,
        abs_path TEXT NOT NULL,
        sha256 TEXT UNIQUE CHECK (sha256 IS NULL OR length(sha256) = 64),
        byte_size INTEGER CHECK (byte_size IS NULL OR byte_size >= 0),
        mtime_ms INTEGER,
        width INTEGER NOT NULL CHECK (width > 0),
        height INTEGER NOT NULL CHECK (height > 0),
        status TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in-progress', 'done', 'skipped')),
        file_state TEXT NOT NULL DEFAULT 'ok' CHECK (file_state IN ('ok', 'missing', 'changed')),
        added_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE categories (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
        supercategory TEXT NOT NULL DEFAULT '',
        color TEXT NOT NULL CHECK (color GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
        created_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};

export default migration;
