/**
 * The local outbox (SPEC.md §5), the default gateway in embedded mode: there is no real SMS,
 * so each message is kept in the data folder, sealed with the store's key (codes never lie there
 * in plaintext), and announced by a notification clearly labelled as a test delivery.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SmsDeliveryError, type SmsGateway, type SmsMessage } from '../../core/context';
import type { Clock } from '../../core/ports';

export interface OutboxEntry extends SmsMessage {
  readonly at: number;
}

export interface Sealer {
  seal(text: string, purpose: string): string;
  open(line: string, purpose: string): string;
}

const purpose = 'sms-outbox';

export class OutboxSmsGateway implements SmsGateway {
  readonly kind = 'outbox' as const;
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
    private readonly notify: (entry: OutboxEntry) => void = () => {},
  ) {
    this.file = join(dataDir, 'sms-outbox.log');
  }

  async send(message: SmsMessage): Promise<void> {
    const entry: OutboxEntry = { ...message, at: this.clock.now() };
    try {
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      await appendFile(this.file, `${this.sealer.seal(JSON.stringify(entry), purpose)}\n`, { mode: 0o600 });
    } catch (cause) {
      throw new SmsDeliveryError(`outbox not writable: ${(cause as NodeJS.ErrnoException).code ?? 'unknown'}`);
    }
    this.notify(entry);
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
    for (const line of text.split('\n').reverse()) {
      if (!line) continue;
      try {
        const entry = JSON.parse(this.sealer.open(line, purpose)) as OutboxEntry;
        if (entry.mailbox === mailbox) entries.push(entry);
      } catch {
        continue;
      }
      if (entries.length >= limit) break;
    }
    return entries;
  }
}
