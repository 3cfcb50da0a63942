/**
 * A minimal ZIP reader on node:zlib (issue 15: published models that come as .zip archives), enough for what model
 * publishers write (Python's zipfile, Info-ZIP, 7-Zip): the central directory (ZIP64 end records and extra fields
 * included), members stored (method 0) or deflated (method 8), unencrypted. It reads the directory only, then
 * streams one member at a time; nothing here writes outside the path it is given.
 *
 * Layout (APPNOTE.TXT 6.3): [local header + data]… central directory… [zip64 end record, zip64 locator] end record.
 * The central directory is the truth (sizes, CRC, offsets); each member's local header is read only for the
 * length of its name and extra field, which place the data.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import { createInflateRaw, crc32 } from 'node:zlib';

export interface ZipMember {
  readonly name: string;
  /** 0 stored, 8 deflated; anything else is refused on extraction. */
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
  /** General purpose flags; bit 0 = encrypted. */
  readonly flags: number;
  /** The Unix file type bits of the external attributes, when the archive was made on Unix (0 otherwise). */
  readonly unixType: number;
}

/** A structural problem of the archive (not of one member): the caller names the archive. */
export class ZipFormatError extends Error {}

/** A problem of one member: the caller names the archive and `member`. */
export class ZipMemberError extends Error {
  constructor(
    readonly member: string,
    message: string,
  ) {
    super(message);
  }
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;
const UNIX_HOST = 3;
const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;
export const S_IFMT = 0o170000;
export const S_IFLNK = 0o120000;
export const S_IFDIR = 0o040000;

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new ZipFormatError('truncated (ends inside a header)');
  return buffer;
}

function safeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError(`${what} is too large`);
  return Number(value);
}

/** Where the central directory is and how many members it lists. */
async function findDirectory(
  fh: FileHandle,
  fileSize: number,
): Promise<{ offset: number; size: number; count: number }> {
  const tailLength = Math.min(fileSize, 22 + MAX_COMMENT);
  const tail = await readAt(fh, fileSize - tailLength, tailLength);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new ZipFormatError('not a ZIP archive, or truncated (no end-of-directory record)');
  let count = tail.readUInt16LE(at + 10);
  let size = tail.readUInt32LE(at + 12);
  let offset = tail.readUInt32LE(at + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const eocdPosition = fileSize - tailLength + at;
    if (eocdPosition < 20) throw new ZipFormatError('truncated (no ZIP64 locator)');
    const locator = await readAt(fh, eocdPosition - 20, 20);
    if (locator.readUInt32LE(0) !== ZIP64_LOCATOR) throw new ZipFormatError('missing ZIP64 locator');
    const recordAt = safeNumber(locator.readBigUInt64LE(8), 'ZIP64 record offset');
    const record = await readAt(fh, recordAt, 56);
    if (record.readUInt32LE(0) !== ZIP64_EOCD) throw new ZipFormatError('bad ZIP64 end record');
    count = safeNumber(record.readBigUInt64LE(32), 'member count');
    size = safeNumber(record.readBigUInt64LE(40), 'directory size');
    offset = safeNumber(record.readBigUInt64LE(48), 'directory offset');
  }
  // A model archive lists a handful of files; a bigger directory is not one (and would be read into memory).
  if (size > MAX_DIRECTORY_BYTES)
    throw new ZipFormatError(`its directory declares ${size} bytes, more than a model archive has`);
  if (offset + size > fileSize)
    throw new ZipFormatError('truncated (the directory lies past the end of the file)');
  return { offset, size, count };
}

/** The ZIP64 extended-information extra field (0x0001) replaces the 32-bit values that are 0xffffffff. */
function applyZip64(
  extra: Buffer,
  values: { size: number; compressedSize: number; localHeaderOffset: number },
  name: string,
): void {
  for (let i = 0; i + 4 <= extra.length;) {
    const id = extra.readUInt16LE(i);
    const length = extra.readUInt16LE(i + 2);
    if (id === 0x0001) {
      let p = i + 4;
      const next = (what: string): number => {
        if (p + 8 > i + 4 + length) throw new ZipMemberError(name, `ZIP64 field lacks the ${what}`);
        const v = safeNumber(extra.readBigUInt64LE(p), what);
        p += 8;
        return v;
      };
      if (values.size === 0xffffffff) values.size = next('size');
      if (values.compressedSize === 0xffffffff) values.compressedSize = next('compressed size');
      if (values.localHeaderOffset === 0xffffffff) values.localHeaderOffset = next('header offset');
      return;
    }
    i += 4 + length;
  }
}

/** Every member the central directory lists, in its order. */
export async function readZipDirectory(file: string): Promise<ZipMember[]> {
  const fh = await open(file, 'r');
  try {
    const fileSize = (await fh.stat()).size;
    const { offset, size, count } = await findDirectory(fh, fileSize);
    const dir = await readAt(fh, offset, size);
    const members: ZipMember[] = [];
    let p = 0;
    for (let n = 0; n < count; n++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL)
        throw new ZipFormatError(`the central directory is damaged at entry ${n + 1} of ${count}`);
      const nameLength = dir.readUInt16LE(p + 28);
      const extraLength = dir.readUInt16LE(p + 30);
      const commentLength = dir.readUInt16LE(p + 32);
      const end = p + 46 + nameLength + extraLength + commentLength;
      if (end > dir.length) throw new ZipFormatError(`the central directory is damaged at entry ${n + 1}`);
      const flags = dir.readUInt16LE(p + 8);
      // Bit 11: the name is UTF-8; otherwise CP437, whose ASCII range is the same (non-ASCII names are not ours).
      const name = dir.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength);
      const values = {
        compressedSize: dir.readUInt32LE(p + 20),
        size: dir.readUInt32LE(p + 24),
        localHeaderOffset: dir.readUInt32LE(p + 42),
      };
      applyZip64(dir.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength), values, name);
      const host = dir.readUInt8(p + 5);
      members.push({
        name,
        method: dir.readUInt16LE(p + 10),
        crc32: dir.readUInt32LE(p + 16),
        flags,
        unixType: host === UNIX_HOST ? (dir.readUInt32LE(p + 38) >>> 16) & S_IFMT : 0,
        ...values,
      });
      p = end;
    }
    return members;
  } finally {
    await fh.close();
  }
}

/**
 * Write `member`'s bytes to `dest`, checking as it streams: the method, the declared sizes (compressed and real),
 * the CRC-32, and that the data lies inside the file. Throws {@link ZipMemberError}; `dest` may then hold part of
 * the member (the caller discards the whole extraction folder).
 */
export async function extractZipMember(
  file: string,
  member: ZipMember,
  dest: string,
  signal?: AbortSignal,
): Promise<void> {
  const fail = (message: string) => new ZipMemberError(member.name, message);
  if (member.flags & 1) throw fail('is encrypted');
  if (member.method !== 0 && member.method !== 8)
    throw fail(`uses compression method ${member.method} (only stored and deflate are supported)`);
  const fh = await open(file, 'r');
  let dataStart: number;
  let fileSize: number;
  try {
    fileSize = (await fh.stat()).size;
    const local = await readAt(fh, member.localHeaderOffset, 30).catch(() => {
      throw fail('its local header lies past the end of the archive (truncated)');
    });
    if (local.readUInt32LE(0) !== LOCAL) throw fail('has no local header where the directory says');
    const nameLength = local.readUInt16LE(26);
    const localName = await readAt(fh, member.localHeaderOffset + 30, nameLength);
    if (!localName.equals(Buffer.from(member.name, member.flags & 0x800 ? 'utf8' : 'latin1')))
      throw fail('its local header names another file');
    dataStart = member.localHeaderOffset + 30 + nameLength + local.readUInt16LE(28);
  } finally {
    await fh.close();
  }
  if (dataStart + member.compressedSize > fileSize)
    throw fail(
      `its data ends ${dataStart + member.compressedSize - fileSize} bytes past the end of the archive (truncated)`,
    );

  let crc = 0;
  let written = 0;
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      written += chunk.length;
      if (written > member.size) {
        done(fail(`holds more than the ${member.size} bytes it declares`));
        return;
      }
      crc = crc32(chunk, crc);
      done(null, chunk);
    },
  });
  try {
    if (member.compressedSize === 0) {
      // Nothing to read (an empty stored member; an empty deflate stream is never 0 bytes, zlib says so below).
      if (member.method === 8) throw fail('holds no deflate data');
      await pipeline(Readable.from([]), check, createWriteStream(dest));
    } else {
      const source = createReadStream(file, { start: dataStart, end: dataStart + member.compressedSize - 1 });
      const stages = member.method === 8 ? [source, createInflateRaw(), check] : [source, check];
      await pipeline([...stages, createWriteStream(dest)], { signal });
    }
  } catch (error) {
    if (error instanceof ZipMemberError || signal?.aborted) throw error;
    // zlib's "unexpected end of file" or a bad block: the compressed bytes are damaged or cut short.
    throw fail(`cannot be inflated (${(error as Error).message})`);
  }
  if (written !== member.size) throw fail(`holds ${written} bytes but declares ${member.size}`);
  if (crc >>> 0 !== member.crc32)
    throw fail(
      `CRC mismatch (declared ${member.crc32.toString(16).padStart(8, '0')}, got ${(crc >>> 0).toString(16).padStart(8, '0')}): the archive is damaged`,
    );
}
