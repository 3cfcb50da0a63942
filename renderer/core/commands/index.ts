/**
 * The command registry: every user command of the annotator, in the order the shortcut sheet lists them.
 * Recorded commands ('record') are the only way the document changes; each is exactly one undo step.
 */
import type { WireBox } from '../../../electron/ipc/contract.ts';
import type { Annotator, Stroke, ToolId } from '../annotator.ts';
import type { Rle } from '../../../electron/common/rle.ts';
import { type Draft, activeDraft, bestCandidate, hasPrompts, normalizeBox } from '../document.ts';
import { type AnyCommand, defineCommand } from './types.ts';

const hasImage = (a: Annotator) => a.image !== null;

// ── SAM prompts and the draft ─────────────────────────────────────────────

const addPoint = defineCommand<{ x: number; y: number; label: 0 | 1 }>({
  id: 'prompt.addPoint',
  label: 'Add point',
  group: 'SAM',
  shortcuts: [],
  capture: 'record',
  hint: 'Left click = positive, right click or Alt+click = negative; click a point to remove it',
  available: (a, p) => hasImage(a) && !!p,
  perform(a, p) {
    const base = a.baseDraft();
    // The hover preview may already be the answer to this click: adopt it (no second decode).
    const adopted = a.hoverDecodeFor(a.pointKey(p, p.label), activeDraft(a.draft));
    const point = adopted ? { x: Math.floor(p.x) + 0.5, y: Math.floor(p.y) + 0.5 } : { x: p.x, y: p.y };
    const next: Draft = {
      ...base,
      points: [...base.points, { ...point, label: p.label }],
      decode: adopted,
      selected: adopted ? bestCandidate(adopted.candidates) : base.selected,
      edited: null,
    };
    return a.changeDraft(next, hasPrompts(base) ? base : null);
  },
});

const removePoint = defineCommand<number>({
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
    return a.changeDraft(next, null);
  },
});

const setBox = defineCommand<WireBox>({
  id: 'prompt.setBox',
  label: 'Draw box',
  group: 'SAM',
  shortcuts: [],
  capture: 'record',
  hint: 'Box tool: drag a box, then click to add points inside it',
  available: (a, box) => hasImage(a) && !!box,
  perform(a, box) {
    const base = a.baseDraft();
    const adopted = a.hoverDecodeFor(a.boxKey(box), activeDraft(a.draft));
    const next: Draft = {
      ...base,
      box: normalizeBox({ x: box.x0, y: box.y0 }, { x: box.x1, y: box.y1 }, a.image!),
      decode: adopted,
      selected: adopted ? bestCandidate(adopted.candidates) : base.selected,
      edited: null,
    };
    return a.changeDraft(next, null);
  },
});

const accept = defineCommand({
  id: 'mask.accept',
  label: 'Accept mask',
  group: 'SAM',
  shortcuts: ['Enter'],
  capture: 'record',
  hint: 'Stores the mask with the current category; with an automatic mask selected, accepts that one',
  available: (a) => a.drafting || a.auto.selectedPending() !== null,
  perform(a) {
    if (a.drafting) return a.acceptDraft() ?? undefined;
    return a.auto.decide([a.selectedId!], 'accepted');
  },
});

const cancel = defineCommand({
  id: 'mask.cancel',
  label: 'Cancel mask / deselect',
  group: 'SAM',
  shortcuts: ['Escape'],
  capture: 'never',
  available: (a) => !!a.draft || a.selectedId !== null,
  perform(a) {
    if (a.draft) a.cancelDraft();
    else a.setSelected(null);
  },
});

const nextCandidate = defineCommand({
  id: 'candidate.next',
  label: 'Next candidate',
  group: 'SAM',
  shortcuts: ['Tab'],
  capture: 'never',
  available: (a) => (a.draft?.decode?.candidates.length ?? 0) > 1 && !a.draft?.edited,
  perform: (a) => a.selectCandidate(a.draft!.selected + 1),
});

const previousCandidate = defineCommand({
  id: 'candidate.previous',
  label: 'Previous candidate',
  group: 'SAM',
  shortcuts: ['Shift+Tab'],
  capture: 'never',
  available: (a) => (a.draft?.decode?.candidates.length ?? 0) > 1 && !a.draft?.edited,
  perform: (a) => a.selectCandidate(a.draft!.selected - 1),
});

const multimask = defineCommand({
  id: 'sam.multimask',
  label: 'Candidates: auto → 3 → 1',
  group: 'SAM',
  shortcuts: ['M'],
  capture: 'never',
  hint: 'Auto: three candidates for a single click, one for more prompts (Meta’s advice)',
  available: () => true,
  perform(a) {
    const order = ['auto', 'on', 'off'] as const;
    a.setOption('multimaskMode', order[(order.indexOf(a.multimaskMode) + 1) % order.length]!);
  },
});

const hoverToggle = defineCommand({
  id: 'sam.hoverPreview',
  label: 'Hover preview on/off',
  group: 'SAM',
  shortcuts: ['Shift+P'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.setOption('hoverEnabled', !a.hoverEnabled),
});

// ── Categories (1–9) ─────────────────────────────────────────────

const categoryCommands: AnyCommand[] = Array.from({ length: 9 }, (_, i) =>
  defineCommand({
    id: `category.${i + 1}`,
    label: `Category ${i + 1}`,
    group: 'Masks',
    shortcuts: [String(i + 1)],
    capture: 'record',
    hint:
      i === 0
        ? 'Number keys choose the category; with a mask selected they also change its category'
        : undefined,
    available: (a) => i < a.categories.length,
    perform(a) {
      const category = a.categories[i]!;
      a.categoryId = category.id;
      a.touch('view');
      const selected = a.selected;
      if (a.drafting || !selected || selected.id < 0 || selected.categoryId === category.id) return;
      return a.patchAnnotation(selected.id, { categoryId: category.id }, { categoryId: selected.categoryId });
    },
  }),
);

// ── Masks ─────────────────────────────────────────────

const deleteMask = defineCommand({
  id: 'mask.delete',
  label: 'Delete selected mask',
  group: 'Masks',
  shortcuts: ['Delete', 'Backspace'],
  capture: 'record',
  hint: 'An undecided automatic mask is rejected instead (kept for the statistics, hidden)',
  available: (a) => a.selected !== null && a.selected.id >= 0,
  perform: (a) =>
    a.auto.selectedPending() ? a.auto.decide([a.selectedId!], 'rejected') : a.deleteAnnotation(a.selectedId!),
});

// ── Automatic masks (issue 5: the semi-automatic stage) ─────────────────────

const findObjects = defineCommand({
  id: 'auto.findObjects',
  label: 'Find objects on this image',
  group: 'Auto',
  shortcuts: ['G'],
  capture: 'record',
  hint: 'Automatic mask generation; the masks arrive undecided (dashed) and replace earlier undecided ones',
  available: (a) => hasImage(a) && !a.auto.running && !a.drafting,
  perform: (a) => a.auto.run('amg'),
});

const boxesToMasks = defineCommand({
  id: 'auto.boxesToMasks',
  label: 'Boxes → masks on this image',
  group: 'Auto',
  shortcuts: [],
  capture: 'record',
  hint: 'Box-only annotations (imported detections) become undecided masks',
  available: (a) => hasImage(a) && !a.auto.running && !a.drafting && a.auto.boxCount() > 0,
  perform: (a) => a.auto.run('boxes'),
});

const rejectMask = defineCommand({
  id: 'auto.reject',
  label: 'Reject automatic mask',
  group: 'Auto',
  shortcuts: ['X'],
  capture: 'record',
  hint: 'Enter accepts it; either way the next undecided mask is selected',
  available: (a) => !a.drafting && a.auto.selectedPending() !== null,
  perform: (a) => a.auto.decide([a.selectedId!], 'rejected'),
});

const nextPending = defineCommand({
  id: 'auto.next',
  label: 'Next undecided mask',
  group: 'Auto',
  shortcuts: ['N'],
  capture: 'never',
  available: (a) => !a.drafting && a.auto.pending().length > 0,
  perform: (a) => a.auto.step(1),
});

const previousPending = defineCommand({
  id: 'auto.previous',
  label: 'Previous undecided mask',
  group: 'Auto',
  shortcuts: ['Shift+N'],
  capture: 'never',
  available: (a) => !a.drafting && a.auto.pending().length > 0,
  perform: (a) => a.auto.step(-1),
});

const acceptAll = defineCommand({
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

const rejectAll = defineCommand({
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

const unlabeled = defineCommand({
  id: 'view.unlabeled',
  label: 'Unlabeled overlay on/off',
  group: 'Auto',
  shortcuts: ['U'],
  capture: 'never',
  hint: 'Shades what no mask covers yet: what is left to click',
  available: hasImage,
  perform: (a) => a.setOption('showUnlabeled', !a.showUnlabeled),
});

const autoPass = defineCommand({
  id: 'auto.batch',
  label: 'Automatic pass…',
  group: 'Auto',
  shortcuts: ['Shift+G'],
  capture: 'never',
  hint: 'Automatic masks over many images in the background, with progress, cancel and resume',
  available: () => true,
  perform: (a) => a.hooks.openAutoPass(),
});

const setCategory = defineCommand<{ id: number; categoryId: number | null }>({
  id: 'mask.setCategory',
  label: 'Set mask category',
  group: 'Masks',
  shortcuts: [],
  capture: 'record',
  available: (a, arg) => !!arg && a.doc.annotations.some((m) => m.id === arg.id && m.id >= 0),
  perform(a, arg) {
    const before = a.doc.annotations.find((m) => m.id === arg.id)!;
    if (before.categoryId === arg.categoryId) return;
    return a.patchAnnotation(arg.id, { categoryId: arg.categoryId }, { categoryId: before.categoryId });
  },
});

const stroke = defineCommand<{ stroke: Stroke; rle: Rle }>({
  id: 'mask.stroke',
  label: 'Brush stroke',
  group: 'Masks',
  shortcuts: [],
  capture: 'record',
  available: (_a, arg) => !!arg,
  perform: (a, arg) => a.commitStroke(arg.stroke, arg.rle),
});

const toggleSelectedVisibility = defineCommand({
  id: 'mask.toggleVisibility',
  label: 'Hide / show selected mask',
  group: 'Masks',
  shortcuts: ['H'],
  capture: 'never',
  available: (a) => a.selectedId !== null,
  perform: (a) => a.toggleHidden(a.selectedId!),
});

const toggleAllVisibility = defineCommand({
  id: 'mask.toggleAll',
  label: 'Hide / show all masks',
  group: 'Masks',
  shortcuts: ['Shift+H'],
  capture: 'never',
  available: (a) => a.visibleAnnotations.length > 0,
  perform: (a) => a.setAllHidden(a.hidden.size < a.visibleAnnotations.length),
});

const polygonView = defineCommand({
  id: 'view.polygons',
  label: 'Polygon view on/off',
  group: 'View',
  shortcuts: ['Y'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.setOption('polygonView', !a.polygonView),
});

const polygonCoarser = defineCommand({
  id: 'view.polygonCoarser',
  label: 'Polygon: less detail',
  group: 'View',
  shortcuts: ['{'],
  capture: 'never',
  available: (a) => a.polygonView,
  perform: (a) =>
    a.setOption('polygonTolerance', Math.min(20, +(a.polygonTolerance * 1.5 || 0.5).toFixed(2))),
});

// ── Edit ─────────────────────────────────────────────

const undo = defineCommand({
  id: 'edit.undo',
  label: 'Undo',
  group: 'Edit',
  shortcuts: ['Mod+Z'],
  capture: 'never',
  available: (a) => a.history.canUndo,
  perform: (a) => a.history.undo().then(() => undefined),
});

const redo = defineCommand({
  id: 'edit.redo',
  label: 'Redo',
  group: 'Edit',
  shortcuts: ['Mod+Shift+Z', 'Mod+Y'],
  capture: 'never',
  available: (a) => a.history.canRedo,
  perform: (a) => a.history.redo().then(() => undefined),
});

// ── Tools ─────────────────────────────────────────────

const toolCommand = (tool: ToolId, label: string, key: string, hint?: string): AnyCommand =>
  defineCommand({
    id: `tool.${tool}`,
    label,
    group: 'Tools',
    shortcuts: [key],
    capture: 'never',
    ...(hint ? { hint } : {}),
    available: () => true,
    perform: (a) => a.setTool(tool),
  });

const tools: AnyCommand[] = [
  toolCommand('points', 'SAM points', 'P', 'Click objects; drag to pan'),
  toolCommand('box', 'SAM box', 'R', 'Drag a box; then click to add points'),
  toolCommand('brush', 'Brush', 'B', 'Paints the current mask; right button or Alt erases'),
  toolCommand('eraser', 'Eraser', 'E', 'Erases from the current mask'),
  toolCommand('select', 'Select', 'V', 'Click a mask to select it; drag to pan'),
];

const brushBigger = defineCommand({
  id: 'brush.bigger',
  label: 'Brush bigger',
  group: 'Tools',
  shortcuts: [']'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.setOption('brushSize', Math.min(400, Math.round(a.brushSize * 1.25))),
});

const brushSmaller = defineCommand({
  id: 'brush.smaller',
  label: 'Brush smaller',
  group: 'Tools',
  shortcuts: ['['],
  capture: 'never',
  available: () => true,
  perform: (a) => a.setOption('brushSize', Math.max(2, Math.round(a.brushSize / 1.25))),
});

const polygonFiner = defineCommand({
  id: 'view.polygonFiner',
  label: 'Polygon: more detail',
  group: 'View',
  shortcuts: ['}'],
  capture: 'never',
  available: (a) => a.polygonView,
  perform: (a) =>
    a.setOption('polygonTolerance', a.polygonTolerance <= 0.5 ? 0 : +(a.polygonTolerance / 1.5).toFixed(2)),
});

// ── View ─────────────────────────────────────────────

const fit = defineCommand({
  id: 'view.fit',
  label: 'Fit image',
  group: 'View',
  shortcuts: ['F'],
  capture: 'never',
  available: hasImage,
  perform: (a) => a.fit(),
});

const actual = defineCommand({
  id: 'view.actualSize',
  label: 'Zoom 1:1',
  group: 'View',
  shortcuts: ['O'],
  capture: 'never',
  hint: 'One image pixel per screen pixel',
  available: hasImage,
  perform: (a) => a.actualSize(),
});

const zoomIn = defineCommand({
  id: 'view.zoomIn',
  label: 'Zoom in',
  group: 'View',
  shortcuts: ['=', '+'],
  capture: 'never',
  hint: 'Or the mouse wheel; hold Space and drag to pan',
  available: hasImage,
  perform: (a) => a.zoomBy(1.25),
});

const zoomOut = defineCommand({
  id: 'view.zoomOut',
  label: 'Zoom out',
  group: 'View',
  shortcuts: ['-'],
  capture: 'never',
  available: hasImage,
  perform: (a) => a.zoomBy(1 / 1.25),
});

// ── Images ─────────────────────────────────────────────

const nextImage = defineCommand({
  id: 'image.next',
  label: 'Next image',
  group: 'Images',
  shortcuts: ['D', 'ArrowRight'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.hooks.nextImage(),
});

const previousImage = defineCommand({
  id: 'image.previous',
  label: 'Previous image',
  group: 'Images',
  shortcuts: ['A', 'ArrowLeft'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.hooks.previousImage(),
});

const doneNext = defineCommand({
  id: 'image.doneNext',
  label: 'Mark image done, next',
  group: 'Images',
  shortcuts: ['Shift+Enter'],
  capture: 'never',
  available: (a) => hasImage(a) && !a.drafting,
  perform: (a) => a.hooks.markDoneAndNext(),
});

const exportDialog = defineCommand({
  id: 'project.export',
  label: 'Export…',
  group: 'Images',
  shortcuts: ['Mod+E'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.hooks.openExport(),
});

const startCommand = (id: 'open' | 'new' | 'importCoco', label: string, shortcuts: string[]): AnyCommand =>
  defineCommand({
    id: `project.${id}`,
    label,
    group: 'Images',
    shortcuts,
    capture: 'never',
    available: () => true,
    perform: (a) => a.hooks.openStart(id),
  });

const openProject = startCommand('open', 'Open project…', ['Mod+O']);
const newProject = startCommand('new', 'New project from a folder…', []);
const importCoco = startCommand('importCoco', 'Import COCO…', []);

// ── Help ─────────────────────────────────────────────

const shortcuts = defineCommand({
  id: 'help.shortcuts',
  label: 'Keyboard shortcuts',
  group: 'Help',
  shortcuts: ['?'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.hooks.toggleShortcuts(),
});

const models = defineCommand({
  id: 'help.models',
  label: 'Models…',
  group: 'Help',
  shortcuts: [],
  capture: 'never',
  available: () => true,
  perform: (a) => a.hooks.openModels(),
});

export const COMMANDS: readonly AnyCommand[] = [
  addPoint,
  removePoint,
  setBox,
  accept,
  cancel,
  nextCandidate,
  previousCandidate,
  multimask,
  hoverToggle,
  findObjects,
  boxesToMasks,
  nextPending,
  previousPending,
  rejectMask,
  acceptAll,
  rejectAll,
  unlabeled,
  autoPass,
  ...categoryCommands,
  setCategory,
  deleteMask,
  toggleSelectedVisibility,
  toggleAllVisibility,
  stroke,
  undo,
  redo,
  ...tools,
  brushBigger,
  brushSmaller,
  fit,
  actual,
  zoomIn,
  zoomOut,
  polygonView,
  polygonFiner,
  polygonCoarser,
  nextImage,
  previousImage,
  doneNext,
  exportDialog,
  openProject,
  newProject,
  importCoco,
  shortcuts,
  models,
];

const byId = new Map(COMMANDS.map((c) => [c.id, c]));

export function commandById(id: string): AnyCommand | undefined {
  return byId.get(id);
}
