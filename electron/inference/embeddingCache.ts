/**
 * In-memory LRU of image embeddings under a byte budget. An entry is every tensor of the layout's image set
 * (`LayoutAdapter.imageTensors`): SAM 1 ViT 4 MiB, the transformers.js layout 8 MiB (plus the positional
 * embedding), SAM 2 16 MiB (three tensors), so budgets are bytes, never counts (issue 14). Map iteration order is
 * insertion order, so re-inserting on access keeps the least recently used entry first.
 */
import type { ModelFrame } from '../common/frames.ts';
import type { EmbeddingTensors } from './layouts/layout.ts';

export interface Embedding {
  readonly key: string;
  readonly tensors: EmbeddingTensors;
  readonly frame: ModelFrame;
}

export function embeddingBytes(e: Pick<Embedding, 'tensors'>): number {
  let bytes = 0;
  for (const t of Object.values(e.tensors)) bytes += t.data.byteLength;
  return bytes;
}

export class EmbeddingCache {
  private readonly entries = new Map<string, Embedding>();
  private bytes = 0;

  constructor(readonly budgetBytes: number) {}

  get size(): number {
    return this.entries.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  /** Keys from least to most recently used. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): Embedding | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(entry: Embedding): void {
    this.delete(entry.key);
    this.entries.set(entry.key, entry);
    this.bytes += embeddingBytes(entry);
    // The newest entry always stays, even alone over budget: it is the image being annotated.
    for (const [key, old] of this.entries) {
      if (this.bytes <= this.budgetBytes || key === entry.key) break;
      this.entries.delete(key);
      this.bytes -= embeddingBytes(old);
    }
  }

  delete(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.bytes -= embeddingBytes(old);
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
