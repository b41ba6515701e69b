/**
 * The desktop's line to the organisation server (`mailwarden server`, electron/server/http.ts):
 * the same contract, over HTTPS, as the server's own web page speaks it.
 *
 * Each window (call.connection) gets its own bearer token from `POST /session`, so two windows
 * are two sign-ins, as in the embedded store. The trusted-device token stays where it always is
 * (the data folder, sealed by the keychain) and travels in the `Mailwarden-Trust` header. Every
 * answer is checked against the contract before the page sees it: a server of another version,
 * or something in between that is not the server, is refused, not believed.
 *
 * Node's http client rather than fetch: it takes a pinned CA per request (`ca`), which Node 20's
 * fetch cannot without the undici package's own Agent. The Electron shell passes a transport on
 * Chromium's network stack when no CA is pinned, so the system's trust store (and proxy) apply.
 */
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import * as v from 'valibot';
import type { CallContext } from '../core/call';
import type { ServerCall } from '../core/mail-clients/authority';
import type { Logger } from '../core/ports';
import { contract, type Channel, type ResponseOf } from '../shared/contract';
import { err, isErrorCode, ok, type Result } from '../shared/result';

interface HttpAnswer {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

/** One POST to the server; throws on a network or TLS failure (see `failureOf`). */
export type HttpPost = (url: URL, headers: Readonly<Record<string, string>>, body: string, timeoutMs: number) => Promise<HttpAnswer>;

/** Answers are small (the largest is a page of the activity log); more than this is not the server. */
const maxAnswerBytes = 4 * 1024 * 1024;

/** POSTs with Node's client: a pinned CA when given (only it is trusted), else Node's CA list. */
export function nodeHttpPost(options: { readonly ca?: string | Buffer } = {}): HttpPost & { close(): void } {
  const https = new HttpsAgent({ keepAlive: true, maxSockets: 8, ...(options.ca ? { ca: options.ca } : {}) });
  const http = new HttpAgent({ keepAlive: true, maxSockets: 8 });
  const post = (url: URL, headers: Readonly<Record<string, string>>, body: string, timeoutMs: number) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const secure = url.protocol === 'https:';
      const req = (secure ? httpsRequest : httpRequest)(
        url,
        { method: 'POST', agent: secure ? https : http, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) }, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxAnswerBytes) req.destroy(new Error('answer too large'));
            else chunks.push(chunk);
          });
          res.on('end', () => {
            const answerHeaders: Record<string, string | undefined> = {};
            for (const [name, value] of Object.entries(res.headers)) answerHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
            resolve({ status: res.statusCode ?? 0, headers: answerHeaders, body: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('the server did not answer in time'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(body);
    });
  return Object.assign(post, {
    close: () => {
      https.destroy();
      http.destroy();
    },
  });
}

const tlsFailure = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME|ERR_TLS|ERR_SSL|SSL_ERROR|HOSTNAME_MISMATCH/i;

/**
 * A transport failure as the person is told it: the certificate is not trusted, or the server is not there.
 * @internal
 */
export function failureOf(cause: unknown): 'server-untrusted' | 'server-unreachable' {
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : '';
  const message = cause instanceof Error ? cause.message : '';
  return tlsFailure.test(code) || tlsFailure.test(message) ? 'server-untrusted' : 'server-unreachable';
}

export interface OrganisationClientOptions {
  /** The server's public address (policy server.url). */
  readonly url: URL;
  readonly post: HttpPost;
  /** `Mailwarden/1.2.3 (Windows)`: the server names this client from it. */
  readonly userAgent: string;
  /** This computer as the trusted-device list names it ("Windows · LAB-PC-07"). */
  readonly deviceLabel: string;
  readonly logger: Logger;
  readonly timeoutMs?: number;
}

const trustHeader = 'mailwarden-trust';
const trustToken = /^[A-Za-z0-9_-]{16,128}$/;
const AnswerSchema = v.union([
  v.object({ ok: v.literal(true), data: v.unknown() }),
  v.object({
    ok: v.literal(false),
    code: v.string(),
    retryAfter: v.optional(v.number()),
    triesLeft: v.optional(v.number()),
    fields: v.optional(v.array(v.string())),
  }),
]);

export interface OrganisationClient {
  readonly call: ServerCall;
  /** Drops a window's token (the window closed); its session on the server lapses on its own. */
  forget(connection: string): void;
}

export function createOrganisationClient(options: OrganisationClientOptions): OrganisationClient {
  const base = new URL(options.url.href.endsWith('/') ? options.url.href : `${options.url.href}/`);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const tokens = new Map<string, Promise<string>>();
  const headers = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'User-Agent': options.userAgent,
    // Percent-encoded: a computer's name may be Chinese, and a header is bytes.
    'Mailwarden-Device': encodeURIComponent(options.deviceLabel),
  };

  function tokenFor(connection: string): Promise<string> {
    let token = tokens.get(connection);
    if (!token) {
      token = options.post(new URL('session', base), headers, '', timeoutMs).then((answer) => {
        const issued = answer.status === 200 ? (JSON.parse(answer.body) as { token?: unknown }).token : undefined;
        if (typeof issued !== 'string') throw Object.assign(new Error(`no session from the server (HTTP ${answer.status})`), { status: answer.status });
        return issued;
      });
      tokens.set(connection, token);
      token.catch(() => tokens.delete(connection));
    }
    return token;
  }

  function refused(channel: Channel, reason: string, result: Result<never>): Result<never> {
    // The channel and why, never a request or an answer: either may hold a secret.
    options.logger.warn('organisation server call failed', { channel, reason });
    return result;
  }

  async function once(channel: Channel, body: string, call: CallContext): Promise<{ readonly answer: HttpAnswer } | { readonly failed: Result<never> }> {
    let token: string;
    try {
      token = await tokenFor(call.connection);
    } catch (cause) {
      const status = typeof cause === 'object' && cause !== null && 'status' in cause ? (cause as { status: number }).status : undefined;
      return {
        failed: refused(
          channel,
          status ? `session: HTTP ${status}` : failureOf(cause),
          err(status === 429 ? 'too-many-requests' : status ? 'server-incompatible' : failureOf(cause)),
        ),
      };
    }
    const held = await call.trust.get();
    try {
      const answer = await options.post(
        new URL(`api/${channel}`, base),
        { ...headers, Authorization: `Bearer ${token}`, ...(held ? { 'Mailwarden-Trust': held } : {}) },
        body,
        timeoutMs,
      );
      return { answer };
    } catch (cause) {
      const failure = failureOf(cause);
      return { failed: refused(channel, failure, err(failure)) };
    }
  }

  const call: ServerCall = async <C extends Channel>(channel: C, request: unknown, context: CallContext): Promise<Result<ResponseOf<C>>> => {
    const body = JSON.stringify(request);
    let sent = await once(channel, body, context);
    // A token the server no longer accepts (its key was changed): one new token, once.
    if ('answer' in sent && sent.answer.status === 401) {
      tokens.delete(context.connection);
      sent = await once(channel, body, context);
    }
    if ('failed' in sent) return sent.failed;
    const { answer } = sent;
    if (answer.status === 429 || answer.status === 503) {
      const retryAfter = Number(answer.headers['retry-after']);
      const details = Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfter } : {};
      return refused(channel, `HTTP ${answer.status}`, err(answer.status === 429 ? 'too-many-requests' : 'server-busy', details));
    }
    if (answer.status !== 200) return refused(channel, `HTTP ${answer.status}`, err('server-incompatible'));
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      return refused(channel, 'not JSON', err('server-incompatible'));
    }
    const result = v.safeParse(AnswerSchema, parsed);
    if (!result.success) return refused(channel, 'not a result', err('server-incompatible'));
    const trust = answer.headers[trustHeader];
    if (trust !== undefined && (trust === '' || trustToken.test(trust))) await context.trust.set(trust === '' ? undefined : trust);
    const outcome = result.output;
    if (!outcome.ok) {
      if (!isErrorCode(outcome.code)) return refused(channel, 'unknown error code', err('server-incompatible'));
      const details = {
        ...(outcome.retryAfter !== undefined ? { retryAfter: outcome.retryAfter } : {}),
        ...(outcome.triesLeft !== undefined ? { triesLeft: outcome.triesLeft } : {}),
        ...(outcome.fields ? { fields: outcome.fields } : {}),
      };
      return err(outcome.code, details);
    }
    const data = v.safeParse(contract[channel].response, outcome.data);
    if (!data.success) return refused(channel, 'answer does not match the contract', err('server-incompatible'));
    return ok(data.output as ResponseOf<C>);
  };

  return { call, forget: (connection) => tokens.delete(connection) };
}
