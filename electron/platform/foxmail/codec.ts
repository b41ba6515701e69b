/**
 * Foxmail's password obfuscation (not encryption: the key is fixed and public).
 *
 * What the public recovery tools agree on (jacobsoo/FoxmailRecovery
 * `Foxmail Password Recovery/Foxmail Password Recovery/SharedFunctions.cs` decodePW;
 * rapid7/metasploit-framework `modules/post/windows/gather/credentials/foxmail.rb`
 * foxmail_crypto; the same routine in several other tools):
 *
 * - the stored value is upper/lower-case hex of n+1 bytes for an n-character password;
 * - the profile's version picks a key and a first-byte mask: Foxmail 6 `~draGon~` and 0x5A,
 *   Foxmail 7 `~F@7%m$~` and 0x71 (the key repeats for passwords longer than 8);
 * - byte 0 is free (a seed); character i is `(b[i+1] XOR key[i]) - prev` where `prev` is
 *   `b[0] XOR mask` for i = 0 and `b[i]` after that, and a negative difference wraps by adding
 *   255 — not 256: every public decoder does this, so it is what Foxmail does.
 *
 * The encoder is the inverse, written here: `b[i+1] = ((char + prev) mod 255, kept in 1..255) XOR key[i]`.
 * Because of the 255 wrap, a character 0xFF cannot be stored, and the decoders turn each byte into
 * one character; so only printable ASCII passwords are written (client passwords are).
 */

export type FoxmailVersion = 6 | 7;

const keys: Record<FoxmailVersion, readonly number[]> = {
  6: [...'~draGon~'].map((c) => c.charCodeAt(0)),
  7: [...'~F@7%m$~'].map((c) => c.charCodeAt(0)),
};
const firstByteMasks: Record<FoxmailVersion, number> = { 6: 0x5a, 7: 0x71 };

/** Whether `password` can be stored and read back unchanged. */
export function isEncodablePassword(password: string): boolean {
  return /^[\x20-\x7e]*$/.test(password);
}

/** The stored hex for `password`; '' for an empty one (nothing stored). `seed` is the free first byte. */
export function encodePassword(password: string, version: FoxmailVersion, seed: number): string {
  if (!isEncodablePassword(password)) throw new RangeError('only printable ASCII passwords can be stored');
  if (password === '') return '';
  const key = keys[version];
  const bytes = [seed & 0xff];
  let previous = (seed & 0xff) ^ firstByteMasks[version];
  for (let i = 0; i < password.length; i++) {
    let sum = password.charCodeAt(i) + previous;
    if (sum > 0xff) sum -= 0xff;
    const stored = sum ^ key[i % key.length]!;
    bytes.push(stored);
    previous = stored;
  }
  return bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('');
}

/**
 * The password a stored hex value stands for; '' for an empty value; null when it is not hex of
 * at least two bytes or decodes to control characters (a value that is not a Foxmail password).
 */
export function decodePassword(hex: string, version: FoxmailVersion): string | null {
  if (hex === '') return '';
  if (!/^(?:[0-9a-fA-F]{2}){2,}$/.test(hex)) return null;
  const bytes: number[] = [];
  for (let i = 0; i < hex.length; i += 2) bytes.push(Number.parseInt(hex.slice(i, i + 2), 16));
  const key = keys[version];
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i++) {
    const previous = i === 0 ? bytes[0]! ^ firstByteMasks[version] : bytes[i]!;
    const d = bytes[i + 1]! ^ key[i % key.length]!;
    const code = d - previous < 0 ? d + 255 - previous : d - previous;
    if (code < 0x20 || code === 0x7f) return null;
    out += String.fromCharCode(code);
  }
  return out;
}
