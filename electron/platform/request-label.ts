/**
 * The name of what the current async context is serving (a channel, "mail login"), so the store
 * lock watchdog can say who holds the lock and who waits. Only names: never a request's contents.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<string>();

export function withRequestLabel<R>(label: string, work: () => R): R {
  return current.run(label.slice(0, 64), work);
}

export function currentRequestLabel(): string | undefined {
  return current.getStore();
}
