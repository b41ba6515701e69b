/**
 * Putting a client password into mail clients (docs/rules.md §8). The work on the machine (keychain,
 * Foxmail files, saving a file, logging in to the mail server) is done by the ports; here are
 * the rules: who may ask, what policy offers, that only a real client password of this mailbox
 * is ever written anywhere, and what each outcome means to the person.
 */
import { qrSvg } from '../qr-svg';
import type { ConnectionTestView } from '../../shared/channels/mail-clients';
import { mailProtocols, type ApplyTarget, type MailProtocol } from '../../shared/client-password-rules';
import type { ResponseOf } from '../../shared/contract';
import { openedProfileRemoveMs, profileDeleteOfferMs, type ClientIntegrations, type MailEndpoint, type MailServerSettings } from '../../shared/mail-server';
import { err, ok, type Result } from '../../shared/result';
import type { CallContext } from '../call';
import type { HandlersOf } from '../handler-types';
import { randomId } from '../ids';
import type { Policy } from '../policy';
import { KeychainUnavailableError, type Clock, type Logger, type Random } from '../ports';
import type { MailClientAuthority, SignedInMailbox } from './authority';
import { createLocalClients } from './local-clients';
import { buildMobileconfig, profileFileName } from './mobileconfig';
import type { MailClientPorts } from './ports';

type Empty = Record<string, never>;

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
  const local = createLocalClients({ authority, ports, logger, markApplied });
  /** Profiles saved by this process, by the id given to the renderer: it never names a path to delete. */
  const savedProfiles = new Map<string, SavedProfile>();
  function signedIn(call: CallContext, allowEnrollment = false): Promise<Result<SignedInMailbox>> {
    return authority.signedIn(call, allowEnrollment);
  }

  /** The signed-in mailbox, when the policy in force offers this integration. */
  async function signedInFor(call: CallContext, integration: keyof ClientIntegrations): Promise<Result<SignedInMailbox>> {
    const session = await signedIn(call);
    if (session.ok && !policy().clientIntegrations[integration]) return err('integration-disabled');
    return session;
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
      const session = await signedInFor(call, 'keychain');
      if (!session.ok) return session;
      try {
        return ok({ names: await ports.shelf.names(session.data.address) });
      } catch (cause) {
        return keychainFailure(cause);
      }
    },

    'mail-clients:keychain-remember': async (request, call) => {
      const session = await signedInFor(call, 'keychain');
      if (!session.ok) return session;
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
      const session = await signedInFor(call, 'keychain');
      if (!session.ok) return session;
      try {
        const removed = await ports.shelf.forget(session.data.address, request.name);
        return removed ? ok({} as Empty) : err('not-found');
      } catch (cause) {
        return keychainFailure(cause);
      }
    },

    'mail-clients:foxmail-scan': async (_request, call) => {
      const session = await signedInFor(call, 'foxmail');
      if (!session.ok) return session;
      const installations = await local.scanFoxmail(call, session.data.address);
      return installations.ok ? ok({ installations: installations.data }) : installations;
    },

    'mail-clients:foxmail-apply': async (request, call) => {
      const session = await signedInFor(call, 'foxmail');
      if (!session.ok) return session;
      const written = await local.writeFoxmail(call, session.data.address, request);
      return written.ok ? ok({ backupPath: written.data.backupPath }) : written;
    },

    'mail-clients:thunderbird-scan': async (_request, call) => {
      const session = await signedInFor(call, 'thunderbird');
      if (!session.ok) return session;
      return ok({ installations: await local.scanThunderbird(session.data.address) });
    },

    'mail-clients:thunderbird-apply': async (request, call) => {
      const session = await signedInFor(call, 'thunderbird');
      if (!session.ok) return session;
      const written = await local.writeThunderbird(call, session.data.address, request);
      if (!written.ok) return written;
      const { backupPath, logins } = written.data;
      return ok({ backupPath, logins: logins.map((login) => ({ origin: login.origin, change: login.change })) });
    },

    'mail-clients:what-will-break': async (_request, call) => {
      // Asked before 2FA is on, so an enrolment-only session may ask too.
      const session = await signedIn(call, true);
      if (!session.ok) return session;
      if (!policy().clientIntegrations.foxmail) return ok({ accounts: [] });
      const installations = await local.scanFoxmail(call, session.data.address);
      if (!installations.ok) return installations;
      return ok({
        accounts: installations.data.flatMap((installation) => installation.accounts.filter((account) => account.storedPassword === 'main-password')),
      });
    },

    'mail-clients:iphone-profile-save': async (request, call) => {
      const session = await signedInFor(call, 'iphoneProfile');
      if (!session.ok) return session;
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
      const session = await signedInFor(call, 'iphoneProfile');
      if (!session.ok) return session;
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
