import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportCoco } from '../../../electron/dataset/exportCoco.ts';
import { exportSa1b } from '../../../electron/dataset/exportSa1b.ts';
import { type SinkOpener, openFileSink } from '../../../electron/dataset/outputs.ts';
import { annotatedProject } from './fixtures.ts';

/** A real file sink that fails like a full disk once `limit` bytes have been written in total. */
function diskFullAfter(limit: number): SinkOpener {
  let written = 0;
  return async (file) => {
    const sink = await openFileSink(file);
    return {
      async write(chunk) {
        written += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
        if (written > limit)
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        await sink.write(chunk);
      },
      close: (sync) => sink.close(sync),
    };
  };
}

describe('export failures', () => {
  it('a full disk during a COCO export leaves the previous file intact and no temporary file', async () => {
    const f = await annotatedProject();
    const out = path.join(f.dir, 'coco.json');
    await exportCoco(f.project, out, 'rle');
    const before = readFileSync(out, 'utf8');
    await expect(exportCoco(f.project, out, 'polygon', { openSink: diskFullAfter(600) })).rejects.toThrow(
      `cannot write ${out}: no space left on the device`,
    );
    expect(readFileSync(out, 'utf8')).toBe(before);
    expect(readdirSync(f.dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('a full disk during a folder export leaves the previous export intact and no temporary folder', async () => {
    const f = await annotatedProject();
    const out = path.join(f.dir, 'sa1b');
    await exportSa1b(f.project, out);
    const before = readFileSync(path.join(out, 'a.json'), 'utf8');
    await expect(exportSa1b(f.project, out, { openSink: diskFullAfter(300) })).rejects.toThrow(
      /^cannot write .*: no space left on the device$/,
    );
    expect(readFileSync(path.join(out, 'a.json'), 'utf8')).toBe(before);
    expect(readdirSync(f.dir).filter((n) => n.startsWith('.sa1b'))).toEqual([]);
    // and a successful export replaces the earlier one as a whole
    await exportSa1b(f.project, out, { categories: ['dog'] });
    expect(existsSync(path.join(out, 'sub', 'b.json'))).toBe(false);
  });

  it("refuses to write into a folder that is not an earlier export (it may be the user's data)", async () => {
    const f = await annotatedProject();
    const out = path.join(f.dir, 'mydata');
    mkdirSync(out);
    writeFileSync(path.join(out, 'precious.txt'), 'keep me');
    await expect(exportSa1b(f.project, out)).rejects.toThrow(
      `${out}: folder exists and is not an earlier SAM Annotate export`,
    );
    expect(readdirSync(out)).toEqual(['precious.txt']);
    await expect(exportCoco(f.project, path.join(f.dir, 'no', 'such', 'c.json'), 'rle')).rejects.toThrow(
      /its folder does not exist/,
    );
  });
});
