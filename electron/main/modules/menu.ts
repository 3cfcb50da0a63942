/** The native menu: each item sends a command id (electron/ipc/contract.ts MENU_COMMANDS) to the renderer. */
import { BrowserWindow, Menu, type MenuItemConstructorOptions, app, shell } from 'electron';
import { COMMAND_CHANNEL, type MenuCommand } from '../../ipc/contract.ts';
import type { AppModule } from './module.ts';

function send(command: MenuCommand): void {
  BrowserWindow.getFocusedWindow()?.webContents.send(COMMAND_CHANNEL, command);
}

function item(label: string, command: MenuCommand, accelerator?: string): MenuItemConstructorOptions {
  return { label, accelerator, click: () => send(command) };
}

export function menuModule(): AppModule {
  return {
    name: 'menu',
    start() {
      const template: MenuItemConstructorOptions[] = [
        ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
        {
          label: 'File',
          submenu: [
            item('New Project from Folder…', 'project.new', 'CmdOrCtrl+N'),
            item('Open Project…', 'project.open', 'CmdOrCtrl+O'),
            { type: 'separator' },
            item('Import COCO…', 'project.importCoco'),
            item('Export…', 'project.export', 'CmdOrCtrl+E'),
            { type: 'separator' },
            process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
          ],
        },
        {
          label: 'Edit',
          // Undo/redo go to the annotation history, not the focused text field's.
          submenu: [
            item('Undo', 'edit.undo', 'CmdOrCtrl+Z'),
            item('Redo', 'edit.redo', 'CmdOrCtrl+Shift+Z'),
            { type: 'separator' },
            { role: 'copy' },
            { role: 'paste' },
          ],
        },
        {
          label: 'Annotate',
          submenu: [
            item('Accept Mask', 'mask.accept', 'Enter'),
            item('Cancel Mask', 'mask.cancel', 'Escape'),
            { type: 'separator' },
            item('Next Image', 'image.next', 'D'),
            item('Previous Image', 'image.previous', 'A'),
          ],
        },
        {
          label: 'View',
          submenu: [
            item('Fit to Window', 'view.fit', 'F'),
            item('Actual Size', 'view.actualSize', '1'),
            { type: 'separator' },
            { role: 'toggleDevTools' },
            { role: 'togglefullscreen' },
          ],
        },
        {
          label: 'Help',
          submenu: [
            item('Keyboard Shortcuts', 'help.shortcuts', '?'),
            item('Models…', 'help.models'),
            {
              label: 'Getting Real SAM Models',
              click: () =>
                void shell.openExternal(
                  'https://github.com/facebookresearch/segment-anything#model-checkpoints',
                ),
            },
            { label: `Version ${app.getVersion()}`, enabled: false },
          ],
        },
      ];
      Menu.setApplicationMenu(Menu.buildFromTemplate(template));
    },
  };
}
