/**
 * Embeddings on disk, keyed by (model encoder sha256, image content sha256), so reopening a project or
 * re-running the CLI on the same photo skips the encoder. One file per embedding, holding every tensor of the
 * layout's image set (SAM 2: three):
 *   "SAMEMB2\n" · uint32 LE header length · JSON header · each tensor's data, little-endian, in header order.
 * The header is {format: 2, frame (with its kind), tensors: [{name, dtype, dims}]}. Version 1 ("SAMEMB1\n", frames
 * without a kind, issue 14) and any file whose tensors are not the set the caller expects are misses: removed
 * and rebuilt by the encoder, never misread.
 * Writes go to a temporary file and are renamed into place, so a crash never leaves a torn entry; a file that
 * fails to parse is treated as a miss and removed. The total size is kept under a byte budget by deleting the
 * least recently used entries (by mtime; hits touch the file).
 */
import { mkdir, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelFrame } from '../common/frames.ts';
import type { Embedding } from './embeddingCache.ts';
import { type EmbeddingTensors, type TensorSpec, tensorSetMismatch } from './layouts/layout.ts';

const FORMAT = 2;
const MAGIC = Buffer.from(`SAMEMB${FORMAT}\n`);

interface Header {
  format: typeof FORMAT;
  frame: ModelFrame;
  tensors: Array<{ name: string; dtype: 'float32'; dims: number[] }>;
}

export class DiskEmbeddingCache {
  private writesSinceTrim = 0;

  constructor(
    readonly dir: string,
    readonly budgetBytes: number = 2 * 1024 ** 3,
  ) {}

  private fileFor(modelSha: string, imageSha: string): string {
    return path.join(this.dir, modelSha.slice(0, 16), `${imageSha}.samemb`);
  }

  /** @param expected the image tensor set of the loaded model; an entry holding anything else is a miss. */
  async get(
    key: string,
    modelSha: string,
    imageSha: string,
    expected: readonly TensorSpec[],
  ): Promise<Embedding | undefined> {
    const file = this.fileFor(modelSha, imageSha);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      return undefined;
    }
    try {
      const embedding = parse(key, bytes);
      const mismatch = tensorSetMismatch(expected, embedding.tensors);
      if (mismatch) throw new Error(`embedding file holds ${mismatch}`);
      const now = new Date();
      await utimes(file, now, now).catch(() => undefined);
      return embedding;
    } catch {
      await rm(file, { force: true });
      return undefined;
    }
  }

  async put(modelSha: string, imageSha: string, embedding: Embedding): Promise<void> {
    const file = this.fileFor(modelSha, imageSha);
    const header: Header = {
      format: FORMAT,
      frame: embedding.frame,
      tensors: Object.entries(embedding.tensors).map(([name, t]) => ({
        name,
        dtype: 'float32',
        dims: [...t.dims],
      })),
    };
    const json = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(json.length);
    const parts: Uint8Array[] = [MAGIC, length, json];
    for (const t of Object.values(embedding.tensors))
      parts.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
    try {
      await writeFile(temp, Buffer.concat(parts));
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    if (++this.writesSinceTrim >= 16) {
      this.writesSinceTrim = 0;
      await this.trim();
    }
  }

  /** Delete least recently used entries until the cache fits its budget. */
  async trim(): Promise<void> {
    const files: Array<{ file: string; size: number; mtimeMs: number }> = [];
    for (const sub of await readdir(this.dir).catch(() => [] as string[])) {
      const folder = path.join(this.dir, sub);
      for (const name of await readdir(folder).catch(() => [] as string[])) {
        const file = path.join(folder, name);
        const s = await stat(file).catch(() => undefined);
        if (s?.isFile()) files.push({ file, size: s.size, mtimeMs: s.mtimeMs });
      }
    }
    let total = files.reduce((sum, f) => sum + f.size, 0);
    files.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const f of files) {
      if (total <= this.budgetBytes) break;
      await rm(f.file, { force: true });
      total -= f.size;
    }
  }
}

function parse(key: string, bytes: Buffer): Embedding {
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not an embedding file');
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  const header = JSON.parse(bytes.subarray(start, start + headerLength).toString('utf8')) as Header;
  if (header.format !== FORMAT) throw new Error(`embedding file format ${header.format}, expected ${FORMAT}`);
  let offset = start + headerLength;
  const tensors: EmbeddingTensors = {};
  for (const { name, dtype, dims } of header.tensors) {
    if (dtype !== 'float32') throw new Error(`embedding tensor ${name} is ${dtype}, expected float32`);
    const count = dims.reduce((a, b) => a * b, 1);
    if (offset + count * 4 > bytes.length) throw new Error('truncated embedding file');
    // Copy into an aligned buffer of its own (the file buffer's offset may not be 4-aligned).
    const data = new Float32Array(count);
    new Uint8Array(data.buffer).set(bytes.subarray(offset, offset + count * 4));
    tensors[name] = { data, dims };
    offset += count * 4;
  }
  if (offset !== bytes.length) throw new Error('embedding file has trailing bytes');
  return { key, tensors, frame: header.frame };
}
