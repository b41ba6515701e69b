/**
 * The local outbox (docs/rules.md §5), the default gateway in embedded mode: there is no real SMS,
 * so each message is kept in the data folder, sealed with the store's key (codes never lie there
 * in plaintext), and announced by a notification clearly labelled as a test delivery.
 *
 * A message is kept no longer than the code in it is valid (codeRules.lifetimeMs): each send
 * rewrites the file without the expired ones (a new file renamed into place, so a kill leaves the
 * old file or the new one), `prune` does the same when the backend opens, and `read` never shows
 * one. Whoever holds the folder and the key file cannot read old codes back.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { codeRules } from '../../core/codes';
import { SmsDeliveryError, type SmsDelivery, type SmsGateway, type SmsMessage } from '../../core/context';
import type { Clock } from '../../core/ports';
import { writeFileAtomic } from '../../store/atomic-file';

export type OutboxEntry = SmsDelivery;

export interface Sealer {
  seal(text: string, purpose: string): string;
  open(line: string, purpose: string): string;
}

const purpose = 'sms-outbox';

export class OutboxSmsGateway implements SmsGateway {
  readonly kind = 'outbox' as const;
  readonly file: string;
  /** Rewrites one at a time, so two sends at once both stay. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    dataDir: string,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
    private readonly notify: (entry: OutboxEntry) => void = () => {},
    /** How long a message is kept: a code's lifetime. */
    private readonly keepMs: number = codeRules.lifetimeMs,
  ) {
    this.file = join(dataDir, 'sms-outbox.log');
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The sealed lines still within their lifetime; lines that do not open are dropped. */
  async #liveLines(): Promise<string[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw cause;
    }
    const oldest = this.clock.now() - this.keepMs;
    return text.split('\n').filter((line) => {
      if (!line) return false;
      try {
        return (JSON.parse(this.sealer.open(line, purpose)) as OutboxEntry).at > oldest;
      } catch {
        return false;
      }
    });
  }

  async send(message: SmsMessage): Promise<void> {
    const entry: OutboxEntry = { phone: message.phone, mailbox: message.mailbox, text: message.text, at: this.clock.now(), expiresAt: message.expiresAt };
    try {
      await this.#serially(async () => {
        await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
        const lines = [...(await this.#liveLines()), this.sealer.seal(JSON.stringify(entry), purpose)];
        await writeFileAtomic(this.file, `${lines.join('\n')}\n`, 0o600);
      });
    } catch (cause) {
      throw new SmsDeliveryError(`outbox not writable: ${(cause as NodeJS.ErrnoException).code ?? 'unknown'}`);
    }
    this.notify(entry);
  }

  /** Removes the messages past their lifetime (at open: what an earlier run left). */
  async prune(): Promise<void> {
    await this.#serially(async () => {
      const before = await readFile(this.file, 'utf8').catch(() => null);
      if (before === null) return;
      const lines = await this.#liveLines();
      const after = lines.length > 0 ? `${lines.join('\n')}\n` : '';
      if (after !== before) await writeFileAtomic(this.file, after, 0o600);
    });
  }

  /** The messages delivered to a mailbox, newest first; lines that do not open are skipped. */
  async read(mailbox: string, limit = 20): Promise<OutboxEntry[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return [];
    }
    const entries: OutboxEntry[] = [];
    const oldest = this.clock.now() - this.keepMs;
    for (const line of text.split('\n').reverse()) {
      if (!line) continue;
      try {
        const entry = JSON.parse(this.sealer.open(line, purpose)) as OutboxEntry;
        if (entry.mailbox === mailbox && entry.at > oldest) entries.push(entry);
      } catch {
        continue;
      }
      if (entries.length >= limit) break;
    }
    return entries;
  }
}
