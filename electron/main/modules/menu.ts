/** The native menu: each item sends a command id (electron/ipc/contract.ts MENU_COMMANDS) to the renderer. */
import { BrowserWindow, Menu, type MenuItemConstructorOptions, app, shell } from 'electron';
import { COMMAND_CHANNEL, type MenuCommand } from '../../ipc/contract.ts';
import { menuAccelerator } from '../../common/menuShortcuts.ts';
import type { AppModule } from './module.ts';

function send(command: MenuCommand): void {
  BrowserWindow.getFocusedWindow()?.webContents.send(COMMAND_CHANNEL, command);
}

/** A menu item; its accelerator is the command's own key (electron/common/menuShortcuts.ts). */
function item(label: string, command: MenuCommand): MenuItemConstructorOptions {
  return { label, accelerator: menuAccelerator(command), click: () => send(command) };
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
            item('New Project from Folder…', 'project.new'),
            item('Open Project…', 'project.open'),
            { type: 'separator' },
            item('Import COCO…', 'project.importCoco'),
            item('Export…', 'project.export'),
            { type: 'separator' },
            process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
          ],
        },
        {
          label: 'Edit',
          // Undo/redo go to the annotation history, not the focused text field's.
          submenu: [
            item('Undo', 'edit.undo'),
            item('Redo', 'edit.redo'),
            { type: 'separator' },
            { role: 'copy' },
            { role: 'paste' },
          ],
        },
        {
          label: 'Annotate',
          submenu: [
            item('Accept Mask', 'mask.accept'),
            item('Cancel Mask', 'mask.cancel'),
            { type: 'separator' },
            item('Next Image', 'image.next'),
            item('Previous Image', 'image.previous'),
          ],
        },
        {
          label: 'View',
          submenu: [
            item('Fit to Window', 'view.fit'),
            item('Actual Size', 'view.actualSize'),
            { type: 'separator' },
            { role: 'toggleDevTools' },
            { role: 'togglefullscreen' },
          ],
        },
        {
          label: 'Help',
          submenu: [
            item('Keyboard Shortcuts', 'help.shortcuts'),
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
