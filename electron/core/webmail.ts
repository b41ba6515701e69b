/**
 * When the mail system's own web mail manages two-factor, client passwords, devices and sharing
 * (docs/rules.md §15): Mailwarden holds no account, no hash and no session of its own. It knows
 * the person's address (told once, kept on this computer), opens the web mail's pages, and checks
 * from outside what it can:
 * - a client password made on the web mail is real when the mail server accepts it: a live IMAP
 *   and SMTP login replaces the hash check of Mailwarden's own passwords, and only then is it
 *   written into a keychain, a Foxmail or Thunderbird profile or an iPhone profile (the same writers);
 * - two-factor is on when a main password that worked here before is now refused.
 * The checks keep only their conclusion (worked / refused), never the password.
 */
import type { ClientPasswordCheck, WebmailStatus } from '../shared/channels/webmail';
import type { ConnectionTestView } from '../shared/channels/mail-clients';
import type { MailProtocol } from '../shared/client-password-rules';
import type { MailEndpoint } from '../shared/mail-server';
import { err, ok, type Result } from '../shared/result';
import type { HandlersOf } from './handler-types';
import type { MailClientAuthority } from './mail-clients/authority';
import type { ConnectionTester } from './mail-clients/ports';
import { isValidAddress } from './directory';
import { normalizeAddress } from './mailbox';
import type { AccountsManagedBy, Policy } from './policy';

/** What this computer keeps for the web-mail mode: no secret. */
export interface WebmailProfile {
  /** The mailbox this computer works for. */
  readonly address: string | null;
  /** A login with the main password worked here at least once (since the address was set). */
  readonly mainPasswordWorked: boolean;
  /** ...and was later refused: the sign that two-factor is on. */
  readonly twoFactorOn: boolean;
  /** The person's choice where policy only recommends who manages accounts; null: policy's. */
  readonly choice: AccountsManagedBy | null;
}

export const emptyWebmailProfile: WebmailProfile = { address: null, mainPasswordWorked: false, twoFactorOn: false, choice: null };

/** Kept in the data folder; `write` is atomic (a kill leaves the old profile or the new one). */
export interface WebmailProfileStore {
  read(): Promise<WebmailProfile>;
  write(profile: WebmailProfile): Promise<void>;
}

/** A client password as the web mail shows it: 16 letters or digits, in groups or not. */
const pastedShape = /^[A-Za-z0-9]{16}$/;

/**
 * The pasted text as a mail client sends it: without the spaces between the groups, case kept.
 * @internal exported for its unit test; the handlers below are its callers.
 */
export function pastedClientPassword(input: string): string | null {
  const plain = input.replace(/\s+/g, '');
  return pastedShape.test(plain) ? plain : null;
}

/** Who manages accounts on this computer: an enforced policy, else the person's choice, else the recommended or default value. */
export function accountsManagedBy(policy: Policy, enforced: boolean, profile: WebmailProfile): AccountsManagedBy {
  return enforced || profile.choice === null ? policy.accountsManagedBy : profile.choice;
}

/** The person's choice of who manages accounts, where policy leaves it to them. */
export interface WebmailChoice {
  /** Whether IT enforces `accounts.managedBy` (the person may not choose). */
  readonly managedByEnforced: () => boolean;
  /** Keeps the choice and switches this desktop to it for the next request; absent where there is no desktop to switch. */
  readonly switchTo?: (managedBy: AccountsManagedBy) => Promise<Result<unknown>>;
}

export interface WebmailDependencies extends WebmailChoice {
  readonly profiles: WebmailProfileStore;
  readonly tester: ConnectionTester;
  readonly policy: () => Policy;
}

/** IMAP and SMTP logins with one password, side by side. */
async function loginBoth(deps: WebmailDependencies, address: string, password: string): Promise<ClientPasswordCheck> {
  const { mailServer } = deps.policy();
  const view = (endpoint: MailEndpoint, result: { outcome: ConnectionTestView['outcome']; detail: string }): ConnectionTestView => ({
    outcome: result.outcome,
    endpoint: { ...endpoint },
    detail: result.detail,
  });
  const [imap, smtp] = await Promise.all([
    deps.tester.test('imap', mailServer.imap, address, password),
    deps.tester.test('smtp', mailServer.smtp, address, password),
  ]);
  const scopes: MailProtocol[] = [];
  // POP3 is the same account on the same server as IMAP: a password IMAP accepts serves it too.
  if (imap.outcome === 'ok') scopes.push('imap', 'pop3');
  if (smtp.outcome === 'ok') scopes.push('smtp');
  return { imap: view(mailServer.imap, imap), smtp: view(mailServer.smtp, smtp), scopes };
}

/** Refused by a server that answered, on every server: the password is wrong (not a network fault). */
function refusedEverywhere(check: ClientPasswordCheck): boolean {
  return check.scopes.length === 0 && [check.imap.outcome, check.smtp.outcome].includes('auth-refused');
}

/** The mail-client rules' authority in this mode: the mail server itself says what a password is. */
export function webmailAuthority(deps: WebmailDependencies): MailClientAuthority {
  return {
    async signedIn() {
      const { address } = await deps.profiles.read();
      return address === null ? err('not-signed-in') : ok({ address, displayName: address });
    },
    async verifyClientPassword(_call, id, password) {
      const { address } = await deps.profiles.read();
      if (address === null) return err('not-signed-in');
      const plain = pastedClientPassword(password);
      if (plain === null) return err('client-password-shape');
      const check = await loginBoth(deps, address, plain);
      if (check.scopes.length === 0) return err(refusedEverywhere(check) ? 'client-password-refused' : 'server-unreachable');
      // The web mail keeps the list; here the person's own name for it (where it goes) stands in.
      return ok({ id, name: id, plain, scopes: check.scopes });
    },
    // The web mail's list says where its passwords are used, not this computer.
    markApplied: async () => ok({}),
    async classify(_call, secrets) {
      const profile = await deps.profiles.read();
      if (profile.address === null) return err('not-signed-in');
      // Without the web mail's records a stored password cannot be told apart without logging in with it.
      return ok({ verdicts: secrets.map(() => 'other' as const), twoFactor: profile.twoFactorOn });
    },
    wireForm: (secret) => pastedClientPassword(secret) ?? secret,
  };
}

function statusOf(deps: WebmailDependencies, profile: WebmailProfile): WebmailStatus {
  return {
    mode: 'webmail',
    address: profile.address,
    webmailUrl: `https://${deps.policy().serverHost}/`,
    twoFactor: profile.twoFactorOn ? 'on' : profile.mainPasswordWorked ? 'off' : 'unknown',
    changeable: !deps.managedByEnforced() && deps.switchTo !== undefined,
  };
}

/** The `webmail:` channels in this mode. */
export function createWebmailHandlers(deps: WebmailDependencies): HandlersOf<'webmail'> {
  return {
    'webmail:status': async () => ok(statusOf(deps, await deps.profiles.read())),
    'webmail:set-address': async (request) => {
      const address = normalizeAddress(request.address);
      if (!isValidAddress(address)) return err('invalid-address');
      const current = await deps.profiles.read();
      // Another mailbox: what the checks found was about the old one.
      const next: WebmailProfile = current.address === address ? current : { ...emptyWebmailProfile, choice: current.choice, address };
      await deps.profiles.write(next);
      return ok(statusOf(deps, next));
    },
    'webmail:choose': (request) => chooseManagedBy(deps, request.managedBy),
    'webmail:check-two-factor': async (request) => {
      const profile = await deps.profiles.read();
      if (profile.address === null) return err('not-signed-in');
      const { mailServer } = deps.policy();
      const login = await deps.tester.test('imap', mailServer.imap, profile.address, request.password);
      let next = profile;
      if (login.outcome === 'ok') next = { ...profile, mainPasswordWorked: true, twoFactorOn: false };
      // Refused after having worked here: the web mail now asks for a client password.
      else if (login.outcome === 'auth-refused' && profile.mainPasswordWorked) next = { ...profile, twoFactorOn: true };
      if (next !== profile) await deps.profiles.write(next);
      return ok({ status: statusOf(deps, next), login: { outcome: login.outcome, endpoint: { ...mailServer.imap }, detail: login.detail } });
    },
    'webmail:check-client-password': async (request) => {
      const { address } = await deps.profiles.read();
      if (address === null) return err('not-signed-in');
      const plain = pastedClientPassword(request.password);
      if (plain === null) return err('client-password-shape');
      const check = await loginBoth(deps, address, plain);
      if (refusedEverywhere(check)) return err('client-password-refused');
      return ok(check);
    },
  };
}

async function chooseManagedBy(deps: WebmailChoice, managedBy: AccountsManagedBy): Promise<Result<{ managedBy: AccountsManagedBy }>> {
  if (deps.managedByEnforced()) return err('policy-locked');
  if (!deps.switchTo) return err('desktop-only');
  const switched = await deps.switchTo(managedBy);
  return switched.ok ? ok({ managedBy }) : switched;
}

/**
 * The `webmail:` channels where Mailwarden manages accounts (this computer's store or the
 * organisation server): only the choice to hand them to the web mail, where policy allows it.
 */
export function createWebmailOffHandlers(deps: WebmailChoice & { readonly policy: () => Policy }): HandlersOf<'webmail'> {
  const off = async () => err('not-webmail-mode');
  return {
    'webmail:status': async () =>
      ok({
        mode: 'mailwarden',
        address: null,
        webmailUrl: `https://${deps.policy().serverHost}/`,
        twoFactor: 'unknown',
        changeable: !deps.managedByEnforced() && deps.switchTo !== undefined,
      }),
    'webmail:set-address': off,
    'webmail:choose': (request) => chooseManagedBy(deps, request.managedBy),
    'webmail:check-two-factor': off,
    'webmail:check-client-password': off,
  };
}
