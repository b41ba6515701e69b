// Covers electron/core/phone.ts
import { describe, expect, it } from 'vitest';
import { maskPhone } from '../../electron/core/mailbox';
import { normalizePhone, phoneInputMaxLength } from '../../electron/core/phone';

describe('normalizePhone: mainland mobiles', () => {
  it.each([
    ['13912341234', '+8613912341234'],
    ['+8613912341234', '+8613912341234'],
    ['008613912341234', '+8613912341234'],
    ['139 1234 1234', '+8613912341234'],
    ['139-1234-1234', '+8613912341234'],
    ['+86 139-1234-1234', '+8613912341234'],
    ['0086 139 1234 1234', '+8613912341234'],
    [' 139\u30001234\u30001234 ', '+8613912341234'],
    ['13012345678', '+8613012345678'],
    ['19912345678', '+8619912345678'],
  ])('%s → %s', (input, e164) => {
    expect(normalizePhone(input)).toEqual({ ok: true, data: e164 });
  });

  it.each([
    ['12912341234', 'second digit below 3'],
    ['10912341234', 'second digit 0'],
    ['1391234123', 'ten digits'],
    ['139123412345', 'twelve digits'],
    ['+86 1291234 1234', 'prefixed, second digit below 3'],
    ['+861391234123', 'prefixed, ten digits'],
    ['+86 10 6256 5656', 'a Beijing landline'],
    ['010-62565656', 'a landline with its area code'],
    ['86 13912341234', 'country code without + or 00'],
  ])('refuses %s (%s)', (input) => {
    expect(normalizePhone(input)).toEqual({ ok: false, code: 'phone-invalid' });
  });
});

describe('normalizePhone: other countries', () => {
  it.each([
    ['+447911123456', '+447911123456', 'UK mobile'],
    ['00447911123456', '+447911123456', 'UK mobile with 00'],
    ['+44 7911 123-456', '+447911123456', 'UK mobile with separators'],
    ['+4915123456789', '+4915123456789', 'German mobile'],
    ['+85291234567', '+85291234567', 'Hong Kong mobile'],
    ['+16502530000', '+16502530000', 'US number (fixed line or mobile)'],
  ])('%s → %s (%s)', (input, e164) => {
    expect(normalizePhone(input)).toEqual({ ok: true, data: e164 });
  });

  it.each([
    ['+442071838750', 'a UK landline: a code sent there never arrives'],
    ['447911123456', 'no + or 00'],
    ['+1800', 'too short'],
    ['+99912345678', 'no such country'],
    ['+4479111234567890', 'more than 15 digits'],
    ['+44 7911 12345a', 'a letter'],
    ['+44(7911)123456', 'brackets'],
    ['', 'empty'],
  ])('refuses %s (%s)', (input) => {
    expect(normalizePhone(input)).toEqual({ ok: false, code: 'phone-invalid' });
  });

  it(`refuses input longer than ${phoneInputMaxLength} characters before parsing it`, () => {
    expect(phoneInputMaxLength).toBe(32);
    const padded = '+86 139 1234 1234'.padEnd(phoneInputMaxLength, ' ');
    expect(normalizePhone(padded)).toEqual({ ok: true, data: '+8613912341234' });
    expect(normalizePhone(`${padded} `)).toEqual({ ok: false, code: 'phone-invalid' });
  });
});

describe('masked display', () => {
  it('shows the first three and last four digits of a mainland number', () => {
    const e164 = normalizePhone('139-1234-5678');
    expect(e164.ok && maskPhone(e164.data)).toBe('139****5678');
  });
});

describe('numbers typed on a Chinese keyboard', () => {
  it('reads full-width digits, plus and spaces as their ASCII forms', () => {
    expect(normalizePhone('１３９ １２３４ ５６７８')).toEqual({ ok: true, data: '+8613912345678' });
    expect(normalizePhone('＋８６\u3000１３９１２３４５６７８')).toEqual({ ok: true, data: '+8613912345678' });
    expect(normalizePhone('１２３４５')).toEqual({ ok: false, code: 'phone-invalid' });
  });
});
