/**
 * Putting a client password into mail clients (docs/rules.md §8). The work on the machine (keychain,
 * Foxmail files, saving a file, logging in to the mail server) is done by the ports; here are
 * the rules: who may ask, what policy offers, that only a real client password of this mailbox
 * is ever written anywhere, and what each outcome means to the person.
 */
import { qrSvg } from '../qr-svg';
import type { ConnectionTestView, FoxmailAccountView, FoxmailInstallationView, ThunderbirdInstallationView } from '../../shared/channels/mail-clients';
import { mailProtocols, type ApplyTarget, type MailProtocol } from '../../shared/client-password-rules';
import type { ResponseOf } from '../../shared/contract';
import { openedProfileRemoveMs, profileDeleteOfferMs, type MailEndpoint, type MailServerSettings } from '../../shared/mail-server';
import { err, ok, type Result } from '../../shared/result';
import type { CallContext } from '../call';
import type { HandlersOf } from '../handler-types';
import { randomId } from '../ids';
import { normalizeAddress } from '../mailbox';
import type { Policy } from '../policy';
import { KeychainUnavailableError, type Clock, type Logger, type Random } from '../ports';
import type { MailClientAuthority, SignedInMailbox } from './authority';
import { buildMobileconfig, profileFileName } from './mobileconfig';
import {
  FoxmailError,
  ThunderbirdError,
  type FoxmailAccount,
  type FoxmailRefusal,
  type MailClientPorts,
  type ThunderbirdAccount,
  type ThunderbirdRefusal,
} from './ports';

type Empty = Record<string, never>;
type StoredPassword = FoxmailAccountView['storedPassword'];

const productName = 'Mailwarden';

/** The language-neutral text the Android card's QR code holds: protocol names read the same everywhere. */
function settingsCardText(address: string, server: MailServerSettings): string {
  const line = (name: string, endpoint: MailEndpoint) =>
    `${name}: ${endpoint.host}:${endpoint.port} ${endpoint.security === 'tls' ? 'SSL/TLS' : endpoint.security === 'starttls' ? 'STARTTLS' : 'none'}`;
  return [`Email: ${address}`, `User: ${address}`, line('IMAP', server.imap), line('POP3', server.pop3), line('SMTP', server.smtp)].join('\n');
}

function keychainFailure(cause: unknown): Result<never> {
  if (cause instanceof KeychainUnavailableError) return err('keychain-unavailable');
  throw cause;
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

interface SavedProfile {
  readonly mailbox: string;
  readonly path: string;
}

/** The QR code of a settings card, drawn once per card text (it changes only with the address or policy). */
class CardCodes {
  readonly #drawn = new Map<string, string>();

  constructor(private readonly capacity = 256) {}

  svg(text: string): string {
    let svg = this.#drawn.get(text);
    if (svg === undefined) {
      svg = qrSvg(text);
      if (this.#drawn.size >= this.capacity) this.#drawn.delete(this.#drawn.keys().next().value!);
    } else {
      this.#drawn.delete(text);
    }
    this.#drawn.set(text, svg);
    return svg;
  }
}

/** What the mail-client rules need besides the machine's ports: who decides, the policy in force, time and chance. */
export interface MailClientsDependencies {
  readonly authority: MailClientAuthority;
  readonly policy: () => Policy;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** Whether an organisation server behind this backend hands profiles to phones by QR (docs/rules.md §8.9). */
  readonly phoneHandoff: () => boolean;
}

export function createMailClientsHandlers(deps: MailClientsDependencies, ports: MailClientPorts): HandlersOf<'mail-clients'> {
  const { authority, clock, logger } = deps;
  const policy = deps.policy;
  const cardCodes = new CardCodes();
  /** Profiles saved by this process, by the id given to the renderer: it never names a path to delete. */
  const savedProfiles = new Map<string, SavedProfile>();
  /**
   * Foxmail accounts the last scan listed, per mailbox: an apply may name only one of them, and
   * only one of this mailbox's own (`others`: listed, but another mailbox's, so refused).
   */
  const scannedRefs = new Map<string, { readonly own: Set<string>; readonly others: Set<string> }>();
  /** The same for Thunderbird accounts. */
  const scannedThunderbirdRefs = new Map<string, { readonly own: Set<string>; readonly others: Set<string> }>();

  function signedIn(call: CallContext, allowEnrollment = false): Promise<Result<SignedInMailbox>> {
    return authority.signedIn(call, allowEnrollment);
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

  /**
   * The iPhone / Mac profile of the signed-in mailbox, with a client password only when asked for
   * and only once the authority accepted it (then set for the protocols it is allowed for).
   */
  async function profileOf(
    call: CallContext,
    session: SignedInMailbox,
    request: { includePassword: boolean; id?: string | undefined; password?: string | undefined },
  ): Promise<Result<{ xml: string; appliedId: string | null }>> {
    const address = session.address;
    let password: string | null = null;
    let appliedId: string | null = null;
    let scopes: readonly MailProtocol[] = mailProtocols;
    if (request.includePassword) {
      if (request.id === undefined || request.password === undefined) return err('password-mismatch');
      const checked = await authority.verifyClientPassword(call, request.id, request.password);
      if (!checked.ok) return checked;
      password = checked.data.plain;
      appliedId = checked.data.id;
      scopes = checked.data.scopes;
    }
    const xml = buildMobileconfig(
      { address, displayName: session.displayName || address, server: policy().mailServer, password, scopes, organisation: productName },
      deps.random,
    );
    return ok({ xml, appliedId });
  }

  /** An opened profile's file goes; a failure is logged (the app removes what is left when it quits). */
  async function removeOpened(path: string): Promise<void> {
    await ports.temporary
      .remove(path)
      .catch((cause: unknown) => logger.warn('opened profile not removed', { error: cause instanceof Error ? cause.message : String(cause) }));
  }

  /**
   * The password is in the client by now: a failure to note where is logged, not reported as the
   * write failing (it did not), and the list shows it at the next successful note.
   */
  async function markApplied(call: CallContext, id: string, target: ApplyTarget): Promise<void> {
    const noted = await authority.markApplied(call, id, target);
    if (!noted.ok) logger.warn('client password written but not noted', { target, reason: noted.code });
  }

  return {
    'mail-clients:settings': async (_request, call) => {
      const session = await signedIn(call, true);
      if (!session.ok) return session;
      const { mailServer, clientIntegrations } = policy();
      const address = session.data.address;
      const text = settingsCardText(address, mailServer);
      const qrSvg = cardCodes.svg(text);
      return ok({
        address,
        imap: { ...mailServer.imap },
        smtp: { ...mailServer.smtp },
        pop3: { ...mailServer.pop3 },
        offered: { ...clientIntegrations, phoneHandoff: deps.phoneHandoff() },
        card: { text, qrSvg },
      });
    },

    'mail-clients:keychain-list': async (_request, call) => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      if (!policy().clientIntegrations.keychain) return err('integration-disabled');
      try {
        return ok({ names: await ports.shelf.names(session.data.address) });
      } catch (cause) {
        return keychainFailure(cause);
      }
    },

    'mail-clients:keychain-remember': async (request, call) => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      if (!policy().clientIntegrations.keychain) return err('integration-disabled');
      const checked = await authority.verifyClientPassword(call, request.id, request.password);
      if (!checked.ok) return checked;
      try {
        await ports.shelf.remember(session.data.address, checked.data.name, checked.data.plain);
      } catch (cause) {
        return keychainFailure(cause);
      }
      await markApplied(call, checked.data.id, 'keychain');
      return ok({ name: checked.data.name });
    },

    'mail-clients:keychain-forget': async (request, call) => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      if (!policy().clientIntegrations.keychain) return err('integration-disabled');
      try {
        const removed = await ports.shelf.forget(session.data.address, request.name);
        return removed ? ok({} as Empty) : err('not-found');
      } catch (cause) {
        return keychainFailure(cause);
      }
    },

    'mail-clients:foxmail-scan': async (_request, call) => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      if (!policy().clientIntegrations.foxmail) return err('integration-disabled');
      const installations = await scan(call, session.data.address);
      return installations.ok ? ok({ installations: installations.data }) : installations;
    },

    'mail-clients:foxmail-apply': async (request, call) => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      if (!policy().clientIntegrations.foxmail) return err('integration-disabled');
      const mailbox = session.data.address;
      const scanned = scannedRefs.get(mailbox);
      // Never this mailbox's client password into another mailbox's account, whoever asks.
      if (scanned?.others.has(request.ref)) return err('foxmail-other-mailbox');
      if (!scanned?.own.has(request.ref)) return err('not-found');
      const checked = await authority.verifyClientPassword(call, request.id, request.password);
      if (!checked.ok) return checked;
      try {
        const { backupPath } = await ports.foxmail.writePassword(request.ref, checked.data.plain);
        await markApplied(call, checked.data.id, 'foxmail');
        logger.info('foxmail profile updated', { profile: request.ref, backup: backupPath });
        return ok({ backupPath });
      } catch (cause) {
        if (cause instanceof FoxmailError) {
          logger.warn('foxmail profile not changed', { profile: request.ref, reason: cause.reason, error: cause.message });
          return err(foxmailCodes[cause.reason]);
        }
        throw cause;
      }
    },

    'mail-clients:thunderbird-scan': async (_request, call) => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      if (!policy().clientIntegrations.thunderbird) return err('integration-disabled');
      return ok({ installations: await scanThunderbird(session.data.address) });
    },

    'mail-clients:thunderbird-apply': async (request, call) => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      if (!policy().clientIntegrations.thunderbird) return err('integration-disabled');
      const scanned = scannedThunderbirdRefs.get(session.data.address);
      // Never this mailbox's client password into another mailbox's login, whoever asks.
      if (scanned?.others.has(request.ref)) return err('thunderbird-other-mailbox');
      if (!scanned?.own.has(request.ref)) return err('not-found');
      const checked = await authority.verifyClientPassword(call, request.id, request.password);
      if (!checked.ok) return checked;
      try {
        const { backupPath, logins } = await ports.thunderbird.writePassword(request.ref, checked.data.plain);
        await markApplied(call, checked.data.id, 'thunderbird');
        logger.info('thunderbird profile updated', {
          account: request.ref,
          backup: backupPath,
          logins: logins.map((login) => `${login.origin} ${login.change}`).join(', '),
        });
        return ok({ backupPath, logins: logins.map((login) => ({ origin: login.origin, change: login.change })) });
      } catch (cause) {
        if (cause instanceof ThunderbirdError) {
          logger.warn('thunderbird profile not changed', { account: request.ref, reason: cause.reason, error: cause.message });
          return err(thunderbirdCodes[cause.reason]);
        }
        throw cause;
      }
    },

    'mail-clients:what-will-break': async (_request, call) => {
      // Asked before 2FA is on, so an enrolment-only session may ask too.
      const session = await signedIn(call, true);
      if (!session.ok) return session;
      if (!policy().clientIntegrations.foxmail) return ok({ accounts: [] });
      const installations = await scan(call, session.data.address);
      if (!installations.ok) return installations;
      return ok({
        accounts: installations.data.flatMap((installation) => installation.accounts.filter((account) => account.storedPassword === 'main-password')),
      });
    },

    'mail-clients:iphone-profile-save': async (request, call) => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      if (!policy().clientIntegrations.iphoneProfile) return err('integration-disabled');
      const address = session.data.address;
      const profile = await profileOf(call, session.data, request);
      if (!profile.ok) return profile;
      const { xml, appliedId } = profile.data;
      let saved: { readonly path: string } | null;
      try {
        saved = await ports.files.save(profileFileName(address), new TextEncoder().encode(xml));
      } catch (cause) {
        logger.warn('iphone profile not saved', { error: cause instanceof Error ? cause.message : String(cause) });
        return err('save-failed');
      }
      if (!saved) return err('save-cancelled');
      if (appliedId) await markApplied(call, appliedId, 'iphone-profile');
      const fileId = randomId(deps.random);
      savedProfiles.set(fileId, { mailbox: address, path: saved.path });
      return ok({ fileId, path: saved.path, includesPassword: appliedId !== null, deleteOfferAt: clock.now() + profileDeleteOfferMs });
    },

    'mail-clients:mac-profile-open': async (request, call) => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      if (!policy().clientIntegrations.iphoneProfile) return err('integration-disabled');
      const profile = await profileOf(call, session.data, request);
      if (!profile.ok) return profile;
      const { xml, appliedId } = profile.data;
      let file: { readonly path: string };
      try {
        file = await ports.temporary.write(profileFileName(session.data.address), new TextEncoder().encode(xml));
      } catch (cause) {
        logger.warn('profile to open not written', { error: cause instanceof Error ? cause.message : String(cause) });
        return err('save-failed');
      }
      try {
        await ports.opener.open(file.path);
      } catch (cause) {
        // Nothing will read it: it goes now, not in ten minutes.
        await removeOpened(file.path);
        logger.warn('profile not opened', { error: cause instanceof Error ? cause.message : String(cause) });
        return err('open-failed');
      }
      if (appliedId) await markApplied(call, appliedId, 'iphone-profile');
      // The OS has read it or will within the delay; it may hold the password, so it does not stay.
      ports.scheduler.after(openedProfileRemoveMs, () => void removeOpened(file.path));
      return ok({ includesPassword: appliedId !== null, removeAt: clock.now() + openedProfileRemoveMs });
    },

    'mail-clients:iphone-profile-delete': async (request, call) => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      const saved = savedProfiles.get(request.fileId);
      if (!saved || saved.mailbox !== session.data.address) return err('not-found');
      try {
        await ports.files.remove(saved.path);
      } catch (cause) {
        logger.warn('iphone profile not deleted', { error: cause instanceof Error ? cause.message : String(cause) });
        return err('delete-failed');
      }
      savedProfiles.delete(request.fileId);
      return ok({} as Empty);
    },

    'mail-clients:test-connection': async (request, call): Promise<Result<ResponseOf<'mail-clients:test-connection'>>> => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      const address = session.data.address;
      let secret: string;
      if (request.secret.kind === 'keychain') {
        let remembered: string | null;
        try {
          remembered = await ports.shelf.read(address, request.secret.name);
        } catch (cause) {
          return keychainFailure(cause);
        }
        if (remembered === null) return err('not-found');
        secret = remembered;
      } else {
        secret = request.secret.password;
      }
      // Client passwords are accepted with spaces (as shown); the mail server is sent them without.
      const sent = authority.wireForm(secret);
      const { mailServer } = policy();
      const [imap, smtp] = await Promise.all([
        ports.tester.test('imap', mailServer.imap, address, sent),
        ports.tester.test('smtp', mailServer.smtp, address, sent),
      ]);
      let mainPassword: boolean | null = null;
      const explain = async (endpoint: MailEndpoint, result: { outcome: ConnectionTestView['outcome']; detail: string }): Promise<ConnectionTestView> => {
        if (result.outcome === 'auth-refused') {
          // Refused, and it is the main password of a mailbox with 2FA on: say so, not "password
          // error". Not known (the authority cannot be asked): the plain refusal stands.
          if (mainPassword === null) {
            const told = await authority.classify(call, [sent]);
            mainPassword = told.ok && told.data.twoFactor && told.data.verdicts[0] === 'main-password';
          }
          if (mainPassword) return { outcome: 'main-password', endpoint: { ...endpoint }, detail: result.detail };
        }
        return { outcome: result.outcome, endpoint: { ...endpoint }, detail: result.detail };
      };
      const imapView = await explain(mailServer.imap, imap);
      const smtpView = await explain(mailServer.smtp, smtp);
      return ok({ imap: imapView, smtp: smtpView });
    },
  };
}
