/**
 * The Thunderbird adapter (docs/rules.md §8): finds profiles (locate.ts, ini.ts), reads their
 * accounts (prefs.ts), and writes a client password into logins.json the way Thunderbird's own
 * login manager stores it (nss.ts, logins.ts) — only when key4.db has no primary password,
 * Thunderbird is not running, and every file involved is understood; otherwise it refuses with a
 * ThunderbirdError and the person follows the manual steps.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import type {
  ThunderbirdAccount,
  ThunderbirdInstallation,
  ThunderbirdPasswordStore,
  ThunderbirdProfile,
  ThunderbirdProfiles,
  ThunderbirdWriteResult,
} from '../../core/mail-clients/ports';
import { ThunderbirdError } from '../../core/mail-clients/ports';
import { queuedPerKey, readBoundedFile, type ClientLocatorOptions } from '../client-files';
import type { RunCommand } from '../foxmail/locate';
import { listProfiles, parseIni } from './ini';
import { candidateRoots, nodePidAlive, nodeRunCommand, pathsFor, profileLockHeld, thunderbirdProcessRuns } from './locate';
import { holdsPassword, LoginsNotUnderstood, parseLogins, withPassword, chooseKey, type LoginTarget, type LoginsSeams } from './logins';
import { defaultLoginsWriteSeams, replaceLoginsFile, type LoginsWriteSeams } from './logins-writer';
import { openKeyStore, type KeyStore } from './nss';
import { accountsOf, parsePrefs, type PrefsAccount } from './prefs';

/** `extraRoots`: extra folders holding a profiles.ini (--thunderbird-root). */
export interface ThunderbirdLocatorOptions extends ClientLocatorOptions {
  /** The home folder (os.homedir() by default). */
  readonly home?: string;
  /** Whether a pid is alive (the profile lock names one). */
  readonly pidAlive?: (pid: number) => boolean;
  /** Replaces the whole running check (process list and profile lock) for a profile folder. */
  readonly isRunning?: (profilePath: string) => Promise<boolean>;
  /** File operations and clock of a write. */
  readonly write?: Partial<LoginsWriteSeams>;
  /** Time, IVs and guids of new logins. */
  readonly logins?: Partial<LoginsSeams>;
}

/** Files bigger than these are not what they claim to be. */
const maxTextBytes = 16 * 1024 * 1024;

async function readText(path: string): Promise<string | 'absent' | 'unreadable'> {
  const read = await readBoundedFile(path, maxTextBytes);
  return typeof read === 'string' ? read : read.toString('utf8');
}

async function readBytes(path: string): Promise<Uint8Array | 'absent' | 'unreadable'> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    return (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'absent' : 'unreadable';
  }
}

/** The login origins of an account (logins.ts says where they come from). */
function loginTargets(account: PrefsAccount): LoginTarget[] {
  const targets: LoginTarget[] = [];
  if (account.hostname && account.userName) {
    targets.push({ origin: `${account.protocol === 'pop3' ? 'mailbox' : 'imap'}://${account.hostname}`, username: account.userName });
  }
  if (account.outgoing?.username) targets.push({ origin: `smtp://${account.outgoing.host}`, username: account.outgoing.username });
  return targets;
}

interface StoreState {
  readonly state: ThunderbirdPasswordStore;
  readonly keys: KeyStore;
  readonly logins: string | null;
}

/** key4.db and logins.json of a profile, and whether passwords may be written there. */
async function passwordStoreOf(profile: string, join: (...parts: string[]) => string): Promise<StoreState> {
  const keyDb = await readBytes(join(profile, 'key4.db'));
  if (typeof keyDb === 'string') return { state: 'unsupported', keys: { state: 'unsupported', why: `key4.db is ${keyDb}` }, logins: null };
  const keys = await openKeyStore(keyDb);
  const text = await readText(join(profile, 'logins.json'));
  if (text === 'unreadable') return { state: 'unsupported', keys, logins: null };
  const logins = text === 'absent' ? null : text;
  if (keys.state !== 'ready') return { state: keys.state, keys, logins };
  try {
    chooseKey(parseLogins(logins), keys.keys);
    return { state: 'ready', keys, logins };
  } catch {
    return { state: 'unsupported', keys, logins };
  }
}

interface Found {
  readonly profile: ThunderbirdProfile;
  readonly account: ThunderbirdAccount;
  readonly targets: readonly LoginTarget[];
}

export class ThunderbirdLocalProfiles implements ThunderbirdProfiles {
  private readonly platform: NodeJS.Platform;
  private readonly runCommand: RunCommand;
  private readonly writeSeams: LoginsWriteSeams;
  private readonly loginsSeams: LoginsSeams;
  /** One change at a time per profile within this process. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly options: ThunderbirdLocatorOptions = {}) {
    this.platform = options.platform ?? process.platform;
    this.runCommand = options.runCommand ?? nodeRunCommand;
    this.writeSeams = { ...defaultLoginsWriteSeams, ...options.write };
    this.loginsSeams = {
      now: () => Date.now(),
      randomBytes: (size) => new Uint8Array(randomBytes(size)),
      guid: () => `{${randomUUID()}}`,
      ...options.logins,
    };
  }

  private async running(profile: string, processRuns: () => Promise<boolean>): Promise<boolean> {
    if (this.options.isRunning) return this.options.isRunning(profile);
    return (await profileLockHeld(this.platform, profile, this.options.pidAlive ?? nodePidAlive)) || (await processRuns());
  }

  async scan(): Promise<ThunderbirdInstallation[]> {
    return (await this.scanWithTargets()).installations;
  }

  private async scanWithTargets(): Promise<{ installations: ThunderbirdInstallation[]; found: Map<string, Found> }> {
    const path = pathsFor(this.platform);
    const roots = [
      ...candidateRoots(this.platform, this.options.env ?? process.env, this.options.home ?? homedir()),
      ...(this.options.extraRoots ?? []).map((root) => ({ root, foundBy: 'environment' as const })),
    ];
    let processRuns: Promise<boolean> | null = null;
    const onceProcessRuns = () => (processRuns ??= thunderbirdProcessRuns(this.platform, this.runCommand));
    const seen = new Set<string>();
    const installations: ThunderbirdInstallation[] = [];
    const found = new Map<string, Found>();
    for (const candidate of roots) {
      const root = path.resolve(candidate.root);
      const identity = this.platform === 'linux' ? root : root.toLowerCase();
      if (seen.has(identity)) continue;
      seen.add(identity);
      const ini = await readText(path.join(root, 'profiles.ini'));
      if (ini === 'absent' || ini === 'unreadable') continue;
      const installs = await readText(path.join(root, 'installs.ini'));
      const listed = listProfiles(
        parseIni(ini),
        typeof installs === 'string' && installs !== 'absent' && installs !== 'unreadable' ? parseIni(installs) : null,
      );
      const profiles: ThunderbirdProfile[] = [];
      for (const entry of listed) {
        // Paths in profiles.ini use '/' even on Windows; path.resolve takes both there.
        const folder = entry.isRelative ? path.resolve(root, entry.path) : path.resolve(entry.path);
        const prefsText = await readText(path.join(folder, 'prefs.js'));
        const prefs = typeof prefsText === 'string' && prefsText !== 'absent' && prefsText !== 'unreadable' ? parsePrefs(prefsText) : null;
        const store = prefs ? await passwordStoreOf(folder, path.join) : null;
        const running = prefs ? await this.running(folder, onceProcessRuns) : false;
        const accounts: ThunderbirdAccount[] = [];
        const targetsOf = new Map<string, readonly LoginTarget[]>();
        for (const account of prefs ? accountsOf(prefs) : []) {
          const ref = `${folder}#${account.serverKey}`;
          const address = account.address ?? account.userName ?? account.hostname ?? account.serverKey;
          const targets = loginTargets(account);
          const complete = !!account.hostname && !!account.userName;
          const item: ThunderbirdAccount = {
            ref,
            address,
            displayName: account.fullName ?? account.name ?? address,
            protocol: account.protocol,
            incoming: account.incoming,
            incomingUser: account.userName ?? '',
            outgoing: account.outgoing ? { host: account.outgoing.host, port: account.outgoing.port, security: account.outgoing.security } : null,
            outgoingUser: account.outgoing?.username ?? null,
            writable: complete && store?.state === 'ready',
          };
          accounts.push(item);
          targetsOf.set(ref, targets);
        }
        const profile: ThunderbirdProfile = {
          name: entry.name,
          path: folder,
          isDefault: entry.isDefault,
          running,
          readable: prefs !== null,
          passwordStore: store?.state ?? 'unsupported',
          accounts,
        };
        for (const account of accounts) found.set(account.ref, { profile, account, targets: targetsOf.get(account.ref) ?? [] });
        profiles.push(profile);
      }
      installations.push({ root, foundBy: candidate.foundBy, profiles });
    }
    return { installations, found };
  }

  async writePassword(ref: string, password: string): Promise<ThunderbirdWriteResult> {
    const profileKey = ref.slice(0, Math.max(0, ref.lastIndexOf('#')));
    return queuedPerKey(this.queues, profileKey, () => this.writeNow(ref, password));
  }

  private async writeNow(ref: string, password: string): Promise<ThunderbirdWriteResult> {
    // A fresh scan: a write never trusts a path it is handed, and Thunderbird may have started since.
    const found = (await this.scanWithTargets()).found.get(ref);
    if (!found) throw new ThunderbirdError('not-found', 'no Thunderbird account is known by that name');
    const { profile, account, targets } = found;
    if (profile.running) throw new ThunderbirdError('running', 'Thunderbird is running; it rewrites its saved passwords while it runs');
    if (profile.passwordStore === 'primary-password') throw new ThunderbirdError('primary-password', 'this Thunderbird profile has a primary password');
    if (!account.writable || targets.length === 0) throw new ThunderbirdError('unsupported', 'this profile is not one this app can change');
    // Thunderbird's login manager refuses empty passwords and NUL characters (LoginHelper.checkLoginValues).
    if (password === '' || password.includes('\0')) throw new ThunderbirdError('unsupported', 'Thunderbird cannot store this password');

    const path = pathsFor(this.platform);
    const file = path.join(profile.path, 'logins.json');
    // Read once more, now: the bytes written over are exactly the bytes understood.
    const store = await passwordStoreOf(profile.path, path.join);
    if (store.state === 'primary-password') throw new ThunderbirdError('primary-password', 'this Thunderbird profile has a primary password');
    if (store.state !== 'ready' || store.keys.state !== 'ready')
      throw new ThunderbirdError('unsupported', 'the saved passwords of this profile are not stored in a way this app understands');
    const keys = store.keys.keys;
    let updated: { text: string; changes: { origin: string; change: 'replaced' | 'added' }[] };
    try {
      updated = withPassword(store.logins, targets, password, keys, this.loginsSeams);
    } catch (cause) {
      if (cause instanceof LoginsNotUnderstood) throw new ThunderbirdError('unsupported', `logins.json is not one this app can change: ${cause.message}`);
      throw cause;
    }
    if (!holdsPassword(updated.text, targets, password, keys)) throw new ThunderbirdError('unsupported', 'the changed logins.json would not read back');
    const encoder = new TextEncoder();
    const original = store.logins === null ? null : encoder.encode(store.logins);
    // Re-read as bytes: a file that is not UTF-8 round-trips differently and is refused here.
    const onDisk = await readBytes(file);
    if (original === null ? onDisk !== 'absent' : typeof onDisk === 'string' || !Buffer.from(onDisk).equals(Buffer.from(original))) {
      throw new ThunderbirdError('unsupported', 'logins.json is not plain UTF-8 or changed while it was read');
    }
    const { backupPath } = await replaceLoginsFile(
      file,
      original,
      encoder.encode(updated.text),
      (written) => holdsPassword(new TextDecoder().decode(written), targets, password, keys),
      this.writeSeams,
    );
    return { backupPath, logins: updated.changes };
  }
}
