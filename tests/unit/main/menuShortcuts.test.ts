/**
 * Issue 17: the menu said `1` for Actual Size while the command's key is `O`. Menu accelerators now come from
 * one table (electron/common/menuShortcuts.ts) in the renderer's chord notation.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MENU_COMMANDS } from '../../../electron/ipc/contract.ts';
import { MENU_SHORTCUTS, acceleratorOf, menuAccelerator } from '../../../electron/common/menuShortcuts.ts';

describe('menu accelerators', () => {
  it('are the commands’ own keys', () => {
    expect(menuAccelerator('view.actualSize')).toBe('O');
    expect(menuAccelerator('view.fit')).toBe('F');
    expect(menuAccelerator('edit.undo')).toBe('CmdOrCtrl+Z');
    expect(menuAccelerator('edit.redo')).toBe('CmdOrCtrl+Shift+Z');
    expect(menuAccelerator('mask.cancel')).toBe('Escape');
    expect(menuAccelerator('help.models')).toBeUndefined();
  });

  it('translate chords to Electron accelerators', () => {
    expect(acceleratorOf('Mod+Shift+Z')).toBe('CmdOrCtrl+Shift+Z');
    expect(acceleratorOf('ArrowRight')).toBe('Right');
    expect(acceleratorOf('+')).toBe('Plus');
    expect(acceleratorOf('Alt+Space')).toBe('Alt+Space');
    expect(acceleratorOf('?')).toBe('?');
  });

  it('cover every menu command', () => {
    expect(Object.keys(MENU_SHORTCUTS).sort()).toEqual([...MENU_COMMANDS].sort());
  });

  it('are not restated in the menu module', () => {
    const menu = readFileSync(new URL('../../../electron/main/modules/menu.ts', import.meta.url), 'utf8');
    expect(menu).not.toMatch(/CmdOrCtrl|accelerator: '/);
    // item(label, command) — no third argument with a key of its own.
    expect(menu).not.toMatch(/item\('[^']*', '[^']*', /);
  });
});
