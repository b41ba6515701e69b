/**
 * The store port's queries in SQL. The port speaks a small Mongo-like subset (equality, or one of
 * `$lt $lte $gt $gte $in $ne` per field, dotted paths, sort, limit, skip); this turns it into a
 * WHERE and ORDER BY with every value a parameter. A looked-up field compares its real column
 * (an index scan); any other field compares inside the document, with the same meaning as the
 * embedded store: a missing field matches no comparison but does match `$ne`, strings compare in
 * code-unit order, numbers as numbers, and a value never compares to one of another type.
 */
import type { FindOptions, Query } from '../core/store';
import type { LookupColumn } from './schema';

export interface Compiled {
  readonly sql: string;
  readonly params: unknown[];
}

const operators = new Set(['$lt', '$lte', '$gt', '$gte', '$in', '$ne']);
const comparisons: Record<string, string> = { $lt: '<', $lte: '<=', $gt: '>', $gte: '>=' };

class UnsupportedQueryError extends Error {
  override readonly name = 'UnsupportedQueryError';
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length === 0 || !keys.some((k) => k.startsWith('$'))) return false;
  for (const key of keys) if (!operators.has(key)) throw new UnsupportedQueryError(`unsupported query operator ${key}`);
  return true;
}

/** Builds SQL with numbered parameters. */
class Builder {
  readonly params: unknown[] = [];
  param(value: unknown, cast = ''): string {
    this.params.push(value);
    return `$${this.params.length}${cast}`;
  }
}

interface Target {
  /** A real column of the looked-up kind, or the document path. */
  readonly column?: LookupColumn;
  readonly path: readonly string[];
}

/** The sealed fields of a collection (seal.ts) and how to find a value's blind index. */
export interface SealedLookups {
  readonly fields: ReadonlySet<string>;
  blind(field: string, value: unknown): string;
}

const noneSealed: SealedLookups = { fields: new Set(), blind: () => '' };

export class QueryCompiler {
  constructor(
    private readonly lookups: Readonly<Record<string, LookupColumn>>,
    private readonly sealed: SealedLookups = noneSealed,
  ) {}

  /** A sealed field answers equality, `$in` and `$ne` through its blind index, and nothing else. */
  private sealedCondition(b: Builder, field: string, condition: unknown): string {
    const column = this.lookups[field];
    if (!column || field.includes('.')) throw new UnsupportedQueryError(`${field} is sealed and cannot be searched`);
    if (!isOperatorObject(condition)) return `${column.column} = ${b.param(this.sealed.blind(field, condition))}`;
    const parts: string[] = [];
    for (const [op, value] of Object.entries(condition)) {
      if (op === '$in' && Array.isArray(value))
        parts.push(
          `${column.column} = ANY(${b.param(
            value.map((v) => this.sealed.blind(field, v)),
            '::text[]',
          )})`,
        );
      else if (op === '$ne') parts.push(`${column.column} IS DISTINCT FROM ${b.param(this.sealed.blind(field, value))}`);
      else throw new UnsupportedQueryError(`${field} is sealed: ${op} cannot compare it`);
    }
    return parts.join(' AND ');
  }

  private isSealed(field: string): boolean {
    return this.sealed.fields.has(field.split('.')[0]!);
  }

  private target(field: string): Target {
    if (field === '_id') return { column: { column: 'id', type: 'text' }, path: ['_id'] };
    const column = this.lookups[field];
    return column ? { column, path: [field] } : { path: field.split('.') };
  }

  private json(b: Builder, target: Target): string {
    return `(doc #> ${b.param(target.path, '::text[]')})`;
  }

  /** Whether the field equals `value` (or, for an array field and a plain value, holds it). */
  private equals(b: Builder, target: Target, value: unknown): string {
    const { column } = target;
    if (column && ((column.type === 'text' && typeof value === 'string') || (column.type === 'bigint' && Number.isSafeInteger(value)))) {
      return `${column.column} = ${b.param(value)}`;
    }
    const x = this.json(b, target);
    const v = b.param(JSON.stringify(value === undefined ? null : value), '::jsonb');
    const holds = typeof value !== 'object' || value === null ? ` OR (jsonb_typeof(${x}) = 'array' AND ${x} @> jsonb_build_array(${v}))` : '';
    return `(${x} = ${v}${holds})`;
  }

  private compare(b: Builder, target: Target, op: string, value: unknown): string {
    const symbol = comparisons[op]!;
    const { column } = target;
    if (typeof value === 'number') {
      if (column?.type === 'bigint') return `${column.column} ${symbol} ${b.param(value)}`;
      const x = this.json(b, target);
      // CASE, not AND: SQL may evaluate both sides of an AND, and a cast of null or a string fails.
      return `(CASE WHEN jsonb_typeof(${x}) = 'number' THEN (${x})::numeric END ${symbol} ${b.param(value)}::numeric)`;
    }
    if (typeof value === 'string') {
      if (column?.type === 'text') return `${column.column} ${symbol} ${b.param(value)}`;
      const x = this.json(b, target);
      return `(jsonb_typeof(${x}) = 'string' AND (${x} #>> '{}') COLLATE "C" ${symbol} ${b.param(value)})`;
    }
    throw new UnsupportedQueryError(`${op} takes a number or a string`);
  }

  private condition(b: Builder, field: string, condition: unknown): string {
    if (this.isSealed(field)) return this.sealedCondition(b, field, condition);
    const target = this.target(field);
    if (!isOperatorObject(condition)) return this.equals(b, target, condition);
    const parts: string[] = [];
    for (const [op, value] of Object.entries(condition)) {
      if (op === '$in') {
        if (!Array.isArray(value)) throw new UnsupportedQueryError('$in takes an array');
        const { column } = target;
        if (column?.type === 'text' && value.every((v) => typeof v === 'string')) parts.push(`${column.column} = ANY(${b.param(value, '::text[]')})`);
        else parts.push(value.length === 0 ? 'FALSE' : `(${value.map((v) => this.equals(b, target, v)).join(' OR ')})`);
      } else if (op === '$ne') {
        // A missing field is "not equal" too, as in the embedded store.
        parts.push(`NOT COALESCE(${this.equals(b, target, value)}, FALSE)`);
      } else {
        parts.push(this.compare(b, target, op, value));
      }
    }
    return parts.join(' AND ');
  }

  where(query: Query, b = new Builder()): { sql: string; builder: Builder } {
    const parts = Object.entries(query).map(([field, condition]) => this.condition(b, field, condition));
    return { sql: parts.length > 0 ? parts.join(' AND ') : 'TRUE', builder: b };
  }

  /** ORDER BY for the sort, then the id, so equal keys come back in one stable order. */
  orderBy(sort: FindOptions['sort'], b: Builder): string {
    const keys: string[] = [];
    for (const [field, direction] of Object.entries(sort ?? {})) {
      if (this.isSealed(field)) throw new UnsupportedQueryError(`${field} is sealed and cannot be sorted by`);
      const dir = direction === -1 ? 'DESC NULLS LAST' : 'ASC NULLS FIRST';
      const target = this.target(field);
      if (target.column) {
        keys.push(`${target.column.column} ${dir}`);
        continue;
      }
      const x = this.json(b, target);
      keys.push(`CASE WHEN jsonb_typeof(${x}) = 'number' THEN (${x})::numeric END ${dir}`);
      keys.push(`(CASE WHEN jsonb_typeof(${x}) = 'string' THEN ${x} #>> '{}' END) COLLATE "C" ${dir}`);
    }
    if (!Object.keys(sort ?? {}).includes('_id')) keys.push('id ASC');
    return keys.join(', ');
  }
}

export function compileFind(compiler: QueryCompiler, table: string, query: Query, options: FindOptions = {}): Compiled {
  const { sql: where, builder } = compiler.where(query);
  let sql = `SELECT doc FROM ${table} WHERE ${where} ORDER BY ${compiler.orderBy(options.sort, builder)}`;
  if (options.limit !== undefined) sql += ` LIMIT ${builder.param(Math.max(0, Math.trunc(options.limit)))}`;
  if (options.skip) sql += ` OFFSET ${builder.param(Math.max(0, Math.trunc(options.skip)))}`;
  return { sql, params: builder.params };
}

export function compileWhere(compiler: QueryCompiler, query: Query): Compiled {
  const { sql, builder } = compiler.where(query);
  return { sql, params: builder.params };
}
