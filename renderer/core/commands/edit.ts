/** Undo / redo, the tools and the brush size. */
import { MENU_SHORTCUTS } from '../../../electron/common/menuShortcuts.ts';
import { type EditorCommand, editorCommand } from './editorCommand.ts';
import type { ToolId } from './host.ts';

// ── Edit ─────────────────────────────────────────────

const undo = editorCommand({
  id: 'edit.undo',
  label: 'Undo',
  group: 'Edit',
  shortcuts: MENU_SHORTCUTS['edit.undo'],
  capture: 'never',
  available: (a) => a.history.canUndo,
  perform: (a) => a.history.undo().then(() => undefined),
});

const redo = editorCommand({
  id: 'edit.redo',
  label: 'Redo',
  group: 'Edit',
  shortcuts: MENU_SHORTCUTS['edit.redo'],
  capture: 'never',
  available: (a) => a.history.canRedo,
  perform: (a) => a.history.redo().then(() => undefined),
});

// ── Tools ─────────────────────────────────────────────

const toolCommand = (tool: ToolId, label: string, key: string, hint?: string): EditorCommand =>
  editorCommand({
    id: `tool.${tool}`,
    label,
    group: 'Tools',
    shortcuts: [key],
    capture: 'never',
    ...(hint ? { hint } : {}),
    available: () => true,
    perform: (a) => a.setTool(tool),
  });

const tools: EditorCommand[] = [
  toolCommand('points', 'SAM points', 'P', 'Click objects; drag to pan'),
  toolCommand('box', 'SAM box', 'R', 'Drag a box; then click to add points'),
  toolCommand('brush', 'Brush', 'B', 'Paints the current mask; right button or Alt erases'),
  toolCommand('eraser', 'Eraser', 'E', 'Erases from the current mask'),
  toolCommand('select', 'Select', 'V', 'Click a mask to select it; drag to pan'),
  // Issue 17. L: polygon (labelme's "polygon"/"line"); J: labelme's Edit Polygons is Ctrl+J.
  toolCommand('polygon', 'Polygon', 'L', 'Click vertices; click the first one or press Enter to close'),
  toolCommand('outline', 'Edit outline', 'J', "Drag the selected mask's vertices; click an edge to add one"),
];

const brushBigger = editorCommand({
  id: 'brush.bigger',
  label: 'Brush bigger',
  group: 'Tools',
  shortcuts: [']'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.setOption('brushSize', Math.min(400, Math.round(a.view.brushSize * 1.25))),
});

const brushSmaller = editorCommand({
  id: 'brush.smaller',
  label: 'Brush smaller',
  group: 'Tools',
  shortcuts: ['['],
  capture: 'never',
  available: () => true,
  perform: (a) => a.setOption('brushSize', Math.max(2, Math.round(a.view.brushSize / 1.25))),
});

export const EDIT_COMMANDS: readonly EditorCommand[] = [undo, redo, ...tools, brushBigger, brushSmaller];
