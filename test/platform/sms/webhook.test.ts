// Covers electron/platform/sms/webhook.ts and electron/platform/sms/index.ts
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sendCode, type SmsSendRecord } from '../../../electron/core/codes';
import type { CodeRecord } from '../../../electron/core/codes';
import { SmsDeliveryError } from '../../../electron/core/context';
import { createSmsGateway } from '../../../electron/platform/sms';
import { OutboxSmsGateway } from '../../../electron/platform/sms/outbox';
import { fillTemplate, WebhookSmsGateway, type WebhookSettings } from '../../../electron/platform/sms/webhook';
import { testCall } from '../../factories/call';
import { testCore } from '../../factories/core';

interface Received {
  readonly method: string | undefined;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

let server: Server | undefined;

afterEach(async () => {
  const running = server;
  server = undefined;
  if (!running) return;
  running.closeAllConnections();
  await new Promise<void>((resolve) => running.close(() => resolve()));
});

/** A provider on 127.0.0.1 that records each request and answers as told. */
async function provider(answer: (res: ServerResponse) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method, headers: req.headers, body });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/sms`, received };
}

function settings(url: string, over: Partial<WebhookSettings> = {}): WebhookSettings {
  return {
    kind: 'webhook',
    url,
    headers: { authorization: 'Bearer provider-token' },
    bodyTemplate: '{"to":"{{phone}}","content":"{{text}}","sign":"Mailwarden"}',
    timeoutMs: 2000,
    ...over,
  };
}

const message = {
  phone: '+8613912341234',
  mailbox: 'alice@cstnet.cn',
  code: '123456',
  validMinutes: 5,
  expiresAt: 300_000,
  text: '【邮件安全助手】验证码 123456，5 分钟内有效。Mailwarden code 123456, valid for 5 minutes.',
};

/** A core whose SMS goes through the given gateway, to check what a failure costs in quota. */
async function coreWith(gateway: WebhookSmsGateway) {
  const t = await testCore();
  const core = { ...t.core, sms: gateway };
  const send = () => sendCode(core, { mailbox: 'alice@cstnet.cn', phone: '+8613912341234', purpose: 'bind-phone', device: testCall().device });
  const stored = async () => ({
    sends: await t.store.collection<SmsSendRecord>('smsSends').count({}),
    codes: await t.store.collection<CodeRecord>('codes').count({}),
  });
  return { ...t, send, stored };
}

describe('fillTemplate', () => {
  it('fills the placeholders JSON-escaped, so quotes and line breaks cannot break the body', () => {
    const body = fillTemplate('{"to":"{{phone}}","text":"{{text}}"}', { phone: '+86139', text: 'a "quoted"\nline \\ {{phone}} $& end' });
    expect(JSON.parse(body)).toEqual({ to: '+86139', text: 'a "quoted"\nline \\ {{phone}} $& end' });
  });

  it('fills every occurrence', () => {
    expect(fillTemplate('["{{phone}}","{{phone}}","{{text}}"]', { phone: '1', text: '2' })).toBe('["1","1","2"]');
  });
});

describe('WebhookSmsGateway', () => {
  it('POSTs the filled JSON template with the configured headers', async () => {
    const { url, received } = await provider((res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    await new WebhookSmsGateway(settings(url)).send(message);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers.authorization).toBe('Bearer provider-token');
    expect(JSON.parse(request!.body)).toEqual({ to: message.phone, content: message.text, sign: 'Mailwarden' });
  });

  it('delivers a code through the code service, which then counts it', async () => {
    const { url, received } = await provider((res) => res.writeHead(204).end());
    const t = await coreWith(new WebhookSmsGateway(settings(url)));
    expect(await t.send()).toMatchObject({ ok: true });
    expect(JSON.parse(received[0]!.body).content).toMatch(/验证码 \d{6}/);
    expect(await t.stored()).toEqual({ sends: 1, codes: 1 });
  });

  it('treats a 500 as a failed delivery, without the body in the message, consuming no quota', async () => {
    const { url, received } = await provider((res) => res.writeHead(500).end('provider exploded'));
    const gateway = new WebhookSmsGateway(settings(url));
    const failure = await gateway.send(message).then(
      () => null,
      (cause: unknown) => cause,
    );
    expect(failure).toBeInstanceOf(SmsDeliveryError);
    expect((failure as Error).message).toBe('SMS webhook answered HTTP 500');
    expect((failure as Error).message).not.toContain('123456');

    const t = await coreWith(gateway);
    expect(await t.send()).toEqual({ ok: false, code: 'sms-delivery-failed' });
    expect(await t.stored()).toEqual({ sends: 0, codes: 0 });
    expect(received).toHaveLength(2);
  });

  it('gives up after timeoutMs when the provider never answers, consuming no quota', async () => {
    const { url, received } = await provider(() => undefined);
    const gateway = new WebhookSmsGateway(settings(url, { timeoutMs: 200 }));
    const started = performance.now();
    await expect(gateway.send(message)).rejects.toThrow(new SmsDeliveryError('SMS webhook did not answer within 200 ms'));
    expect(performance.now() - started).toBeLessThan(2000);

    const t = await coreWith(gateway);
    expect(await t.send()).toEqual({ ok: false, code: 'sms-delivery-failed' });
    expect(await t.stored()).toEqual({ sends: 0, codes: 0 });
    expect(received).toHaveLength(2);
  });

  it('reports a provider that cannot be reached', async () => {
    const { url } = await provider((res) => res.end());
    const running = server!;
    server = undefined;
    await new Promise<void>((resolve) => running.close(() => resolve()));
    await expect(new WebhookSmsGateway(settings(url)).send(message)).rejects.toThrow(/^SMS webhook unreachable/);
  });

  it('refuses to follow a redirect, which would carry the code elsewhere', async () => {
    const { url } = await provider((res) => res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }).end());
    await expect(new WebhookSmsGateway(settings(url)).send(message)).rejects.toBeInstanceOf(SmsDeliveryError);
  });

  it('refuses every send when the template is not JSON or the URL is not http(s)', async () => {
    const { url, received } = await provider((res) => res.end());
    await expect(new WebhookSmsGateway(settings(url, { bodyTemplate: '{"to": {{phone}}' })).send(message)).rejects.toThrow(
      'SMS webhook body template is not JSON',
    );
    await expect(new WebhookSmsGateway(settings('file:///etc/passwd')).send(message)).rejects.toThrow('SMS webhook URL is not http(s)');
    await expect(new WebhookSmsGateway(settings('not a url')).send(message)).rejects.toThrow('SMS webhook URL is not a URL');
    expect(received).toEqual([]);
  });
});

describe('createSmsGateway', () => {
  const deps = { dataDir: '/tmp/mailwarden-unused', sealer: { seal: (t: string) => t, open: (l: string) => l }, clock: { now: () => 0 } };

  it('builds the local outbox by default', () => {
    const gateway = createSmsGateway({ kind: 'outbox' }, deps);
    expect(gateway).toBeInstanceOf(OutboxSmsGateway);
    expect(gateway.kind).toBe('outbox');
  });

  it('builds the webhook the policy describes', () => {
    const gateway = createSmsGateway(settings('https://sms.example.cn/send'), deps);
    expect(gateway).toBeInstanceOf(WebhookSmsGateway);
    expect(gateway.kind).toBe('webhook');
    expect(gateway.read).toBeUndefined();
  });
});
