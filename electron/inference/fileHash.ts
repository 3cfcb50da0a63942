/**
 * sha256 of (possibly multi-gigabyte) model files, remembered per (path, size, mtime) so a 2.5 GB ViT-H encoder
 * is hashed once, not at every start.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 4 * 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface Entry {
  size: number;
  mtimeMs: number;
  sha256: string;
}

export class FileHashCache {
  private entries: Record<string, Entry> | undefined;

  /** `store` is a JSON file; undefined keeps the cache in memory only. */
  constructor(private readonly store?: string) {}

  async sha256(file: string): Promise<string> {
    const absolute = path.resolve(file);
    const { size, mtimeMs } = await stat(absolute);
    const entries = await this.load();
    const known = entries[absolute];
    if (known && known.size === size && known.mtimeMs === mtimeMs) return known.sha256;
    const sha256 = await sha256File(absolute);
    entries[absolute] = { size, mtimeMs, sha256 };
    await this.save();
    return sha256;
  }

  private async load(): Promise<Record<string, Entry>> {
    if (this.entries) return this.entries;
    this.entries = {};
    if (this.store) {
      try {
        const parsed: unknown = JSON.parse(await readFile(this.store, 'utf8'));
        if (parsed && typeof parsed === 'object') this.entries = parsed as Record<string, Entry>;
      } catch {
        // Missing or unreadable: it is only a cache, start afresh.
      }
    }
    return this.entries;
  }

  private async save(): Promise<void> {
    if (!this.store || !this.entries) return;
    try {
      await mkdir(path.dirname(this.store), { recursive: true });
      const temp = `${this.store}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify(this.entries));
      await rename(temp, this.store);
    } catch {
      // A read-only or full cache directory costs a re-hash next time, nothing more.
    }
  }
}
