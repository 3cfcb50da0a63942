/** The annotator's change topics: observers (the Svelte mirror, the canvas) redraw what a topic names. */
export type AnnotatorTopic = 'document' | 'view' | 'overlay' | 'stroke' | 'status' | 'tool' | 'history';

/** Listeners by topic. The editor's modules emit; the annotator exposes `on`. */
export class EditorEvents {
  private readonly listeners = new Map<AnnotatorTopic, Set<() => void>>();

  on(topic: AnnotatorTopic, listener: () => void): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit(topic: AnnotatorTopic): void {
    for (const listener of this.listeners.get(topic) ?? []) listener();
  }
}
