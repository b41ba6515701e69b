/**
 * The mail server's TCP endpoints (http.ts for Dovecot, sender-map.ts for Postfix) listen the
 * same way: on a loopback host and port (0: any free one), answering with the port they got.
 */
import type { AddressInfo, Server } from 'node:net';

/** A started endpoint: the port it listens on, and how to stop it. */
export interface ListeningEndpoint {
  readonly port: number;
  close(): Promise<void>;
}

/** Listens, or rejects with the error that stopped it (the port taken, say); resolves with the bound port. */
export async function listenOn(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
