/** The most recently opened projects, newest first, kept in a small JSON file in the app's data folder. */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { writeFileAtomic } from '../node/atomicWrite.ts';

const LIMIT = 10;

export class RecentProjects {
  constructor(private readonly file: string) {}

  async list(): Promise<string[]> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      return Array.isArray(parsed)
        ? parsed.filter((p): p is string => typeof p === 'string' && existsSync(p))
        : [];
    } catch {
      return [];
    }
  }

  async add(project: string): Promise<void> {
    const list = [project, ...(await this.list()).filter((p) => p !== project)].slice(0, LIMIT);
    // Failing to remember a recent project must not fail opening it.
    await writeFileAtomic(this.file, JSON.stringify(list, null, 2)).catch(() => undefined);
  }
}
