// Covers electron/platform/mail-test.ts against real loopback servers started here: a small IMAP
// responder on node:net (plain, STARTTLS, TLS), smtp-server (plain, STARTTLS, TLS), an HTTP and
// an HTTPS server, a port that accepts and never speaks, one that resets, one where nothing
// listens, and a name that does not resolve. Each outcome is checked for IMAP and for SMTP, and
// no detail may carry the password, even from servers that echo it back.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionTestResult } from '../../electron/core/mail-clients/ports';
import { NetworkConnectionTester } from '../../electron/platform/mail-test';
import type { ConnectionSecurity, MailEndpoint } from '../../electron/shared/mail-server';
import { freeLoopbackPort, listenOnLoopback, serveImap, type ImapScript } from '../factories/loopback';
import { removeFolder, tempFolder } from '../factories/store';
import { selfSigned } from '../factories/tls';

const user = 'wang@example.cn';
/** Distinctive, with a quote that IMAP escapes: searched for in every detail. */
const password = 'Zq7"Vx9!Kp3#Wm5-unique';
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const passwordForms = [password, password.replace(/["\\]/g, '\\$&'), base64(password), base64(`\0${user}\0${password}`)];

let work: string;
let key: Buffer;
let cert: Buffer;
const ports: Record<string, number> = {};
const closers: (() => Promise<void>)[] = [];
const details: string[] = [];
/** Logins the servers were sent, whatever their outcome. */
let loginsSeen = 0;

// ---- Servers -------------------------------------------------------------------------------

interface ImapBehaviour {
  readonly starttls?: boolean;
  readonly loginDisabled?: boolean;
}

/** A refused LOGIN quotes the command back, password and all, as careless servers do. */
function imapScript(behaviour: ImapBehaviour): ImapScript {
  return {
    capabilities: (secured) => [
      'IMAP4rev1',
      ...(behaviour.starttls && !secured ? ['STARTTLS'] : []),
      ...(behaviour.loginDisabled && !secured ? ['LOGINDISABLED'] : []),
    ],
    login: (loginUser, loginPassword, line) => {
      loginsSeen += 1;
      return loginUser === user && loginPassword === password ? 'OK LOGIN completed' : `NO [AUTHENTICATIONFAILED] Refused: ${line}`;
    },
    otherwise: 'BAD unknown command',
    startTls: (socket) => new tls.TLSSocket(socket, { isServer: true, key, cert }),
  };
}

function trickle(socket: net.Socket, greeting: string, filler: string): void {
  socket.on('error', () => undefined);
  socket.write(greeting);
  const timer = setInterval(() => socket.write(filler), 50);
  socket.on('close', () => clearInterval(timer));
}

/** Listens on a loopback port, remembering it and how to close it (open connections included). */
async function listen(name: string, server: net.Server): Promise<void> {
  const { port, close } = await listenOnLoopback(server);
  ports[name] = port;
  closers.push(close);
}

async function listenSmtp(name: string, options: ConstructorParameters<typeof SMTPServer>[0]): Promise<void> {
  const server = new SMTPServer({
    logger: false,
    closeTimeout: 500,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      loginsSeen += 1;
      if (auth.username === user && auth.password === password) callback(null, { user });
      // Quotes the password back, as careless servers do.
      else callback(new Error(`Invalid login for ${auth.username ?? ''} with ${auth.password ?? ''}`));
    },
    ...options,
  });
  server.on('error', () => undefined);
  await listen(name, server.server);
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
}

beforeAll(async () => {
  work = await tempFolder('mail-test');
  selfSigned({ certFile: join(work, 'cert.pem'), keyFile: join(work, 'key.pem') }, '/CN=localhost', ['subjectAltName=DNS:localhost,IP:127.0.0.1']);
  key = await readFile(join(work, 'key.pem'));
  cert = await readFile(join(work, 'cert.pem'));

  await listen(
    'imapPlain',
    net.createServer((socket) => serveImap(socket, imapScript({}))),
  );
  await listen(
    'imapStarttls',
    net.createServer((socket) => serveImap(socket, imapScript({ starttls: true }))),
  );
  await listen(
    'imapLoginDisabled',
    net.createServer((socket) => serveImap(socket, imapScript({ starttls: true, loginDisabled: true }))),
  );
  await listen(
    'imapTls',
    tls.createServer({ key, cert }, (socket) => serveImap(socket, imapScript({}), true)),
  );

  await listenSmtp('smtpPlain', { disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
  // Offers STARTTLS and refuses AUTH before it (538).
  await listenSmtp('smtpStarttls', { key, cert });
  await listenSmtp('smtpTls', { secure: true, key, cert });

  await listen(
    'silent',
    net.createServer((socket) => socket.on('error', () => undefined)),
  );
  // Greet, then keep talking without ever finishing: no inactivity timer fires, only the deadline.
  await listen(
    'imapTrickle',
    net.createServer((socket) => trickle(socket, '* OK loopback IMAP ready\r\n', '* OK still thinking\r\n')),
  );
  await listen(
    'smtpTrickle',
    net.createServer((socket) => trickle(socket, '220-loopback ESMTP\r\n', '220-still thinking\r\n')),
  );
  await listen(
    'reset',
    net.createServer((socket) => socket.resetAndDestroy()),
  );
  await listen(
    'http',
    http.createServer((_request, response) => response.end('not mail\n')),
  );
  await listen(
    'https',
    https.createServer({ key, cert }, (_request, response) => response.end('not mail\n')),
  );

  ports.closed = await freeLoopbackPort();
}, 30_000);

afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  if (work) await removeFolder(work);
}, 10_000);

// ---- Helpers -------------------------------------------------------------------------------

function at(name: string, security: ConnectionSecurity): MailEndpoint {
  const port = ports[name];
  if (port === undefined) throw new Error(`no server ${name}`);
  return { host: '127.0.0.1', port, security };
}

/** One test with the distinctive password (or another secret), its detail kept for the leak check. */
async function check(protocol: 'imap' | 'smtp', endpoint: MailEndpoint, options: { timeoutMs?: number; secret?: string } = {}): Promise<ConnectionTestResult> {
  const tester = new NetworkConnectionTester({ timeoutMs: options.timeoutMs ?? 1_200, ca: cert });
  const result = await tester.test(protocol, endpoint, user, options.secret ?? password);
  details.push(result.detail);
  return result;
}

// ---- The outcomes --------------------------------------------------------------------------

describe.each(['imap', 'smtp'] as const)('%s connection test', (protocol) => {
  const names = {
    plain: protocol === 'imap' ? 'imapPlain' : 'smtpPlain',
    starttls: protocol === 'imap' ? 'imapStarttls' : 'smtpStarttls',
    tls: protocol === 'imap' ? 'imapTls' : 'smtpTls',
    otherPlain: protocol === 'imap' ? 'smtpPlain' : 'imapPlain',
    otherTls: protocol === 'imap' ? 'smtpTls' : 'imapTls',
  };

  it('logs in over TLS, STARTTLS and a plain connection', async () => {
    expect(await check(protocol, at(names.tls, 'tls'))).toEqual({ outcome: 'ok', detail: '' });
    expect(await check(protocol, at(names.starttls, 'starttls'))).toEqual({ outcome: 'ok', detail: '' });
    expect(await check(protocol, at(names.plain, 'none'))).toEqual({ outcome: 'ok', detail: '' });
  });

  it('reports a refused password as auth-refused, with the server’s words but not the password', async () => {
    const before = loginsSeen;
    const result = await check(protocol, at(names.tls, 'tls'), { secret: `${password}-wrong` });
    expect(loginsSeen).toBe(before + 1);
    expect(result.outcome).toBe('auth-refused');
    expect(result.detail).toMatch(protocol === 'imap' ? /AUTHENTICATIONFAILED/ : /EAUTH.*535/);
    expect(result.detail).not.toContain(password);
  });

  it('reports a host name that does not resolve as name-not-found', async () => {
    // `.invalid` never resolves (RFC 6761); getaddrinfo says ENOTFOUND, or EAI_AGAIN without DNS.
    const result = await check(protocol, { host: 'mail.name.invalid', port: 993, security: 'tls' }, { timeoutMs: 10_000 });
    expect(result.outcome).toBe('name-not-found');
    expect(result.detail).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });

  it('reports a port where nothing listens, or that resets before the greeting, as cannot-connect', async () => {
    const refused = await check(protocol, at('closed', 'tls'));
    expect(refused.outcome).toBe('cannot-connect');
    expect(refused.detail).toContain('ECONNREFUSED');
    const reset = await check(protocol, at('reset', 'none'));
    expect(reset.outcome).toBe('cannot-connect');
    expect(reset.detail).toContain('ECONNRESET');
  });

  it('refuses a certificate the system does not trust (cannot-connect, the detail says why), sending no password', async () => {
    const untrusting = new NetworkConnectionTester({ timeoutMs: 1_200 });
    const before = loginsSeen;
    const result = await untrusting.test(protocol, at(names.tls, 'tls'), user, password);
    details.push(result.detail);
    expect(result.outcome).toBe('cannot-connect');
    expect(result.detail).toMatch(/self[- ]signed/i);
    expect(loginsSeen).toBe(before);
  });

  it('reports TLS against a plaintext mail server as tls-mismatch', async () => {
    const result = await check(protocol, at(names.plain, 'tls'));
    expect(result.outcome).toBe('tls-mismatch');
    expect(result.detail).toMatch(/wrong version number/i);
  });

  it('reports a plain or STARTTLS client against a TLS port as tls-mismatch', async () => {
    for (const security of ['none', 'starttls'] as const) {
      const result = await check(protocol, at(names.tls, security));
      expect(result.outcome, security).toBe('tls-mismatch');
      expect(result.detail, security).toMatch(/TLS/);
    }
  });

  it('reports STARTTLS asked of a server without it, and a server that wants TLS before the login, as tls-mismatch', async () => {
    const noStarttls = await check(protocol, at(names.plain, 'starttls'));
    expect(noStarttls.outcome).toBe('tls-mismatch');
    expect(noStarttls.detail).toMatch(/STARTTLS/);
    const wantsTls = await check(protocol, at(protocol === 'imap' ? 'imapLoginDisabled' : 'smtpStarttls', 'none'));
    expect(wantsTls.outcome).toBe('tls-mismatch');
    expect(wantsTls.detail).toMatch(protocol === 'imap' ? /Login is disabled/ : /538/);
  });

  it('reports the other mail protocol’s port as wrong-port, plain and over TLS', async () => {
    const plain = await check(protocol, at(names.otherPlain, 'none'));
    expect(plain.outcome).toBe('wrong-port');
    expect(plain.detail).toMatch(protocol === 'imap' ? /"220 / : /\* OK/);
    const secure = await check(protocol, at(names.otherTls, 'tls'));
    expect(secure.outcome).toBe('wrong-port');
  });

  it('reports an HTTP or HTTPS server as wrong-port, whatever security was asked for', async () => {
    for (const security of ['none', 'starttls', 'tls'] as const) {
      const result = await check(protocol, at('http', security));
      expect(result.outcome, security).toBe('wrong-port');
      expect(result.detail, security).toContain('HTTP/1.1');
    }
    const secure = await check(protocol, at('https', 'tls'));
    expect(secure.outcome).toBe('wrong-port');
    expect(secure.detail).toContain('HTTP/1.1');
  });

  it('reports a server that accepts and never speaks as timeout, within the time allowed', async () => {
    for (const security of ['none', 'tls'] as const) {
      const started = Date.now();
      const result = await check(protocol, at('silent', security), { timeoutMs: 300 });
      const took = Date.now() - started;
      expect(result.outcome, security).toBe('timeout');
      expect(took, security).toBeLessThan(300 + 150);
    }
  });

  it('gives up at the deadline on a server that greets and then keeps talking without ever answering', async () => {
    const started = Date.now();
    const result = await check(protocol, at(protocol === 'imap' ? 'imapTrickle' : 'smtpTrickle', 'none'), { timeoutMs: 300 });
    const took = Date.now() - started;
    expect(result.outcome).toBe('timeout');
    expect(took).toBeLessThan(300 + 150);
  });
});

describe('connection test details', () => {
  it('never carry the password, in any form it was sent in', () => {
    // Runs after the outcome tests (vitest keeps file order): every detail they produced.
    expect(details.length).toBeGreaterThan(30);
    for (const detail of details) {
      for (const form of passwordForms) expect(detail).not.toContain(form);
      expect(detail.length).toBeLessThanOrEqual(300);
    }
  });
});
