/**
 * What the desktop shells (Electron, browser mode) open: this computer's embedded store, or,
 * when policy names an organisation server (`server.url`), the server, with only this computer's
 * own work done here (electron/core/server-backed.ts).
 */
import { readFile } from 'node:fs/promises';
import type { AppEnvironment } from '../core/app-info';
import type { CallContext } from '../core/call';
import { createDispatcher, type Dispatch } from '../core/dispatch';
import type { Policy, PolicyLayer, ResolvedPolicy } from '../core/policy';
import { resolvePolicy } from '../core/policy';
import type { Logger } from '../core/ports';
import { createServerBackedHandlers, ServerPolicy } from '../core/server-backed';
import { SettingsFile } from '../store/settings-file';
import { WebmailProfileFile } from '../store/webmail-profile-file';
import { accountsManagedBy, type WebmailChoice } from '../core/webmail';
import { createWebmailBackedHandlers } from '../core/webmail-backed';
import { ok } from '../shared/result';
import { createMailClientPorts, openBackend, type BackendOptions } from './compose';
import { deviceLabel } from './device';
import { createOrganisationClient, nodeHttpPost, type HttpPost } from './organisation-client';
import { cryptoRandom, systemClock } from './system';

export interface DesktopBackend {
  readonly dispatch: Dispatch;
  readonly environment: AppEnvironment;
  /** The policy in force now (on a server-backed desktop, with the server's part as last fetched: read it when it is used). */
  policy(): Policy;
  /** The window closed: what was kept for it goes (its server token). */
  forget(connection: string): void;
  close(): Promise<void>;
}

export interface DesktopBackendOptions extends Omit<BackendOptions, 'policy'> {
  /** Every policy layer this computer has, lowest first (electron/platform/policy). */
  readonly layers: readonly PolicyLayer[];
  /**
   * How requests reach the organisation server: Node's client by default (the pinned CA when
   * policy gives one); the Electron shell passes Chromium's when none is pinned (system trust store).
   */
  readonly serverTransport?: (ca: string | null) => HttpPost | null;
}

const osNames: Partial<Record<NodeJS.Platform, string>> = { win32: 'Windows', darwin: 'macOS', linux: 'Linux' };

export async function openDesktopBackend(environment: AppEnvironment, logger: Logger, options: DesktopBackendOptions): Promise<DesktopBackend> {
  const resolved: ResolvedPolicy = resolvePolicy(options.layers, logger);
  const profiles = new WebmailProfileFile(environment.dataDir, logger);
  // Who manages accounts (docs/rules.md §15): IT's enforced value, else the person's choice, else IT's recommendation.
  const managedByEnforced = () => resolved.sources['accounts.managedBy'].source === 'enforced';
  let current: DesktopBackend;
  /** A switch under way: requests wait for it, and answer from the backend it opens. */
  let switching: Promise<void> | null = null;
  const choice: WebmailChoice = {
    managedByEnforced,
    async switchTo(managedBy) {
      const profile = await profiles.read();
      await profiles.write({ ...profile, choice: managedBy });
      // After this request has answered: closing a backend waits for its requests, this one included.
      switching = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        const old = current;
        try {
          current = await open();
          await old.close();
          logger.info('accounts now managed by', { managedBy });
        } catch (cause) {
          logger.error('could not switch who manages accounts; keeping the current way', { error: cause instanceof Error ? cause.message : String(cause) });
        } finally {
          switching = null;
        }
      });
      return ok({});
    },
  };
  const open = async (): Promise<DesktopBackend> => {
    const managedBy = accountsManagedBy(resolved.policy, managedByEnforced(), await profiles.read());
    if (managedBy === 'webmail') return openWebmailBacked(environment, logger, options, resolved, profiles, choice);
    const url = resolved.policy.organisationServer.url;
    if (url) return openServerBacked(environment, logger, options, new URL(url), resolved.policy.organisationServer.caFile, choice);
    const backend = await openBackend(environment, logger, { ...options, policy: resolved, webmailChoice: choice });
    return {
      dispatch: backend.dispatch,
      environment: backend.environment,
      policy: () => backend.core.policy(),
      forget: () => undefined,
      close: () => backend.close(),
    };
  };
  current = await open();
  return {
    dispatch: async (channel, request, call) => {
      if (switching) await switching;
      return current.dispatch(channel, request, call);
    },
    get environment() {
      return current.environment;
    },
    policy: () => current.policy(),
    forget: (connection) => current.forget(connection),
    close: async () => {
      if (switching) await switching;
      await current.close();
    },
  };
}

function openWebmailBacked(
  environment: AppEnvironment,
  logger: Logger,
  options: DesktopBackendOptions,
  resolved: ResolvedPolicy,
  profiles: WebmailProfileFile,
  choice: WebmailChoice,
): DesktopBackend {
  const webmailEnvironment: AppEnvironment = { ...environment, backend: 'webmail' };
  const handlers = createWebmailBackedHandlers({
    environment: webmailEnvironment,
    settingsStore: new SettingsFile(environment.dataDir, logger),
    profiles,
    policy: resolved,
    logger,
    clock: options.clock ?? systemClock,
    random: cryptoRandom,
    mailClients: createMailClientPorts(options),
    choice,
    ...(options.screen ? { screen: options.screen } : {}),
  });
  logger.info("accounts are managed on the mail system's web mail", { webmail: resolved.policy.serverHost });
  return {
    dispatch: createDispatcher(handlers, logger),
    environment: webmailEnvironment,
    policy: () => resolved.policy,
    forget: () => undefined,
    close: async () => undefined,
  };
}

async function openServerBacked(
  environment: AppEnvironment,
  logger: Logger,
  options: DesktopBackendOptions,
  url: URL,
  caFile: string | null,
  choice: WebmailChoice,
): Promise<DesktopBackend> {
  const clock = options.clock ?? systemClock;
  let post: HttpPost;
  let closeTransport = () => undefined as void;
  let ca: string | null = null;
  if (caFile) {
    try {
      ca = await readFile(caFile, 'utf8');
    } catch (cause) {
      logger.error('the organisation server CA file cannot be read', { file: caFile, error: cause instanceof Error ? cause.message : String(cause) });
    }
  }
  const given = options.serverTransport?.(ca) ?? null;
  if (caFile && ca === null) {
    // IT pinned a CA this computer cannot read: nothing is trusted, rather than everything.
    post = () => Promise.reject(Object.assign(new Error(`cannot read ${caFile}`), { code: 'ERR_TLS_CA_UNREADABLE' }));
  } else if (given) {
    post = given;
  } else {
    const node = nodeHttpPost(ca ? { ca } : {});
    post = node;
    closeTransport = () => node.close();
  }
  const server = createOrganisationClient({
    url,
    post,
    userAgent: `Mailwarden/${environment.version} (${osNames[environment.platform as NodeJS.Platform] ?? environment.platform})`,
    deviceLabel: deviceLabel(),
    logger,
  });
  const policy = new ServerPolicy(options.layers, server.call, clock, logger);
  const serverEnvironment: AppEnvironment = { ...environment, backend: 'organisation', server: url.origin + url.pathname.replace(/\/$/, '') };
  const handlers = createServerBackedHandlers({
    environment: serverEnvironment,
    settingsStore: new SettingsFile(environment.dataDir, logger),
    logger,
    clock,
    random: cryptoRandom,
    server: server.call,
    policy,
    mailClients: createMailClientPorts(options),
    webmailChoice: choice,
    ...(options.screen ? { screen: options.screen } : {}),
  });
  // The rules the server owns, asked at once but not waited for: a server that does not answer
  // (a VPN that is down) must not hold the window back. The first request that needs them waits.
  const starting: CallContext = {
    connection: 'desktop:start',
    device: { label: deviceLabel(), client: 'Mailwarden' },
    trust: { get: async () => undefined, set: async () => undefined },
  };
  void policy.fresh(starting).then((first) => {
    if (!first.ok) logger.warn('organisation server not reached at start', { server: url.origin, reason: first.code });
    server.forget(starting.connection);
  });
  logger.info('working against the organisation server', { server: url.origin });
  return {
    dispatch: createDispatcher(handlers, logger),
    environment: serverEnvironment,
    policy: () => policy.current().policy,
    forget: (connection) => server.forget(connection),
    close: async () => closeTransport(),
  };
}
