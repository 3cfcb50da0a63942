/** The bounded image reader (issue 18): regular files only, a size cap, never more than the stat'd size. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isUserError } from '../../../electron/common/errors.ts';
import { MAX_IMAGE_FILE_BYTES } from '../../../electron/common/imageLimits.ts';
import { readImageFile } from '../../../electron/node/readImageFile.ts';

const HANG = 10_000;
const dir = mkdtempSync(path.join(os.tmpdir(), 'sam-read-image-'));
const at = (name: string) => path.join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(file: string, options?: { maxBytes?: number }): Promise<string> {
  const error: unknown = await readImageFile(file, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isUserError(error), String(error)).toBe(true);
  return (error as Error).message;
}

describe.skipIf(process.platform === 'win32')('readImageFile', () => {
  it('reads a regular file, through a symlink too, with its stat', async () => {
    writeFileSync(at('a.png'), 'bytes of a');
    symlinkSync(at('a.png'), at('link.png'));
    for (const name of ['a.png', 'link.png']) {
      const { bytes, stats } = await readImageFile(at(name));
      expect(bytes.toString()).toBe('bytes of a');
      expect(stats.size).toBe(10);
      expect(stats.isFile()).toBe(true);
    }
  });

  it(
    'refuses a FIFO, a device, a folder and a missing file by name',
    async () => {
      execFileSync('mkfifo', [at('pipe.png')]);
      symlinkSync('/dev/zero', at('zero.png'));
      mkdirSync(at('folder.png'));
      expect(await refusal(at('pipe.png'))).toBe(
        `cannot read image ${at('pipe.png')}: not a regular file (a FIFO)`,
      );
      expect(await refusal(at('zero.png'))).toBe(
        `cannot read image ${at('zero.png')}: not a regular file (a character device)`,
      );
      expect(await refusal(at('folder.png'))).toBe(
        `cannot read image ${at('folder.png')}: not a regular file (a directory)`,
      );
      expect(await refusal(at('none.png'))).toBe(`cannot read image ${at('none.png')}: no such file`);
    },
    HANG,
  );

  it('refuses a file larger than the cap without reading it', async () => {
    // Sparse: no disk space is used.
    writeFileSync(at('huge.png'), '');
    truncateSync(at('huge.png'), MAX_IMAGE_FILE_BYTES + 1);
    expect(await refusal(at('huge.png'))).toBe(
      `cannot read image ${at('huge.png')}: it is ${MAX_IMAGE_FILE_BYTES + 1} bytes, more than the ` +
        `${MAX_IMAGE_FILE_BYTES} bytes allowed for an image file`,
    );
    writeFileSync(at('small.png'), 'x'.repeat(100));
    expect(await refusal(at('small.png'), { maxBytes: 99 })).toMatch(
      /small\.png: it is 100 bytes, more than the 99/,
    );
    expect((await readImageFile(at('small.png'), { maxBytes: 100 })).bytes.length).toBe(100);
  });

  it.skipIf(process.platform !== 'linux')('refuses a file that holds more than its stat said', async () => {
    // /proc files are regular files of size 0 that read as text: the same as a file growing while read.
    expect(await refusal('/proc/self/status')).toBe(
      'cannot read image /proc/self/status: it grew while being read (more than the 0 bytes it had)',
    );
  });
});
