/**
 * The Electron shell's file saver: a native save-as dialog over the app's window, then the same
 * private (0600, fsynced) write as everywhere else.
 */
import { BrowserWindow, dialog } from 'electron';
import { rm } from 'node:fs/promises';
import { extname } from 'node:path';
import type { FileSaver } from '../core/mail-clients/ports';
import { writePrivateFile } from '../platform/file-saver';

export class DialogFileSaver implements FileSaver {
  constructor(private readonly defaultFolder: () => string) {}

  async save(suggestedName: string, contents: Uint8Array): Promise<{ path: string } | null> {
    const extension = extname(suggestedName).slice(1);
    const options: Electron.SaveDialogOptions = {
      defaultPath: `${this.defaultFolder()}/${suggestedName}`,
      filters: extension ? [{ name: extension, extensions: [extension] }] : [],
      properties: ['showOverwriteConfirmation', 'createDirectory'],
    };
    const window = BrowserWindow.getFocusedWindow();
    const choice = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
    if (choice.canceled || !choice.filePath) return null;
    // Overwriting was confirmed in the dialog.
    await writePrivateFile(choice.filePath, contents, false);
    return { path: choice.filePath };
  }

  async remove(path: string): Promise<void> {
    await rm(path);
  }
}
