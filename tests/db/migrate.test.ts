import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from '../../db/migrations/index.ts';
import type { Migration } from '../../db/migrations/migration.ts';
import { checkMigrationList, migrate, schemaVersion } from '../../electron/store/migrate.ts';
import { isStrict, tableNames } from './helpers.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempFile = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sam-migrate-'));
  dirs.push(dir);
  return path.join(dir, 'p.samproj');
};

describe('migration list', () => {
  it('is strictly increasing, and every table it makes is STRICT', () => {
    expect(() => checkMigrationList(MIGRATIONS)).not.toThrow();
    const db = new Database(':memory:');
    migrate(db);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    for (const table of tableNames(db).filter((t) => !t.startsWith('sqlite_')))
      expect(isStrict(db, table), table).toBe(true);
  });

  it('rejects a list out of order', () => {
    const m = (version: number): Migration => ({ version, name: `m${version}`, up() {} });
    expect(() => checkMigrationList([m(10), m(30), m(20)])).toThrow('not monotonic: 20 (m20) follows 30');
    expect(() => checkMigrationList([m(10), m(10)])).toThrow('not monotonic');
  });
});

describe('migrate', () => {
  it('refuses a database written by a newer version, naming the file and both versions', () => {
    const db = new Database(':memory:');
    db.pragma('user_version = 999');
    expect(() => migrate(db, { file: '/data/p.samproj' })).toThrow(
      `/data/p.samproj: written by a newer version of SAM Annotate (schema version 999; this version knows up to ${SCHEMA_VERSION})`,
    );
  });

  it('backs up an existing database before migrating it, and logs from and to', () => {
    const file = tempFile();
    const db = new Database(file);
    migrate(db, { file, to: 10 });
    db.prepare("INSERT INTO project_meta VALUES ('k', 'v')").run();
    const lines: string[] = [];
    const result = migrate(db, { file, log: (l) => lines.push(l) });
    expect(result).toMatchObject({ from: 10, to: SCHEMA_VERSION, backup: `${file}.schema-10.bak` });
    expect(lines).toEqual([
      `backed up ${file} (schema 10) to ${file}.schema-10.bak`,
      `migrated ${file} from schema 10 to ${SCHEMA_VERSION}`,
    ]);
    const backup = new Database(result.backup!, { readonly: true });
    expect(schemaVersion(backup)).toBe(10);
    expect(backup.prepare('SELECT value FROM project_meta').get()).toEqual({ value: 'v' });
    backup.close();
    db.close();
  });

  it('makes no backup of a new database, and none when nothing is pending', () => {
    const file = tempFile();
    const db = new Database(file);
    expect(migrate(db, { file }).backup).toBeUndefined();
    expect(migrate(db, { file })).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    expect(existsSync(`${file}.schema-0.bak`)).toBe(false);
    db.close();
  });

  it('rolls a failing step back completely, keeping the steps before it', () => {
    const failing: Migration[] = [
      ...MIGRATIONS,
      {
        version: SCHEMA_VERSION + 10,
        name: 'broken',
        up(db) {
          db.exec('CREATE TABLE half (x INTEGER) STRICT');
          throw new Error('boom');
        },
      },
    ];
    const db = new Database(':memory:');
    expect(() => migrate(db, { migrations: failing })).toThrow('boom');
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(tableNames(db)).not.toContain('half');
  });

  it('runs a foreignKeysOff step without firing ON DELETE actions, checks the keys, and turns them back on', () => {
    const rebuild = (dangling: boolean): Migration => ({
      version: 20,
      name: 'rebuild-parent',
      foreignKeysOff: true,
      up(db) {
        db.exec(`CREATE TABLE parent_new (id INTEGER PRIMARY KEY) STRICT;
          INSERT INTO parent_new SELECT id FROM parent ${dangling ? 'WHERE 0' : ''};
          DROP TABLE parent; ALTER TABLE parent_new RENAME TO parent;`);
      },
    });
    const start: Migration = {
      version: 10,
      name: 'start',
      up(db) {
        db.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY) STRICT;
          CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE) STRICT;
          INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1);`);
      },
    };
    for (const dangling of [false, true]) {
      const db = new Database(':memory:');
      db.pragma('foreign_keys = ON');
      const run = () => migrate(db, { migrations: [start, rebuild(dangling)] });
      if (dangling)
        expect(run).toThrow('migration 20 (rebuild-parent) left rows whose foreign keys point nowhere');
      else run();
      expect(schemaVersion(db)).toBe(dangling ? 10 : 20);
      expect(db.prepare('SELECT count(*) AS n FROM child').get()).toEqual({ n: 1 }); // no cascade
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      db.close();
    }
  });
});
