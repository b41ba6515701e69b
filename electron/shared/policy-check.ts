/**
 * The runtime check of a policy key's value (docs/rules.md §10): the one validation every reader
 * (registry, plist, policy.json) uses after mapping its native types, and `mailwarden policy
 * check`. Messages are for logs and that command.
 */
import * as v from 'valibot';
import type { PolicyKeySpec } from './policy-spec';
import { policySchema, type PolicyPath } from './policy-schema';

const hostPattern = /^[A-Za-z0-9.-]+$/;
/** An HTTP header field name (RFC 9110 token). */
const headerNamePattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const placeholder = /\{\{(phone|text)\}\}/g;

function isJsonTemplate(template: string): boolean {
  try {
    JSON.parse(template.replace(placeholder, (_, name: string) => (name === 'phone' ? '+8613900000000' : 'x')));
    return true;
  } catch {
    return false;
  }
}

/** https:// anywhere; plain http:// only to this computer (a server on loopback, in development and tests). */
function isServerUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return false;
  if (url.protocol === 'https:') return url.hostname !== '';
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

function isAbsolutePath(text: string): boolean {
  return /^\//.test(text) || /^[A-Za-z]:[\\/]/.test(text) || /^\\\\[^\\]+\\/.test(text);
}

function isHttpsUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return url.protocol === 'https:' && url.hostname !== '';
}

// eslint-disable-next-line no-control-regex
const control = /[\u0000-\u001f]/;
// eslint-disable-next-line no-control-regex
const colonOrControl = /[\u0000-\u001f\u007f:]/;

function stringSchema(spec: Extract<PolicyKeySpec, { type: 'string' }>) {
  const bounded = v.pipe(v.string('expected a string'), v.maxLength(spec.maxLength, `longer than ${spec.maxLength} characters`));
  switch (spec.format) {
    case 'host':
      return v.pipe(bounded, v.minLength(1, 'empty'), v.regex(hostPattern, 'not a host name (letters, digits, dots, hyphens)'));
    case 'https-url':
      return v.pipe(bounded, v.check(isHttpsUrl, 'not an https:// URL'));
    case 'https-url-or-empty':
      return v.pipe(
        bounded,
        v.check((text) => text === '' || isHttpsUrl(text), 'not an https:// URL'),
      );
    case 'json-template':
      return v.pipe(bounded, v.check(isJsonTemplate, 'not JSON once {{phone}} and {{text}} are filled in'));
    case 'display-name-or-empty':
      return v.pipe(
        bounded,
        v.check((text) => !colonOrControl.test(text), 'holds a colon or a control character'),
      );
    case 'token-or-empty':
      return v.pipe(bounded, v.regex(/^[\x21-\x7e]*$/, 'holds a space or a character that is not printable ASCII'));
    case 'server-url-or-empty':
      return v.pipe(
        bounded,
        v.check((text) => text === '' || isServerUrl(text), 'not an https:// URL (http:// only to 127.0.0.1), or it holds a user, query or fragment'),
      );
    case 'absolute-path-or-empty':
      return v.pipe(
        bounded,
        v.check((text) => text === '' || (isAbsolutePath(text) && !control.test(text)), 'not an absolute file path'),
      );
  }
}

/** The runtime check of one key's value, in its JSON shape. Messages are for logs and `policy check`. */
function policyValueSchema(spec: PolicyKeySpec): v.GenericSchema<unknown, unknown> {
  switch (spec.type) {
    case 'boolean':
      return v.boolean('expected true or false');
    case 'integer':
      return v.pipe(
        v.number('expected a number'),
        v.integer('expected a whole number'),
        v.minValue(spec.min, `below ${spec.min} (allowed ${spec.min}–${spec.max})`),
        v.maxValue(spec.max, `above ${spec.max} (allowed ${spec.min}–${spec.max})`),
      );
    case 'string':
      return stringSchema(spec);
    case 'enum':
      return v.picklist(spec.values, `expected one of ${spec.values.join(', ')}`);
    case 'list':
      return v.pipe(
        v.array(v.picklist(spec.values, `items must be among ${spec.values.join(', ')}`), 'expected a list'),
        v.minLength(1, 'empty list'),
        v.check((items) => new Set(items).size === items.length, 'repeated items'),
      );
    case 'map':
      return v.pipe(
        // valibot's record accepts arrays; a map is only ever an object.
        v.unknown(),
        v.check((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'expected name → value pairs'),
        v.record(
          v.pipe(v.string(), v.regex(headerNamePattern, 'a header name is not an HTTP token')),
          v.pipe(
            v.string('header values must be strings'),
            v.check((text) => !/[\r\n\0]/.test(text), 'a header value holds a line break'),
          ),
        ),
      );
  }
}

export type PolicyValueCheck = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

/** Checks one key's value: the one validation every reader uses after mapping its native types. */
export function checkPolicyValue(path: PolicyPath, value: unknown): PolicyValueCheck {
  const parsed = v.safeParse(policyValueSchema(policySchema[path]), value);
  return parsed.success ? { ok: true, value: parsed.output } : { ok: false, reason: parsed.issues[0].message };
}
