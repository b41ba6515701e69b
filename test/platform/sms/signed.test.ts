// Covers electron/platform/sms/signed.ts: each provider's signature against the worked example
// the provider publishes (no network), then each gateway against a stand-in endpoint on loopback
// that checks the signature the way the provider would and answers as the provider documents.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SmsDeliveryError } from '../../../electron/core/context';
import type { SignedSmsProviderPolicy } from '../../../electron/core/policy';
import { AliyunSmsGateway, percentEncode, providerEndpoint, signAcs3, signTc3, TencentSmsGateway } from '../../../electron/platform/sms/signed';
import { FakeClock } from '../../factories/clock';

describe('the providers\u2019 published examples', () => {
  it('Alibaba Cloud V3 (ACS3-HMAC-SHA256): the RunInstances example of "V3 request structure and signature"', () => {
    // help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature: every input fixed.
    const headers = signAcs3({
      method: 'POST',
      host: 'ecs.cn-shanghai.aliyuncs.com',
      action: 'RunInstances',
      version: '2014-05-26',
      query: { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' },
      body: '',
      date: '2023-10-26T10:22:32Z',
      nonce: '3156853299f313e23d1673dc12e1703d',
      accessKeyId: 'YourAccessKeyId',
      accessKeySecret: 'YourAccessKeySecret',
    });
    expect(headers['x-acs-content-sha256']).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(headers.authorization).toBe(
      'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,' +
        'Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    );
  });

  it('Tencent Cloud v3 (TC3-HMAC-SHA256): the DescribeInstances example of "Signature v3"', () => {
    // cloud.tencent.com/document/api/213/30654, with the example key the document signs with.
    const headers = signTc3({
      host: 'cvm.tencentcloudapi.com',
      service: 'cvm',
      action: 'DescribeInstances',
      version: '2017-03-12',
      region: 'ap-guangzhou',
      timestamp: 1551113065,
      payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
      secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
      secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
    });
    expect(headers.Authorization).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, ' +
        'Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
    expect(headers).toMatchObject({ 'X-TC-Timestamp': '1551113065', 'X-TC-Version': '2017-03-12', 'X-TC-Region': 'ap-guangzhou' });
  });

  it('percent-encodes as RFC 3986 says, which both providers require', () => {
    expect(percentEncode("a b*c~d!'()/é+=")).toBe('a%20b%2Ac~d%21%27%28%29%2F%C3%A9%2B%3D');
  });

  it('reaches each provider at its public endpoint for the region', () => {
    const base: SignedSmsProviderPolicy = {
      kind: 'aliyun',
      accessKeyId: 'id',
      accessKeySecret: 's',
      signName: 'n',
      templateId: 't',
      sdkAppId: '',
      region: '',
      templateParams: 'code',
    };
    expect(providerEndpoint(base).href).toBe('https://dysmsapi.aliyuncs.com/');
    expect(providerEndpoint({ ...base, region: 'ap-southeast-1' }).href).toBe('https://dysmsapi.ap-southeast-1.aliyuncs.com/');
    expect(providerEndpoint({ ...base, kind: 'tencent' }).href).toBe('https://sms.tencentcloudapi.com/');
  });
});

interface Received {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

/** A provider on loopback: records each request and answers with `reply`. */
async function provider(reply: (request: Received) => { status?: number; body: unknown } | 'hang'): Promise<{ endpoint: URL; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: new URL(req.url ?? '/', 'http://x'), headers: req.headers, body: Buffer.concat(chunks).toString() };
      received.push(request);
      const answer = reply(request);
      if (answer === 'hang') return;
      res.writeHead(answer.status ?? 200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { endpoint: new URL(`http://127.0.0.1:${(server!.address() as AddressInfo).port}/`), received };
}

const message = {
  phone: '+8613912341234',
  mailbox: 'alice@cstnet.cn',
  code: '482913',
  validMinutes: 5,
  expiresAt: 300_000,
  text: '【邮件安全助手】验证码 482913，5 分钟内有效。',
};
const settings = (kind: 'aliyun' | 'tencent', change: Partial<SignedSmsProviderPolicy> = {}): SignedSmsProviderPolicy => ({
  kind,
  accessKeyId: 'LTAI5tTestKeyId',
  accessKeySecret: 'test-secret-never-logged',
  signName: '邮件安全助手',
  templateId: kind === 'aliyun' ? 'SMS_12345678' : '1234567',
  sdkAppId: kind === 'tencent' ? '1400000000' : '',
  region: '',
  templateParams: 'code',
  ...change,
});

describe('Alibaba Cloud SMS', () => {
  it('sends SendSms with the template, the mainland number and a signature the provider can check', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 4, 3, 0, 0, 123));
    const { endpoint, received } = await provider(() => ({ body: { Code: 'OK', Message: 'OK', RequestId: 'r', BizId: 'b' } }));
    await new AliyunSmsGateway(settings('aliyun'), { clock, endpoint }).send(message);
    const [request] = received;
    expect(request!.method).toBe('POST');
    expect(Object.fromEntries(request!.url.searchParams)).toEqual({
      PhoneNumbers: '13912341234',
      SignName: '邮件安全助手',
      TemplateCode: 'SMS_12345678',
      TemplateParam: '{"code":"482913"}',
    });
    expect(request!.headers['x-acs-action']).toBe('SendSms');
    expect(request!.headers['x-acs-version']).toBe('2017-05-25');
    expect(request!.headers['x-acs-date']).toBe('2026-12-04T03:00:00Z');
    // The provider's check: the same canonical request, signed with the same secret.
    const again = signAcs3({
      method: 'POST',
      host: endpoint.host,
      action: 'SendSms',
      version: '2017-05-25',
      query: Object.fromEntries(request!.url.searchParams),
      body: '',
      date: String(request!.headers['x-acs-date']),
      nonce: String(request!.headers['x-acs-signature-nonce']),
      accessKeyId: 'LTAI5tTestKeyId',
      accessKeySecret: 'test-secret-never-logged',
    });
    expect(request!.headers.authorization).toBe(again.authorization);
    expect(JSON.stringify(request!.headers)).not.toContain('test-secret-never-logged');
  });

  it('fills the minutes too when the template asks for them, and sends other countries with their code', async () => {
    const { endpoint, received } = await provider(() => ({ body: { Code: 'OK' } }));
    await new AliyunSmsGateway(settings('aliyun', { templateParams: 'code-minutes' }), { clock: new FakeClock(), endpoint }).send({
      ...message,
      phone: '+85291234567',
    });
    expect(received[0]!.url.searchParams.get('TemplateParam')).toBe('{"code":"482913","minutes":"5"}');
    expect(received[0]!.url.searchParams.get('PhoneNumbers')).toBe('85291234567');
  });

  it("reports the provider's refusal by its code, never with the secret or the code sent", async () => {
    const { endpoint } = await provider(() => ({ body: { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发小时级流控Permits:5' } }));
    const sending = new AliyunSmsGateway(settings('aliyun'), { clock: new FakeClock(), endpoint }).send(message);
    await expect(sending).rejects.toThrow(SmsDeliveryError);
    await expect(sending).rejects.toThrow('Alibaba Cloud SMS refused the message: isv.BUSINESS_LIMIT_CONTROL');
  });

  it('fails in time when the provider does not answer, and on an answer that is not JSON', async () => {
    const hanging = await provider(() => 'hang');
    await expect(
      new AliyunSmsGateway(settings('aliyun'), { clock: new FakeClock(), endpoint: hanging.endpoint, timeoutMs: 200 }).send(message),
    ).rejects.toThrow('did not answer within 200 ms');
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server!.closeAllConnections();
    const broken = await provider(() => ({ status: 502, body: undefined }));
    await expect(new AliyunSmsGateway(settings('aliyun'), { clock: new FakeClock(), endpoint: broken.endpoint }).send(message)).rejects.toThrow(
      SmsDeliveryError,
    );
  });
});

describe('Tencent Cloud SMS', () => {
  it('sends SendSms with the E.164 number, the app, the template and a signature the provider can check', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 4, 3, 0, 0));
    const { endpoint, received } = await provider(() => ({
      body: { Response: { SendStatusSet: [{ Code: 'Ok', PhoneNumber: '+8613912341234' }], RequestId: 'r' } },
    }));
    await new TencentSmsGateway(settings('tencent'), { clock, endpoint }).send(message);
    const [request] = received;
    expect(JSON.parse(request!.body)).toEqual({
      PhoneNumberSet: ['+8613912341234'],
      SmsSdkAppId: '1400000000',
      SignName: '邮件安全助手',
      TemplateId: '1234567',
      TemplateParamSet: ['482913'],
    });
    expect(request!.headers).toMatchObject({
      'x-tc-action': 'SendSms',
      'x-tc-version': '2021-01-11',
      'x-tc-region': 'ap-guangzhou',
      'x-tc-timestamp': String(clock.now() / 1000),
    });
    const again = signTc3({
      host: endpoint.host,
      service: 'sms',
      action: 'SendSms',
      version: '2021-01-11',
      region: 'ap-guangzhou',
      timestamp: clock.now() / 1000,
      payload: request!.body,
      secretId: 'LTAI5tTestKeyId',
      secretKey: 'test-secret-never-logged',
    });
    expect(request!.headers.authorization).toBe(again.Authorization);
    expect(request!.headers.authorization).toContain('Credential=LTAI5tTestKeyId/2026-12-04/sms/tc3_request');
  });

  it("reports a refused request and a refused number by the provider's code", async () => {
    const refused = await provider(() => ({
      body: { Response: { Error: { Code: 'AuthFailure.SignatureFailure', Message: 'The provided credentials could not be validated.' }, RequestId: 'r' } },
    }));
    await expect(new TencentSmsGateway(settings('tencent'), { clock: new FakeClock(), endpoint: refused.endpoint }).send(message)).rejects.toThrow(
      'Tencent Cloud SMS refused the request: AuthFailure.SignatureFailure',
    );
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    const limited = await provider(() => ({ body: { Response: { SendStatusSet: [{ Code: 'LimitExceeded.PhoneNumberDailyLimit' }], RequestId: 'r' } } }));
    await expect(
      new TencentSmsGateway(settings('tencent', { templateParams: 'code-minutes' }), { clock: new FakeClock(), endpoint: limited.endpoint }).send(message),
    ).rejects.toThrow('Tencent Cloud SMS refused the message: LimitExceeded.PhoneNumberDailyLimit');
    expect(JSON.parse(limited.received[0]!.body).TemplateParamSet).toEqual(['482913', '5']);
  });
});
