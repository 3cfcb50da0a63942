/**
 * Undo/redo with marks (tldraw's HistoryManager, reduced to what the annotator needs).
 *
 * An entry knows how to undo and redo itself; entries that touch the backend are async, so `undo`/`redo` run one
 * at a time in order (a burst of Ctrl+Z is applied entry by entry, never interleaved). Hover previews and
 * in-progress decodes never become entries; a gesture either ends as one entry or, cancelled, leaves nothing:
 *
 *   const mark = history.mark();      // before the gesture
 *   … history.push(…) …               // intermediate steps, if any
 *   history.squashToMark(mark, 'Brush stroke');   // done: one entry
 *   await history.bailToMark(mark);               // or cancelled: undone and gone
 */

export interface HistoryEntry {
  /** Shown in the UI ("Undo Add point"). */
  readonly label: string;
  undo(): void | Promise<void>;
  redo(): void | Promise<void>;
}

/** An undo/redo/bail waiting in the queue (what Undo/Redo offer accounts for it: see `projected`). */
type QueuedStep = { readonly kind: 'undo' | 'redo' } | { readonly kind: 'bail'; readonly mark: Mark };

/** A position in the undo stack; stale once the stack is undone below it. */
export interface Mark {
  readonly depth: number;
  readonly serial: number;
}

export class History {
  private readonly undos: HistoryEntry[] = [];
  private readonly redos: HistoryEntry[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private running = 0;
  /** Steps queued and not yet started, oldest first. */
  private readonly waiting: QueuedStep[] = [];
  /** The entry an undo/redo is applying now (already off its stack, not yet on the other). */
  private applying: { readonly kind: 'undo' | 'redo'; readonly entry: HistoryEntry } | undefined;
  private serial = 0;
  private readonly listeners = new Set<() => void>();

  get undoLength(): number {
    return this.undos.length;
  }
  get redoLength(): number {
    return this.redos.length;
  }
  /**
   * What Undo/Redo offer counts the steps still queued: after Ctrl+Z whose store write is still running, Redo is
   * already available (issue 17: a quick Ctrl+Shift+Z was dropped), and the queued redo runs after the undo.
   */
  get canUndo(): boolean {
    return this.projected().undos.length > 0;
  }
  get canRedo(): boolean {
    return this.projected().redos.length > 0;
  }
  /** An undo or redo is being applied. */
  get busy(): boolean {
    return this.running > 0;
  }
  get nextUndoLabel(): string | undefined {
    return this.projected().undos.at(-1)?.label;
  }
  get nextRedoLabel(): string | undefined {
    return this.projected().redos.at(-1)?.label;
  }
  /** Labels, oldest first (for tests and the UI). */
  get labels(): readonly string[] {
    return this.undos.map((e) => e.label);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Record a step that has already been performed. A new step discards what could be redone. */
  push(entry: HistoryEntry): void {
    this.undos.push(entry);
    this.redos.length = 0;
    this.emit();
  }

  mark(): Mark {
    return { depth: this.undos.length, serial: ++this.serial };
  }

  /** True while everything after the mark is still on the undo stack. */
  isValid(mark: Mark): boolean {
    return this.undos.length >= mark.depth;
  }

  /** Number of entries recorded since the mark. */
  sinceMark(mark: Mark): number {
    return this.isValid(mark) ? this.undos.length - mark.depth : 0;
  }

  /** Combine everything since the mark into one entry (a no-op when nothing was recorded). */
  squashToMark(mark: Mark, label: string): void {
    if (!this.isValid(mark)) return;
    const parts = this.undos.splice(mark.depth);
    if (parts.length === 0) return;
    this.undos.push(
      parts.length === 1
        ? { ...parts[0]!, label, undo: parts[0]!.undo.bind(parts[0]), redo: parts[0]!.redo.bind(parts[0]) }
        : {
            label,
            async undo() {
              for (const part of [...parts].reverse()) await part.undo();
            },
            async redo() {
              for (const part of parts) await part.redo();
            },
          },
    );
    this.redos.length = 0;
    this.emit();
  }

  /** Undo everything since the mark and forget it (a cancelled gesture leaves nothing behind). */
  bailToMark(mark: Mark): Promise<void> {
    return this.enqueue({ kind: 'bail', mark }, async () => {
      if (!this.isValid(mark)) return;
      const parts = this.undos.splice(mark.depth);
      for (const part of parts.reverse()) await part.undo();
      this.redos.length = 0;
    });
  }

  undo(): Promise<boolean> {
    return this.enqueue({ kind: 'undo' }, () => this.apply('undo'));
  }

  redo(): Promise<boolean> {
    return this.enqueue({ kind: 'redo' }, () => this.apply('redo'));
  }

  private async apply(kind: 'undo' | 'redo'): Promise<boolean> {
    const [from, to] = kind === 'undo' ? [this.undos, this.redos] : [this.redos, this.undos];
    const entry = from.pop();
    if (!entry) return false;
    this.applying = { kind, entry };
    try {
      await (kind === 'undo' ? entry.undo() : entry.redo());
    } catch (error) {
      from.push(entry); // the document did not change: still on its stack
      throw error;
    } finally {
      this.applying = undefined;
    }
    to.push(entry);
    return true;
  }

  /** The stacks as they will be once every queued step has run (each assumed to succeed). */
  private projected(): { undos: readonly HistoryEntry[]; redos: readonly HistoryEntry[] } {
    if (!this.applying && this.waiting.length === 0) return { undos: this.undos, redos: this.redos };
    const undos = [...this.undos];
    const redos = [...this.redos];
    if (this.applying) (this.applying.kind === 'undo' ? redos : undos).push(this.applying.entry);
    for (const step of this.waiting) {
      if (step.kind === 'bail') {
        if (undos.length >= step.mark.depth) undos.splice(step.mark.depth);
        redos.length = 0;
        continue;
      }
      const [from, to] = step.kind === 'undo' ? [undos, redos] : [redos, undos];
      const entry = from.pop();
      if (entry) to.push(entry);
    }
    return { undos, redos };
  }

  /** Forget an entry (a step whose perform failed after it was recorded). */
  drop(entry: HistoryEntry): void {
    for (const stack of [this.undos, this.redos]) {
      const i = stack.indexOf(entry);
      if (i >= 0) stack.splice(i, 1);
    }
    this.emit();
  }

  clear(): void {
    this.undos.length = 0;
    this.redos.length = 0;
    this.emit();
  }

  /** Resolves when every queued undo/redo has been applied. */
  settled(): Promise<void> {
    return this.queue.then(
      () => undefined,
      () => undefined,
    );
  }

  private enqueue<T>(queued: QueuedStep, step: () => Promise<T>): Promise<T> {
    this.running++;
    this.waiting.push(queued);
    this.emit();
    const run = this.queue
      .then(() => {
        this.waiting.shift();
        return step();
      })
      .finally(() => {
        this.running--;
        this.emit();
      });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
