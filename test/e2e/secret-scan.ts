/**
 * Playwright global setup whose returned function is the global teardown: after the whole
 * browser-mode run, every data folder the hosts used (the app writes nothing outside it but the
 * downloads folder; it makes no files in the system temp folder) and every host's captured
 * stdout and stderr are searched for every secret the run
 * recorded (test/e2e/secret-record.ts), in its plain forms and base64, base64url, hex, URL and
 * JSON escapes. A hit fails the run, naming the file and the kind of secret, never the secret.
 * Then the folders, logs and the secret list are deleted.
 *
 * Allowed on purpose, and only there:
 * - The host's token in its `Open: http://127.0.0.1:…/#token=…` line on stdout. Printing it is
 *   how browser mode is opened (the user who started the host owns that terminal, as with
 *   Jupyter's token URL); it lives as long as that host and grants nothing beyond its loopback
 *   port. Anywhere else (another log line, the data folder) it is a hit.
 * - The throwaway `home/` a keyring test gives gnome-keyring: it stands in for the OS keychain,
 *   where the user asked for the client password to be kept ("remember in system keychain").
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { scanDirVariable, type SecretKind } from './secret-record';

interface Secret {
  readonly kind: SecretKind;
  readonly value: string;
}

async function readList<T>(dir: string, prefix: string): Promise<T[]> {
  if (!existsSync(dir)) return [];
  const items: T[] = [];
  for (const name of await readdir(dir)) {
    if (!name.startsWith(`${prefix}-`)) continue;
    for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) if (line) items.push(JSON.parse(line) as T);
  }
  return items;
}

/** The byte strings a secret could be written as. */
function formsOf(secret: Secret): Buffer[] {
  const plain = secret.value;
  const forms = new Set<string>([plain, plain.replace(/[\s-]/g, ''), encodeURIComponent(plain), JSON.stringify(plain).slice(1, -1)]);
  // A client password is also shown in groups of four (`abcd efgh ijkm npqr`).
  if (secret.kind === 'client-password') forms.add(plain.replace(/(.{4})(?=.)/g, '$1 '));
  const buffers = [...forms].filter((form) => form.length >= 6).map((form) => Buffer.from(form, 'utf8'));
  const bytes = Buffer.from(plain, 'utf8');
  // A six-digit code's encodings are too short to mean anything; a longer secret's are not.
  if (plain.length >= 8) {
    for (const encoded of [bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')]) buffers.push(Buffer.from(encoded.replace(/=+$/, '')));
  }
  return buffers;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/** An ASCII letter or digit: what base64, hex and ids are made of. */
function isAlphanumeric(byte: number | undefined): boolean {
  return byte !== undefined && (isDigit(byte) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a));
}

/**
 * Where `form` first occurs in `data` as a secret, or -1. An all-digit form (a six-digit code)
 * counts only where no letter or digit touches it: inside a longer number (a timestamp) or a run
 * of base64 or hex (a sealed line, a hash) six digits are chance, not a code. A sealed outbox
 * line of 200 base64 characters holds some given six-digit code, bounded by letters, about once
 * in 5·10^8 lines; over a run's hundreds of codes and thousands of sealed lines that once
 * most likely failed a clean CI run (2026-12-04, sms-outbox.log, no plaintext write found). A
 * code written as text has a space, quote, colon or a CJK character beside it.
 */
function occurrence(data: Buffer, form: Buffer): number {
  const digits = form.every((byte) => isDigit(byte));
  for (let at = data.indexOf(form); at !== -1; at = data.indexOf(form, at + 1)) {
    if (!digits || (!isAlphanumeric(data[at - 1]) && !isAlphanumeric(data[at + form.length]))) return at;
  }
  return -1;
}

async function filesUnder(path: string, skip: (file: string) => boolean): Promise<string[]> {
  const info = await stat(path).catch(() => null);
  if (!info) return [];
  if (info.isFile()) return [path];
  const files: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true })) {
    const file = join(entry.parentPath, entry.name);
    if (entry.isFile() && !skip(file)) files.push(file);
  }
  return files;
}

export interface ScanOutcome {
  readonly secrets: number;
  readonly files: number;
  readonly bytes: number;
  /** How many of the secrets are six-digit codes. */
  readonly codes: number;
  /** `<file>: <kinds>`, never the secret. */
  readonly hits: string[];
}

/** Scans what the lists in `dir` name for the secrets they hold, then deletes all of it. */
export async function scanRun(dir: string, evidence = join(dir, '..', 'evidence')): Promise<ScanOutcome> {
  const secrets = await readList<Secret>(dir, 'secrets');
  const targets = await readList<{ kind: string; path: string }>(dir, 'targets');
  const unique = new Map<string, Secret>();
  for (const secret of secrets) unique.set(`${secret.kind}\n${secret.value}`, secret);
  const needles = [...unique.values()].map((secret) => ({ secret, forms: formsOf(secret) }));
  const hits: string[] = [];
  let scanned = 0;
  let bytes = 0;
  for (const target of targets) {
    const files = await filesUnder(target.path, (file) => target.kind === 'data-folder' && relative(target.path, file).split(sep)[0] === 'home');
    for (const file of files) {
      scanned += 1;
      let data = await readFile(file);
      bytes += data.length;
      if (target.kind === 'host-log') {
        // The token URL line is printed on purpose (see above); every other line is scanned.
        data = Buffer.from(
          data
            .toString('utf8')
            .split('\n')
            .filter((line) => !/^Open: \S+$/.test(line))
            .join('\n'),
        );
      }
      const found = new Map<string, number>();
      for (const { secret, forms } of needles) {
        if (found.has(secret.kind)) continue;
        for (const form of forms) {
          const at = occurrence(data, form);
          if (at !== -1) {
            found.set(secret.kind, at);
            break;
          }
        }
      }
      if (found.size > 0) {
        hits.push(`${file}: ${[...found].map(([kind, at]) => `${kind} at byte ${at}`).join(', ')}`);
        // Kept for whoever reads the failure; the run's secrets are throwaway test values.
        await cp(file, join(evidence, relative('/', file)), { recursive: true }).catch(() => undefined);
      }
    }
  }
  for (const target of targets) await rm(target.path, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
  return { secrets: unique.size, codes: [...unique.values()].filter((secret) => secret.kind === 'code').length, files: scanned, bytes, hits };
}

export default async function setup(): Promise<() => Promise<void>> {
  const dir = join(process.cwd(), 'test-results', 'secret-scan', `${process.pid}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  // Workers inherit the environment the global setup leaves.
  process.env[scanDirVariable] = dir;
  return async function teardown(): Promise<void> {
    const { secrets, codes, files, bytes, hits } = await scanRun(dir);
    console.log(`secret scan: ${secrets} secrets (${codes} codes) looked for in ${files} files (${bytes} bytes): ${hits.length} hits`);
    if (hits.length > 0) throw new Error(`secrets found in plaintext after the end-to-end run:\n${hits.join('\n')}`);
    // Hosts ran but no secret was recorded: the recorder is broken, and the scan proved nothing.
    if (files > 0 && secrets === 0) throw new Error('secret scan: data folders were kept but no secret was recorded to look for');
  };
}
