/**
 * The Electron shell's file opener (docs/rules.md §8.11): shell.openPath hands the file to the OS's
 * handler for its type (on macOS a .mobileconfig goes to System Settings) and answers an error
 * message, empty when it worked. No command line and no shell are involved.
 */
import { shell } from 'electron';
import type { FileOpener } from '../core/mail-clients/ports';

export const electronFileOpener: FileOpener = {
  async open(path) {
    const failure = await shell.openPath(path);
    if (failure) throw new Error(failure);
  },
};
