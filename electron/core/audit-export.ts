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

export async function auditEvents(core: CoreContext, query: AuditQuery): Promise<AuditRow[]> {
  const records = await core.store
    .collection<ActivityRecord>('activity')
    .find({ at: { $gte: query.since }, ...(query.mailbox !== undefined ? { mailbox: normalizeAddress(query.mailbox) } : {}) }, { sort: { at: 1 } });
  return records.map((r) => ({ time: new Date(r.at).toISOString(), mailbox: r.mailbox, kind: r.kind, outcome: r.outcome, device: r.device, detail: { ...r.detail } }));
}

/**
 * One CSV cell. A spreadsheet runs a cell starting with = + - @ (or a tab or carriage return,
 * which some strip first) as a formula, so such cells get a leading apostrophe (OWASP's
 * advice); then RFC 4180 quoting for commas, quotes and line breaks.
 */
export function csvCell(value: string): string {
  const defused = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(defused) ? `"${defused.replaceAll('"', '""')}"` : defused;
}

export const auditCsvHeader = ['time', 'mailbox', 'kind', 'outcome', 'device', 'detail'] as const;

/** The UTF-8 byte order mark that starts the CSV (see auditCsv). */
export const utf8Bom = '\uFEFF';

/**
 * RFC 4180: a header, CRLF line ends, the detail as `name=value` pairs joined by "; ". It starts
 * with a UTF-8 byte order mark: Excel reads a CSV without one in the ANSI code page, which on a
 * Chinese Windows (CP936) turns every Chinese device name into mojibake.
 */
export function auditCsv(rows: readonly AuditRow[]): string {
  const lines = [auditCsvHeader.join(',')];
  for (const row of rows) {
    const detail = Object.entries(row.detail)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    lines.push([row.time, row.mailbox, row.kind, row.outcome, row.device, detail].map(csvCell).join(','));
  }
  return `${utf8Bom}${lines.join('\r\n')}\r\n`;
}
