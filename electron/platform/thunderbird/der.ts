/**
 * The little DER (X.690) that NSS's key4.db entries and logins.json's encrypted fields use:
 * SEQUENCE, OCTET STRING, OBJECT IDENTIFIER, INTEGER and NULL, definite lengths only. Strict:
 * anything else, or bytes left over, is "not understood" (null), never a guess.
 */
import { concatBytes } from '../bytes';

export type DerNode =
  | { readonly tag: 'sequence'; readonly items: readonly DerNode[]; readonly bytes: Uint8Array }
  | { readonly tag: 'octets'; readonly value: Uint8Array; readonly bytes: Uint8Array }
  | { readonly tag: 'oid'; readonly value: string; readonly bytes: Uint8Array }
  | { readonly tag: 'integer'; readonly value: number; readonly bytes: Uint8Array }
  | { readonly tag: 'null'; readonly bytes: Uint8Array };

const maxDepth = 8;

function readOid(body: Uint8Array): string | null {
  if (body.length === 0) return null;
  const parts: number[] = [];
  let value = 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (value === 0 && byte === 0x80) return null; // not minimal
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) return null;
    if ((byte & 0x80) === 0) {
      parts.push(value);
      value = 0;
    } else if (i === body.length - 1) {
      return null;
    }
  }
  const first = parts.shift()!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

/** One element at `at`: its node and where it ends; null when malformed. */
function readAt(bytes: Uint8Array, at: number, depth: number): { node: DerNode; end: number } | null {
  if (depth > maxDepth || at + 2 > bytes.length) return null;
  const tag = bytes[at]!;
  let length = bytes[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3 || start + count > bytes.length) return null;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i]!;
    if (length < 0x80 || (count > 1 && bytes[start] === 0)) return null; // DER: shortest form only
    start += count;
  }
  const end = start + length;
  if (end > bytes.length) return null;
  const body = bytes.subarray(start, end);
  const whole = bytes.subarray(at, end);
  switch (tag) {
    case 0x30: {
      const items: DerNode[] = [];
      let cursor = start;
      while (cursor < end) {
        const next = readAt(bytes.subarray(0, end), cursor, depth + 1);
        if (!next) return null;
        items.push(next.node);
        cursor = next.end;
      }
      return { node: { tag: 'sequence', items, bytes: whole }, end };
    }
    case 0x04:
      return { node: { tag: 'octets', value: body, bytes: whole }, end };
    case 0x06: {
      const oid = readOid(body);
      return oid === null ? null : { node: { tag: 'oid', value: oid, bytes: whole }, end };
    }
    case 0x02: {
      // Non-negative integers that fit a JS number (iteration counts, key lengths).
      if (body.length === 0 || body.length > 6 || body[0]! & 0x80) return null;
      if (body.length > 1 && body[0] === 0 && !(body[1]! & 0x80)) return null;
      let value = 0;
      for (const byte of body) value = value * 256 + byte;
      return { node: { tag: 'integer', value, bytes: whole }, end };
    }
    case 0x05:
      return length === 0 ? { node: { tag: 'null', bytes: whole }, end } : null;
    default:
      return null;
  }
}

/** The single element `bytes` holds, or null when they are not exactly one well-formed element. */
export function decodeDer(bytes: Uint8Array): DerNode | null {
  const read = readAt(bytes, 0, 0);
  return read && read.end === bytes.length ? read.node : null;
}

function lengthBytes(length: number): number[] {
  if (length < 0x80) return [length];
  const out: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) out.unshift(n % 256);
  return [0x80 | out.length, ...out];
}

function element(tag: number, body: Uint8Array): Uint8Array {
  return Uint8Array.from([tag, ...lengthBytes(body.length), ...body]);
}

export const der = {
  sequence: (...items: Uint8Array[]): Uint8Array => element(0x30, concatBytes(items)),
  octets: (value: Uint8Array): Uint8Array => element(0x04, value),
  oid(dotted: string): Uint8Array {
    const [a, b, ...rest] = dotted.split('.').map(Number);
    const out: number[] = [a! * 40 + b!];
    for (const part of rest) {
      const groups: number[] = [];
      let n = part;
      do {
        groups.unshift(n % 128);
        n = Math.floor(n / 128);
      } while (n > 0);
      out.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
    }
    return element(0x06, Uint8Array.from(out));
  },
};

/** Shape helpers: the node, if it is of that kind. */
export function seq(node: DerNode | undefined, length?: number): readonly DerNode[] | null {
  return node?.tag === 'sequence' && (length === undefined || node.items.length === length) ? node.items : null;
}
export function octets(node: DerNode | undefined): Uint8Array | null {
  return node?.tag === 'octets' ? node.value : null;
}
export function oid(node: DerNode | undefined): string | null {
  return node?.tag === 'oid' ? node.value : null;
}
export function integer(node: DerNode | undefined): number | null {
  return node?.tag === 'integer' ? node.value : null;
}
