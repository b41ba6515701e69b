/** The page's one SecretScreen (./secret-on-screen.ts), wired to the window and the shell. */
import { api } from '../api/bridge';
import { SecretScreen } from './secret-on-screen';

export const secretScreen = new SecretScreen({
  addUnloadGuard: (listener) => window.addEventListener('beforeunload', listener),
  removeUnloadGuard: (listener) => window.removeEventListener('beforeunload', listener),
  tellShell: (shown) => void api.app.secretOnScreen({ shown }),
});
