/**
 * The keys of the commands the native menu offers (issue 17: the menu said `1` for Actual Size while the key
 * is `O`). One table, in the renderer's chord notation (renderer/core/commands/shortcuts.ts: modifiers Mod, Alt,
 * Shift, then the key; Mod = Ctrl, or Cmd on macOS). The menu derives its accelerators from it; the renderer's
 * command table should take these commands' shortcuts from here too. The first chord is the menu's.
 */
export const MENU_SHORTCUTS = {
  'project.open': ['Mod+O'],
  'project.new': ['Mod+N'],
  'project.importCoco': [],
  'project.export': ['Mod+E'],
  'edit.undo': ['Mod+Z'],
  'edit.redo': ['Mod+Shift+Z', 'Mod+Y'],
  'mask.accept': ['Enter'],
  'mask.cancel': ['Escape'],
  'image.next': ['D', 'ArrowRight'],
  'image.previous': ['A', 'ArrowLeft'],
  'view.fit': ['F'],
  'view.actualSize': ['O'],
  'help.shortcuts': ['?'],
  'help.models': [],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/** A command of the native menu (the contract re-exports it with MENU_COMMANDS). */
export type MenuCommand = keyof typeof MENU_SHORTCUTS;

/** Key names that Electron's accelerators spell differently from `KeyboardEvent.key`. */
const ELECTRON_KEYS: Readonly<Record<string, string>> = {
  Mod: 'CmdOrCtrl',
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  '+': 'Plus',
};

/** A chord ('Mod+Shift+Z') as an Electron accelerator ('CmdOrCtrl+Shift+Z'). */
export function acceleratorOf(chord: string): string {
  // '+' alone (or as the last key) is the key itself, not a separator.
  const parts =
    chord === '+' ? ['+'] : chord.endsWith('++') ? [...chord.slice(0, -2).split('+'), '+'] : chord.split('+');
  return parts.map((p) => ELECTRON_KEYS[p] ?? p).join('+');
}

/** The menu item's accelerator: the command's first chord; undefined when it has none. */
export function menuAccelerator(command: MenuCommand): string | undefined {
  const chord = (MENU_SHORTCUTS[command] as readonly string[])[0];
  return chord === undefined ? undefined : acceleratorOf(chord);
}
