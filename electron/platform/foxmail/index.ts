/**
 * The Foxmail adapter (docs/rules.md §8): finds installations and their account profiles, reads the
 * stored password and replaces it. The format and its sources are in profile-format.ts and
 * codec.ts; the careful write in profile-writer.ts; where Foxmail lives in locate.ts.
 */
import { queuedPerKey, readBoundedFile, type ClientLocatorOptions } from '../client-files';
import { windowsRegistry, type RegistryReader } from '../windows-registry';
import type { FoxmailAccount, FoxmailInstallation, FoxmailProfiles } from '../../core/mail-clients/ports';
import { FoxmailError } from '../../core/mail-clients/ports';
import { decodePassword } from './codec';
import { foxmailRunning, locateInstallations, nodeFolderProbe, nodeRunCommand, pathsFor, type FolderProbe, type RunCommand } from './locate';
import { readProfile, type EndpointFields } from './profile-format';
import { defaultWriteSeams, writeProfilePassword, type WriteSeams } from './profile-writer';

/** `extraRoots`: extra installation folders (--foxmail-root). */
export interface FoxmailLocatorOptions extends ClientLocatorOptions {
  /** The Windows registry (../windows-registry.ts); tests give one as data. */
  readonly registry?: RegistryReader;
  readonly probe?: FolderProbe;
  /** Replaces the platform's check for a running Foxmail. */
  readonly isRunning?: () => Promise<boolean>;
  /** File operations, clock (backup names) and seed of a write. */
  readonly write?: Partial<WriteSeams>;
}

/** Profiles bigger than this are not Foxmail account profiles (real ones are about 2 MB). */
const maxProfileBytes = 32 * 1024 * 1024;

const profileNames = [
  { name: 'Account.rec0', format: 'rec0' },
  { name: 'Account.stg', format: 'stg' },
] as const;

function endpoint(fields: EndpointFields): FoxmailAccount['incoming'] {
  return { host: fields.host, port: fields.port, security: fields.ssl ? 'tls' : 'none' };
}

async function readSmallFile(path: string): Promise<Uint8Array | null> {
  const read = await readProfileFile(path);
  return read === 'absent' || read === 'unreadable' ? null : read;
}

/** A profile's bytes; 'absent' when there is no such file, 'unreadable' when there is one that cannot be read. */
async function readProfileFile(path: string): Promise<Uint8Array | 'absent' | 'unreadable'> {
  const read = await readBoundedFile(path, maxProfileBytes);
  return typeof read === 'string' ? read : new Uint8Array(read);
}

export class FoxmailLocalProfiles implements FoxmailProfiles {
  private readonly platform: NodeJS.Platform;
  private readonly runCommand: RunCommand;
  private readonly probe: FolderProbe;
  private readonly writeSeams: WriteSeams;
  /** Profiles the last scan found: a read names one of them (or triggers a fresh scan). */
  private knownRefs = new Set<string>();
  /** One change at a time per profile within this process. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly options: FoxmailLocatorOptions = {}) {
    this.platform = options.platform ?? process.platform;
    this.runCommand = options.runCommand ?? nodeRunCommand;
    this.probe = options.probe ?? nodeFolderProbe;
    this.writeSeams = { ...defaultWriteSeams, ...options.write };
  }

  private running(): Promise<boolean> {
    return this.options.isRunning ? this.options.isRunning() : foxmailRunning(this.platform, this.runCommand);
  }

  async scan(): Promise<FoxmailInstallation[]> {
    const roots = await locateInstallations(
      { platform: this.platform, env: this.options.env ?? process.env, registry: this.options.registry ?? windowsRegistry, probe: this.probe },
      this.options.extraRoots ?? [],
    );
    const running = roots.length > 0 ? await this.running() : false;
    const path = pathsFor(this.platform);
    const installations: FoxmailInstallation[] = [];
    const refs = new Set<string>();
    for (const { root, foundBy } of roots) {
      const accounts: FoxmailAccount[] = [];
      const unreadable: string[] = [];
      const storage = path.join(root, 'Storage');
      for (const folder of (await this.probe.list(storage)).sort()) {
        let understood = false;
        let failed = false;
        for (const { name, format } of profileNames) {
          const profilePath = path.join(storage, folder, 'Accounts', name);
          const bytes = await readProfileFile(profilePath);
          if (bytes === 'absent') continue;
          const summary = bytes === 'unreadable' ? null : readProfile(bytes);
          if (!summary) {
            failed = true;
            continue;
          }
          understood = true;
          const address = summary.address ?? folder;
          refs.add(profilePath);
          accounts.push({
            ref: profilePath,
            address,
            displayName: summary.displayName ?? address,
            protocol: summary.protocol,
            incoming: endpoint(summary.incoming),
            outgoing: endpoint(summary.outgoing),
            profilePath,
            format,
            writable: format === 'rec0' && summary.version === 7 && summary.records !== null,
          });
        }
        if (failed && !understood) unreadable.push(folder);
      }
      const version = /foxmail\s*(\d+(?:\.\d+)*)/i.exec(path.basename(root))?.[1] ?? null;
      installations.push({ root, version, running, foundBy, accounts, unreadable });
    }
    this.knownRefs = refs;
    return installations;
  }

  /** The installation and account a ref names, by a fresh scan: a write never trusts a path it is handed. */
  private async find(ref: string): Promise<{ installation: FoxmailInstallation; account: FoxmailAccount } | null> {
    for (const installation of await this.scan()) {
      const account = installation.accounts.find((a) => a.ref === ref);
      if (account) return { installation, account };
    }
    return null;
  }

  async readPassword(ref: string): Promise<string | null> {
    if (!this.knownRefs.has(ref) && !(await this.find(ref))) throw new FoxmailError('not-found', 'no Foxmail profile is known by that name');
    const bytes = await readSmallFile(ref);
    const summary = bytes ? readProfile(bytes) : null;
    if (!summary) return null;
    return decodePassword(summary.passwordHex, summary.version);
  }

  async writePassword(ref: string, password: string): Promise<{ readonly backupPath: string }> {
    return queuedPerKey(this.queues, ref, () => this.writeNow(ref, password));
  }

  private async writeNow(ref: string, password: string): Promise<{ readonly backupPath: string }> {
    const found = await this.find(ref);
    if (!found) throw new FoxmailError('not-found', 'no Foxmail profile is known by that name');
    // From the scan just made, not an earlier one: Foxmail may have started since.
    if (found.installation.running) throw new FoxmailError('running', 'Foxmail is running; it rewrites its profiles while it runs');
    if (!found.account.writable) throw new FoxmailError('unsupported', 'this profile is not one this app can change');
    return writeProfilePassword(found.account.profilePath, password, this.writeSeams);
  }
}
