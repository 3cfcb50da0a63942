/** Commands that leave the editor: images, project dialogs, help (through `AppHooks`). */
import { MENU_SHORTCUTS } from '../../../electron/common/menuShortcuts.ts';
import { type EditorCommand, editorCommand, hasImage } from './editorCommand.ts';

// ── Images ─────────────────────────────────────────────

const nextImage = editorCommand({
  id: 'image.next',
  label: 'Next image',
  group: 'Images',
  shortcuts: MENU_SHORTCUTS['image.next'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.hooks.nextImage(),
});

const previousImage = editorCommand({
  id: 'image.previous',
  label: 'Previous image',
  group: 'Images',
  shortcuts: MENU_SHORTCUTS['image.previous'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.hooks.previousImage(),
});

const doneNext = editorCommand({
  id: 'image.doneNext',
  label: 'Mark image done, next',
  group: 'Images',
  shortcuts: ['Shift+Enter'],
  capture: 'never',
  available: (a) => hasImage(a) && !a.drafting,
  perform: (a) => a.hooks.markDoneAndNext(),
});

const exportDialog = editorCommand({
  id: 'project.export',
  label: 'Export…',
  group: 'Images',
  shortcuts: MENU_SHORTCUTS['project.export'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.hooks.openExport(),
});

const startCommand = (id: 'open' | 'new' | 'importCoco', label: string): EditorCommand =>
  editorCommand({
    id: `project.${id}`,
    label,
    group: 'Images',
    // The native menu's keys (one table, issue 17).
    shortcuts: MENU_SHORTCUTS[`project.${id}`],
    capture: 'never',
    available: () => true,
    perform: (a) => a.hooks.openStart(id),
  });

const openProject = startCommand('open', 'Open project…');
const newProject = startCommand('new', 'New project from a folder…');
const importCoco = startCommand('importCoco', 'Import COCO…');

// ── Help ─────────────────────────────────────────────

const shortcuts = editorCommand({
  id: 'help.shortcuts',
  label: 'Keyboard shortcuts',
  group: 'Help',
  shortcuts: MENU_SHORTCUTS['help.shortcuts'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.hooks.toggleShortcuts(),
});

const models = editorCommand({
  id: 'help.models',
  label: 'Models…',
  group: 'Help',
  shortcuts: MENU_SHORTCUTS['help.models'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.hooks.openModels(),
});

export const APP_COMMANDS: readonly EditorCommand[] = [
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
