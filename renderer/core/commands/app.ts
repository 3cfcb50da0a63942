/** Commands that leave the editor: images, project dialogs, help (through `AppHooks`). */
import { type EditorCommand, editorCommand, hasImage } from './editorCommand.ts';

// ── Images ─────────────────────────────────────────────

const nextImage = editorCommand({
  id: 'image.next',
  label: 'Next image',
  group: 'Images',
  shortcuts: ['D', 'ArrowRight'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.hooks.nextImage(),
});

const previousImage = editorCommand({
  id: 'image.previous',
  label: 'Previous image',
  group: 'Images',
  shortcuts: ['A', 'ArrowLeft'],
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
  shortcuts: ['Mod+E'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.hooks.openExport(),
});

const startCommand = (id: 'open' | 'new' | 'importCoco', label: string, shortcuts: string[]): EditorCommand =>
  editorCommand({
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

const shortcuts = editorCommand({
  id: 'help.shortcuts',
  label: 'Keyboard shortcuts',
  group: 'Help',
  shortcuts: ['?'],
  capture: 'never',
  available: () => true,
  perform: (a) => a.hooks.toggleShortcuts(),
});

const models = editorCommand({
  id: 'help.models',
  label: 'Models…',
  group: 'Help',
  shortcuts: [],
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
