/**
 * Help → Export Diagnostics: one text file a person can send to their IT desk, with what the
 * desk asks first (version, OS, data folder, where policy came from) and the recent log lines.
 * The log is already redacted where it is written (electron/platform/logger.ts); this adds no
 * record from the store, so no password, code, key or phone number is in it.
 */
import type { AppInfo } from '../shared/contract';

export interface DiagnosticsInput {
  readonly info: AppInfo;
  readonly os: string;
  readonly now: Date;
  /** Newest first, as RotatingLogFile.files() gives them. */
  readonly logs: readonly { name: string; text: string }[];
  /** The most log text included; the newest is kept. */
  readonly maxLogBytes?: number;
}

export function buildDiagnostics(input: DiagnosticsInput): string {
  const limit = input.maxLogBytes ?? 2 * 1024 * 1024;
  const { info } = input;
  const lines = [
    `${info.productName} diagnostics, ${input.now.toISOString()}`,
    `version: ${info.version}`,
    `os: ${input.os}`,
    `shell: ${info.shell}`,
    `data folder: ${info.dataDir}`,
    `backend: ${info.backend}`,
    `policy places: ${info.policySource.places.join(', ') || '(defaults only)'}`,
    `policy keys not at their default: ${
      Object.entries(info.policySource.keys)
        .filter(([, source]) => source.source !== 'default')
        .map(([key, source]) => `${key} (${source.source})`)
        .join(', ') || '(none)'
    }`,
    '',
  ];
  let budget = limit;
  const kept: string[] = [];
  for (const log of input.logs) {
    if (budget <= 0) break;
    const text = log.text.length > budget ? log.text.slice(log.text.length - budget) : log.text;
    budget -= text.length;
    kept.unshift(`--- ${log.name}${text.length < log.text.length ? ' (newest part)' : ''} ---\n${text}`);
  }
  return `${lines.join('\n')}\n${kept.join('\n')}`;
}

/** `mailwarden-diagnostics-20261204-0930.txt` */
export function diagnosticsFileName(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `mailwarden-diagnostics-${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}.txt`;
}
