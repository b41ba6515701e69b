import type { Err, Result } from '../../../../../electron/shared/result';

/**
 * What a page or card fetches when it opens and again on "retry" or after a change: the data once
 * it came, the refusal when it did not, and whether a fetch is under way. A failed fetch keeps the
 * data of the one before; Loaded.svelte shows the three states.
 */
export class Loader<T> {
  data = $state.raw<T | null>(null);
  error = $state.raw<Err | null>(null);
  loading = $state(true);
  readonly #fetch: () => Promise<Result<T>>;

  constructor(fetch: () => Promise<Result<T>>) {
    this.#fetch = fetch;
  }

  /** Fetches (again); bound, so it can be an event handler as it is. */
  readonly load = async (): Promise<void> => {
    this.loading = true;
    this.error = null;
    const result = await this.#fetch();
    this.loading = false;
    if (result.ok) this.data = result.data;
    else this.error = result;
  };
}
