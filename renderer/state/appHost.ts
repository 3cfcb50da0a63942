/**
 * What the app-level feature states (automatic pass, review, statistics) need of `AppState`: a narrow host, so
 * they do not import app.svelte.ts, which creates them (issue 17: no import cycles).
 */
import type { ImageItem, ProjectSummary } from '../../electron/ipc/contract.ts';
import { type Backend, BackendError } from '../api/backend.ts';

/**
 * The workspace's modes (issue 5). The semi-automatic stage lives in Annotate (the Auto panel), the fully
 * automatic one in the project's "Automatic pass…" dialog, open over any mode (`autoPass`).
 */
export type AppMode = 'annotate' | 'review' | 'stats';

/** Review's "fix it in the annotator": the image to open there and the mask to select. */
export interface AnnotateFocus {
  readonly image: ImageItem;
  readonly annotationId: number;
}

/** One line for the user from any error. */
export function describe(error: unknown): string {
  if (error instanceof BackendError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

export interface AppHost {
  readonly backend: Backend;
  readonly api: Backend['api'];
  readonly project: ProjectSummary | null;
  mode: AppMode;
  /** Set by review mode's E; the annotator opens it and clears it. */
  annotateFocus: AnnotateFocus | null;
  shortcutsOpen: boolean;
  say(kind: 'info' | 'error', text: string): void;
}
