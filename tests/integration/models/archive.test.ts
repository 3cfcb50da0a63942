/**
 * Extracting a model folder from a .zip (issue 15, electron/models/archive.ts + zipReader.ts): stored, deflate and
 * ZIP64 archives, one written by Python's zipfile; and every hostile archive refused with an error naming the
 * archive and the member, with nothing written outside the extraction folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ArchiveMember, extractArchive } from '../../../electron/models/archive.ts';
import { fixturesDir } from '../../helpers/paths.ts';
import { type ZipEntrySpec, buildZip } from './zipWriter.ts';

const fixture = path.join(fixturesDir, 'models', 'mobile-sam-preprocess');
const encoder = readFileSync(path.join(fixture, 'mobile_sam.encoder.onnx'));
const decoder = readFileSync(path.join(fixture, 'sam_vit_tiny.decoder.onnx'));
const MEMBERS: ArchiveMember[] = [
  { member: 'mobile_sam/mobile_sam.encoder.onnx', path: 'encoder.onnx' },
  { member: 'mobile_sam/sam_vit_tiny.decoder.onnx', path: 'decoder.onnx' },
];
const good: ZipEntrySpec[] = [
  { name: 'mobile_sam/config.yaml', data: Buffer.from('type: segment_anything\n') },
  { name: MEMBERS[0]!.member, data: encoder },
  { name: MEMBERS[1]!.member, data: decoder, method: 0 },
];

/** A fresh work folder with the archive at `work/evil.zip` and an empty `work/out` to extract into. */
function setup(bytes: Buffer, name = 'evil.zip'): { archive: string; out: string; work: string } {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sam-zip-'));
  const archive = path.join(work, name);
  writeFileSync(archive, bytes);
  const out = path.join(work, 'out');
  mkdirSync(out);
  return { archive, out, work };
}

/** Every file under `dir`, relative, sorted. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
    .sort();
}

describe('extractArchive: well-formed archives', () => {
  it.each([
    ['deflate and stored members', {}],
    ['ZIP64 records and extra fields', { zip64: true }],
  ])('%s: only the listed members, at the listed paths, byte for byte', async (_, options) => {
    const { archive, out } = setup(buildZip(good, options), 'model.zip');
    await extractArchive(archive, MEMBERS, out);
    expect(files(out)).toEqual(['decoder.onnx', 'encoder.onnx']);
    expect(readFileSync(path.join(out, 'encoder.onnx')).equals(encoder)).toBe(true);
    expect(readFileSync(path.join(out, 'decoder.onnx')).equals(decoder)).toBe(true);
  });

  it("reads an archive written by Python's zipfile (deflate, forced ZIP64)", async () => {
    const { archive, out } = setup(Buffer.alloc(0), 'py.zip');
    const made = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        'import sys, zipfile\n' +
          "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n" +
          '  for name, src in ((sys.argv[2], sys.argv[3]), (sys.argv[4], sys.argv[5])):\n' +
          "    with open(src, 'rb') as f, z.open(name, 'w', force_zip64=True) as w: w.write(f.read())\n",
        archive,
        MEMBERS[0]!.member,
        path.join(fixture, 'mobile_sam.encoder.onnx'),
        MEMBERS[1]!.member,
        path.join(fixture, 'sam_vit_tiny.decoder.onnx'),
      ],
      { encoding: 'utf8' },
    );
    expect(made.status, made.stderr).toBe(0);
    await extractArchive(archive, MEMBERS, out);
    expect(readFileSync(path.join(out, 'encoder.onnx')).equals(encoder)).toBe(true);
    expect(readFileSync(path.join(out, 'decoder.onnx')).equals(decoder)).toBe(true);
  });
});

/** The archive with its end record declaring a central directory of `size` bytes. */
function withDirectorySize(zip: Buffer, size: number): Buffer {
  const copy = Buffer.from(zip);
  copy.writeUInt32LE(size, copy.length - 22 + 12);
  return copy;
}

describe('extractArchive: hostile or damaged archives are refused, naming the archive and the member', () => {
  const zipped = buildZip(good);
  const cases: Array<[string, Buffer, RegExp, ArchiveMember[]?]> = [
    [
      'a ".." path',
      buildZip([...good, { name: 'mobile_sam/../../escape.onnx', data: Buffer.from('x') }]),
      /^archive evil\.zip: member "mobile_sam\/\.\.\/\.\.\/escape\.onnx" has a "\.\." path segment; the archive is refused$/,
    ],
    [
      'an absolute path',
      buildZip([...good, { name: '/tmp/escape.onnx', data: Buffer.from('x') }]),
      /member "\/tmp\/escape\.onnx" has an absolute path/,
    ],
    [
      'a backslash',
      buildZip([...good, { name: 'mobile_sam\\..\\escape.onnx', data: Buffer.from('x') }]),
      /member "mobile_sam\\\\\.\.\\\\escape\.onnx" has a backslash in its name/,
    ],
    [
      'a drive letter',
      buildZip([...good, { name: 'C:/escape.onnx', data: Buffer.from('x') }]),
      /member "C:\/escape\.onnx" starts with a drive letter/,
    ],
    [
      'a symbolic link',
      buildZip([...good, { name: 'mobile_sam/link', data: Buffer.from('/etc/passwd'), unixMode: 0o120777 }]),
      /member "mobile_sam\/link" is a symbolic link; the archive is refused/,
    ],
    [
      'a CRC mismatch',
      buildZip([good[0]!, { ...good[1]!, crc: 0x12345678 }, good[2]!]),
      /member "mobile_sam\/mobile_sam\.encoder\.onnx" CRC mismatch \(declared 12345678, got [0-9a-f]{8}\)/,
    ],
    [
      'more bytes than declared',
      buildZip([good[0]!, { ...good[1]!, size: encoder.length - 10 }, good[2]!]),
      /member "mobile_sam\/mobile_sam\.encoder\.onnx" holds more than the \d+ bytes it declares/,
    ],
    [
      'fewer bytes than declared (stored)',
      buildZip([good[0]!, good[1]!, { ...good[2]!, size: decoder.length + 5 }]),
      /member "mobile_sam\/sam_vit_tiny\.decoder\.onnx" holds \d+ bytes but declares \d+/,
    ],
    [
      'a member larger than the cap',
      zipped,
      /member "mobile_sam\/mobile_sam\.encoder\.onnx" declares \d+ bytes, more than the 400000 allowed/,
    ],
    [
      'a file cut inside the directory',
      zipped.subarray(0, zipped.length - 30),
      /^archive evil\.zip: not a ZIP archive, or truncated \(no end-of-directory record\)$/,
    ],
    [
      'a directory too large for a model archive',
      withDirectorySize(zipped, 64 * 1024 * 1024),
      /^archive evil\.zip: its directory declares 67108864 bytes, more than a model archive has$/,
    ],
    [
      'a directory that lies past the end of the file',
      withDirectorySize(zipped, zipped.length + 1),
      /^archive evil\.zip: truncated \(the directory lies past the end of the file\)$/,
    ],
    [
      'a listed member that is missing',
      zipped,
      /member "mobile_sam\/other\.onnx" is missing \(the archive holds mobile_sam\/config\.yaml, /,
      [{ member: 'mobile_sam/other.onnx', path: 'encoder.onnx' }],
    ],
    [
      'a member listed twice in the archive',
      buildZip([...good, good[1]!]),
      /member "mobile_sam\/mobile_sam\.encoder\.onnx" appears 2 times; the archive is refused/,
    ],
  ];

  it.each(cases)('%s', async (_, bytes, message, members = MEMBERS) => {
    const { archive, out, work } = setup(bytes);
    const error = await extractArchive(archive, members, out, {
      maxMemberBytes: message.source.includes('400000') ? 400_000 : undefined,
    }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect(error!.name).toBe('UserError');
    expect(error!.message).toMatch(message);
    // Nothing was written outside the extraction folder.
    expect(files(work).filter((f) => !f.startsWith(`out${path.sep}`))).toEqual(['evil.zip']);
  });

  it('a data block cut short (the directory intact, the data overlapping it)', async () => {
    // The encoder's compressed data claims to run past the end of the file: move its local header near the end.
    const bytes = buildZip([{ name: 'big.onnx', data: encoder, method: 0 }]);
    const cut = Buffer.concat([
      bytes.subarray(0, 30 + 'big.onnx'.length + 1000),
      bytes.subarray(-(46 + 8 + 22)),
    ]);
    // Fix the directory offset (the central record now starts right after the 1000 data bytes).
    cut.writeUInt32LE(30 + 8 + 1000, cut.length - 22 + 16);
    const { archive, out } = setup(cut);
    await expect(
      extractArchive(archive, [{ member: 'big.onnx', path: 'encoder.onnx' }], out),
    ).rejects.toThrow(
      /^archive evil\.zip: member "big\.onnx" its data ends \d+ bytes past the end of the archive \(truncated\)$/,
    );
  });

  it('a listed folder path that would leave the model folder is refused before anything is read', async () => {
    const { archive, out } = setup(zipped);
    await expect(
      extractArchive(archive, [{ member: MEMBERS[0]!.member, path: '../encoder.onnx' }], out),
    ).rejects.toThrow(/would be written to "\.\.\/encoder\.onnx", which has a "\.\." path segment/);
  });
});
