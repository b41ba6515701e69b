/**
 * The connection test (docs/rules.md §8): logs in over IMAP with imapflow and checks SMTP AUTH with
 * nodemailer's verify(), then says in one of a few words what went wrong.
 *
 * Most failures name themselves in the libraries' errors (see classify()). Two do not: a client
 * that waits for a greeting meets a server that waits for the client (plain against a TLS port, a
 * mail client against an HTTP port) and both give up as a timeout; and imapflow ignores a greeting
 * that is not IMAP (an SMTP banner) until its greeting timer fires. For those, and for a TLS
 * handshake refused by a server that speaks plaintext (a mail server with SSL off, or an HTTP
 * server), a short second look (probe()) asks the port what it is. The probe sends no credentials.
 *
 * The libraries get half the time for connecting and the greeting, so a probe has time left.
 * Logging is off in both: what they log includes the server's replies, and the detail returned
 * here is scrubbed of the secret in every form it travels in (redact()).
 *
 * Whom it trusts (trustedCaCertificates()): Node's bundled roots, the system's certificate store
 * (where IT installs an institution's private CA) and a CA passed in. Node alone trusts only its
 * bundled roots, and a `ca` option replaces them, so the whole list is always passed.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import type { ConnectionTester, ConnectionTestResult } from '../core/mail-clients/ports';
import { connectionTestTimeoutMs, type MailEndpoint } from '../shared/mail-server';

type Protocol = 'imap' | 'smtp';
type Failure = Exclude<ConnectionTestResult['outcome'], 'ok'>;

export interface NetworkConnectionTesterOptions {
  /** How long one test may take in all, connecting, probing and logging in. */
  readonly timeoutMs?: number;
  /** Certificate authorities trusted besides the bundled and the system's (the tests' own). */
  readonly ca?: string | Buffer;
  /**
   * PEM files read as the system's certificate store instead of asking the system; tests pass
   * their own. By default: Node's `tls.getCACertificates('system')` where it exists (Node 22.15+,
   * so Electron), else on Linux the distribution's bundle (/etc/ssl/certs/ca-certificates.crt and
   * its siblings), else none.
   */
  readonly systemCaFiles?: readonly string[];
}

/** Where Linux distributions keep the system's CA bundle (Debian/Ubuntu, Fedora/RHEL, openSUSE, Alpine). */
const linuxCaBundles = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/ca-bundle.pem', '/etc/ssl/cert.pem'];

const pemCertificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

async function certificatesIn(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).match(pemCertificate) ?? [];
  } catch {
    // An unreadable store is an empty one: the bundled roots still apply.
    return [];
  }
}

/** The system's trusted CAs as PEM: Node's own reader where it has one, else the files. */
async function systemCertificates(files: readonly string[] | undefined): Promise<string[]> {
  if (files) return (await Promise.all(files.map(certificatesIn))).flat();
  const getCACertificates = (tls as { getCACertificates?: (type: 'system') => string[] }).getCACertificates;
  if (typeof getCACertificates === 'function') {
    try {
      return getCACertificates('system');
    } catch {
      // The store could not be read; fall through to the files.
    }
  }
  if (process.platform !== 'linux') return [];
  for (const bundle of linuxCaBundles) {
    const found = await certificatesIn(bundle);
    if (found.length > 0) return found;
  }
  return [];
}

/**
 * Every CA a connection test trusts, as PEM: Node's bundled roots, NODE_EXTRA_CA_CERTS (which a
 * `ca` option would otherwise drop), the system's store and `ca`. Duplicates are kept once.
 * @internal
 */
export async function trustedCaCertificates(options: Pick<NetworkConnectionTesterOptions, 'ca' | 'systemCaFiles'>): Promise<string[]> {
  const extraFile = process.env.NODE_EXTRA_CA_CERTS;
  const [system, extra] = await Promise.all([systemCertificates(options.systemCaFiles), extraFile ? certificatesIn(extraFile) : Promise.resolve([])]);
  const given = options.ca === undefined ? [] : (options.ca.toString().match(pemCertificate) ?? []);
  return [...new Set([...tls.rootCertificates, ...extra, ...system, ...given].map((pem) => pem.trim()))];
}

/** Longest detail handed back: enough for a code, a message and the server's reply. */
const detailLimit = 300;

/** The probe waits this long for a greeting before asking in HTTP (mail servers greet at once). */
const probeGreetingMs = 2_000;

/** An attempt given up at the overall deadline. */
class DeadlineError extends Error {
  readonly code = 'DEADLINE';
}

export class NetworkConnectionTester implements ConnectionTester {
  private readonly timeoutMs: number;
  private readonly trustOptions: Pick<NetworkConnectionTesterOptions, 'ca' | 'systemCaFiles'>;
  /** Read once, at the first test. */
  private trusted: Promise<string[]> | undefined;

  constructor(options: NetworkConnectionTesterOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? connectionTestTimeoutMs;
    this.trustOptions = { ca: options.ca, systemCaFiles: options.systemCaFiles };
  }

  async test(protocol: Protocol, endpoint: MailEndpoint, user: string, secret: string): Promise<ConnectionTestResult> {
    const deadline = Date.now() + this.timeoutMs;
    let giveUp: NodeJS.Timeout | undefined;
    let attempt: Attempt | undefined;
    try {
      const overtime = new Promise<never>((_, reject) => {
        giveUp = setTimeout(() => reject(new DeadlineError(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      });
      this.trusted ??= trustedCaCertificates(this.trustOptions);
      const ca = await this.trusted;
      attempt = protocol === 'imap' ? this.imap(endpoint, user, secret, ca) : this.smtp(endpoint, user, secret, ca);
      await Promise.race([attempt.done, overtime]);
      return { outcome: 'ok', detail: '' };
    } catch (cause) {
      clearTimeout(giveUp);
      attempt?.cancel();
      let outcome = classify(protocol, cause);
      // Scrubbed before it is cut, so no piece of the secret survives at the cut; room is left for
      // what the probe found (at most about a hundred characters).
      let detail = redact(describe(cause), user, secret).slice(0, detailLimit - 120);
      if (outcome === 'timeout' || (outcome === 'tls-mismatch' && endpoint.security === 'tls' && isTlsLevel(cause))) {
        const found = await probe(protocol, endpoint, outcome, deadline - Date.now());
        outcome = found.outcome;
        if (found.note) detail = `${detail}; ${found.note}`;
      }
      return { outcome, detail: detail.slice(0, detailLimit) };
    } finally {
      clearTimeout(giveUp);
    }
  }

  private imap(endpoint: MailEndpoint, user: string, secret: string, ca: string[]): Attempt {
    const half = Math.max(1, Math.floor(this.timeoutMs / 2));
    const client = new ImapFlow({
      host: endpoint.host,
      port: endpoint.port,
      secure: endpoint.security === 'tls',
      // true demands STARTTLS (a server without it fails the test), false never sends it.
      ...(endpoint.security === 'tls' ? {} : { doSTARTTLS: endpoint.security === 'starttls' }),
      auth: { user, pass: secret },
      logger: false,
      tls: { ca },
      connectionTimeout: half,
      greetingTimeout: half,
      socketTimeout: this.timeoutMs,
      disableAutoIdle: true,
    });
    // Failures arrive through connect()'s rejection; an 'error' event without a listener would throw.
    client.on('error', () => undefined);
    const done = (async () => {
      await client.connect();
      await client.logout().catch(() => undefined);
    })();
    done.catch(() => undefined);
    return { done, cancel: () => client.close() };
  }

  private smtp(endpoint: MailEndpoint, user: string, secret: string, ca: string[]): Attempt {
    const half = Math.max(1, Math.floor(this.timeoutMs / 2));
    const transporter = nodemailer.createTransport({
      host: endpoint.host,
      port: endpoint.port,
      secure: endpoint.security === 'tls',
      requireTLS: endpoint.security === 'starttls',
      ignoreTLS: endpoint.security === 'none',
      auth: { user, pass: secret },
      logger: false,
      debug: false,
      tls: { ca },
      connectionTimeout: half,
      greetingTimeout: half,
      dnsTimeout: half,
      socketTimeout: this.timeoutMs,
    });
    const done = transporter.verify().then(() => undefined);
    done.catch(() => undefined);
    // verify() keeps no handle on its connection: past the deadline it ends by its own timers.
    return { done, cancel: () => transporter.close() };
  }
}

interface Attempt {
  readonly done: Promise<void>;
  readonly cancel: () => void;
}

/** The bits of the libraries' errors looked at (imapflow's and nodemailer's, and Node's below them). */
interface LibraryError {
  readonly code?: unknown;
  readonly originalCode?: unknown;
  readonly message?: unknown;
  readonly response?: unknown;
  readonly responseCode?: unknown;
  readonly authenticationFailed?: unknown;
  readonly serverResponseCode?: unknown;
  readonly tlsFailed?: unknown;
}

function fields(cause: unknown): LibraryError {
  return typeof cause === 'object' && cause !== null ? (cause as LibraryError) : { message: String(cause) };
}

/** Node's code below nodemailer's (ESOCKET over ECONNREFUSED), or the only one there is. */
function systemCode(error: LibraryError): string {
  return String(error.originalCode ?? error.code ?? '');
}

const nameNotFound = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);
const cannotConnect = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'EADDRNOTAVAIL']);
const timedOut = new Set(['DEADLINE', 'ETIMEDOUT', 'ETIMEOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'SOCKET_TIMEOUT']);
/** Node's and OpenSSL's codes and words for a TLS handshake with a peer that does not speak TLS. */
const tlsMismatchCode = /^(EPROTO$|ERR_SSL_)/;
const tlsMismatchMessage = /wrong version number|packet length too long|unknown protocol/i;

function isTlsLevel(cause: unknown): boolean {
  const error = fields(cause);
  return tlsMismatchCode.test(systemCode(error)) || tlsMismatchMessage.test(String(error.message ?? ''));
}

function classify(protocol: Protocol, cause: unknown): Failure {
  const error = fields(cause);
  const code = String(error.code ?? '');
  const below = systemCode(error);
  const message = String(error.message ?? '');
  // The server wants TLS before a login: IMAP LOGINDISABLED, [PRIVACYREQUIRED]; SMTP 538.
  if (message === 'Login is disabled' || error.serverResponseCode === 'PRIVACYREQUIRED' || error.responseCode === 538) return 'tls-mismatch';
  if (protocol === 'imap' ? error.authenticationFailed === true : code === 'EAUTH') return 'auth-refused';
  if (code === 'EDNS' || nameNotFound.has(below)) return 'name-not-found';
  // STARTTLS demanded but not offered or failed (imapflow's tlsFailed, nodemailer's ETLS).
  if (error.tlsFailed === true || code === 'ETLS' || isTlsLevel(cause)) return 'tls-mismatch';
  if (timedOut.has(code) || timedOut.has(below)) return 'timeout';
  if (cannotConnect.has(below)) return 'cannot-connect';
  // Something answered, but not in this protocol: nodemailer's "Invalid greeting", imapflow's parser.
  if (code === 'EPROTOCOL' || code.startsWith('ParserError') || code === 'InvalidResponse' || code === 'UnexpectedTag') return 'wrong-port';
  // A certificate the system does not trust, a connection closed before or during the greeting:
  // nothing usable is there for this client.
  return 'cannot-connect';
}

/** Code and message, with the server's reply when the message does not carry it already. */
function describe(cause: unknown): string {
  const error = fields(cause);
  const codes = [...new Set([error.code, error.originalCode].filter((code) => code !== undefined && code !== ''))].join('/');
  let text = String(error.message ?? '');
  if (typeof error.response === 'string' && error.response !== '' && !text.includes(error.response)) text = `${text}: ${error.response}`;
  return `${codes ? `${codes}: ` : ''}${text}`.replace(/\s+/g, ' ').trim();
}

/**
 * The secret as typed, as quoted in an IMAP LOGIN, and base64 in SASL PLAIN and LOGIN: a server
 * that echoes a command back in its error must not carry any of them into the detail.
 */
function redact(detail: string, user: string, secret: string): string {
  if (secret === '') return detail;
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const forms = [secret, secret.replace(/["\\]/g, '\\$&'), base64(secret), base64(`\0${user}\0${secret}`), base64(`${user}\0${secret}`)];
  let scrubbed = detail;
  for (const form of forms.sort((a, b) => b.length - a.length)) scrubbed = scrubbed.split(form).join('***');
  return scrubbed;
}

/** What a greeting or first answer looks like, per protocol. */
const greetings: Record<Protocol, RegExp> = { imap: /^\* (OK|PREAUTH|BYE)\b/i, smtp: /^[2-5]\d\d[ -]/ };

type Answer = { readonly kind: 'bytes'; readonly data: Buffer } | { readonly kind: 'none' };

function isTlsRecord(data: Buffer): boolean {
  // A handshake (0x16) or alert (0x15) record of TLS 1.x.
  return data.length >= 2 && (data[0] === 0x15 || data[0] === 0x16) && data[1] === 0x03;
}

/** The first line of an answer, printable, for the detail. */
function firstLine(data: Buffer): string {
  if (isTlsRecord(data)) return 'a TLS record';
  const line = data.toString('latin1').split(/\r?\n/)[0] ?? '';
  return `"${line.replace(/[^\x20-\x7e]/g, '?').slice(0, 80)}"`;
}

/**
 * A second look at a port the libraries timed out on or could not do TLS with: what it says
 * first (or to an HTTP request when it stays quiet), and whether it completes a TLS handshake.
 */
async function probe(
  protocol: Protocol,
  endpoint: MailEndpoint,
  preliminary: 'timeout' | 'tls-mismatch',
  remainingMs: number,
): Promise<{ outcome: Failure; note?: string }> {
  if (remainingMs < 20) return { outcome: preliminary };
  const nudgeAfterMs = Math.min(probeGreetingMs, Math.floor(remainingMs / 2));
  if (preliminary === 'tls-mismatch') {
    // The TLS handshake failed on bytes that were not TLS: what does the port say in plaintext?
    const answer = await firstAnswer(endpoint, false, remainingMs, nudgeAfterMs);
    if (answer.kind === 'none') return { outcome: 'tls-mismatch' };
    const note = `in plaintext the server says ${firstLine(answer.data)}`;
    if (greetings[protocol].test(answer.data.toString('latin1')) || isTlsRecord(answer.data)) return { outcome: 'tls-mismatch', note };
    return { outcome: 'wrong-port', note };
  }
  const secure = endpoint.security === 'tls';
  const [answer, handshake] = await Promise.all([
    firstAnswer(endpoint, secure, remainingMs, nudgeAfterMs),
    secure ? Promise.resolve(false) : completesTlsHandshake(endpoint, remainingMs),
  ]);
  if (answer.kind === 'bytes') {
    const note = `the server says ${firstLine(answer.data)}`;
    if (isTlsRecord(answer.data)) return { outcome: 'tls-mismatch', note };
    // It greets in this protocol after all, so it was slow or stopped answering later.
    if (greetings[protocol].test(answer.data.toString('latin1'))) return { outcome: 'timeout', note };
    return { outcome: 'wrong-port', note };
  }
  if (handshake) return { outcome: 'tls-mismatch', note: 'the port completes a TLS handshake' };
  return { outcome: 'timeout' };
}

function connectRaw(endpoint: MailEndpoint, secure: boolean): net.Socket {
  // Only a handshake and an HTTP HEAD go over this connection, nothing secret, and the question
  // is what the port speaks, not whom to trust: the certificate is not checked.
  return secure
    ? tls.connect({ host: endpoint.host, port: endpoint.port, rejectUnauthorized: false, ...(net.isIP(endpoint.host) ? {} : { servername: endpoint.host }) })
    : net.connect({ host: endpoint.host, port: endpoint.port });
}

/** The first bytes the port sends, asking in HTTP after `nudgeAfterMs` of silence. */
function firstAnswer(endpoint: MailEndpoint, secure: boolean, withinMs: number, nudgeAfterMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connectRaw(endpoint, secure);
    let nudge: NodeJS.Timeout | undefined;
    const finish = (answer: Answer) => {
      clearTimeout(nudge);
      clearTimeout(giveUp);
      socket.destroy();
      resolve(answer);
    };
    const giveUp = setTimeout(() => finish({ kind: 'none' }), withinMs);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      nudge = setTimeout(() => socket.write('HEAD / HTTP/1.0\r\n\r\n'), nudgeAfterMs);
    });
    socket.once('data', (data: Buffer) => finish({ kind: 'bytes', data }));
    socket.on('error', () => finish({ kind: 'none' }));
    socket.once('close', () => finish({ kind: 'none' }));
  });
}

function completesTlsHandshake(endpoint: MailEndpoint, withinMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectRaw(endpoint, true);
    const finish = (result: boolean) => {
      clearTimeout(giveUp);
      socket.destroy();
      resolve(result);
    };
    const giveUp = setTimeout(() => finish(false), withinMs);
    socket.once('secureConnect', () => finish(true));
    socket.on('error', () => finish(false));
    socket.once('close', () => finish(false));
  });
}
