// Covers renderer/src/lib/components/overview/checkup.ts.
import { describe, expect, it } from 'vitest';
import { checkup, type CheckupInput } from '../../renderer/src/lib/components/overview/checkup';

const now = Date.UTC(2025, 5, 1, 12);
const hour = 3_600_000;

const clean: CheckupInput = {
  mailbox: 'zhang.wei@cstnet.cn',
  methods: ['sms', 'totp'],
  allowedMethods: ['sms', 'totp'],
  passwords: [{ name: 'Foxmail', unusedFor90Days: false, expired: false }],
  devices: [{ label: 'Windows · PC', client: 'Chrome 131', expiresAt: now + 5 * 24 * hour }],
  grantsGiven: [{ grantee: 'li.na@CSTNET.cn', level: 'read-only' }],
  now,
};

describe('checkup', () => {
  it('is all clear for a well-kept mailbox (domains compared without case)', () => {
    expect(checkup(clean)).toEqual([]);
  });

  it('says 2FA is off, and not also "SMS only"', () => {
    expect(checkup({ ...clean, methods: [] }).map((i) => i.kind)).toEqual(['no-two-factor']);
  });

  it('suggests an authenticator app when SMS is the only method, unless policy forbids it', () => {
    expect(checkup({ ...clean, methods: ['sms'] }).map((i) => i.kind)).toEqual(['sms-only']);
    expect(checkup({ ...clean, methods: ['sms'], allowedMethods: ['sms'] })).toEqual([]);
    expect(checkup({ ...clean, methods: ['totp'] })).toEqual([]);
  });

  it('names client passwords unused for 90 days, leaving expired ones out', () => {
    const passwords = [
      { name: 'Old', unusedFor90Days: true, expired: false },
      { name: 'Gone', unusedFor90Days: true, expired: true },
      { name: 'Fresh', unusedFor90Days: false, expired: false },
    ];
    expect(checkup({ ...clean, passwords })).toEqual([{ kind: 'unused-passwords', names: ['Old'] }]);
  });

  it('names devices expiring within a day, not those already expired or later', () => {
    const devices = [
      { label: 'Mac', client: 'Safari 17', expiresAt: now + 23 * hour },
      { label: 'PC', client: 'Edge 130', expiresAt: now + 25 * hour },
      { label: 'Old', client: 'Firefox 128', expiresAt: now - hour },
    ];
    expect(checkup({ ...clean, devices })).toEqual([{ kind: 'devices-expiring', names: ['Mac / Safari 17'] }]);
  });

  it('names grants to other domains', () => {
    const grantsGiven = [
      { grantee: 'li.na@cstnet.cn', level: 'send-as' as const },
      { grantee: 'wang@example.com', level: 'read-only' as const },
    ];
    expect(checkup({ ...clean, grantsGiven })).toEqual([{ kind: 'other-domains', names: ['wang@example.com'] }]);
  });
});
