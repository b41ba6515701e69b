/**
 * Alibaba Cloud SMS and Tencent Cloud SMS, the providers institutions in China use. Both sign
 * every request with the account's secret, which a static-header webhook cannot do:
 *
 * - Alibaba Cloud: signature V3, ACS3-HMAC-SHA256
 *   (help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature), SendSms of
 *   dysmsapi 2017-05-25.
 * - Tencent Cloud: signature v3, TC3-HMAC-SHA256 (cloud.tencent.com/document/api/213/30654),
 *   SendSms of sms 2021-01-11.
 *
 * Written here rather than through the providers' SDKs: each SDK (@alicloud/dysmsapi20170525 with
 * its tea runtime, tencentcloud-sdk-nodejs) pulls in a dozen packages and its own HTTP client for
 * one signed POST, and neither lets us refuse redirects or bound the time the way the webhook does.
 * The signing is a few HMACs; test/platform/sms/signed.test.ts holds each provider's published
 * worked example, so a slip in the canonical form fails there, without the network.
 *
 * The secret never leaves this module: not in a log, not in an error (errors carry the provider's
 * code, such as isv.BUSINESS_LIMIT_CONTROL or LimitExceeded.PhoneNumberDailyLimit, only).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { SmsDeliveryError, type SmsGateway, type SmsMessage } from '../../core/context';
import type { SignedSmsProviderPolicy } from '../../core/policy';
import type { Clock } from '../../core/ports';

const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * RFC 3986 percent-encoding, as both providers specify: only A–Z a–z 0–9 - _ . ~ stay as they are.
 * @internal
 */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** @internal */
export interface Acs3Request {
  readonly method: 'GET' | 'POST';
  readonly host: string;
  readonly action: string;
  readonly version: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: string;
  /** ISO 8601 in UTC without milliseconds, e.g. 2023-10-26T10:22:32Z. */
  readonly date: string;
  readonly nonce: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

/**
 * The headers of an Alibaba Cloud V3 request, Authorization included (Host is signed; fetch sets it).
 * @internal
 */
export function signAcs3(request: Acs3Request): Record<string, string> {
  const headers: Record<string, string> = {
    host: request.host,
    'x-acs-action': request.action,
    'x-acs-content-sha256': sha256Hex(request.body),
    'x-acs-date': request.date,
    'x-acs-signature-nonce': request.nonce,
    'x-acs-version': request.version,
  };
  const names = Object.keys(headers).sort();
  const canonicalQuery = Object.keys(request.query)
    .sort()
    .map((name) => `${percentEncode(name)}=${percentEncode(request.query[name]!)}`)
    .join('&');
  const canonicalRequest = [
    request.method,
    '/',
    canonicalQuery,
    names.map((name) => `${name}:${headers[name]!.trim()}\n`).join(''),
    names.join(';'),
    headers['x-acs-content-sha256'],
  ].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', request.accessKeySecret).update(stringToSign, 'utf8').digest('hex');
  return { ...headers, authorization: `ACS3-HMAC-SHA256 Credential=${request.accessKeyId},SignedHeaders=${names.join(';')},Signature=${signature}` };
}

/** @internal */
export interface Tc3Request {
  readonly host: string;
  readonly service: string;
  readonly action: string;
  readonly version: string;
  readonly region: string;
  /** Seconds since the epoch; the credential scope's date is its UTC day. */
  readonly timestamp: number;
  readonly payload: string;
  readonly secretId: string;
  readonly secretKey: string;
}

/**
 * The headers of a Tencent Cloud v3 request (POST, JSON), Authorization included.
 * @internal
 */
export function signTc3(request: Tc3Request): Record<string, string> {
  const contentType = 'application/json; charset=utf-8';
  const canonicalRequest = ['POST', '/', '', `content-type:${contentType}\nhost:${request.host}\n`, 'content-type;host', sha256Hex(request.payload)].join('\n');
  const date = new Date(request.timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/${request.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(request.timestamp), scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${request.secretKey}`, date), request.service), 'tc3_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  return {
    Authorization: `TC3-HMAC-SHA256 Credential=${request.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`,
    'Content-Type': contentType,
    Host: request.host,
    'X-TC-Action': request.action,
    'X-TC-Timestamp': String(request.timestamp),
    'X-TC-Version': request.version,
    'X-TC-Region': request.region,
  };
}

/**
 * Where a provider is reached: its public endpoint for the region (tests give a loopback one).
 * @internal
 */
export function providerEndpoint(settings: SignedSmsProviderPolicy): URL {
  if (settings.kind === 'tencent') return new URL('https://sms.tencentcloudapi.com/');
  const region = settings.region || 'cn-hangzhou';
  return new URL(region === 'cn-hangzhou' ? 'https://dysmsapi.aliyuncs.com/' : `https://dysmsapi.${region}.aliyuncs.com/`);
}

interface SignedGatewayOptions {
  readonly clock: Clock;
  readonly endpoint?: URL;
  readonly timeoutMs?: number;
}

/** One POST, no redirects, bounded in time; the answer's JSON, or a delivery error without secrets. */
async function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number, provider: string): Promise<unknown> {
  let response: Response;
  try {
    // Host is part of the signature; fetch sets it from the URL, which names the same host.
    const { host: _signedHost, Host: _signedHostToo, ...sent } = headers;
    response = await fetch(url, { method: 'POST', headers: sent, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (cause) {
    if (cause instanceof Error && cause.name === 'TimeoutError') throw new SmsDeliveryError(`${provider} did not answer within ${timeoutMs} ms`);
    const code = (cause as { cause?: { code?: unknown } }).cause?.code;
    throw new SmsDeliveryError(`${provider} unreachable${typeof code === 'string' ? `: ${code}` : ''}`);
  }
  try {
    return await response.json();
  } catch {
    throw new SmsDeliveryError(`${provider} answered HTTP ${response.status} without JSON`);
  }
}

/** A provider's error code, kept to what such codes look like (never an echo of the request). */
function codeOf(value: unknown): string {
  return typeof value === 'string' && /^[A-Za-z0-9._-]{1,80}$/.test(value) ? value : 'unknown';
}

function templateValues(message: SmsMessage, settings: SignedSmsProviderPolicy): string[] {
  return settings.templateParams === 'code-minutes' ? [message.code, String(message.validMinutes)] : [message.code];
}

/** What both providers' gateways hold: the settings, the endpoint (the provider's, or a test's) and the clock and timeout. */
abstract class SignedSmsGateway {
  protected readonly endpoint: URL;

  constructor(
    protected readonly settings: SignedSmsProviderPolicy,
    protected readonly options: SignedGatewayOptions,
  ) {
    this.endpoint = options.endpoint ?? providerEndpoint(settings);
  }

  /** The signed request sent, and the provider's JSON answer. */
  protected post(url: URL, headers: Record<string, string>, body: string, provider: string): Promise<unknown> {
    return post(url, headers, body, this.options.timeoutMs ?? 10_000, provider);
  }
}

export class AliyunSmsGateway extends SignedSmsGateway implements SmsGateway {
  readonly kind = 'aliyun' as const;

  async send(message: SmsMessage): Promise<void> {
    const [code, minutes] = templateValues(message, this.settings);
    // Mainland numbers without the country code; others as digits with it (Alibaba Cloud's format).
    const phone = message.phone.startsWith('+86') ? message.phone.slice(3) : message.phone.replace(/^\+/, '');
    const query = {
      PhoneNumbers: phone,
      SignName: this.settings.signName,
      TemplateCode: this.settings.templateId,
      TemplateParam: JSON.stringify(minutes === undefined ? { code } : { code, minutes }),
    };
    const headers = signAcs3({
      method: 'POST',
      host: this.endpoint.host,
      action: 'SendSms',
      version: '2017-05-25',
      query,
      body: '',
      date: new Date(this.options.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      nonce: randomBytes(16).toString('hex'),
      accessKeyId: this.settings.accessKeyId,
      accessKeySecret: this.settings.accessKeySecret,
    });
    const url = new URL(this.endpoint);
    url.search = Object.entries(query)
      .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
      .join('&');
    const answer = (await this.post(url, headers, '', 'Alibaba Cloud SMS')) as { Code?: unknown };
    if (answer?.Code !== 'OK') throw new SmsDeliveryError(`Alibaba Cloud SMS refused the message: ${codeOf(answer?.Code)}`);
  }
}

export class TencentSmsGateway extends SignedSmsGateway implements SmsGateway {
  readonly kind = 'tencent' as const;

  async send(message: SmsMessage): Promise<void> {
    const payload = JSON.stringify({
      PhoneNumberSet: [message.phone],
      SmsSdkAppId: this.settings.sdkAppId,
      SignName: this.settings.signName,
      TemplateId: this.settings.templateId,
      TemplateParamSet: templateValues(message, this.settings),
    });
    const headers = signTc3({
      host: this.endpoint.host,
      service: 'sms',
      action: 'SendSms',
      version: '2021-01-11',
      region: this.settings.region || 'ap-guangzhou',
      timestamp: Math.floor(this.options.clock.now() / 1000),
      payload,
      secretId: this.settings.accessKeyId,
      secretKey: this.settings.accessKeySecret,
    });
    const answer = (await this.post(this.endpoint, headers, payload, 'Tencent Cloud SMS')) as {
      Response?: { Error?: { Code?: unknown }; SendStatusSet?: { Code?: unknown }[] };
    };
    const error = answer?.Response?.Error;
    if (error) throw new SmsDeliveryError(`Tencent Cloud SMS refused the request: ${codeOf(error.Code)}`);
    const status = answer?.Response?.SendStatusSet?.[0]?.Code;
    if (status !== 'Ok') throw new SmsDeliveryError(`Tencent Cloud SMS refused the message: ${codeOf(status)}`);
  }
}
