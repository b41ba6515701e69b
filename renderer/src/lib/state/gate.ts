/**
 * Which sections a session may open (docs/rules.md §3): none before sign-in, only the two-factor page
 * while policy enforces 2FA and the mailbox has no method, all of them otherwise.
 */
import type { AuthStatus } from '../../../../electron/shared/channels/auth';
import { routes, type Route } from './routes';

export type SessionPhase = 'loading' | 'signed-out' | 'code-required' | 'enrollment-required' | 'signed-in';

/** The screen a status leads to; `null` is "not asked yet". */
export function phaseOf(status: AuthStatus | null): SessionPhase {
  return status === null ? 'loading' : status.status;
}

const enrollmentRoute: Route = 'two-factor';

export function reachableRoutes(phase: SessionPhase): readonly Route[] {
  switch (phase) {
    case 'signed-in':
      return routes;
    case 'enrollment-required':
      return [enrollmentRoute];
    default:
      return [];
  }
}

/** The route to show for the one asked for: itself when reachable, else where the session must go. */
export function gatedRoute(phase: SessionPhase, asked: Route): Route | null {
  const reachable = reachableRoutes(phase);
  if (reachable.includes(asked)) return asked;
  return reachable[0] ?? null;
}
