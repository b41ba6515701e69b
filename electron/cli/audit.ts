/**
 * `mailwarden audit export`: the security activity log from a date on, as CSV or JSON, to stdout
 * or to a file that appears whole or not at all.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { auditBatches, auditBatchSize, auditCount, auditCsvLines, auditCsvStart, auditJson } from '../core/audit-export';
import { StorageError } from '../core/ports';
import { readBackend } from './backend';
import { exitCodes, type CliFlags, type CliOptions } from './command-line';

export const auditExportUsage = `Usage: mailwarden audit export --since DATE [--format csv|json] [--mailbox ADDR] [--out FILE]

Exports the security activity log (sign-ins, codes, 2FA changes, client passwords, devices,
grants) from DATE on, oldest first.

  --since DATE     YYYY-MM-DD (midnight UTC) or an ISO 8601 time, e.g. 2026-01-31T08:00:00+08:00
  --format FORMAT  csv (default: RFC 4180, a header row, CRLF; cells starting with = + - @ are
                   prefixed with ' so spreadsheets do not run them) or json (an array)
  --mailbox ADDR   Only this mailbox's events
  --out FILE       Write to FILE (created readable by its owner only) instead of stdout
  --database URL   The organisation's PostgreSQL database instead of this computer's data folder
                   (or MAILWARDEN_DATABASE_URL); needs --server-key-file FILE or MAILWARDEN_SERVER_KEY

${exitCodes}
`;

/**
 * A --since value: YYYY-MM-DD is midnight UTC; anything else must be a full ISO 8601 time.
 * @internal
 */
export function parseSince(text: string): number | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const at = Date.parse(`${text}T00:00:00Z`);
    return Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== text ? null : at;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : at;
}

export async function auditExport(flags: CliFlags, options: CliOptions, out: (s: string) => void, errOut: (s: string) => void): Promise<number> {
  const wrong = (message: string) => {
    errOut(`mailwarden: ${message}\n\n${auditExportUsage}`);
    return 2;
  };
  if (typeof flags.since !== 'string') return wrong('audit export needs --since DATE');
  const since = parseSince(flags.since);
  if (since === null) return wrong(`--since must be YYYY-MM-DD or an ISO 8601 time, got '${flags.since}'`);
  const format = flags.format ?? 'csv';
  if (format !== 'csv' && format !== 'json') return wrong(`--format must be csv or json, got '${String(format)}'`);
  if (flags.mailbox !== undefined && typeof flags.mailbox !== 'string') return wrong('--mailbox needs an address');
  if (flags.out !== undefined && (typeof flags.out !== 'string' || flags.out === '')) return wrong('--out needs a FILE');
  return readBackend(options, errOut, async (backend) => {
    const query = { since, ...(typeof flags.mailbox === 'string' ? { mailbox: flags.mailbox } : {}) };
    const target = typeof flags.out === 'string' ? flags.out : null;
    const total = await auditCount(backend.core, query);
    const started = performance.now();
    // To a file: written beside it and renamed at the end, so a failure half-way leaves no half a log.
    let sink: ExportSink;
    try {
      sink = target === null ? { write: async (text) => out(text), finish: async () => undefined, abandon: async () => undefined } : await fileSink(target);
    } catch (cause) {
      errOut(`mailwarden: cannot write ${target}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}\n`);
      return 1;
    }
    let written = 0;
    try {
      if (format === 'csv') await sink.write(auditCsvStart);
      for await (const batch of auditBatches(backend.core, query)) {
        let text = '';
        if (format === 'csv') text = auditCsvLines(batch);
        else batch.forEach((row, i) => (text += auditJson.row(row, written + i === 0)));
        await sink.write(text);
        written += batch.length;
        // Progress for a long export to a file; on stdout the data itself is the progress.
        if (target !== null && total > auditBatchSize) errOut(`  ${written} of ${total} events (${Math.floor((written / total) * 100)}%)\n`);
      }
      if (format === 'json') await sink.write(auditJson.end(written));
      await sink.finish();
    } catch (cause) {
      await sink.abandon();
      errOut(
        `mailwarden: cannot write ${target ?? 'the export'}: ${(cause as NodeJS.ErrnoException).code ?? (cause instanceof StorageError ? cause.message : 'error')}\n`,
      );
      return 1;
    }
    if (target === null) return 0;
    const seconds = (performance.now() - started) / 1000;
    errOut(
      `Exported ${written} event${written === 1 ? '' : 's'} to ${target} in ${seconds.toFixed(1)} s (${Math.round(written / Math.max(seconds, 0.001))} events/s).\n`,
    );
    return 0;
  });
}

interface ExportSink {
  write(text: string): Promise<void>;
  finish(): Promise<void>;
  abandon(): Promise<void>;
}

/** A file written beside `target` (readable by its owner only: the log names mailboxes and devices), renamed over it when done. */
async function fileSink(target: string): Promise<ExportSink> {
  const temp = join(dirname(resolve(target)), `.${basename(target)}.${randomBytes(6).toString('hex')}.partial`);
  const handle = await open(temp, 'wx', 0o600);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    write: async (text) => {
      await handle.writeFile(text, 'utf8');
    },
    finish: async () => {
      await handle.sync();
      await close();
      await rename(temp, target);
    },
    abandon: async () => {
      await close().catch(() => undefined);
      await rm(temp, { force: true });
    },
  };
}
