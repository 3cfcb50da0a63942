/** Signal-style migration test helpers: an in-memory database at a given schema version, and table dumps. */
import Database from 'better-sqlite3';
import { migrate } from '../../electron/store/migrate.ts';

export function databaseAt(version: number): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, { to: version });
  return db;
}

export function rows(db: Database.Database, table: string): unknown[] {
  return db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();
}

export function tableNames(db: Database.Database): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);
}

export function isStrict(db: Database.Database, table: string): boolean {
  return (
    (db.prepare('SELECT strict FROM pragma_table_list WHERE name = ?').get(table) as { strict: number })
      .strict === 1
  );
}
