/**
 * Seeded generators of bad input for the contract fuzz (test/fault/contract-fuzz.test.ts): wrong
 * types, huge strings, unicode edge cases (lone surrogates, bidi overrides, NUL, combining marks),
 * prototype-pollution keys, arrays where objects belong, deep nesting, store-query operators.
 * Everything comes from one mulberry32 stream, so a seed and a case number name a request exactly.
 */
import type * as v from 'valibot';

/** mulberry32: small, seeded, the same on every machine (test/platform/foxmail/fuzz.test.ts uses it too). */
export function prng(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Pick {
  (n: number): number;
  one<T>(list: readonly T[]): T;
  chance(p: number): boolean;
}

export function picker(random: () => number): Pick {
  const int = ((n: number) => Math.floor(random() * n)) as Pick;
  int.one = (list) => list[int(list.length)]!;
  int.chance = (p) => random() < p;
  return int;
}

/** Built once: a megabyte of text costs time to make, and the fuzz sends it many times. */
const huge = {
  ascii: 'A'.repeat(1_100_000),
  digits: '1'.repeat(70_000),
  cjk: '邮'.repeat(40_000),
  surrogates: '\uD83D'.repeat(20_000),
  nul: '\0'.repeat(10_000),
};

export const edgeStrings: readonly string[] = [
  '',
  ' ',
  '\0',
  'a\0b',
  'alice@example.cn\0',
  '\uD800',
  '\uDFFF',
  'x\uDC00y',
  '\uD83D\uDE00',
  '\u202Eexample.cn@alice',
  '\u200F\u200E\u2066\u2069',
  '\u202Dtxt.exe',
  'e\u0301\u0301\u0301\u0301',
  '\uFEFF',
  '\uFFFF\uFFFE',
  '１３９１２３４５６７８',
  '١٢٣٤٥٦',
  '12345６',
  '123456\n',
  ' 123456',
  '-0',
  'NaN',
  'Infinity',
  '1e309',
  '0x1F',
  '__proto__',
  'constructor',
  'prototype',
  '{"$gt":""}',
  '$where',
  '../../../etc/passwd',
  'C:\\Windows\\System32',
  '%s%n%x',
  '<script>alert(1)</script>',
  "'; DROP TABLE mailboxes; --",
  '\r\nSet-Cookie: x=1',
  // Near misses of the fuzz's real mailboxes: a real address with a wrong password is a real
  // sign-in attempt, which rightly counts against the lockout.
  'alice@example.cn.',
  'alice@example.cn\u200B',
  'аlice@example.cn',
  '+86 139 1234 5678',
  '13912345678',
  '000000',
  '123456',
  'abcd efgh ijkm npqr',
  huge.ascii,
  huge.digits,
  huge.cjk,
  huge.surrogates,
  huge.nul,
];

const pollutionKeys = ['__proto__', 'constructor', 'prototype', '$where', '$gt', 'toString', 'hasOwnProperty'] as const;

/** A value of any wrong-or-odd kind, nested up to `depth`. */
function oddValue(pick: Pick, depth = 2): unknown {
  switch (pick(depth > 0 ? 12 : 9)) {
    case 0:
      return pick.one(edgeStrings);
    case 1:
      return pick.one([0, -0, -1, 1.5, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, 2 ** 31, 8_640_000_000_000_001]);
    case 2:
      return pick.chance(0.5);
    case 3:
      return null;
    case 4:
      return undefined;
    case 5:
      return [];
    case 6:
      return {};
    case 7:
      return pick.one([new Date(0), new Map(), /x/, Object.create(null)]);
    case 8:
      return { $ne: null };
    case 9:
      return Array.from({ length: pick(4) }, () => oddValue(pick, depth - 1));
    case 10:
      return pollutedObject(pick, depth - 1);
    default:
      return deeplyNested(pick(2) === 0 ? 'object' : 'array', 1 + pick(2_000));
  }
}

/** An object with own prototype-pollution keys, as JSON.parse makes them (a literal `__proto__:` would set the prototype). */
function pollutedObject(pick: Pick, depth: number): Record<string, unknown> {
  const keys = Array.from({ length: 1 + pick(3) }, () => pick.one(pollutionKeys));
  const text = `{${keys.map((key) => `${JSON.stringify(key)}:{"polluted":true,"isAdmin":true}`).join(',')}}`;
  const object = JSON.parse(text) as Record<string, unknown>;
  if (depth > 0 && pick.chance(0.3)) object.nested = oddValue(pick, depth - 1);
  return object;
}

function deeplyNested(kind: 'object' | 'array', depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i += 1) value = kind === 'object' ? { a: value } : [value];
  return value;
}

type AnySchema = v.GenericSchema & {
  type: string;
  entries?: Record<string, AnySchema>;
  wrapped?: AnySchema;
  options?: readonly unknown[];
  literal?: unknown;
  item?: AnySchema;
  key?: string;
};

/** The field names a request schema declares (none for anything but an object schema). */
function fieldsOf(schema: v.GenericSchema): Record<string, AnySchema> {
  return (schema as AnySchema).entries ?? {};
}

/**
 * A value of the type the schema asks for, its strings taken from the edge cases: requests of
 * this kind pass the schema now and then and reach the handler, which must still answer with a
 * typed error.
 */
function typedValue(schema: AnySchema, pick: Pick): unknown {
  switch (schema.type) {
    case 'optional':
    case 'nullable':
    case 'nullish':
      return pick.chance(0.2) ? (schema.type === 'optional' ? undefined : null) : typedValue(schema.wrapped!, pick);
    case 'string':
      return pick.one(edgeStrings);
    case 'number':
      return pick.one([0, 1, 42, -1, 1.5, Date.now(), 8_640_000_000_000_000]);
    case 'boolean':
      return pick.chance(0.5);
    case 'picklist':
      return pick.one(schema.options as readonly unknown[]);
    case 'literal':
      return schema.literal;
    case 'array':
      return Array.from({ length: pick(3) }, () => typedValue(schema.item!, pick));
    case 'strict_object':
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.entries!)
          .map(([key, entry]) => [key, typedValue(entry, pick)])
          .filter(([, value]) => value !== undefined),
      );
    case 'variant':
    case 'union':
      return typedValue(pick.one(schema.options as AnySchema[]), pick);
    default:
      return oddValue(pick);
  }
}

/**
 * One malformed request for a channel with this request schema: not an object at all, an array
 * or a deep nest in its place, its fields given wrong types, fields missing, unknown or
 * prototype-pollution keys added, or its well-typed fields with an odd value slipped in.
 */
export function malformedRequest(schema: v.GenericSchema, pick: Pick): unknown {
  const fields = fieldsOf(schema);
  const names = Object.keys(fields);
  switch (pick(8)) {
    case 0:
      return oddValue(pick);
    case 1:
      return [typedValue(schema as AnySchema, pick)];
    case 2:
      return deeplyNested('object', 1 + pick(5_000));
    case 3: {
      const request = typedValue(schema as AnySchema, pick) as Record<string, unknown>;
      if (names.length === 0) return { ...request, [pick.one(edgeStrings.slice(0, 30))]: oddValue(pick) };
      request[pick.one(names)] = oddValue(pick);
      return request;
    }
    case 4: {
      const request = typedValue(schema as AnySchema, pick) as Record<string, unknown>;
      for (const name of names) if (pick.chance(0.5)) delete request[name];
      request[pick.one(['role', 'admin', 'mailbox', '_id', 'isAdmin', ''])] = oddValue(pick);
      return request;
    }
    case 5:
      return Object.assign(pollutedObject(pick, 1), typedValue(schema as AnySchema, pick));
    case 6:
      return Object.assign(typedValue(schema as AnySchema, pick) as object, pollutedObject(pick, 1));
    default:
      return typedValue(schema as AnySchema, pick);
  }
}
