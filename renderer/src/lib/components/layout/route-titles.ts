import { m } from '../../paraglide/messages.js';
import type { Route } from '../../state/routes';

/** Each section's title, used in the sidebar, the page heading and the window title. */
export const routeTitles: Record<Route, () => string> = {
  overview: m.page_overview,
  'two-factor': m.page_two_factor,
  'client-passwords': m.page_client_passwords,
  'mail-clients': m.page_mail_clients,
  'trusted-devices': m.page_trusted_devices,
  'shared-mailboxes': m.page_shared_mailboxes,
  activity: m.page_activity,
  settings: m.page_settings,
};
