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
    for (const table of tableNames(db)) expect(isStrict(db, table), table).toBe(true);
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
});
