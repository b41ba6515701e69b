/**
 * Who manages accounts on this desktop (docs/rules.md §15), asked once at start: Mailwarden
 * itself, or the mail system's own web mail, whose guide (WebmailApp.svelte) then replaces the
 * sign-in screen. On the organisation server's page the question is refused as desktop-only:
 * Mailwarden manages accounts there, and nobody may switch.
 */
import type { WebmailStatus } from '../../../../electron/shared/channels/webmail';
import type { Err } from '../../../../electron/shared/result';
import { api } from '../api/bridge';

class WebmailState {
  status = $state.raw<WebmailStatus | null>(null);

  /** The web mail manages accounts here: the guide is shown instead of the sign-in screen. */
  get active(): boolean {
    return this.status?.mode === 'webmail';
  }

  /** The person may switch to the other mode (IT did not enforce one). */
  get changeable(): boolean {
    return this.status?.changeable ?? false;
  }

  async refresh(): Promise<Err | null> {
    const result = await api.webmail.status();
    if (!result.ok) return result;
    this.status = result.data;
    return null;
  }

  async setAddress(address: string): Promise<Err | null> {
    const result = await api.webmail.setAddress({ address });
    if (!result.ok) return result;
    this.status = result.data;
    return null;
  }

  apply(status: WebmailStatus): void {
    this.status = status;
  }

  /** Switches who manages accounts; the window then starts again in the other mode. */
  async choose(managedBy: 'mailwarden' | 'webmail', reload: () => void = () => window.location.reload()): Promise<Err | null> {
    const result = await api.webmail.choose({ managedBy });
    if (!result.ok) return result;
    reload();
    return null;
  }
}

export const webmail = new WebmailState();
