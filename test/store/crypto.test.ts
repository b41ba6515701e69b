// Covers electron/store/crypto.ts.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveKey, openLine, sealLine } from '../../electron/store/crypto';

const key = new Uint8Array(randomBytes(32));
const record = JSON.stringify({ _id: 'alice@example.cn', phone: '+8613912341234' });

describe('sealed lines', () => {
  it('opens what it sealed, and shows none of it in the sealed text', () => {
    const sealed = sealLine(key, record, 'mailboxes');
    expect(sealed).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
    expect(sealed).not.toContain('13912341234');
    expect(openLine(key, sealed, 'mailboxes')).toBe(record);
  });

  it('uses a fresh IV for every line, so equal records do not give equal lines', () => {
    expect(sealLine(key, record, 'mailboxes')).not.toBe(sealLine(key, record, 'mailboxes'));
  });

  it('refuses a line moved to another collection', () => {
    const sealed = sealLine(key, record, 'mailboxes');
    expect(() => openLine(key, sealed, 'grants')).toThrow();
  });

  it('refuses a line with one byte altered', () => {
    const raw = Buffer.from(sealLine(key, record, 'mailboxes').slice(3), 'base64');
    raw[20] = raw[20]! ^ 0x01;
    expect(() => openLine(key, `v1:${raw.toString('base64')}`, 'mailboxes')).toThrow();
  });

  it('refuses a line sealed with another key', () => {
    expect(() => openLine(new Uint8Array(randomBytes(32)), sealLine(key, record, 'mailboxes'), 'mailboxes')).toThrow();
  });

  it('refuses plaintext and truncated lines', () => {
    expect(() => openLine(key, record, 'mailboxes')).toThrow('not a sealed line');
    expect(() => openLine(key, 'v1:AAAA', 'mailboxes')).toThrow('sealed line too short');
  });

  it('derives different 32-byte keys for different purposes, the same for the same one', () => {
    const records = deriveKey(key, 'records');
    expect(records).toHaveLength(32);
    expect(Buffer.from(records).equals(Buffer.from(deriveKey(key, 'records')))).toBe(true);
    expect(Buffer.from(records).equals(Buffer.from(deriveKey(key, 'mac')))).toBe(false);
  });
});
