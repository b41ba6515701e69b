/**
 * In-memory stand-ins for the mail-clients ports, for the core's unit tests. The real adapters
 * are tested against the real thing in test/platform (Secret Service, Foxmail files on disk,
 * loopback IMAP and SMTP servers, Dovecot).
 */
import { KeychainUnavailableError } from '../../electron/core/ports';
import {
  FoxmailError,
  ThunderbirdError,
  type ConnectionTestResult,
  type FoxmailInstallation,
  type FoxmailRefusal,
  type MailClientPorts,
  type ThunderbirdInstallation,
  type ThunderbirdRefusal,
} from '../../electron/core/mail-clients/ports';
import type { Scheduler } from '../../electron/core/ports';
import type { MailEndpoint } from '../../electron/shared/mail-server';
import { FakeClock } from './clock';

export interface FakeMailClientPorts extends MailClientPorts {
  /** Remembered secrets by `<address>/<name>`. */
  readonly keychain: Map<string, string>;
  /** Set to make every keychain call fail as an unreachable keychain would. */
  keychainDown: boolean;
  installations: FoxmailInstallation[];
  /** Stored Foxmail passwords by ref ('' none stored, null unreadable). */
  readonly foxmailPasswords: Map<string, string | null>;
  /** Set to make the next Foxmail write fail this way. */
  foxmailRefusal: FoxmailRefusal | null;
  thunderbirdInstallations: ThunderbirdInstallation[];
  /** Passwords written into Thunderbird accounts, by ref. */
  readonly thunderbirdPasswords: Map<string, string>;
  /** Set to make the next Thunderbird write fail this way. */
  thunderbirdRefusal: ThunderbirdRefusal | null;
  /** Files saved, by path. */
  readonly files: MailClientPorts['files'] & { readonly saved: Map<string, Uint8Array>; cancel: boolean; fail: boolean };
  /** Temporary files written and not removed, by path; `failWrite` makes the next writes fail. */
  readonly temporary: MailClientPorts['temporary'] & { readonly written: Map<string, Uint8Array>; failWrite: boolean };
  /** Files opened, in order, each with whether it was there then; `fail` makes the opener throw. */
  readonly opener: MailClientPorts['opener'] & { readonly opened: { path: string; contents: Uint8Array | undefined }[]; fail: boolean };
  /** What the next connection tests answer, by protocol; the calls are kept in `tests`. */
  readonly answers: { imap: ConnectionTestResult; smtp: ConnectionTestResult };
  readonly tests: { protocol: 'imap' | 'smtp'; endpoint: MailEndpoint; user: string; secret: string }[];
}

/** `scheduler`: the clock whose advance runs what the ports were asked to do later (a fresh one by default). */
export function fakeMailClientPorts(scheduler: Scheduler = new FakeClock()): FakeMailClientPorts {
  const keychain = new Map<string, string>();
  const saved = new Map<string, Uint8Array>();
  const written = new Map<string, Uint8Array>();
  let temporaryCount = 0;
  const ports: FakeMailClientPorts = {
    keychain,
    keychainDown: false,
    installations: [],
    foxmailPasswords: new Map(),
    foxmailRefusal: null,
    thunderbirdInstallations: [],
    thunderbirdPasswords: new Map(),
    thunderbirdRefusal: null,
    answers: { imap: { outcome: 'ok', detail: '' }, smtp: { outcome: 'ok', detail: '' } },
    tests: [],
    shelf: {
      remember: async (address, name, secret) => {
        up();
        keychain.set(`${address}/${name}`, secret);
      },
      read: async (address, name) => {
        up();
        return keychain.get(`${address}/${name}`) ?? null;
      },
      names: async (address) => {
        up();
        return [...keychain.keys()]
          .filter((key) => key.startsWith(`${address}/`))
          .map((key) => key.slice(address.length + 1))
          .sort();
      },
      forget: async (address, name) => {
        up();
        return keychain.delete(`${address}/${name}`);
      },
    },
    foxmail: {
      scan: async () => ports.installations,
      readPassword: async (ref) => (ports.foxmailPasswords.has(ref) ? ports.foxmailPasswords.get(ref)! : null),
      writePassword: async (ref, password) => {
        if (ports.foxmailRefusal) throw new FoxmailError(ports.foxmailRefusal, `refused: ${ports.foxmailRefusal}`);
        ports.foxmailPasswords.set(ref, password);
        return { backupPath: `${ref}.bak` };
      },
    },
    thunderbird: {
      scan: async () => ports.thunderbirdInstallations,
      writePassword: async (ref, password) => {
        if (ports.thunderbirdRefusal) throw new ThunderbirdError(ports.thunderbirdRefusal, `refused: ${ports.thunderbirdRefusal}`);
        const account = ports.thunderbirdInstallations.flatMap((i) => i.profiles.flatMap((p) => p.accounts)).find((a) => a.ref === ref);
        if (!account) throw new ThunderbirdError('not-found', 'no such account');
        ports.thunderbirdPasswords.set(ref, password);
        const logins = [{ origin: `imap://${account.incoming.host}`, change: 'replaced' as const }];
        if (account.outgoing && account.outgoingUser) logins.push({ origin: `smtp://${account.outgoing.host}`, change: 'replaced' as const });
        return { backupPath: `${ref.slice(0, ref.lastIndexOf('#'))}/logins.json.bak`, logins };
      },
    },
    files: {
      saved,
      cancel: false,
      fail: false,
      save: async (name, contents) => {
        if (ports.files.cancel) return null;
        if (ports.files.fail) throw new Error('disk full');
        const path = `/saved/${name}`;
        saved.set(path, contents);
        return { path };
      },
      remove: async (path) => {
        if (!saved.delete(path)) throw new Error('no such file');
      },
    },
    temporary: {
      written,
      failWrite: false,
      write: async (name, contents) => {
        if (ports.temporary.failWrite) throw new Error('no space left on device');
        const path = `/tmp/mailwarden-${++temporaryCount}/${name}`;
        written.set(path, contents);
        return { path };
      },
      remove: async (path) => {
        written.delete(path);
      },
    },
    opener: {
      opened: [],
      fail: false,
      open: async (path) => {
        ports.opener.opened.push({ path, contents: written.get(path) });
        if (ports.opener.fail) throw new Error('No application knows how to open this file');
      },
    },
    scheduler,
    tester: {
      test: async (protocol, endpoint, user, secret) => {
        ports.tests.push({ protocol, endpoint, user, secret });
        return ports.answers[protocol];
      },
    },
  };
  function up(): void {
    if (ports.keychainDown) throw new KeychainUnavailableError('no keychain here');
  }
  return ports;
}
