import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../../db/migrations/index.ts';
import { migrate } from '../../../electron/store/migrate.ts';
import {
  APPLICATION_ID,
  createProject,
  openProject,
  projectMeta,
} from '../../../electron/store/projectDb.ts';
import { closeLater, newProject, tempDir } from '../../helpers/projects.ts';

describe('project files', () => {
  it('are WAL, foreign keys on, synchronous FULL, stamped with our application id and metadata', () => {
    const project = newProject(tempDir());
    const pragma = (name: string) => project.db.pragma(name, { simple: true });
    expect([
      pragma('journal_mode'),
      pragma('foreign_keys'),
      pragma('synchronous'),
      pragma('application_id'),
    ]).toEqual(['wal', 1, 2, APPLICATION_ID]);
    expect(pragma('user_version')).toBe(SCHEMA_VERSION);
    expect(projectMeta(project.reader, 'project_id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuse to create over an existing file, and to open a missing one', () => {
    const dir = tempDir();
    newProject(dir).close();
    expect(() => createProject(path.join(dir, 'p.samproj'))).toThrow('p.samproj: already exists');
    expect(() => openProject(path.join(dir, 'nope.samproj'))).toThrow(
      /nope.samproj: no such project \(create one with/,
    );
    expect(() => createProject(path.join(dir, 'missing', 'x.samproj'))).toThrow('its folder does not exist');
  });

  it('refuse files that are not SAM Annotate projects', () => {
    const dir = tempDir();
    const text = path.join(dir, 'notes.samproj');
    writeFileSync(
      text,
      'hello, this is not a database at all, just some text that is long enough'.repeat(20),
    );
    expect(() => openProject(text)).toThrow(`${text}: not a SAM Annotate project (not an SQLite database)`);
    const other = path.join(dir, 'other.samproj');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(() => openProject(other)).toThrow(
      `${other}: not a SAM Annotate project (an SQLite database of another application)`,
    );
  });

  it('refuse a project written by a newer version, naming both versions', () => {
    const dir = tempDir();
    const created = newProject(dir);
    const file = created.file;
    created.close();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 10}`);
    db.close();
    expect(() => openProject(file)).toThrow(
      `${file}: written by a newer version of SAM Annotate (schema version ${SCHEMA_VERSION + 10}; this version knows up to ${SCHEMA_VERSION})`,
    );
  });

  it('from an older version are backed up, then migrated on open', () => {
    const dir = tempDir();
    const file = path.join(dir, 'old.samproj');
    const db = new Database(file);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    migrate(db, { to: 10 });
    db.prepare("INSERT INTO categories (name, color, created_at) VALUES ('cat', '#112233', 1)").run();
    db.close();
    const lines: string[] = [];
    const project = closeLater(openProject(file, { log: (l) => lines.push(l) }));
    expect(project.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(existsSync(`${file}.schema-10.bak`)).toBe(true);
    expect(lines.join('\n')).toContain(`migrated ${file} from schema 10 to ${SCHEMA_VERSION}`);
    expect(project.db.prepare('SELECT name FROM categories').get()).toEqual({ name: 'cat' });
  });

  it('opened read-only refuse writes', () => {
    const created = newProject(tempDir());
    created.close();
    const project = closeLater(openProject(created.file, { readOnly: true }));
    expect(() => project.db.prepare("INSERT INTO project_meta VALUES ('a', 'b')").run()).toThrow(
      /readonly|query_only/i,
    );
    project.close();
    expect(readdirSync(path.dirname(created.file))).toEqual(['p.samproj']); // no WAL, index or owner note left
  });
});
