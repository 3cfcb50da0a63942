/** The SAM commands: prompts (one step each), accept, cancel, candidates, multimask and hover options. */
import { MENU_SHORTCUTS } from '../../../electron/common/menuShortcuts.ts';
import type { PromptBox, PromptPoint } from '../../../electron/common/prompts.ts';
import { bestCandidate } from '../../../electron/common/candidate.ts';
import { type Draft, activeDraft, hasPrompts, normalizeBox } from '../document.ts';
import { type EditorCommand, editorCommand, hasImage } from './editorCommand.ts';

// ── SAM prompts and the draft ─────────────────────────────────────────────

const addPoint = editorCommand<PromptPoint>({
  id: 'prompt.addPoint',
  label: 'Add point',
  group: 'SAM',
  shortcuts: [],
  capture: 'record',
  hint: 'Left click = positive, right click or Alt+click = negative; click a point to remove it',
  available: (a, p) => hasImage(a) && !!p,
  perform(a, p) {
    const base = a.drafts.baseDraft();
    // The hover preview may already be the answer to this click: adopt it (no second decode).
    const adopted = a.drafts.adoptableForPoint(p, activeDraft(a.draft));
    const point = adopted ? { x: Math.floor(p.x) + 0.5, y: Math.floor(p.y) + 0.5 } : { x: p.x, y: p.y };
    const next: Draft = {
      ...base,
      points: [...base.points, { ...point, label: p.label }],
      decode: adopted,
      selected: adopted ? bestCandidate(adopted.candidates) : base.selected,
      edited: null,
    };
    return a.drafts.change(next, hasPrompts(base) ? base : null);
  },
});

const removePoint = editorCommand<number>({
  id: 'prompt.removePoint',
  label: 'Remove point',
  group: 'SAM',
  shortcuts: [],
  capture: 'record',
  available: (a, i) => !!a.draft && i >= 0 && i < a.draft.points.length,
  perform(a, i) {
    const base = a.draft!;
    const next: Draft = {
      ...base,
      points: base.points.filter((_, j) => j !== i),
      decode: null,
      edited: null,
    };
    return a.drafts.change(next, null);
  },
});

const setBox = editorCommand<PromptBox>({
  id: 'prompt.setBox',
  label: 'Draw box',
  group: 'SAM',
  shortcuts: [],
  capture: 'record',
  hint: 'Box tool: drag a box, then click to add points inside it',
  available: (a, box) => hasImage(a) && !!box,
  perform(a, box) {
    const base = a.drafts.baseDraft();
    const adopted = a.drafts.adoptableForBox(box, activeDraft(a.draft));
    const next: Draft = {
      ...base,
      box: normalizeBox({ x: box.x0, y: box.y0 }, { x: box.x1, y: box.y1 }, a.image!),
      decode: adopted,
      selected: adopted ? bestCandidate(adopted.candidates) : base.selected,
      edited: null,
    };
    return a.drafts.change(next, null);
  },
});

const accept = editorCommand({
  id: 'mask.accept',
  label: 'Accept mask',
  group: 'SAM',
  shortcuts: MENU_SHORTCUTS['mask.accept'],
  capture: 'record',
  hint: 'Stores the mask with the current category; with an automatic mask selected, accepts that one',
  available: (a) => a.drafting || a.auto.selectedPending() !== null,
  perform(a) {
    if (a.drafting) return a.drafts.accept() ?? undefined;
    return a.auto.decide([a.view.selectedId!], 'accepted');
  },
});

const cancel = editorCommand({
  id: 'mask.cancel',
  label: 'Cancel mask / deselect',
  group: 'SAM',
  shortcuts: MENU_SHORTCUTS['mask.cancel'],
  capture: 'never',
  available: (a) => !!a.draft || a.view.selectedId !== null,
  perform(a) {
    if (a.draft) a.drafts.cancel();
    else a.view.setSelected(null);
  },
});

const nextCandidate = editorCommand({
  id: 'candidate.next',
  label: 'Next candidate',
  group: 'SAM',
  shortcuts: ['Tab'],
  capture: 'never',
  available: (a) => (a.draft?.decode?.candidates.length ?? 0) > 1 && !a.draft?.edited,
  perform: (a) => a.drafts.selectCandidate(a.draft!.selected + 1),
});

const previousCandidate = editorCommand({
  id: 'candidate.previous',
  label: 'Previous candidate',
  group: 'SAM',
  shortcuts: ['Shift+Tab'],
  capture: 'never',
  available: (a) => (a.draft?.decode?.candidates.length ?? 0) > 1 && !a.draft?.edited,
  perform: (a) => a.drafts.selectCandidate(a.draft!.selected - 1),
});

const multimask = editorCommand({
  id: 'sam.multimask',
  label: 'Candidates: auto → 3 → 1',
  group: 'SAM',
  shortcuts: ['M'],
  capture: 'never',
  hint: 'Auto: three candidates for a single click, one for more prompts (Meta’s advice)',
  available: () => true,
  perform(a) {
    const order = ['auto', 'on', 'off'] as const;
    a.setOption('multimaskMode', order[(order.indexOf(a.view.multimaskMode) + 1) % order.length]!);
  },
});

const hoverToggle = editorCommand({
  id: 'sam.hoverPreview',
  label: 'Hover preview on/off',
  group: 'SAM',
  shortcuts: ['Shift+P'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.setOption('hoverEnabled', !a.view.hoverEnabled),
});

export const SAM_COMMANDS: readonly EditorCommand[] = [
  addPoint,
  removePoint,
  setBox,
  accept,
  cancel,
  nextCandidate,
  previousCandidate,
  multimask,
  hoverToggle,
];
