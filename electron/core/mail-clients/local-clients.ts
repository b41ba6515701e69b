/**
 * Foxmail and Thunderbird on this computer (docs/rules.md §8.2, §8.6, §8.8): what their profiles hold,
 * told per account without reading another mailbox's password, and a client password written into
 * one of this mailbox's own accounts only. The files themselves are the ports' work; handlers.ts
 * decides who may ask and whether policy offers it.
 */
import type { FoxmailAccountView, FoxmailInstallationView, ThunderbirdInstallationView } from '../../shared/channels/mail-clients';
import type { ApplyTarget } from '../../shared/client-password-rules';
import { err, ok, type ErrorCode, type Result } from '../../shared/result';
import type { CallContext } from '../call';
import { normalizeAddress } from '../mailbox';
import type { Logger } from '../ports';
import type { MailClientAuthority } from './authority';
import {
  FoxmailError,
  ThunderbirdError,
  type FoxmailAccount,
  type FoxmailRefusal,
  type MailClientPorts,
  type ThunderbirdAccount,
  type ThunderbirdRefusal,
} from './ports';

type StoredPassword = FoxmailAccountView['storedPassword'];

/** An apply's account and the client password to write, as the renderer sends them. */
interface ApplyRequest {
  readonly ref: string;
  readonly id: string;
  readonly password: string;
}

const foxmailCodes: Record<FoxmailRefusal, 'foxmail-running' | 'foxmail-unsupported' | 'not-found' | 'foxmail-write-failed'> = {
  running: 'foxmail-running',
  unsupported: 'foxmail-unsupported',
  'not-found': 'not-found',
  'write-failed': 'foxmail-write-failed',
};

const thunderbirdCodes: Record<
  ThunderbirdRefusal,
  'thunderbird-running' | 'thunderbird-primary-password' | 'thunderbird-unsupported' | 'not-found' | 'thunderbird-write-failed'
> = {
  running: 'thunderbird-running',
  'primary-password': 'thunderbird-primary-password',
  unsupported: 'thunderbird-unsupported',
  'not-found': 'not-found',
  'write-failed': 'thunderbird-write-failed',
};

/**
 * A Thunderbird account is this mailbox's when its address is, and so is every user name its
 * saved logins are kept under (the incoming one, and the outgoing one when there is one): the
 * password is written under those user names, so one that names another mailbox would put this
 * mailbox's client password into another mailbox's login. An empty incoming user name is left to
 * the adapter, which refuses such an account as not understood.
 */
function isThisMailboxThunderbirdAccount(account: ThunderbirdAccount, mailbox: string): boolean {
  const same = (value: string) => normalizeAddress(value) === mailbox;
  return same(account.address) && (account.incomingUser === '' || same(account.incomingUser)) && (account.outgoingUser === null || same(account.outgoingUser));
}

/** Accounts a scan listed for one mailbox: its own, and those listed but another mailbox's. */
interface ScannedRefs {
  readonly own: Set<string>;
  readonly others: Set<string>;
}

/** What writing into one local client takes: its refusals and what its log line says. */
interface LocalClient<W> {
  readonly target: 'foxmail' | 'thunderbird';
  readonly scanned: ReadonlyMap<string, ScannedRefs>;
  readonly otherMailbox: 'foxmail-other-mailbox' | 'thunderbird-other-mailbox';
  readonly write: (ref: string, plain: string) => Promise<W>;
  /** The client's own refusal behind `cause`, or null when the failure is not one. */
  readonly refusal: (cause: unknown) => { readonly reason: string; readonly message: string; readonly code: ErrorCode } | null;
  readonly logged: (written: W) => Record<string, string | null>;
}

/** What the local clients need of the mail-client rules around them. */
export interface LocalClientDependencies {
  readonly authority: MailClientAuthority;
  readonly ports: Pick<MailClientPorts, 'foxmail' | 'thunderbird'>;
  readonly logger: Logger;
  /** Notes where a client password went, once it is written. */
  readonly markApplied: (call: CallContext, id: string, target: ApplyTarget) => Promise<void>;
}

/** Scanning and writing Foxmail and Thunderbird for the signed-in mailbox `address`. */
export function createLocalClients(deps: LocalClientDependencies) {
  const { authority, ports, logger, markApplied } = deps;
  /**
   * Foxmail accounts the last scan listed, per mailbox: an apply may name only one of them, and
   * only one of this mailbox's own (`others`: listed, but another mailbox's, so refused).
   */
  const scannedRefs = new Map<string, ScannedRefs>();
  /** The same for Thunderbird accounts. */
  const scannedThunderbirdRefs = new Map<string, ScannedRefs>();

  /**
   * Writes a client password into one account of a local client (Foxmail, Thunderbird): only an
   * account the last scan listed as this mailbox's, only a real client password of this mailbox,
   * and a refusal of the client's (running, not understood, …) said as its own error.
   */
  async function writeToLocalClient<W>(call: CallContext, address: string, request: ApplyRequest, client: LocalClient<W>): Promise<Result<W>> {
    const scanned = client.scanned.get(address);
    // Never this mailbox's client password into another mailbox's account, whoever asks.
    if (scanned?.others.has(request.ref)) return err(client.otherMailbox);
    if (!scanned?.own.has(request.ref)) return err('not-found');
    const checked = await authority.verifyClientPassword(call, request.id, request.password);
    if (!checked.ok) return checked;
    let written: W;
    try {
      written = await client.write(request.ref, checked.data.plain);
    } catch (cause) {
      const refusal = client.refusal(cause);
      if (!refusal) throw cause;
      logger.warn(`${client.target} profile not changed`, { account: request.ref, reason: refusal.reason, error: refusal.message });
      return err(refusal.code);
    }
    await markApplied(call, checked.data.id, client.target);
    logger.info(`${client.target} profile updated`, { account: request.ref, ...client.logged(written) });
    return ok(written);
  }

  /** What each Foxmail account stores: read here, told by the authority; another mailbox's is never decoded. */
  async function storedPasswordsOf(call: CallContext, accounts: readonly FoxmailAccount[], address: string): Promise<Result<StoredPassword[]>> {
    const found: (StoredPassword | { readonly secret: string })[] = [];
    for (const account of accounts) {
      if (normalizeAddress(account.address) !== address) {
        found.push('not-this-mailbox');
        continue;
      }
      const stored = await ports.foxmail.readPassword(account.ref).catch(() => null);
      found.push(stored === null ? 'unknown' : stored === '' ? 'none' : { secret: stored });
    }
    // Each verdict costs a hash or two: the distinct passwords are told once, in one request.
    const distinct = [...new Set(found.flatMap((entry) => (typeof entry === 'object' ? [entry.secret] : [])))];
    if (distinct.length === 0) return ok(found as StoredPassword[]);
    const told = await authority.classify(call, distinct);
    if (!told.ok) return told;
    const verdictOf = new Map(distinct.map((secret, index) => [secret, told.data.verdicts[index]!]));
    return ok(found.map((entry) => (typeof entry === 'object' ? verdictOf.get(entry.secret)! : entry)));
  }

  async function scan(call: CallContext, address: string): Promise<Result<FoxmailInstallationView[]>> {
    const installations = await ports.foxmail.scan();
    const refs = { own: new Set<string>(), others: new Set<string>() };
    const stored = await storedPasswordsOf(
      call,
      installations.flatMap((installation) => installation.accounts),
      address,
    );
    if (!stored.ok) return stored;
    let index = 0;
    const views: FoxmailInstallationView[] = [];
    for (const installation of installations) {
      const accounts: FoxmailAccountView[] = [];
      for (const account of installation.accounts) {
        (normalizeAddress(account.address) === address ? refs.own : refs.others).add(account.ref);
        accounts.push({
          ref: account.ref,
          address: account.address,
          displayName: account.displayName,
          protocol: account.protocol,
          incoming: { ...account.incoming },
          outgoing: { ...account.outgoing },
          profilePath: account.profilePath,
          format: account.format,
          writable: account.writable,
          storedPassword: stored.data[index++]!,
        });
      }
      views.push({
        root: installation.root,
        version: installation.version,
        running: installation.running,
        foundBy: installation.foundBy,
        accounts,
        unreadable: [...installation.unreadable],
      });
    }
    scannedRefs.set(address, refs);
    return ok(views);
  }

  /** Thunderbird's profiles as they are; no saved password is read or decrypted, this mailbox's or another's. */
  async function scanThunderbird(address: string): Promise<ThunderbirdInstallationView[]> {
    const installations = await ports.thunderbird.scan();
    const refs = { own: new Set<string>(), others: new Set<string>() };
    const views = installations.map((installation): ThunderbirdInstallationView => ({
      root: installation.root,
      foundBy: installation.foundBy,
      profiles: installation.profiles.map((profile) => ({
        name: profile.name,
        path: profile.path,
        isDefault: profile.isDefault,
        running: profile.running,
        readable: profile.readable,
        passwordStore: profile.passwordStore,
        accounts: profile.accounts.map((account) => {
          const thisMailbox = isThisMailboxThunderbirdAccount(account, address);
          (thisMailbox ? refs.own : refs.others).add(account.ref);
          return {
            ref: account.ref,
            address: account.address,
            displayName: account.displayName,
            protocol: account.protocol,
            incoming: { ...account.incoming },
            outgoing: account.outgoing ? { ...account.outgoing } : null,
            thisMailbox,
            writable: account.writable,
          };
        }),
      })),
    }));
    scannedThunderbirdRefs.set(address, refs);
    return views;
  }

  return {
    scanFoxmail: scan,
    scanThunderbird,
    writeFoxmail: (call: CallContext, address: string, request: ApplyRequest) =>
      writeToLocalClient(call, address, request, {
        target: 'foxmail',
        scanned: scannedRefs,
        otherMailbox: 'foxmail-other-mailbox',
        write: (ref, plain) => ports.foxmail.writePassword(ref, plain),
        refusal: (cause) => (cause instanceof FoxmailError ? { reason: cause.reason, message: cause.message, code: foxmailCodes[cause.reason] } : null),
        logged: ({ backupPath }) => ({ backup: backupPath }),
      }),
    writeThunderbird: (call: CallContext, address: string, request: ApplyRequest) =>
      writeToLocalClient(call, address, request, {
        target: 'thunderbird',
        scanned: scannedThunderbirdRefs,
        otherMailbox: 'thunderbird-other-mailbox',
        write: (ref, plain) => ports.thunderbird.writePassword(ref, plain),
        refusal: (cause) => (cause instanceof ThunderbirdError ? { reason: cause.reason, message: cause.message, code: thunderbirdCodes[cause.reason] } : null),
        logged: ({ backupPath, logins }) => ({ backup: backupPath, logins: logins.map((login) => `${login.origin} ${login.change}`).join(', ') }),
      }),
  };
}
