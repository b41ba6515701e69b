/** The app's sections, in sidebar order. Each is reached at `#/<route>`. */
export const routes = ['overview', 'two-factor', 'client-passwords', 'mail-clients', 'trusted-devices', 'shared-mailboxes', 'activity', 'settings'] as const;

export type Route = (typeof routes)[number];

export const defaultRoute: Route = 'overview';

export function routeFromHash(hash: string): Route {
  const name = hash.startsWith('#/') ? hash.slice(2) : '';
  return (routes as readonly string[]).includes(name) ? (name as Route) : defaultRoute;
}

export function hrefOf(route: Route): string {
  return `#/${route}`;
}
