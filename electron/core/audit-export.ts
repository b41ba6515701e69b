/**
 * The security activity log for IT (`mailwarden audit export`): every mailbox's events since a
 * time, oldest first, as JSON or CSV.
 *
 * CSV is written here rather than with a library: RFC 4180 quoting is a few lines, the app's
 * CSV reader (directory.ts) is hand-written too, and the one rule a library would not know —
 * defusing cells a spreadsheet would run as a formula — has to be ours either way.
 */
import type { ActivityRecord } from './activity';
import type { CoreContext } from './context';
import { normalizeAddress } from './mailbox';

export interface AuditQuery {
  /** Events at or after this time (ms since the epoch). */
  readonly since: number;
  readonly mailbox?: string;
}

export interface AuditRow {
  readonly time: string;
  readonly mailbox: string;
  readonly kind: string;
  readonly outcome: string;
  readonly device: string;
  readonly detail: Readonly<Record<string, string | number>>;
}

function rowOf(r: ActivityRecord): AuditRow {
  return { time: new Date(r.at).toISOString(), mailbox: r.mailbox, kind: r.kind, outcome: r.outcome, device: r.device, detail: { ...r.detail } };
}

/** How many events the export of `query` holds, for its progress. */
export function auditCount(core: CoreContext, query: AuditQuery): Promise<number> {
  return core.store.collection<ActivityRecord>('activity').count({ at: { $gte: query.since }, ...mailboxOf(query) });
}

function mailboxOf(query: AuditQuery): { mailbox?: string } {
  return query.mailbox !== undefined ? { mailbox: normalizeAddress(query.mailbox) } : {};
}

export const auditBatchSize = 5_000;

/**
 * The events of `query`, oldest first (by time, then id), `batchSize` at a time: the export
 * writes each batch as it comes, so a 100,000-event history is never held as rows or text at
 * once. Each batch starts after the last event of the one before (a keyset, as activity:list
 * pages), so events recorded meanwhile neither repeat nor shift the pages.
 */
export async function* auditBatches(core: CoreContext, query: AuditQuery, batchSize = auditBatchSize): AsyncGenerator<AuditRow[]> {
  const events = core.store.collection<ActivityRecord>('activity');
  const base = mailboxOf(query);
  const oldestFirst = { at: 1, _id: 1 } as const;
  let after: ActivityRecord | undefined;
  for (;;) {
    let batch: ActivityRecord[] = [];
    // The rest of the millisecond the last batch stopped in, then everything newer.
    if (after) batch = await events.find({ ...base, at: after.at, _id: { $gt: after._id } }, { sort: oldestFirst, limit: batchSize });
    if (batch.length < batchSize) {
      const newer = after ? { $gt: after.at } : { $gte: query.since };
      batch = batch.concat(await events.find({ ...base, at: newer }, { sort: oldestFirst, limit: batchSize - batch.length }));
    }
    if (batch.length === 0) return;
    yield batch.map(rowOf);
    if (batch.length < batchSize) return;
    after = batch.at(-1);
  }
}

/**
 * One CSV cell. A spreadsheet runs a cell starting with = + - @ (or a tab or carriage return,
 * which some strip first) as a formula, so such cells get a leading apostrophe (OWASP's
 * advice); then RFC 4180 quoting for commas, quotes and line breaks.
 * @internal
 */
export function csvCell(value: string): string {
  const defused = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(defused) ? `"${defused.replaceAll('"', '""')}"` : defused;
}

const auditCsvHeader = ['time', 'mailbox', 'kind', 'outcome', 'device', 'detail'] as const;

/** The UTF-8 byte order mark that starts the CSV (see auditCsv). */
const utf8Bom = '\uFEFF';

/**
 * What a CSV export starts with. RFC 4180: a header, CRLF line ends, the detail as `name=value`
 * pairs joined by "; ". It starts with a UTF-8 byte order mark: Excel reads a CSV without one in
 * the ANSI code page, which on a Chinese Windows (CP936) turns every Chinese device name into mojibake.
 */
export const auditCsvStart = `${utf8Bom}${auditCsvHeader.join(',')}\r\n`;

/** Rows as CSV lines, each ending in CRLF: a streamed export writes these batch by batch. */
export function auditCsvLines(rows: readonly AuditRow[]): string {
  let text = '';
  for (const row of rows) {
    const detail = Object.entries(row.detail)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    text += `${[row.time, row.mailbox, row.kind, row.outcome, row.device, detail].map(csvCell).join(',')}\r\n`;
  }
  return text;
}

/**
 * A JSON export written batch by batch, byte for byte what `JSON.stringify(rows, null, 2)`
 * gives for the whole array: `start`, each row through `row` (the first with `first`), `end`.
 */
export const auditJson = {
  row: (row: AuditRow, first: boolean): string => `${first ? '[\n' : ',\n'}${JSON.stringify(row, null, 2).replace(/^/gm, '  ')}`,
  end: (rows: number): string => (rows === 0 ? '[]\n' : '\n]\n'),
} as const;
