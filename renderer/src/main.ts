import './app.css';
import { mount } from 'svelte';
import { defaultUserSettings } from '../../electron/shared/defaults';
import App from './App.svelte';
import { api } from './lib/api/bridge';
import { i18n } from './lib/i18n/i18n.svelte';
import { router } from './lib/state/router.svelte';
import { session } from './lib/state/session.svelte';
import { theme } from './lib/state/theme.svelte';

async function boot(): Promise<void> {
  // Who is signed in is asked alongside the settings, so the first screen drawn is the right one.
  const [settings] = await Promise.all([api.settings.get(), session.refresh()]);
  // Unreadable settings must not keep the app from opening: use the defaults and say so.
  const initial = settings.ok ? settings.data : defaultUserSettings;
  i18n.start(initial.locale);
  theme.start(initial.theme);
  router.start();
  mount(App, {
    target: document.getElementById('app')!,
    props: { bootError: settings.ok ? null : settings },
  });
  // The static first frame (index.html) gives way to the app, in the same place.
  document.getElementById('boot-frame')?.remove();
}

void boot();
