/**
 * Browser mode: `npm run web`. Serves the built renderer and the same handlers as the Electron
 * shell over HTTP on 127.0.0.1, for tests and development. Not for production use.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { deviceLabel } from '../platform/device';
import { createConsoleLogger } from '../platform/logger';
import { parseLaunchOptions } from '../platform/args';
import { launchServerLayer, readPolicyLayers } from '../platform/policy';
import { openDesktopBackend } from '../platform/desktop-backend';
import { defaultDataDir, productName } from '../platform/paths';
import { startHost } from './server';
import { acceptedLanguages, firstFrameOf } from '../platform/first-frame';
import { SettingsFile } from '../store/settings-file';
import { version } from '../../package.json';

async function main(): Promise<void> {
  const options = parseLaunchOptions(process.argv.slice(2));
  const logger = createConsoleLogger('host');
  const layers = [
    ...launchServerLayer(options.server, options.serverCa),
    ...(await readPolicyLayers({ platform: process.platform, ...(options.policyFile ? { policyFile: options.policyFile } : {}) }, logger)),
  ];
  const backend = await openDesktopBackend(
    {
      productName,
      version,
      dataDir: options.userDataDir ?? defaultDataDir(),
      shell: 'browser',
      demo: options.demo,
      platform: process.platform,
    },
    logger,
    {
      layers,
      downloadsDir: options.downloadsDir,
      foxmailRoot: options.foxmailRoot,
      thunderbirdRoot: options.thunderbirdRoot,
    },
  );
  const host = await startHost({
    dispatch: backend.dispatch,
    deviceLabel: deviceLabel(),
    rendererDir: fileURLToPath(new URL('../renderer', import.meta.url)),
    token: randomBytes(32).toString('base64url'),
    port: options.port,
    logger,
    // The first frame in the saved theme and language (the browser's languages for "system").
    firstFrame: async (acceptLanguage) => firstFrameOf(await new SettingsFile(backend.environment.dataDir, logger).read(), acceptedLanguages(acceptLanguage)),
  });
  process.stdout.write(
    `Mailwarden browser mode: for tests and development only, not for production use.\n` +
      `Data folder: ${backend.environment.dataDir}\n` +
      (backend.environment.server ? `Organisation server: ${backend.environment.server}\n` : '') +
      `Open: ${host.url}\n`,
  );
  const stop = () => void host.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((cause: unknown) => {
  process.stderr.write(`Mailwarden browser mode could not start: ${cause instanceof Error ? cause.message : String(cause)}\n`);
  process.exit(1);
});
