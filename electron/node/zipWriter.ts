/**
 * A folder as a ZIP archive, streamed (issue 17: serve mode offers folder exports as one download). Entries are
 * stored, not compressed: exports are PNG, JSON and text, and storing keeps this small and fast; no npm package
 * needed. Limits of the classic format (no ZIP64): at most 65535 files and 4 GiB in all — a bigger export is
 * refused before anything is sent, naming the folder.
 */
import { once } from 'node:events';
import { lstat, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { UserError } from '../common/errors.ts';

const MAX_ENTRIES = 0xffff;
const MAX_BYTES = 0xffffffff;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as ZIP and PNG use it). */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

interface Entry {
  /** Path inside the archive, POSIX separators. */
  readonly name: string;
  readonly file: string;
  readonly size: number;
  readonly mtime: Date;
}

/** Regular files under `dir`, sorted by archive name (symlinks and special files are left out). */
async function listFiles(dir: string, prefix = ''): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const file = path.join(dir, name);
    const stat = await lstat(file);
    if (stat.isDirectory()) entries.push(...(await listFiles(file, `${prefix}${name}/`)));
    else if (stat.isFile())
      entries.push({ name: `${prefix}${name}`, file, size: stat.size, mtime: stat.mtime });
  }
  return entries;
}

function dosTime(date: Date): { time: number; date: number } {
  const year = Math.max(1980, date.getFullYear());
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

/** The archive's size for these entries: known before the first byte is sent (content-length). */
function archiveSize(entries: readonly Entry[]): number {
  let size = 22;
  for (const e of entries) size += 30 + 46 + 2 * Buffer.byteLength(e.name) + e.size;
  return size;
}

/** Check the folder fits a classic ZIP; returns what `writeZip` needs, and the archive's byte size. */
export async function planZip(dir: string): Promise<{ entries: Entry[]; size: number }> {
  const entries = await listFiles(dir);
  const size = archiveSize(entries);
  if (entries.length > MAX_ENTRIES || size > MAX_BYTES)
    throw new UserError(
      `${dir}: too big to download as one ZIP (${entries.length} files, ${size} bytes; at most ${MAX_ENTRIES} files and 4 GiB); it is on the server there`,
    );
  return { entries, size };
}

/** Write the planned folder to `sink` as a store-only ZIP (one file in memory at a time). */
export async function writeZip(plan: { entries: readonly Entry[] }, sink: Writable): Promise<void> {
  const central: Buffer[] = [];
  let offset = 0;
  const write = async (chunk: Buffer) => {
    offset += chunk.length;
    if (!sink.write(chunk)) await once(sink, 'drain');
  };
  for (const entry of plan.entries) {
    const data = await readFile(entry.file);
    if (data.length !== entry.size) throw new Error(`${entry.file} changed while it was being zipped`);
    const name = Buffer.from(entry.name, 'utf8');
    const crc = crc32(data);
    const { time, date } = dosTime(entry.mtime);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0
    record.writeUInt16LE(20, 6);
    record.writeUInt16LE(0x0800, 8);
    record.writeUInt16LE(0, 10);
    record.writeUInt16LE(time, 12);
    record.writeUInt16LE(date, 14);
    record.writeUInt32LE(crc, 16);
    record.writeUInt32LE(data.length, 20);
    record.writeUInt32LE(data.length, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
    record.writeUInt32LE(offset, 42);
    central.push(record, name);
    await write(local);
    await write(name);
    await write(data);
  }
  const centralStart = offset;
  const directory = Buffer.concat(central);
  await write(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(plan.entries.length, 8);
  end.writeUInt16LE(plan.entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(centralStart, 16);
  await write(end);
}
