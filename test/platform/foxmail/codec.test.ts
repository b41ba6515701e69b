import { describe, expect, it } from 'vitest';
import { decodePassword, encodePassword, isEncodablePassword } from '../../../electron/platform/foxmail/codec';
import { decodeFixturePassword, encodeFixturePassword } from '../../factories/foxmail';

const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
const samples = ['', 'x', 'abcd-efgh-ijkl-mnop', 'fjcqkkeqbuweddch', printable.slice(0, 40), printable, '~~~~~~~~~~~~~~~~~'];

describe('the Foxmail password codec', () => {
  it.each([6, 7] as const)('reads what the fixture builder (the public decoders, inverted) stores, v%i', (version) => {
    for (const password of samples) {
      for (const seed of [0, 1, 0x5a, 0x71, 0x80, 0xfe, 0xff]) {
        expect(decodePassword(encodeFixturePassword(password, version, seed), version)).toBe(password);
      }
    }
  });

  it.each([6, 7] as const)('stores what the public decoders read back, v%i', (version) => {
    for (const password of samples) {
      for (const seed of [0, 0x33, 0xff]) {
        const hex = encodePassword(password, version, seed);
        expect(hex).toMatch(/^(?:[0-9A-F]{2})*$/);
        expect(hex.length).toBe(password === '' ? 0 : 2 * (password.length + 1));
        expect(decodeFixturePassword(hex, version)).toBe(password);
      }
    }
  });

  it('uses a different key for v6 and v7', () => {
    expect(encodePassword('secret', 6, 0x10)).not.toBe(encodePassword('secret', 7, 0x10));
    expect(decodePassword(encodePassword('secret', 6, 0x10), 7)).not.toBe('secret');
  });

  it('wraps by 255, as every public decoder does: sums past 0xFF still read back', () => {
    // A seed whose masked value is high makes the first sum exceed 0xFF.
    for (const seed of [0x8e, 0xf0]) expect(decodePassword(encodePassword('~~', 7, seed), 7)).toBe('~~');
  });

  it('reads lower-case hex too', () => {
    expect(decodePassword(encodePassword('Abc123', 7, 9).toLowerCase(), 7)).toBe('Abc123');
  });

  it('tells an undecodable value from an empty one', () => {
    expect(decodePassword('', 7)).toBe('');
    for (const bad of ['Z1', 'ABC', '4', 'GG00', '00']) expect(decodePassword(bad, 7)).toBeNull();
  });

  it('stores only printable ASCII', () => {
    expect(isEncodablePassword('abc DEF 123 ~!')).toBe(true);
    for (const bad of ['密码', 'tab\there', 'ÿ', 'new\nline']) {
      expect(isEncodablePassword(bad)).toBe(false);
      expect(() => encodePassword(bad, 7, 0)).toThrow(RangeError);
    }
  });
});
