/**
 * A hand-written hash router: eight static routes with no parameters need no router library,
 * and the hash keeps working under Electron's file:// pages as well as in browser mode.
 */
import { hrefOf, routeFromHash, type Route } from './routes';

class Router {
  current = $state<Route>(routeFromHash(window.location.hash));

  start(): () => void {
    const onHashChange = () => (this.current = routeFromHash(window.location.hash));
    onHashChange();
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }

  /** Goes to `route` in place of the current entry, so Back does not return to a refused page. */
  replace(route: Route): void {
    window.history.replaceState(window.history.state, '', hrefOf(route));
    this.current = route;
  }
}

export const router = new Router();
