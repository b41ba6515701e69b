/**
 * Secrets at rest in the organisation's database. The embedded store seals every record line;
 * a database has to look records up by some fields, so here the secret fields alone are sealed,
 * each value with AES-256-GCM under a key derived from the server key (the embedded store's own
 * format, crypto.ts), its table, field and record id bound in as associated data: a sealed phone
 * copied into another mailbox's row no longer opens. A sealed field the core looks records up by
 * (the per-phone SMS send limit) also gets a blind index, a keyed HMAC of the value, which the
 * query compiler compares instead of the value; equality is all it can answer, and all the core
 * asks of it.
 *
 * Who holds the database without the server key sees addresses, hashes, times and grant levels,
 * never a phone number, a TOTP seed or the phone an SMS code went to.
 */
import { createHmac } from 'node:crypto';
import type { CollectionName, StoredRecord } from '../core/store';
import { deriveKey, openLine, sealLine } from '../store/crypto';
import { blindField, sealedFields, tables } from './schema';

export class FieldSealer {
  private readonly sealKey: Uint8Array;
  private readonly blindKey: Uint8Array;

  constructor(serverKey: Uint8Array) {
    if (serverKey.length !== 32) throw new Error('the server key must be 32 bytes');
    this.sealKey = deriveKey(serverKey, 'database fields');
    this.blindKey = deriveKey(serverKey, 'database lookups');
  }

  /** The fields of this collection that are sealed, and so never compared or sorted in SQL. */
  sealed(collection: CollectionName): ReadonlySet<string> {
    return new Set(sealedFields[collection] ?? []);
  }

  /** The blind index of a sealed looked-up field's value: what its column holds. */
  blind(collection: CollectionName, field: string, value: unknown): string {
    return createHmac('sha256', this.blindKey)
      .update(`${tables[collection].table}.${field}\0${JSON.stringify(value)}`)
      .digest('base64url');
  }

  /** The document to write: each sealed field's value sealed, and a blind index beside the looked-up ones. */
  seal(collection: CollectionName, record: StoredRecord): Record<string, unknown> {
    const fields = sealedFields[collection];
    if (!fields) return { ...record };
    const doc: Record<string, unknown> = { ...record };
    for (const field of fields) {
      const value = doc[field];
      if (value === undefined) continue;
      doc[field] = sealLine(this.sealKey, JSON.stringify(value), this.associated(collection, field, record._id));
      if (field in tables[collection].lookups) doc[blindField(field)] = this.blind(collection, field, value);
    }
    return doc;
  }

  /** The record back from its document; throws on a value altered, moved or sealed with another key. */
  open<T extends StoredRecord>(collection: CollectionName, doc: Record<string, unknown>): T {
    const fields = sealedFields[collection];
    if (!fields) return doc as unknown as T;
    const record: Record<string, unknown> = { ...doc };
    for (const field of fields) {
      delete record[blindField(field)];
      const value = record[field];
      if (value === undefined) continue;
      if (typeof value !== 'string') throw new Error(`${tables[collection].table}.${field} is not sealed`);
      record[field] = JSON.parse(openLine(this.sealKey, value, this.associated(collection, field, String(doc._id))));
    }
    return record as unknown as T;
  }

  private associated(collection: CollectionName, field: string, id: string): string {
    return `${tables[collection].table}.${field}.${id}`;
  }
}
