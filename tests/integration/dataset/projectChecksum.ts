/** Every table of a project as (name, row count, sha256 of its rows): equal before and after means "unchanged". */
import { createHash } from 'node:crypto';
import type { Project } from '../../../electron/store/projectDb.ts';

export function projectChecksum(project: Project): Record<string, { rows: number; sha256: string }> {
  const tables = project.reader
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  const out: Record<string, { rows: number; sha256: string }> = {};
  for (const { name } of tables) {
    const rows = project.reader.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).raw().all();
    const hash = createHash('sha256');
    for (const row of rows)
      hash.update(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
    out[name] = { rows: rows.length, sha256: hash.digest('hex') };
  }
  return out;
}
