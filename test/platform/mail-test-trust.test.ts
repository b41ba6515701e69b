// Covers which certificate authorities electron/platform/mail-test.ts trusts: the system's store
// (where IT installs an institution's private CA) besides Node's bundled roots. A loopback IMAP and
// SMTP server over TLS with a certificate from a private CA made here, trusted or not depending on
// the "system" files the tester is given.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkConnectionTester, trustedCaCertificates } from '../../electron/platform/mail-test';
import type { MailEndpoint } from '../../electron/shared/mail-server';
import { listenOnLoopback, serveImap } from '../factories/loopback';
import { removeFolder, tempFolder } from '../factories/store';
import { selfSigned } from '../factories/tls';

const user = 'wang@example.cn';
const password = 'Private-CA-test-password-1';

let work: string;
let privateCa: string;
let otherCa: string;
const ports: Record<'imap' | 'smtp', number> = { imap: 0, smtp: 0 };
const closers: (() => Promise<void>)[] = [];
let logins = 0;

function openssl(...args: string[]): void {
  execFileSync('/usr/bin/openssl', args, { stdio: 'ignore' });
}

/** A CA (key and certificate) in `work`, named `name`. */
function makeCa(name: string): string {
  const files = { certFile: join(work, `${name}.pem`), keyFile: join(work, `${name}.key`) };
  selfSigned(files, `/CN=${name} Root CA`, ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']);
  return files.certFile;
}

beforeAll(async () => {
  work = await tempFolder('mail-test-trust');
  privateCa = makeCa('institution');
  otherCa = makeCa('unrelated');
  // The server's certificate, issued by the institution's CA for 127.0.0.1.
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=mail.institution.test',
    '-keyout',
    join(work, 'server.key'),
    '-out',
    join(work, 'server.csr'),
  );
  await writeFile(join(work, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl(
    'x509',
    '-req',
    '-in',
    join(work, 'server.csr'),
    '-CA',
    privateCa,
    '-CAkey',
    join(work, 'institution.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    join(work, 'server.ext'),
    '-out',
    join(work, 'server.pem'),
  );
  const key = await readFile(join(work, 'server.key'));
  const cert = await readFile(join(work, 'server.pem'));

  const imap = await listenOnLoopback(
    tls.createServer({ key, cert }, (socket) =>
      serveImap(
        socket,
        {
          capabilities: () => ['IMAP4rev1'],
          login: (loginUser, loginPassword) => {
            logins += 1;
            return loginUser === user && loginPassword === password ? 'OK LOGIN completed' : 'NO [AUTHENTICATIONFAILED] Refused';
          },
          otherwise: 'BAD unknown command',
          startTls: (plain) => new tls.TLSSocket(plain, { isServer: true, key, cert }),
        },
        true,
      ),
    ),
  );
  ports.imap = imap.port;
  closers.push(imap.close);

  // Enough SMTP for nodemailer's verify() over TLS. Not smtp-server: when the client refuses its
  // certificate, smtp-server asks the closed TLS socket for its protocol, which crashes Node 20.
  const smtp = await listenOnLoopback(
    tls.createServer({ key, cert }, (socket) => {
      socket.on('error', () => undefined);
      socket.setEncoding('utf8');
      let buffered = '';
      socket.write('220 mail.institution.test ESMTP\r\n');
      socket.on('data', (chunk: string) => {
        buffered += chunk;
        let end;
        while ((end = buffered.indexOf('\r\n')) !== -1) {
          const line = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const [verb = '', ...rest] = line.split(' ');
          if (/^(EHLO|HELO)$/i.test(verb)) socket.write('250-mail.institution.test\r\n250 AUTH PLAIN\r\n');
          else if (/^AUTH$/i.test(verb) && rest[0]?.toUpperCase() === 'PLAIN' && rest[1]) {
            logins += 1;
            const [, loginUser, loginPassword] = Buffer.from(rest[1], 'base64').toString('utf8').split('\0');
            socket.write(loginUser === user && loginPassword === password ? '235 2.7.0 Accepted\r\n' : '535 5.7.8 Refused\r\n');
          } else if (/^QUIT$/i.test(verb)) socket.end('221 Bye\r\n');
          else socket.write('502 5.5.2 Not implemented\r\n');
        }
      });
    }),
  );
  ports.smtp = smtp.port;
  closers.push(smtp.close);
}, 30_000);

afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  if (work) await removeFolder(work);
}, 10_000);

const at = (protocol: 'imap' | 'smtp'): MailEndpoint => ({ host: '127.0.0.1', port: ports[protocol], security: 'tls' });

describe.each(['imap', 'smtp'] as const)('%s connection test with a private-CA server', (protocol) => {
  it('logs in when the private CA is in the system’s certificate store', async () => {
    const tester = new NetworkConnectionTester({ timeoutMs: 3_000, systemCaFiles: [privateCa] });
    expect(await tester.test(protocol, at(protocol), user, password)).toEqual({ outcome: 'ok', detail: '' });
  });

  it('refuses the server, sending no password, when the system store holds other CAs only', async () => {
    const tester = new NetworkConnectionTester({ timeoutMs: 3_000, systemCaFiles: [otherCa] });
    const before = logins;
    const result = await tester.test(protocol, at(protocol), user, password);
    expect(result.outcome).toBe('cannot-connect');
    expect(result.detail).toMatch(/unable to (get local issuer|verify)/i);
    expect(logins).toBe(before);
  });

  it('refuses it too when the system store cannot be read, trusting Node’s bundled roots alone', async () => {
    const tester = new NetworkConnectionTester({ timeoutMs: 3_000, systemCaFiles: [join(work, 'no-such-bundle.crt')] });
    const result = await tester.test(protocol, at(protocol), user, password);
    expect(result.outcome).toBe('cannot-connect');
  });
});

describe('trustedCaCertificates', () => {
  const pem = (file: string) => readFileSync(file, 'utf8').trim();

  it('keeps Node’s bundled roots beside the system’s and an IT-supplied CA (a `ca` alone would replace them)', async () => {
    const trusted = await trustedCaCertificates({ systemCaFiles: [privateCa], ca: pem(otherCa) });
    expect(trusted).toEqual(expect.arrayContaining([...tls.rootCertificates, pem(privateCa), pem(otherCa)]));
  });

  it.skipIf(process.platform !== 'linux' || !existsSync('/etc/ssl/certs/ca-certificates.crt'))(
    'reads the system store by default on Linux, through Node’s own API where it has one',
    async () => {
      const getCACertificates = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
      const system = getCACertificates
        ? getCACertificates('system')
        : readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g)!;
      expect(system.length).toBeGreaterThan(0);
      const trusted = await trustedCaCertificates({});
      expect(trusted).toEqual(expect.arrayContaining(system.map((certificate) => certificate.trim())));
    },
  );
});
