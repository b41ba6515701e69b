/**
 * Mail servers on 127.0.0.1 for the connection-test checks: listening on a loopback port (and
 * closing again with the connections still open), a port where nothing listens, and just enough
 * IMAP for a login. Used by test/platform/mail-test.test.ts and by the Playwright specs (through
 * a --policy mailServer), so it needs nothing but Node.
 */
import net from 'node:net';

export interface Listening {
  readonly port: number;
  /** Closes the server, destroying the connections still open. */
  readonly close: () => Promise<void>;
}

/** Listens on a free loopback port, keeping track of open connections so that it can close at once. */
export async function listenOnLoopback(server: net.Server): Promise<Listening> {
  const open = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of open) socket.destroy();
      server.close(() => resolve());
    });
  return { port, close };
}

/** A loopback port that was free a moment ago and has nothing listening now. */
export async function freeLoopbackPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** How a loopback IMAP server answers. */
export interface ImapScript {
  /** What CAPABILITY (and the greeting) offers; `secured` once the connection is TLS. */
  readonly capabilities: (secured: boolean) => readonly string[];
  /** The tagged answer to LOGIN (after the tag), given the user name and password as sent. */
  readonly login: (user: string, password: string, line: string) => string;
  /** The tagged answer (after the tag) to any other command. */
  readonly otherwise: string;
  /** Where given, STARTTLS is answered and the connection continues over the socket this makes. */
  readonly startTls?: (socket: net.Socket) => net.Socket;
}

const loginLine = /^(\S+) LOGIN ("(?:[^"\\]|\\.)*"|\S+) ("(?:[^"\\]|\\.)*"|\S+)$/i;
const unquote = (token: string) => (token.startsWith('"') ? token.slice(1, -1).replace(/\\(.)/g, '$1') : token);

/** Just enough IMAP for a login: greeting, CAPABILITY, STARTTLS (where the script has it), LOGIN, LOGOUT. */
export function serveImap(socket: net.Socket, script: ImapScript, secured = false, greet = true): void {
  socket.on('error', () => undefined);
  const capabilities = script.capabilities(secured).join(' ');
  if (greet) socket.write(`* OK [CAPABILITY ${capabilities}] loopback IMAP ready\r\n`);
  let buffer = '';
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const [tag = '*', command = ''] = line.split(' ');
      switch (command.toUpperCase()) {
        case 'CAPABILITY':
          socket.write(`* CAPABILITY ${capabilities}\r\n${tag} OK CAPABILITY completed\r\n`);
          break;
        case 'STARTTLS':
          if (!script.startTls) {
            socket.write(`${tag} ${script.otherwise}\r\n`);
            break;
          }
          socket.write(`${tag} OK Begin TLS negotiation now\r\n`);
          socket.off('data', onData);
          serveImap(script.startTls(socket), script, true, false);
          return;
        case 'LOGIN': {
          const match = loginLine.exec(line);
          socket.write(`${tag} ${script.login(match ? unquote(match[2]!) : '', match ? unquote(match[3]!) : '', line)}\r\n`);
          break;
        }
        case 'LOGOUT':
          socket.end(`* BYE logging out\r\n${tag} OK LOGOUT completed\r\n`);
          break;
        default:
          socket.write(`${tag} ${script.otherwise}\r\n`);
      }
    }
  };
  socket.on('data', onData);
}
