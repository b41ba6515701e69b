import { homedir } from 'node:os';
import { join } from 'node:path';

export const productName = 'Mailwarden';
/** electron-builder.yml `appId`: Windows ties notifications, the taskbar and update toasts to it (app.setAppUserModelId). */
export const appUserModelId = 'org.mailwarden.desktop';

/**
 * The data folder outside Electron (browser mode, command line), chosen exactly as Electron's
 * `app.getPath('userData')` would be so both see the same installation.
 */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  switch (platform) {
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), productName);
    case 'darwin':
      return join(home, 'Library', 'Application Support', productName);
    default:
      return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), productName);
  }
}
