/** Commands on stored masks: category (1–9), delete, visibility, and the brush stroke as one step. */
import type { Rle } from '../../../electron/common/rle.ts';
import type { Stroke } from '../brush/brushStrokes.ts';
import { type EditorCommand, editorCommand } from './editorCommand.ts';
import type { EditorHost } from './host.ts';

// ── Categories (1–9) ─────────────────────────────────────────────

const categoryCommands: EditorCommand[] = Array.from({ length: 9 }, (_, i) =>
  editorCommand({
    id: `category.${i + 1}`,
    label: `Category ${i + 1}`,
    group: 'Masks',
    shortcuts: [String(i + 1)],
    capture: 'record',
    hint:
      i === 0
        ? 'Number keys choose the category; with a mask selected they also change its category'
        : undefined,
    available: (a) => i < a.view.categories.length,
    perform(a) {
      const category = a.view.categories[i]!;
      a.view.chooseCategory(category.id);
      const selected = a.selected;
      if (a.drafting || !selected || selected.id < 0 || selected.categoryId === category.id) return;
      return a.stored.patch(selected.id, { categoryId: category.id }, { categoryId: selected.categoryId });
    },
  }),
);

// ── Masks ─────────────────────────────────────────────

const deleteMask = editorCommand({
  id: 'mask.delete',
  label: 'Delete selected mask',
  group: 'Masks',
  shortcuts: ['Delete', 'Backspace'],
  capture: 'record',
  hint: 'An undecided automatic mask is rejected instead (kept for the statistics, hidden)',
  available: (a) => a.selected !== null && a.selected.id >= 0,
  perform: (a) =>
    a.auto.selectedPending()
      ? a.auto.decide([a.view.selectedId!], 'rejected')
      : a.stored.delete(a.view.selectedId!),
});

const setCategory = editorCommand<{ id: number; categoryId: number | null }>({
  id: 'mask.setCategory',
  label: 'Set mask category',
  group: 'Masks',
  shortcuts: [],
  capture: 'record',
  available: (a, arg) => !!arg && a.doc.annotations.some((m) => m.id === arg.id && m.id >= 0),
  perform(a, arg) {
    const before = a.doc.annotations.find((m) => m.id === arg.id)!;
    if (before.categoryId === arg.categoryId) return;
    return a.stored.patch(arg.id, { categoryId: arg.categoryId }, { categoryId: before.categoryId });
  },
});

const stroke = editorCommand<{ stroke: Stroke; rle: Rle }>({
  id: 'mask.stroke',
  label: 'Brush stroke',
  group: 'Masks',
  shortcuts: [],
  capture: 'record',
  available: (_a, arg) => !!arg,
  perform: (a, arg) => a.drafts.commitStroke(arg.stroke, arg.rle),
});

// ── Stacking order (issue 17) ─────────────────────────────────────────────

/** The selected stored mask's place in the stack (the document lists masks bottom to top), or -1. */
const stackIndex = (a: EditorHost): number => {
  const id = a.selected?.id;
  return id === undefined || id < 0 || a.drafting ? -1 : a.doc.annotations.findIndex((m) => m.id === id);
};

const moveUp = editorCommand({
  id: 'mask.moveUp',
  label: 'Bring selected mask forward',
  group: 'Masks',
  shortcuts: ['Mod+]'],
  capture: 'record',
  hint: 'Drawn over the mask above it; PNG exports paint it later. A new mask goes on top',
  available: (a) => stackIndex(a) >= 0 && stackIndex(a) < a.doc.annotations.length - 1,
  perform: (a) => a.stored.move(a.view.selectedId!, 'up'),
});

const moveDown = editorCommand({
  id: 'mask.moveDown',
  label: 'Send selected mask backward',
  group: 'Masks',
  shortcuts: ['Mod+['],
  capture: 'record',
  available: (a) => stackIndex(a) > 0,
  perform: (a) => a.stored.move(a.view.selectedId!, 'down'),
});

const toggleSelectedVisibility = editorCommand({
  id: 'mask.toggleVisibility',
  label: 'Hide / show selected mask',
  group: 'Masks',
  shortcuts: ['H'],
  capture: 'never',
  available: (a) => a.view.selectedId !== null,
  perform: (a) => a.view.toggleHidden(a.view.selectedId!),
});

const toggleAllVisibility = editorCommand({
  id: 'mask.toggleAll',
  label: 'Hide / show all masks',
  group: 'Masks',
  shortcuts: ['Shift+H'],
  capture: 'never',
  available: (a) => a.visibleAnnotations.length > 0,
  perform: (a) => a.view.setAllHidden(a.view.hidden.size < a.visibleAnnotations.length),
});

export const MASK_COMMANDS: readonly EditorCommand[] = [
  ...categoryCommands,
  setCategory,
  deleteMask,
  moveUp,
  moveDown,
  toggleSelectedVisibility,
  toggleAllVisibility,
  stroke,
];
