/**
 * Pure helpers of the two-factor page: grouping a key for reading, and the text file
 * of backup codes. Kept free of Svelte and the DOM so test/renderer can cover them directly.
 */
import { toHalfWidth } from '../../../../../electron/shared/half-width';

/**
 * Whether a typed number could be a phone number at all (6–15 digits, a + or 00 before them,
 * spaces, dashes and full-width digits allowed), so the steps move on only then. The backend
 * decides whether it is one (core/phone.ts).
 */
export function plausiblePhone(input: string): boolean {
  return /^\+?\d{6,15}$/.test(toHalfWidth(input).replace(/[\s\u3000-]/g, ''));
}

/** `JBSW Y3DP EHPK …`: a long key is copied by hand far more reliably in groups of four. */
export function groupForReading(text: string, size = 4): string {
  const compact = text.replace(/\s+/g, '');
  const groups: string[] = [];
  for (let at = 0; at < compact.length; at += size) groups.push(compact.slice(at, at + size));
  return groups.join(' ');
}

/** Keeps the digits of a typed code (people paste `123 456` or `123-456`, or type `１２３`), at most `length`. */
export function digitsOnly(input: string, length = 6): string {
  return toHalfWidth(input).replace(/\D/g, '').slice(0, length);
}

export interface BackupCodesFile {
  /** Translated header lines (title, when generated, how to use them). */
  readonly header: readonly string[];
  readonly codes: readonly string[];
}

/** The saved text file: the header, a blank line, then one numbered code per line; CRLF for Notepad. */
export function backupCodesText({ header, codes }: BackupCodesFile): string {
  const width = String(codes.length).length;
  const lines = [...header, '', ...codes.map((code, index) => `${String(index + 1).padStart(width, ' ')}. ${code}`), ''];
  return lines.join('\r\n');
}

/** An SVG as a `data:` URL for an <img>: shown as a picture, never parsed into the page as markup. */
export function svgDataUrl(svg: string): string {
  const bytes = new TextEncoder().encode(svg);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}
