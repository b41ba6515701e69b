/** Throwaway certificates made by Debian's openssl, for the tests that speak TLS. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * A new P-256 key and a certificate for it signed by itself, valid two days (`openssl req -x509`),
 * written to `certFile` and `keyFile`; `extensions` are openssl's -addext values.
 */
export function selfSigned(files: { readonly certFile: string; readonly keyFile: string }, subject: string, extensions: readonly string[]): TestCertificate {
  const { certFile, keyFile } = files;
  execFileSync(
    '/usr/bin/openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      subject,
      ...extensions.flatMap((e) => ['-addext', e]),
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore', timeout: 20_000 },
  );
  return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

/** For the server's HTTPS tests: 127.0.0.1's own certificate. */
export function selfSignedCertificate(dir: string): TestCertificate {
  return selfSigned({ certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') }, '/CN=127.0.0.1', ['subjectAltName=IP:127.0.0.1']);
}
