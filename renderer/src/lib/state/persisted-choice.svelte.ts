import type { Err, Result } from '../../../../electron/shared/result';

/**
 * A preference the backend stores. A choice shows at once; if saving it fails, the value falls
 * back to the last one the backend confirmed, so the screen never shows a setting that was not
 * saved. Only the latest of overlapping choices decides what is shown.
 */
export class PersistedChoice<T> {
  value = $state() as T;
  #confirmed: T;
  #latest = 0;
  readonly #save: (value: T) => Promise<Result<T>>;

  constructor(initial: T, save: (value: T) => Promise<Result<T>>) {
    this.value = initial;
    this.#confirmed = initial;
    this.#save = save;
  }

  /** Sets the value the backend already holds, without saving it again. */
  reset(value: T): void {
    this.value = value;
    this.#confirmed = value;
  }

  async choose(value: T): Promise<Err | null> {
    const request = ++this.#latest;
    this.value = value;
    const result = await this.#save(value);
    if (result.ok) this.#confirmed = result.data;
    if (request === this.#latest) this.value = this.#confirmed;
    return result.ok ? null : result;
  }
}
