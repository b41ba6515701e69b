/**
 * The secret scan's recording side (issue 7, fault suite item 6): every password, code, seed and
 * token an end-to-end test creates or reads is appended to a list file of this worker, and every
 * data folder and host log is listed for the scan instead of being deleted. The scan itself,
 * in a global teardown, is test/e2e/secret-scan.ts; both use `scanDir()`.
 *
 * What counts as a secret is read off the traffic, so the specs need not say it: string values
 * under the contract's secret fields (`password`, `confirmation`, `code`, `codes`, `secret`,
 * `totpSecret`, `storedPassword`…) of every request and response, the six-digit codes in the
 * outbox's texts, and the host's token.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where this run's lists go: a folder per run, named by the global setup in the environment the
 * workers inherit, so two runs on one machine never mix or delete each other's lists.
 */
export const scanDirVariable = 'MAILWARDEN_SECRET_SCAN_DIR';
export function scanDir(): string {
  return process.env[scanDirVariable] ?? join(process.cwd(), 'test-results', 'secret-scan', 'unscanned');
}

export type SecretKind = 'password' | 'code' | 'seed' | 'token' | 'client-password' | 'backup-code';

const secretKey = /(password|confirmation|^codes?|secret)$/i;

function listFile(name: string): string {
  mkdirSync(scanDir(), { recursive: true });
  return join(scanDir(), `${name}-${process.pid}.jsonl`);
}

export function recordSecret(kind: SecretKind, value: string): void {
  // Shorter than a six-digit code is no secret of the app's (and would match anything).
  if (value.trim().length < 6) return;
  appendFileSync(listFile('secrets'), `${JSON.stringify({ kind, value })}\n`);
}

/** A data folder or log file to scan (and delete) after the run. */
export function recordScanTarget(kind: 'data-folder' | 'host-log' | 'downloads', path: string): void {
  appendFileSync(listFile('targets'), `${JSON.stringify({ kind, path })}\n`);
}

function kindOf(key: string, channel: string): SecretKind {
  if (/secret/i.test(key)) return 'seed';
  if (/^codes$/i.test(key)) return 'backup-code';
  if (/^code$/i.test(key)) return 'code';
  if (channel.startsWith('client-passwords:') || channel.startsWith('mail-clients:')) return 'client-password';
  return 'password';
}

/** Records the secrets in one request or response body of a channel. */
export function recordSecretsIn(channel: string, body: unknown): void {
  const visit = (value: unknown, key: string): void => {
    if (typeof value === 'string') {
      if (secretKey.test(key)) recordSecret(kindOf(key, channel), value);
      // The outbox's texts carry the codes sent (`…验证码 123456…`).
      if (key === 'text') for (const match of value.matchAll(/(?<!\d)\d{6}(?!\d)/g)) recordSecret('code', match[0]);
      return;
    }
    if (Array.isArray(value)) for (const item of value) visit(item, key);
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(body, '');
}
