// Covers electron/platform/windows-registry.ts: the registry read through the Win32 API binding
// (native-reg, here a stand-in with its interface, since only Windows has the real one): a missing
// key is null on every Windows language, an unreadable one throws, values keep their types.
import { describe, expect, it } from 'vitest';
import { nativeRegistryReader, RegistryUnreadableError } from '../../electron/platform/windows-registry';

const ValueType = { NONE: 0, SZ: 1, EXPAND_SZ: 2, BINARY: 3, DWORD: 4, DWORD_BIG_ENDIAN: 5, MULTI_SZ: 7, QWORD: 11 };
type Raw = Buffer & { type: number };
const raw = (type: number, parsed: unknown): Raw => Object.assign(Buffer.from(JSON.stringify(parsed)), { type });

/** A registry of nested objects; a key that is an Error cannot be opened. */
function fakeNativeReg(tree: Record<string, unknown>, opened: number[] = []) {
  const handles = new Map<number, Record<string, unknown>>();
  let next = 100;
  const roots = { 1: tree['HKCU'], 2: tree['HKLM'], 3: tree['HKCR'] } as Record<number, unknown>;
  const lookup = (hkey: number) => (hkey in roots ? roots[hkey] : handles.get(hkey));
  return {
    HKEY: { CURRENT_USER: 1, LOCAL_MACHINE: 2, CLASSES_ROOT: 3 },
    Access: { READ: 0x20019 },
    ValueType,
    openKey(hkey: number, subKey: string) {
      let node = lookup(hkey) as Record<string, unknown> | undefined;
      for (const part of subKey.split('\\')) {
        node = node?.[part] as Record<string, unknown> | undefined;
        if (node instanceof Error) throw node;
      }
      if (!node || (node as { $raw?: unknown }).$raw) return null;
      const handle = next++;
      handles.set(handle, node);
      opened.push(handle);
      return handle;
    },
    enumKeyNames: (hkey: number) =>
      Object.entries(lookup(hkey) as object)
        .filter(([, v]) => typeof v === 'object' && v !== null && !(v as { $raw?: unknown }).$raw)
        .map(([k]) => k),
    enumValueNames: (hkey: number) =>
      Object.entries(lookup(hkey) as object)
        .filter(([, v]) => (v as { $raw?: unknown } | null)?.$raw)
        .map(([k]) => k),
    queryValueRaw: (hkey: number, name: string | null) => (lookup(hkey) as Record<string, { $raw: Raw }>)[name ?? '']?.$raw ?? null,
    parseValue: (value: Raw | null) => (value ? JSON.parse(value.toString()) : null),
    closeKey: (hkey: number) => void opened.splice(opened.indexOf(hkey), 1),
  };
}
const v = (type: number, parsed: unknown) => ({ $raw: raw(type, parsed) });

describe('the Windows registry reader', () => {
  const tree = {
    HKLM: {
      Software: {
        Policies: {
          Mailwarden: {
            EnforceTwoFactor: v(ValueType.DWORD, 1),
            TotpIssuer: v(ValueType.SZ, '院邮件系统'),
            AllowedMethods: v(ValueType.MULTI_SZ, ['totp', 'sms']),
            Path: v(ValueType.EXPAND_SZ, '%APPDATA%\\x'),
            Blob: v(ValueType.BINARY, [1, 2]),
            Recommended: { MailServerSmtpPort: v(ValueType.DWORD, 465), Deeper: { X: v(ValueType.SZ, 'y') } },
          },
        },
      },
    },
    HKCU: { Software: { Policies: { Locked: new Error('Access is denied.') } } },
    HKCR: { 'Foxmail.url.mailto': { '': v(ValueType.SZ, '"C:\\Foxmail\\Foxmail.exe" -T "%1"') } },
  };

  it('says a missing key is missing (null): no message to parse, whatever the language', () => {
    const reader = nativeRegistryReader(() => fakeNativeReg(tree));
    expect(reader.read('HKCU', 'Software\\Policies\\Mailwarden', 2)).toBeNull();
  });

  it('reads values with their types, Chinese as written, and subkeys to the depth asked; closes every key it opened', () => {
    const opened: number[] = [];
    const reader = nativeRegistryReader(() => fakeNativeReg(tree, opened));
    const key = reader.read('HKLM', 'Software\\Policies\\Mailwarden', 1)!;
    expect(Object.fromEntries(key.values)).toEqual({
      EnforceTwoFactor: { type: 'number', data: 1 },
      TotpIssuer: { type: 'string', data: '院邮件系统' },
      AllowedMethods: { type: 'multi-string', data: ['totp', 'sms'] },
      Path: { type: 'expand-string', data: '%APPDATA%\\x' },
      Blob: { type: 'other', data: null },
    });
    const recommended = key.subkeys.get('Recommended')!;
    expect(recommended.values.get('MailServerSmtpPort')).toEqual({ type: 'number', data: 465 });
    // Depth 1: Recommended's own subkeys are not read.
    expect(recommended.subkeys.size).toBe(0);
    expect(opened).toEqual([]);
  });

  it('reads a key’s default value under the name ""', () => {
    const reader = nativeRegistryReader(() => fakeNativeReg(tree));
    expect(reader.read('HKCR', 'Foxmail.url.mailto')!.values.get('')).toEqual({ type: 'string', data: '"C:\\Foxmail\\Foxmail.exe" -T "%1"' });
  });

  it('throws RegistryUnreadableError for a key it cannot open, and when the binding cannot load', () => {
    const reader = nativeRegistryReader(() => fakeNativeReg(tree));
    expect(() => reader.read('HKCU', 'Software\\Policies\\Locked')).toThrow(RegistryUnreadableError);
    const broken = nativeRegistryReader(() => {
      throw new Error('no prebuilt binary for this platform');
    });
    expect(() => broken.read('HKLM', 'Software\\Policies\\Mailwarden')).toThrow(RegistryUnreadableError);
  });
});
