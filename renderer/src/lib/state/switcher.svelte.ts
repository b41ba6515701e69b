/**
 * The account switcher's side of the session (docs/rules.md §7.4): the mailboxes this window
 * holds, choosing one, and signing out of all. Loaded with the menu (AccountMenu.svelte), so the
 * first script every window loads does not carry it; the status itself stays in session.svelte.ts.
 */
import type { SignedInMailbox } from '../../../../electron/shared/channels/auth';
import type { Err } from '../../../../electron/shared/result';
import { api, settled } from '../api/bridge';
import { router } from './router.svelte';
import { defaultRoute } from './routes';
import { session } from './session.svelte';

class Switcher {
  /** In the order they were signed in. */
  mailboxes = $state.raw<readonly SignedInMailbox[]>([]);
  /** How many one window may hold, as the backend says. */
  limit = $state<number | null>(null);
  readonly atLimit: boolean = $derived(this.limit !== null && this.mailboxes.length >= this.limit);

  /** Asks the backend which mailboxes this window holds. */
  async load(): Promise<void> {
    const result = await api.auth.mailboxes();
    if (result.ok) {
      this.mailboxes = result.data.mailboxes;
      this.limit = result.data.limit;
    }
  }

  /** Makes another mailbox of this window the active one; the page is off the screen meanwhile. */
  async choose(mailbox: string): Promise<Err | null> {
    session.changing = true;
    // Whatever the page asked of the last mailbox is answered for it before this one is active.
    await settled();
    const result = await api.auth.switch({ mailbox });
    session.changing = false;
    if (!result.ok) {
      // It ended meanwhile: the list (and maybe the active one) is out of date.
      await session.refresh();
      void this.load();
      return result;
    }
    session.enter(result.data);
    return null;
  }

  /** Opens the sign-in screen to add a mailbox; the active one stays signed in behind it. */
  startAdding(): void {
    const returnTo = session.mailbox;
    if (returnTo === null) return;
    session.enter({ status: 'signed-out' });
    session.adding = { returnTo };
  }

  /** Back from adding a mailbox to the one that stayed signed in; a half-done sign-in is dropped. */
  async cancelAdding(): Promise<void> {
    await api.auth.cancelSignIn();
    await session.refresh();
  }

  /** Signs out every mailbox of this window. */
  async signOutAll(): Promise<Err | null> {
    const result = await api.auth.signOutAll();
    if (!result.ok) return result;
    session.enter({ status: 'signed-out' });
    this.mailboxes = [];
    router.replace(defaultRoute);
    return null;
  }
}

export const switcher = new Switcher();
