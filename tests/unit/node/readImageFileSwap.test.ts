/**
 * A FIFO swapped in between the reader's stat and its open (issue 18): the stat is made to see a regular file,
 * so only the non-blocking open and the check of the opened file stand between the reader and a hang.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as FsPromises from 'node:fs/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readImageFile } from '../../../electron/node/readImageFile.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sam-read-swap-'));
const regular = path.join(dir, 'regular.png');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Hoisted above the imports by vitest.
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  return { ...fs, stat: (file: string) => fs.stat(file.endsWith('swapped.png') ? regular : file) };
});

describe.skipIf(process.platform === 'win32')('readImageFile and a FIFO swapped in after its stat', () => {
  it('refuses the FIFO by name instead of waiting for a writer', { timeout: 10_000 }, async () => {
    writeFileSync(regular, 'a regular file');
    const fifo = path.join(dir, 'swapped.png');
    execFileSync('mkfifo', [fifo]);
    await expect(readImageFile(fifo)).rejects.toThrow(
      `cannot read image ${fifo}: not a regular file (a FIFO)`,
    );
  });
});
