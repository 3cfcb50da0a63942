/**
 * Review mode's commands: single keys for the decisions and the queue, undo/redo (the same ids and chords as the
 * annotator's, so the native Edit menu drives whichever mode is shown). A decision is a 'record' command: one
 * backend write, one undo step that records the reverse change.
 */
import { type AnyCommand, defineCommand } from '../commands/types.ts';
import type { ReviewSession } from './session.ts';

type ReviewCommand = AnyCommand<ReviewSession>;

const hasCurrent = (s: ReviewSession) => s.current !== null;

const decision = (
  id: string,
  label: string,
  key: string,
  status: 'accepted' | 'rejected' | 'needs-fix',
  hint: string,
): ReviewCommand =>
  defineCommand<void, ReviewSession>({
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
  defineCommand<void, ReviewSession>({
    id: 'review.next',
    label: 'Next mask',
    group: 'Review',
    shortcuts: ['J', 'ArrowDown', 'ArrowRight'],
    capture: 'never',
    available: (s) => s.index + 1 < s.items.length || s.hasMore,
    perform: (s) => s.step(1),
  }),
  defineCommand<void, ReviewSession>({
    id: 'review.previous',
    label: 'Previous mask',
    group: 'Review',
    shortcuts: ['K', 'ArrowUp', 'ArrowLeft'],
    capture: 'never',
    available: (s) => s.index > 0,
    perform: (s) => s.step(-1),
  }),
  defineCommand<void, ReviewSession>({
    id: 'review.edit',
    label: 'Fix it in the annotator',
    group: 'Review',
    shortcuts: ['E'],
    capture: 'never',
    hint: 'opens its image with the mask selected (brush, eraser, SAM)',
    available: hasCurrent,
    perform: (s) => s.hooks.openInAnnotator(s.current!),
  }),
  defineCommand<void, ReviewSession>({
    id: 'review.zoom',
    label: 'Close-up / whole image',
    group: 'Review',
    shortcuts: ['Z'],
    capture: 'never',
    available: () => true,
    perform: (s) => s.toggleZoom(),
  }),
  defineCommand<void, ReviewSession>({
    id: 'edit.undo',
    label: 'Undo decision',
    group: 'Edit',
    shortcuts: ['Mod+Z'],
    capture: 'never',
    hint: 'records the reverse change; the review log keeps both',
    available: (s) => s.history.canUndo,
    perform: (s) => s.history.undo().then(() => undefined),
  }),
  defineCommand<void, ReviewSession>({
    id: 'edit.redo',
    label: 'Redo decision',
    group: 'Edit',
    shortcuts: ['Mod+Shift+Z', 'Mod+Y'],
    capture: 'never',
    available: (s) => s.history.canRedo,
    perform: (s) => s.history.redo().then(() => undefined),
  }),
  defineCommand<void, ReviewSession>({
    id: 'help.shortcuts',
    label: 'Keyboard shortcuts',
    group: 'Help',
    shortcuts: ['?'],
    capture: 'never',
    available: () => true,
    perform: (s) => s.hooks.toggleShortcuts(),
  }),
];

const byId = new Map(REVIEW_COMMANDS.map((c) => [c.id, c]));

export function reviewCommandById(id: string): ReviewCommand | undefined {
  return byId.get(id);
}
