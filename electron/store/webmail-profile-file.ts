/**
 * The web-mail mode's profile (electron/core/webmail.ts) as one small JSON file in the data
 * folder: the address, what the main-password check found, and the person's choice of mode. It
 * holds no secret. A missing file is the empty profile; an unreadable or invalid one is logged
 * and read as empty, since the person can say their address again.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { StorageError, type Logger } from '../core/ports';
import { emptyWebmailProfile, type WebmailProfile, type WebmailProfileStore } from '../core/webmail';
import { writeFileAtomic } from './atomic-file';

const webmailProfileFileName = 'webmail-profile.json';

const ProfileSchema = v.object({
  address: v.nullable(v.pipe(v.string(), v.maxLength(320))),
  mainPasswordWorked: v.boolean(),
  twoFactorOn: v.boolean(),
  choice: v.nullable(v.picklist(['mailwarden', 'webmail'])),
});

export class WebmailProfileFile implements WebmailProfileStore {
  readonly path: string;
  /** Written by this process alone (the app is one instance per data folder). */
  #known: WebmailProfile | null = null;
  /** Writes one at a time, so the last one asked for is the one kept. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    dataDir: string,
    private readonly logger: Logger,
  ) {
    this.path = join(dataDir, webmailProfileFileName);
  }

  async read(): Promise<WebmailProfile> {
    this.#known ??= await this.#readFile();
    return this.#known;
  }

  async #readFile(): Promise<WebmailProfile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return emptyWebmailProfile;
      throw new StorageError(`cannot read the web mail profile: ${(cause as NodeJS.ErrnoException).code ?? 'unknown'}`);
    }
    try {
      const parsed = v.safeParse(ProfileSchema, JSON.parse(text));
      if (parsed.success) return parsed.output;
    } catch {
      // Not JSON: as invalid.
    }
    this.logger.warn('web mail profile is not valid; starting from an empty one', { path: this.path });
    return emptyWebmailProfile;
  }

  write(profile: WebmailProfile): Promise<void> {
    const work = async () => {
      try {
        await writeFileAtomic(this.path, `${JSON.stringify(profile, null, 2)}\n`);
      } catch (cause) {
        throw new StorageError(`cannot write the web mail profile: ${(cause as NodeJS.ErrnoException).code ?? 'unknown'}`);
      }
      this.#known = profile;
    };
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
