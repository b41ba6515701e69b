/**
 * Putting a client password into mail clients (SPEC.md §8). The work on the machine (keychain,
 * Foxmail files, saving a file, logging in to the mail server) is done by the ports; here are
 * the rules: who may ask, what policy offers, that only a real client password of this mailbox
 * is ever written anywhere, and what each outcome means to the person.
 */
import QRCode from 'qrcode-svg';
import type { ConnectionTestView, FoxmailAccountView, FoxmailInstallationView } from '../../shared/channels/mail-clients';
import type { ApplyTarget } from '../../shared/client-password-rules';
import type { ResponseOf } from '../../shared/contract';
import { profileDeleteOfferMs, type MailEndpoint, type MailServerSettings } from '../../shared/mail-server';
import { err, ok, type Result } from '../../shared/result';
import type { CallContext } from '../call';
import type { ClientPasswordRecord } from '../client-password-record';
import { clientPasswordLookup, looksLikeClientPassword, markClientPasswordApplied, normalizeClientPassword, ownPassword } from '../client-passwords';
import type { CoreContext } from '../context';
import type { HandlersOf } from '../handlers';
import { randomId } from '../ids';
import { hasTwoFactor, normalizeAddress, type MailboxRecord } from '../mailbox';
import { KeychainUnavailableError } from '../ports';
import { requireSession } from '../sign-in';
import { buildMobileconfig, profileFileName } from './mobileconfig';
import { FoxmailError, type FoxmailAccount, type FoxmailRefusal, type MailClientPorts } from './ports';

type Empty = Record<string, never>;

const productName = 'Mailwarden';

function mailboxes(core: CoreContext) {
  return core.store.collection<MailboxRecord>('mailboxes');
}

/** The language-neutral text the Android card's QR code holds: protocol names read the same everywhere. */
export function settingsCardText(address: string, server: MailServerSettings): string {
  const line = (name: string, endpoint: MailEndpoint) =>
    `${name}: ${endpoint.host}:${endpoint.port} ${endpoint.security === 'tls' ? 'SSL/TLS' : endpoint.security === 'starttls' ? 'STARTTLS' : 'none'}`;
  return [`Email: ${address}`, `User: ${address}`, line('IMAP', server.imap), line('POP3', server.pop3), line('SMTP', server.smtp)].join('\n');
}

/**
 * The client password the renderer sends back with an apply request, checked against that
 * password's stored hash: a mistyped or foreign secret never reaches a keychain, profile or file.
 */
async function checkedClientPassword(core: CoreContext, mailbox: string, id: string, password: string): Promise<Result<ClientPasswordRecord & { readonly plain: string }>> {
  const record = await ownPassword(core, mailbox, id);
  if (!record) return err('not-found');
  const plain = normalizeClientPassword(password);
  if (!looksLikeClientPassword(plain) || !(await core.hasher.verify(plain, record.hash))) return err('password-mismatch');
  return ok({ ...record, plain });
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
      svg = new QRCode({ content: text, ecl: 'M', padding: 4, join: true, xmlDeclaration: false, container: 'svg-viewbox' }).svg();
      if (this.#drawn.size >= this.capacity) this.#drawn.delete(this.#drawn.keys().next().value!);
    } else {
      this.#drawn.delete(text);
    }
    this.#drawn.set(text, svg);
    return svg;
  }
}

export function createMailClientsHandlers(core: CoreContext, ports: MailClientPorts): HandlersOf<'mail-clients'> {
  const cardCodes = new CardCodes();
  /** Profiles saved by this process, by the id given to the renderer: it never names a path to delete. */
  const savedProfiles = new Map<string, SavedProfile>();
  /**
   * Foxmail accounts the last scan listed, per mailbox: an apply may name only one of them, and
   * only one of this mailbox's own (`others`: listed, but another mailbox's, so refused).
   */
  const scannedRefs = new Map<string, { readonly own: Set<string>; readonly others: Set<string> }>();

  async function signedIn(call: CallContext, allowEnrollment = false) {
    return requireSession(core, call, { allowEnrollment });
  }

  /** What a Foxmail account stores, told without decoding other mailboxes' passwords. */
  async function storedPasswordOf(
    account: FoxmailAccount,
    mailbox: MailboxRecord,
    verdicts: Map<string, Promise<FoxmailAccountView['storedPassword']>>,
  ): Promise<FoxmailAccountView['storedPassword']> {
    if (normalizeAddress(account.address) !== mailbox.address) return 'not-this-mailbox';
    let stored: string | null;
    try {
      stored = await ports.foxmail.readPassword(account.ref);
    } catch {
      return 'unknown';
    }
    if (stored === null) return 'unknown';
    if (stored === '') return 'none';
    // Each verdict costs a scrypt verify or two; profiles often hold the same password (office
    // and home), so one scan tells each distinct password once.
    let verdict = verdicts.get(stored);
    if (!verdict) {
      verdict = classifyStoredPassword(stored, mailbox);
      verdicts.set(stored, verdict);
    }
    return verdict;
  }

  async function classifyStoredPassword(stored: string, mailbox: MailboxRecord): Promise<FoxmailAccountView['storedPassword']> {
    const normalized = normalizeClientPassword(stored);
    if (looksLikeClientPassword(normalized)) {
      const record = await core.store
        .collection<ClientPasswordRecord>('clientPasswords')
        .findOne({ mailbox: mailbox.address, lookup: clientPasswordLookup(core, normalized) });
      if (record && (await core.hasher.verify(normalized, record.hash))) return 'client-password';
    }
    if (await core.hasher.verify(stored, mailbox.passwordHash)) return 'main-password';
    return 'other';
  }

  async function scan(mailbox: MailboxRecord): Promise<FoxmailInstallationView[]> {
    const installations = await ports.foxmail.scan();
    const refs = { own: new Set<string>(), others: new Set<string>() };
    const verdicts = new Map<string, Promise<FoxmailAccountView['storedPassword']>>();
    const views: FoxmailInstallationView[] = [];
    for (const installation of installations) {
      const accounts: FoxmailAccountView[] = [];
      for (const account of installation.accounts) {
        (normalizeAddress(account.address) === mailbox.address ? refs.own : refs.others).add(account.ref);
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
          storedPassword: await storedPasswordOf(account, mailbox, verdicts),
        });
      }
      views.push({ root: installation.root, version: installation.version, running: installation.running, foundBy: installation.foundBy, accounts });
    }
    scannedRefs.set(mailbox.address, refs);
    return views;
  }

  async function markApplied(mailbox: string, id: string, target: ApplyTarget): Promise<void> {
    await markClientPasswordApplied(core, mailbox, id, target);
  }

  return {
    'mail-clients:settings': async (_request, call) => {
      const session = await signedIn(call, true);
      if (!session.ok) return session;
      const { mailServer, clientIntegrations } = core.policy();
      const address = session.data.mailbox;
      const text = settingsCardText(address, mailServer);
      const qrSvg = cardCodes.svg(text);
      return ok({
        address,
        imap: { ...mailServer.imap },
        smtp: { ...mailServer.smtp },
        pop3: { ...mailServer.pop3 },
        offered: { ...clientIntegrations },
        card: { text, qrSvg },
      });
    },

    'mail-clients:keychain-list': async (_request, call) => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      if (!core.policy().clientIntegrations.keychain) return err('integration-disabled');
      try {
        return ok({ names: await ports.shelf.names(session.data.mailbox) });
      } catch (cause) {
        return keychainFailure(cause);
      }
    },

    'mail-clients:keychain-remember': async (request, call) => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      if (!core.policy().clientIntegrations.keychain) return err('integration-disabled');
      const checked = await checkedClientPassword(core, session.data.mailbox, request.id, request.password);
      if (!checked.ok) return checked;
      try {
        await ports.shelf.remember(session.data.mailbox, checked.data.name, checked.data.plain);
      } catch (cause) {
        return keychainFailure(cause);
      }
      await markApplied(session.data.mailbox, checked.data._id, 'keychain');
      return ok({ name: checked.data.name });
    },

    'mail-clients:keychain-forget': async (request, call) => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      if (!core.policy().clientIntegrations.keychain) return err('integration-disabled');
      try {
        const removed = await ports.shelf.forget(session.data.mailbox, request.name);
        return removed ? ok({} as Empty) : err('not-found');
      } catch (cause) {
        return keychainFailure(cause);
      }
    },

    'mail-clients:foxmail-scan': async (_request, call) => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      if (!core.policy().clientIntegrations.foxmail) return err('integration-disabled');
      const mailbox = await mailboxes(core).get(session.data.mailbox);
      if (!mailbox) return err('not-signed-in');
      return ok({ installations: await scan(mailbox) });
    },

    'mail-clients:foxmail-apply': async (request, call) => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      if (!core.policy().clientIntegrations.foxmail) return err('integration-disabled');
      const mailbox = session.data.mailbox;
      const scanned = scannedRefs.get(mailbox);
      // Never this mailbox's client password into another mailbox's account, whoever asks.
      if (scanned?.others.has(request.ref)) return err('foxmail-other-mailbox');
      if (!scanned?.own.has(request.ref)) return err('not-found');
      const checked = await checkedClientPassword(core, mailbox, request.id, request.password);
      if (!checked.ok) return checked;
      try {
        const { backupPath } = await ports.foxmail.writePassword(request.ref, checked.data.plain);
        await markApplied(mailbox, checked.data._id, 'foxmail');
        core.logger.info('foxmail profile updated', { profile: request.ref, backup: backupPath });
        return ok({ backupPath });
      } catch (cause) {
        if (cause instanceof FoxmailError) {
          core.logger.warn('foxmail profile not changed', { profile: request.ref, reason: cause.reason, error: cause.message });
          return err(foxmailCodes[cause.reason]);
        }
        throw cause;
      }
    },

    'mail-clients:what-will-break': async (_request, call) => {
      // Asked before 2FA is on, so an enrolment-only session may ask too.
      const session = await signedIn(call, true);
      if (!session.ok) return session;
      if (!core.policy().clientIntegrations.foxmail) return ok({ accounts: [] });
      const mailbox = await mailboxes(core).get(session.data.mailbox);
      if (!mailbox) return err('not-signed-in');
      const installations = await scan(mailbox);
      return ok({ accounts: installations.flatMap((installation) => installation.accounts.filter((account) => account.storedPassword === 'main-password')) });
    },

    'mail-clients:iphone-profile-save': async (request, call) => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      if (!core.policy().clientIntegrations.iphoneProfile) return err('integration-disabled');
      const address = session.data.mailbox;
      const mailbox = await mailboxes(core).get(address);
      if (!mailbox) return err('not-signed-in');
      let password: string | null = null;
      let appliedId: string | null = null;
      if (request.includePassword) {
        if (request.id === undefined || request.password === undefined) return err('password-mismatch');
        const checked = await checkedClientPassword(core, address, request.id, request.password);
        if (!checked.ok) return checked;
        password = checked.data.plain;
        appliedId = checked.data._id;
      }
      const xml = buildMobileconfig({ address, displayName: mailbox.displayName || address, server: core.policy().mailServer, password, organisation: productName }, core.random);
      let saved: { readonly path: string } | null;
      try {
        saved = await ports.files.save(profileFileName(address), new TextEncoder().encode(xml));
      } catch (cause) {
        core.logger.warn('iphone profile not saved', { error: cause instanceof Error ? cause.message : String(cause) });
        return err('save-failed');
      }
      if (!saved) return err('save-cancelled');
      if (appliedId) await markApplied(address, appliedId, 'iphone-profile');
      const fileId = randomId(core.random);
      savedProfiles.set(fileId, { mailbox: address, path: saved.path });
      return ok({ fileId, path: saved.path, includesPassword: password !== null, deleteOfferAt: core.clock.now() + profileDeleteOfferMs });
    },

    'mail-clients:iphone-profile-delete': async (request, call) => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      const saved = savedProfiles.get(request.fileId);
      if (!saved || saved.mailbox !== session.data.mailbox) return err('not-found');
      try {
        await ports.files.remove(saved.path);
      } catch (cause) {
        core.logger.warn('iphone profile not deleted', { error: cause instanceof Error ? cause.message : String(cause) });
        return err('delete-failed');
      }
      savedProfiles.delete(request.fileId);
      return ok({} as Empty);
    },

    'mail-clients:test-connection': async (request, call): Promise<Result<ResponseOf<'mail-clients:test-connection'>>> => {
      const session = await signedIn(call);
      if (!session.ok) return session;
      const address = session.data.mailbox;
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
      const sent = looksLikeClientPassword(normalizeClientPassword(secret)) ? normalizeClientPassword(secret) : secret;
      const { mailServer } = core.policy();
      const [imap, smtp] = await Promise.all([
        ports.tester.test('imap', mailServer.imap, address, sent),
        ports.tester.test('smtp', mailServer.smtp, address, sent),
      ]);
      let mainPassword: boolean | null = null;
      const explain = async (endpoint: MailEndpoint, result: { outcome: ConnectionTestView['outcome']; detail: string }): Promise<ConnectionTestView> => {
        if (result.outcome === 'auth-refused') {
          // Refused, and it is the main password of a mailbox with 2FA on: say so, not "password error".
          mainPassword ??= await isMainPasswordWithTwoFactor(core, address, sent);
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

async function isMainPasswordWithTwoFactor(core: CoreContext, address: string, secret: string): Promise<boolean> {
  const mailbox = await mailboxes(core).get(address);
  if (!mailbox || !hasTwoFactor(mailbox)) return false;
  return core.hasher.verify(secret, mailbox.passwordHash);
}
