/**
 * Phone numbers for SMS codes (docs/rules.md §4): mainland China mobiles as people type them, other
 * countries in E.164, all stored in E.164 so one number is always one string. libphonenumber-js's
 * mobile metadata (its numbering plans with only the types an SMS can reach) is all this needs:
 * a third the size of the full set.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/mobile';
import { toHalfWidth } from '../shared/half-width';
import { err, ok, type Result } from '../shared/result';

/** A mainland mobile: 1, then 3–9, then nine more digits (the guide's rule, not the carriers' current ranges). */
const mainlandMobile = /^1[3-9]\d{9}$/;

/** What may be typed around the digits: spaces (ASCII or full-width) and dashes. */
const separators = /[\s\u3000-]/g;

/**
 * Longest input worth looking at: E.164 has 15 digits; the rest is room for a prefix and separators.
 * @internal
 */
export const phoneInputMaxLength = 32;

/**
 * Normalises a typed phone number to E.164, or refuses it with `phone-invalid`.
 * Mainland numbers may come bare, with +86 or with 0086; any other country must start with + or
 * 00 and be a number a mobile can answer (mobile, or fixed-line-or-mobile where a country's plan
 * cannot tell them apart), because a code sent to a landline never arrives.
 */
export function normalizePhone(input: string): Result<string> {
  if (input.length > phoneInputMaxLength) return err('phone-invalid');
  const compact = toHalfWidth(input).replace(separators, '');
  if (mainlandMobile.test(compact)) return ok(`+86${compact}`);
  const international = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
  if (!/^\+\d{6,15}$/.test(international)) return err('phone-invalid');
  if (international.startsWith('+86')) {
    // Mainland numbers follow the guide's rule only: a landline or a short number cannot take an SMS.
    const national = international.slice(3);
    return mainlandMobile.test(national) ? ok(international) : err('phone-invalid');
  }
  const parsed = parsePhoneNumberFromString(international);
  if (!parsed?.isValid()) return err('phone-invalid');
  const type = parsed.getType();
  if (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') return err('phone-invalid');
  return ok(parsed.number);
}
