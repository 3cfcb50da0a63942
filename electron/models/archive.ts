/**
 * Extract the listed members of a downloaded .zip into a model folder (issue 15: models published as archives).
 * The archive is treated as hostile: it is refused as a whole, with an error naming the archive and the member,
 * when any entry's name could leave the folder (`..`, an absolute path, a backslash, a drive letter) or is a
 * symbolic link, and a listed member is refused when it is missing or listed twice, larger than the cap,
 * encrypted, compressed otherwise than stored/deflate, cut short, or when its real size or CRC-32 differs from
 * what the directory declares. Only the listed members are written, each to the folder path the catalog gives.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { UserError, quoteForMessage } from '../common/errors.ts';
import {
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  ZipFormatError,
  type ZipMember,
  ZipMemberError,
  extractZipMember,
  readZipDirectory,
} from './zipReader.ts';

/** One file to take out of an archive: its name inside the archive → its path inside the model folder. */
export interface ArchiveMember {
  readonly member: string;
  readonly path: string;
}

/** The largest member we extract: ViT-H's fp32 encoder is 2.5 GB; a bigger declared size is not a model file. */
export const MAX_MEMBER_BYTES = 8 * 1024 ** 3;

/** Why a relative `/`-separated path could leave its folder or mean something else on another OS, or undefined. */
export function unsafePathReason(name: string): string | undefined {
  if (name.includes('\0')) return 'has a NUL character in its name';
  if (name.includes('\\')) return 'has a backslash in its name';
  if (name.startsWith('/')) return 'has an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'starts with a drive letter';
  if (name.split('/').includes('..')) return 'has a ".." path segment';
  return undefined;
}

/** Why a catalog's folder path is not a plain relative file path, or undefined. */
export function unsafeFolderPathReason(file: string): string | undefined {
  const reason = unsafePathReason(file);
  if (reason) return reason;
  if (file.split('/').some((s) => s === '' || s === '.')) return 'has an empty or "." path segment';
  return undefined;
}

export interface ExtractOptions {
  /** Refuse a listed member larger than this (declared or real). Default {@link MAX_MEMBER_BYTES}. */
  readonly maxMemberBytes?: number;
  /** Called before each member is written. */
  readonly onMember?: (member: ArchiveMember, index: number, count: number) => void;
  /** Stops the extraction (it then throws the signal's reason; the folder must be discarded). */
  readonly signal?: AbortSignal;
}

/**
 * Extract `members` of the ZIP `archive` into `folder` (which must exist). Throws a UserError naming the archive
 * (and the member) on any problem; `folder` may then hold part of the extraction and must be discarded.
 */
export async function extractArchive(
  archive: string,
  members: readonly ArchiveMember[],
  folder: string,
  options: ExtractOptions = {},
): Promise<void> {
  const shown = path.basename(archive);
  const refuse = (member: string, problem: string) =>
    new UserError(`archive ${shown}: member ${quoteForMessage(member)} ${problem}`);
  const cap = options.maxMemberBytes ?? MAX_MEMBER_BYTES;

  let entries: ZipMember[];
  try {
    entries = await readZipDirectory(archive);
  } catch (error) {
    if (error instanceof ZipMemberError) throw refuse(error.member, error.message);
    if (error instanceof ZipFormatError) throw new UserError(`archive ${shown}: ${error.message}`);
    throw error;
  }
  for (const entry of entries) {
    const reason = unsafePathReason(entry.name);
    if (reason) throw refuse(entry.name, `${reason}; the archive is refused`);
    if ((entry.unixType & S_IFMT) === S_IFLNK)
      throw refuse(entry.name, 'is a symbolic link; the archive is refused');
  }

  const paths = new Set<string>();
  for (const m of members) {
    const reason = unsafeFolderPathReason(m.path);
    if (reason) throw refuse(m.member, `would be written to ${quoteForMessage(m.path)}, which ${reason}`);
    if (paths.has(m.path)) throw refuse(m.member, `would overwrite ${quoteForMessage(m.path)}, listed twice`);
    paths.add(m.path);
  }
  const chosen = members.map((m) => {
    const found = entries.filter((e) => e.name === m.member);
    if (found.length === 0) {
      const names = entries.map((e) => e.name).filter((n) => !n.endsWith('/'));
      throw refuse(m.member, `is missing (the archive holds ${names.slice(0, 10).join(', ') || 'nothing'})`);
    }
    if (found.length > 1) throw refuse(m.member, `appears ${found.length} times; the archive is refused`);
    const entry = found[0]!;
    if (entry.name.endsWith('/') || (entry.unixType & S_IFMT) === S_IFDIR)
      throw refuse(m.member, 'is a folder');
    if (entry.size > cap)
      throw refuse(m.member, `declares ${entry.size} bytes, more than the ${cap} allowed`);
    return { target: m, entry };
  });

  for (const [i, { target, entry }] of chosen.entries()) {
    options.signal?.throwIfAborted();
    options.onMember?.(target, i, chosen.length);
    const dest = path.join(folder, ...target.path.split('/'));
    await mkdir(path.dirname(dest), { recursive: true });
    try {
      await extractZipMember(archive, entry, dest, options.signal);
    } catch (error) {
      if (error instanceof ZipMemberError) throw refuse(error.member, error.message);
      throw error;
    }
  }
}
