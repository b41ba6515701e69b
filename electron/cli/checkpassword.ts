/**
 * The checkpassword program (qmail's interface, as Dovecot's `passdb { driver = checkpassword }`
 * runs it): Dovecot starts `<args…> <reply-program>` once per login with
 * `username\0password\0timestamp\0` on fd 3, SERVICE and TCPREMOTEIP in the environment, and fd 4
 * open for the reply program's answer. This asks `mailwarden serve` over its socket and
 *   - accepted: runs the reply program (Dovecot's checkpassword-reply) with USER set to the
 *     mailbox's canonical address, fd 4 passed through, and exits with its code;
 *   - refused: exits 1;
 *   - anything else (no socket, no answer in time, malformed input, an unknown service, a lookup
 *     without a password, a bug): exits 111, "temporary failure". A bridge that cannot ask must
 *     never guess: a yes would open mailboxes, a no would look like a wrong password.
 *
 * The socket comes from `--socket=PATH` (before the reply program) or MAILWARDEN_AUTH_SOCKET,
 * which Dovecot passes through `import_environment`. `--input-timeout-ms=N` (default 5000) is how
 * long fd 3 may take to deliver the credentials and close; past it the program exits 111. See resources/dovecot/README.md.
 *
 * Built as its own entry (out/main/checkpassword.js) importing node built-ins and the small
 * client only: it starts for every login, so it must not load the store or the core.
 */
import { spawn } from 'node:child_process';
import { fstatSync, readSync } from 'node:fs';
import { Socket } from 'node:net';
import { askMailAuth, readSocket, SocketReadError, type MailAuthProtocol } from '../platform/mail-auth/client';

const exitRefused = 1;
const exitTemporary = 111;
/** Dovecot sends at most 512 bytes (CHECKPASSWORD_MAX_REQUEST_LEN), as qmail's interface says. */
const inputMaxBytes = 4096;
const askTimeoutMs = 10_000;
/** How long Dovecot has to write the credentials and close fd 3; `--input-timeout-ms=N` overrides it. */
const defaultInputTimeoutMs = 5_000;

/** What each Dovecot service logs in with; POP3 and IMAP by name, submission is SMTP AUTH. */
const protocolOfService: Readonly<Record<string, MailAuthProtocol>> = { imap: 'imap', pop3: 'pop3', smtp: 'smtp', submission: 'smtp' };

class TemporaryFailure extends Error {}

/**
 * Everything on fd 3 until its end, bounded in size and in time. A pipe or socket (what Dovecot
 * passes) is read through libuv, which makes the fd non-blocking, so the deadline holds even when
 * the writer keeps its end open and sends nothing; a regular file cannot block and is read at once.
 */
function readInput(fd: number, timeoutMs: number): Promise<Buffer> {
  let kind: 'file' | 'stream';
  try {
    const info = fstatSync(fd);
    if (info.isFile()) kind = 'file';
    else if (info.isFIFO() || info.isSocket()) kind = 'stream';
    else throw new TemporaryFailure(`fd ${fd} is not a pipe, socket or file`);
  } catch (cause) {
    if (cause instanceof TemporaryFailure) throw cause;
    throw new TemporaryFailure(`cannot read the credentials on fd ${fd}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (kind === 'file') {
    const buffer = Buffer.alloc(inputMaxBytes + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) return Promise.resolve(buffer.subarray(0, length));
      length += read;
      if (length > inputMaxBytes) throw new TemporaryFailure(`more than ${inputMaxBytes} bytes of credentials on fd ${fd}`);
    }
  }
  const input = new Socket({ fd, readable: true, writable: false });
  return readSocket(input, { until: 'end', maxBytes: inputMaxBytes, timeoutMs }).catch((cause: unknown) => {
    const reason = cause instanceof SocketReadError ? cause.reason : 'error';
    if (reason === 'timeout') throw new TemporaryFailure(`no credentials on fd ${fd} within ${timeoutMs} ms`);
    if (reason === 'too-long') throw new TemporaryFailure(`more than ${inputMaxBytes} bytes of credentials on fd ${fd}`);
    throw new TemporaryFailure(`cannot read the credentials on fd ${fd}: ${cause instanceof SocketReadError ? cause.code || 'error' : 'error'}`);
  });
}

/** `username\0password\0` and maybe more NUL-terminated fields (the timestamp), which are not used. */
function parseCredentials(input: Buffer): { username: string; password: string } {
  const first = input.indexOf(0);
  const second = first === -1 ? -1 : input.indexOf(0, first + 1);
  if (second === -1) throw new TemporaryFailure('malformed credentials: expected username\\0password\\0');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  try {
    return { username: utf8.decode(input.subarray(0, first)), password: utf8.decode(input.subarray(first + 1, second)) };
  } catch {
    throw new TemporaryFailure('malformed credentials: not UTF-8');
  }
}

interface Invocation {
  readonly socket: string | undefined;
  readonly inputTimeoutMs: number;
  readonly reply: readonly string[];
}

function parseArguments(argv: readonly string[]): Invocation {
  let socket: string | undefined;
  let inputTimeoutMs = defaultInputTimeoutMs;
  const milliseconds = (text: string | undefined) => {
    if (text === undefined || !/^[1-9]\d{0,6}$/.test(text))
      throw new TemporaryFailure('--input-timeout-ms needs a whole number of milliseconds from 1 to 9999999');
    return Number(text);
  };
  let index = 0;
  for (; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (argument === '--') {
      index += 1;
      break;
    }
    if (!argument.startsWith('--')) break;
    if (argument.startsWith('--socket=')) socket = argument.slice('--socket='.length);
    else if (argument === '--socket' && index + 1 < argv.length) socket = argv[(index += 1)];
    else if (argument.startsWith('--input-timeout-ms=')) inputTimeoutMs = milliseconds(argument.slice('--input-timeout-ms='.length));
    else if (argument === '--input-timeout-ms') inputTimeoutMs = milliseconds(argv[(index += 1)]);
    else throw new TemporaryFailure(`unknown option ${argument.slice(0, 40)}`);
  }
  return { socket, inputTimeoutMs, reply: argv.slice(index) };
}

function runReply(reply: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(reply[0]!, reply.slice(1), {
      // fd 3 has been read to its end; fd 4 is where the reply program answers Dovecot.
      stdio: ['inherit', 'inherit', 'inherit', 'ignore', 4],
      env,
    });
    child.once('error', (cause: NodeJS.ErrnoException) => {
      process.stderr.write(`mailwarden-checkpassword: cannot run ${reply[0]}: ${cause.code ?? 'error'}\n`);
      resolve(exitTemporary);
    });
    child.once('exit', (code) => resolve(code ?? exitTemporary));
  });
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const invocation = parseArguments(argv);
  const socket = invocation.socket ?? env.MAILWARDEN_AUTH_SOCKET;
  if (!socket) throw new TemporaryFailure('no socket: pass --socket=PATH or set MAILWARDEN_AUTH_SOCKET');
  if (invocation.reply.length === 0) throw new TemporaryFailure('no reply program given');
  // Set by Dovecot for a userdb or credentials lookup: answering one needs no password, and this
  // bridge only ever checks a password.
  if (env.AUTHORIZED) throw new TemporaryFailure('lookups without a password are not supported: use userdb static');
  const service = env.SERVICE ?? '';
  const protocol = protocolOfService[service.toLowerCase()];
  if (!protocol) throw new TemporaryFailure(`unknown SERVICE '${service.slice(0, 40)}'`);

  const { username, password } = parseCredentials(await readInput(3, invocation.inputTimeoutMs));
  let answer;
  try {
    answer = await askMailAuth(socket, { address: username, secret: password, protocol, clientAddress: env.TCPREMOTEIP ?? '' }, { timeoutMs: askTimeoutMs });
  } catch (cause) {
    throw new TemporaryFailure(cause instanceof Error ? cause.message : 'no answer');
  }
  if (!answer.ok) return exitRefused;
  return runReply(invocation.reply, { ...env, USER: answer.address });
}

function temporaryFailure(cause: unknown): void {
  const reason = cause instanceof TemporaryFailure ? cause.message : `unexpected ${cause instanceof Error ? cause.name : 'failure'}`;
  process.stderr.write(`mailwarden-checkpassword: temporary failure: ${reason}\n`);
  process.exit(exitTemporary);
}

// Node's own exit code for a crash is 1, which would read as "refused".
process.on('uncaughtException', temporaryFailure);
process.on('unhandledRejection', temporaryFailure);

main(process.argv.slice(2), process.env).then((code) => {
  process.exitCode = code;
}, temporaryFailure);
