/**
 * The OS of the computer the backend runs on (app:info), asked once per page load: cards that act
 * on this computer's own mail apps (Mail on a Mac, Outlook on Windows) are offered only where those
 * apps exist. In browser mode and the Electron shell that computer is the person's own.
 */
import { api } from '../api/bridge';

let asked: Promise<string | null> | null = null;

/** `darwin`, `win32`, `linux`…; null when it could not be told (then no such card is shown). */
export function hostPlatform(): Promise<string | null> {
  asked ??= api.app.info().then(
    (result) => (result.ok ? result.data.platform : null),
    () => null,
  );
  // Not told this time: asked again next time.
  void asked.then((platform) => {
    if (platform === null) asked = null;
  });
  return asked;
}
