/**
 * Review mode's commands: single keys for the decisions and the queue, undo/redo (the same ids and chords as the
 * annotator's, so the native Edit menu drives whichever mode is shown). A decision is a 'record' command: one
 * backend write, one undo step that records the reverse change.
 */
import { MENU_SHORTCUTS } from '../../../electron/common/menuShortcuts.ts';
import type { ReviewDecision, ReviewItem } from '../../../electron/ipc/contract.ts';
import type { UndoCapture } from '../commands/types.ts';
import { type AnyCommand, defineCommand } from '../commands/types.ts';
import type { History } from '../history.ts';

export interface ReviewHooks {
  /** E: open the mask's image in the annotator with the mask selected. */
  openInAnnotator(item: ReviewItem): void;
  toggleShortcuts(): void;
}

/** What review commands may touch of the review session (it implements this). */
export interface ReviewCommandHost {
  readonly current: ReviewItem | null;
  readonly index: number;
  readonly items: readonly ReviewItem[];
  readonly hasMore: boolean;
  readonly history: History;
  readonly hooks: ReviewHooks;
  /** Record a decision on the current mask (one step), then move on; null when there is no current mask. */
  decide(status: ReviewDecision): Promise<UndoCapture> | null;
  step(delta: 1 | -1): void | Promise<void>;
  toggleZoom(): void;
}

type ReviewCommand = AnyCommand<ReviewCommandHost>;

const hasCurrent = (s: ReviewCommandHost) => s.current !== null;

const decision = (
  id: string,
  label: string,
  key: string,
  status: 'accepted' | 'rejected' | 'needs-fix',
  hint: string,
): ReviewCommand =>
  defineCommand<void, ReviewCommandHost>({
    id,
    label,
    group: 'Review',
    shortcuts: [key],
    capture: 'record',
    hint,
    available: hasCurrent,
    perform: (s) => s.decide(status) ?? undefined,
  });

export const REVIEW_COMMANDS: readonly ReviewCommand[] = [
  decision('review.accept', 'Accept', 'A', 'accepted', 'then the next mask'),
  decision('review.reject', 'Reject', 'R', 'rejected', 'then the next mask'),
  decision(
    'review.needsFix',
    'Needs fix',
    'F',
    'needs-fix',
    'sends it back to an annotator; then the next mask',
  ),
  defineCommand<void, ReviewCommandHost>({
    id: 'review.next',
    label: 'Next mask',
    group: 'Review',
    shortcuts: ['J', 'ArrowDown', 'ArrowRight'],
    capture: 'never',
    available: (s) => s.index + 1 < s.items.length || s.hasMore,
    perform: (s) => s.step(1),
  }),
  defineCommand<void, ReviewCommandHost>({
    id: 'review.previous',
    label: 'Previous mask',
    group: 'Review',
    shortcuts: ['K', 'ArrowUp', 'ArrowLeft'],
    capture: 'never',
    available: (s) => s.index > 0,
    perform: (s) => s.step(-1),
  }),
  defineCommand<void, ReviewCommandHost>({
    id: 'review.edit',
    label: 'Fix it in the annotator',
    group: 'Review',
    shortcuts: ['E'],
    capture: 'never',
    hint: 'opens its image with the mask selected (brush, eraser, SAM)',
    available: hasCurrent,
    perform: (s) => s.hooks.openInAnnotator(s.current!),
  }),
  defineCommand<void, ReviewCommandHost>({
    id: 'review.zoom',
    label: 'Close-up / whole image',
    group: 'Review',
    shortcuts: ['Z'],
    capture: 'never',
    available: () => true,
    perform: (s) => s.toggleZoom(),
  }),
  defineCommand<void, ReviewCommandHost>({
    id: 'edit.undo',
    label: 'Undo decision',
    group: 'Edit',
    shortcuts: MENU_SHORTCUTS['edit.undo'],
    capture: 'never',
    hint: 'records the reverse change; the review log keeps both',
    available: (s) => s.history.canUndo,
    perform: (s) => s.history.undo().then(() => undefined),
  }),
  defineCommand<void, ReviewCommandHost>({
    id: 'edit.redo',
    label: 'Redo decision',
    group: 'Edit',
    shortcuts: MENU_SHORTCUTS['edit.redo'],
    capture: 'never',
    available: (s) => s.history.canRedo,
    perform: (s) => s.history.redo().then(() => undefined),
  }),
  defineCommand<void, ReviewCommandHost>({
    id: 'help.shortcuts',
    label: 'Keyboard shortcuts',
    group: 'Help',
    shortcuts: MENU_SHORTCUTS['help.shortcuts'],
    capture: 'never',
    available: () => true,
    perform: (s) => s.hooks.toggleShortcuts(),
  }),
];

const byId = new Map(REVIEW_COMMANDS.map((c) => [c.id, c]));

/** A review command by id, for labels and key hints (running goes through the session's `CommandManager`). */
export function reviewCommandById(id: string): ReviewCommand | undefined {
  return byId.get(id);
}
