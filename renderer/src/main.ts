import './app.css';
import { mount } from 'svelte';
import { defaultUserSettings } from '../../electron/shared/defaults';
import App from './App.svelte';
import { api } from './lib/api/bridge';
import { i18n } from './lib/i18n/i18n.svelte';
import { router } from './lib/state/router.svelte';
import { session } from './lib/state/session.svelte';
import { theme } from './lib/state/theme.svelte';
import { webmail } from './lib/state/webmail.svelte';

async function boot(): Promise<void> {
  // Who is signed in, and whether the web mail manages accounts here, are asked alongside the
  // settings, so the first screen drawn is the right one. A refused mode question (the
  // organisation server's page) leaves Mailwarden's own accounts.
  const [settings] = await Promise.all([api.settings.get(), session.refresh(), webmail.refresh()]);
  // Unreadable settings must not keep the app from opening: use the defaults and say so.
  const initial = settings.ok ? settings.data : defaultUserSettings;
  i18n.start(initial.locale);
  theme.start(initial.theme);
  router.start();
  const Shell = webmail.active ? (await import('./WebmailApp.svelte')).default : App;
  mount(Shell, {
    target: document.getElementById('app')!,
    props: { bootError: settings.ok ? null : settings },
  });
  // The static first frame (index.html) gives way to the app, in the same place.
  document.getElementById('boot-frame')?.remove();
}

void boot();
