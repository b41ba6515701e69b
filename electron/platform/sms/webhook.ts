/**
 * The HTTP webhook gateway (docs/rules.md §5): IT points it at a real SMS provider with a URL, headers
 * and a JSON body template. One POST per message; anything but a 2xx answer in time is a failed
 * delivery, reported without the body (it holds the code).
 */
import { SmsDeliveryError, type SmsGateway, type SmsMessage } from '../../core/context';
import type { SmsGatewayPolicy } from '../../core/policy';

export type WebhookSettings = Extract<SmsGatewayPolicy, { kind: 'webhook' }>;

const placeholder = /\{\{(phone|text)\}\}/g;

/**
 * Fills {{phone}} and {{text}} JSON-escaped, in one pass: a value is never scanned again, so a
 * text that happens to contain "{{phone}}" stays as it is.
 * @internal
 */
export function fillTemplate(template: string, values: { readonly phone: string; readonly text: string }): string {
  return template.replace(placeholder, (_, name: 'phone' | 'text') => JSON.stringify(values[name]).slice(1, -1));
}

/** Why a template cannot work, or null: checked once, so a bad policy fails every send the same clear way. */
function templateProblem(settings: WebhookSettings): string | null {
  let url: URL;
  try {
    url = new URL(settings.url);
  } catch {
    return 'SMS webhook URL is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'SMS webhook URL is not http(s)';
  try {
    JSON.parse(fillTemplate(settings.bodyTemplate, { phone: '+8613900000000', text: 'x' }));
  } catch {
    return 'SMS webhook body template is not JSON';
  }
  return null;
}

export class WebhookSmsGateway implements SmsGateway {
  readonly kind = 'webhook' as const;
  private readonly problem: string | null;

  constructor(private readonly settings: WebhookSettings) {
    this.problem = templateProblem(settings);
  }

  async send(message: SmsMessage): Promise<void> {
    if (this.problem) throw new SmsDeliveryError(this.problem);
    let response: Response;
    try {
      response = await fetch(this.settings.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.settings.headers },
        body: fillTemplate(this.settings.bodyTemplate, message),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
        // A redirect would carry the code to a host IT never named.
        redirect: 'error',
      });
    } catch (cause) {
      if (cause instanceof Error && cause.name === 'TimeoutError') {
        throw new SmsDeliveryError(`SMS webhook did not answer within ${this.settings.timeoutMs} ms`);
      }
      const code = (cause as { cause?: { code?: unknown } }).cause?.code;
      throw new SmsDeliveryError(`SMS webhook unreachable${typeof code === 'string' ? `: ${code}` : ''}`);
    }
    // The provider's answer is not needed; discarding it frees the connection.
    await response.body?.cancel().catch(() => undefined);
    if (!response.ok) throw new SmsDeliveryError(`SMS webhook answered HTTP ${response.status}`);
  }
}
