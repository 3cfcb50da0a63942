/** The status line's facts: the last error, the last decode time, whether the draft waits for a decode. */
import type { AnnotatorTopic } from './editorEvents.ts';

export class EditorStatus {
  lastError: string | null = null;
  lastDecodeMs: number | null = null;
  /** The draft on screen has prompts and no decode yet. */
  decodePending = false;

  constructor(private readonly emit: (topic: AnnotatorTopic) => void) {}

  fail(error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    this.emit('status');
  }

  clearError(): void {
    this.lastError = null;
    this.emit('status');
  }

  setPending(pending: boolean): void {
    if (pending === this.decodePending) return;
    this.decodePending = pending;
    this.emit('status');
  }
}
