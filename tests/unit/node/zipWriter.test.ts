import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { finished } from 'node:stream/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32, planZip, writeZip } from '../../../electron/node/zipWriter.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function folder(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sam-zip-'));
  dirs.push(dir);
  return dir;
}

async function zipTo(dir: string, file: string): Promise<number> {
  const plan = await planZip(dir);
  const out = createWriteStream(file);
  await writeZip(plan, out);
  out.end();
  await finished(out);
  return plan.size;
}

describe('zipWriter (issue 17: folder exports downloaded from serve mode)', () => {
  it('computes CRC-32 as zlib does', () => {
    const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
    for (const bytes of [Buffer.alloc(0), Buffer.from('123456789'), data])
      expect(crc32(bytes)).toBe(zlib.crc32(bytes));
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it("writes a folder that Python's zipfile and unzip read back byte for byte (nested, empty, UTF-8 names)", async () => {
    const src = folder();
    mkdirSync(path.join(src, 'labels', 'sub'), { recursive: true });
    const files: Record<string, Buffer> = {
      'classes.txt': Buffer.from('cat\ndog\n'),
      'labels/a.txt': Buffer.from('0 0.1 0.2 0.3 0.4\n'),
      'labels/sub/ünïcode élan.txt': Buffer.from('1 0.5 0.5\n'),
      'empty.txt': Buffer.alloc(0),
      'big.bin': Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) % 251)),
    };
    for (const [name, data] of Object.entries(files)) writeFileSync(path.join(src, name), data);
    symlinkSync(path.join(src, 'classes.txt'), path.join(src, 'link.txt')); // left out
    const zip = path.join(folder(), 'out.zip');
    const size = await zipTo(src, zip);
    expect(statSync(zip).size).toBe(size);

    const listing = execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        `import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))`,
        zip,
      ],
      { encoding: 'utf8' },
    );
    const read = JSON.parse(listing) as Record<string, string>;
    expect(Object.keys(read).sort()).toEqual(Object.keys(files).sort());
    for (const [name, data] of Object.entries(files))
      expect(read[name]).toBe(createHash('sha256').update(data).digest('hex'));

    const out = folder();
    execFileSync('unzip', ['-q', zip, '-d', out]);
    expect(statSync(path.join(out, 'labels', 'sub', 'ünïcode élan.txt')).size).toBe(
      files['labels/sub/ünïcode élan.txt']!.length,
    );
  });
});
