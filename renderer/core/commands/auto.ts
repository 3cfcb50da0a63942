/** The semi-automatic stage's commands (issue 5): find objects, boxes → masks, decide, walk, the automatic pass. */
import { type EditorCommand, editorCommand, hasImage } from './editorCommand.ts';

// ── Automatic masks (issue 5: the semi-automatic stage) ─────────────────────

const findObjects = editorCommand({
  id: 'auto.findObjects',
  label: 'Find objects on this image',
  group: 'Auto',
  shortcuts: ['G'],
  capture: 'record',
  hint: 'Automatic mask generation; the masks arrive undecided (dashed) and replace earlier undecided ones',
  available: (a) => hasImage(a) && !a.auto.running && !a.drafting,
  perform: (a) => a.auto.run('amg'),
});

const boxesToMasks = editorCommand({
  id: 'auto.boxesToMasks',
  label: 'Boxes → masks on this image',
  group: 'Auto',
  shortcuts: [],
  capture: 'record',
  hint: 'Box-only annotations (imported detections) become undecided masks',
  available: (a) => hasImage(a) && !a.auto.running && !a.drafting && a.auto.boxCount() > 0,
  perform: (a) => a.auto.run('boxes'),
});

const rejectMask = editorCommand({
  id: 'auto.reject',
  label: 'Reject automatic mask',
  group: 'Auto',
  shortcuts: ['X'],
  capture: 'record',
  hint: 'Enter accepts it; either way the next undecided mask is selected',
  available: (a) => !a.drafting && a.auto.selectedPending() !== null,
  perform: (a) => a.auto.decide([a.view.selectedId!], 'rejected'),
});

const nextPending = editorCommand({
  id: 'auto.next',
  label: 'Next undecided mask',
  group: 'Auto',
  shortcuts: ['N'],
  capture: 'never',
  available: (a) => !a.drafting && a.auto.pending().length > 0,
  perform: (a) => a.auto.step(1),
});

const previousPending = editorCommand({
  id: 'auto.previous',
  label: 'Previous undecided mask',
  group: 'Auto',
  shortcuts: ['Shift+N'],
  capture: 'never',
  available: (a) => !a.drafting && a.auto.pending().length > 0,
  perform: (a) => a.auto.step(-1),
});

const acceptAll = editorCommand({
  id: 'auto.acceptAll',
  label: 'Accept all undecided masks',
  group: 'Auto',
  shortcuts: ['Shift+A'],
  capture: 'record',
  available: (a) => !a.drafting && a.auto.pending().length > 0,
  perform: (a) =>
    a.auto.decide(
      a.auto.pending().map((m) => m.id),
      'accepted',
    ),
});

const rejectAll = editorCommand({
  id: 'auto.rejectAll',
  label: 'Reject all undecided masks',
  group: 'Auto',
  shortcuts: ['Shift+X'],
  capture: 'record',
  available: (a) => !a.drafting && a.auto.pending().length > 0,
  perform: (a) =>
    a.auto.decide(
      a.auto.pending().map((m) => m.id),
      'rejected',
    ),
});

const unlabeled = editorCommand({
  id: 'view.unlabeled',
  label: 'Unlabeled overlay on/off',
  group: 'Auto',
  shortcuts: ['U'],
  capture: 'never',
  hint: 'Shades what no mask covers yet: what is left to click',
  available: hasImage,
  perform: (a) => a.setOption('showUnlabeled', !a.view.showUnlabeled),
});

const autoPass = editorCommand({
  id: 'auto.batch',
  label: 'Automatic pass…',
  group: 'Auto',
  shortcuts: ['Shift+G'],
  capture: 'never',
  hint: 'Automatic masks over many images in the background, with progress, cancel and resume',
  available: () => true,
  perform: (a) => a.hooks.openAutoPass(),
});

export const AUTO_COMMANDS: readonly EditorCommand[] = [
  findObjects,
  boxesToMasks,
  nextPending,
  previousPending,
  rejectMask,
  acceptAll,
  rejectAll,
  unlabeled,
  autoPass,
];
