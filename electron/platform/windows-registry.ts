/**
 * The one reader of the Windows registry, for policy (HKLM/HKCU `Software\Policies\Mailwarden`)
 * and for finding Foxmail. It reads through the Win32 registry API (native-reg, an N-API binding
 * with prebuilt binaries for x64, ia32 and arm64, so nothing is compiled per Electron version),
 * not by parsing `reg.exe`'s text: reg.exe's messages are localised and written in the console's
 * code page (CP936 on a Chinese Windows), so a missing key was taken for an unreadable one and
 * Chinese values were mangled (issue 10, fault 3). Here a missing key is the API's
 * ERROR_FILE_NOT_FOUND (null), never a message.
 *
 * native-reg is loaded on Windows only, when first asked; elsewhere nothing reads a registry.
 */
import { createRequire } from 'node:module';

export type Hive = 'HKCU' | 'HKLM' | 'HKCR';

export type RegistryData =
  | { readonly type: 'string' | 'expand-string'; readonly data: string }
  | { readonly type: 'number'; readonly data: number }
  | { readonly type: 'multi-string'; readonly data: readonly string[] }
  | { readonly type: 'other'; readonly data: null };

export interface RegistryKey {
  /** By value name as stored; the key's default value is named ''. */
  readonly values: ReadonlyMap<string, RegistryData>;
  /** By subkey name as stored. */
  readonly subkeys: ReadonlyMap<string, RegistryKey>;
}

export class RegistryUnreadableError extends Error {
  override readonly name = 'RegistryUnreadableError';
}

export interface RegistryReader {
  /**
   * The key with its values and its subkeys' to `depth` levels (0: none); null when the key does
   * not exist. Throws RegistryUnreadableError when it exists but cannot be read (access denied).
   */
  read(hive: Hive, path: string, depth?: number): RegistryKey | null;
}

/** The part of native-reg used here. */
interface NativeReg {
  HKEY: { CURRENT_USER: number; LOCAL_MACHINE: number; CLASSES_ROOT: number };
  Access: { READ: number };
  ValueType: Record<string, number>;
  openKey(hkey: number, subKey: string, access: number): number | null;
  enumKeyNames(hkey: number): string[];
  enumValueNames(hkey: number): string[];
  queryValueRaw(hkey: number, valueName: string | null): (Buffer & { type: number }) | null;
  parseValue(value: (Buffer & { type: number }) | null): unknown;
  closeKey(hkey: number | null | undefined): void;
}

function dataOf(reg: NativeReg, raw: (Buffer & { type: number }) | null): RegistryData {
  if (!raw) return { type: 'other', data: null };
  const parsed = reg.parseValue(raw);
  switch (raw.type) {
    case reg.ValueType.SZ:
      return { type: 'string', data: String(parsed) };
    case reg.ValueType.EXPAND_SZ:
      return { type: 'expand-string', data: String(parsed) };
    case reg.ValueType.DWORD:
    case reg.ValueType.DWORD_BIG_ENDIAN:
    case reg.ValueType.QWORD:
      return { type: 'number', data: Number(parsed) };
    case reg.ValueType.MULTI_SZ:
      return { type: 'multi-string', data: (parsed as string[]).slice() };
    default:
      return { type: 'other', data: null };
  }
}

/**
 * The reader over native-reg; `load` is replaced in tests of the loading itself.
 * @internal
 */
export function nativeRegistryReader(load: () => NativeReg = () => createRequire(import.meta.url)('native-reg') as NativeReg): RegistryReader {
  let reg: NativeReg | null = null;
  const module = (): NativeReg => (reg ??= load());
  const hiveOf = (hive: Hive) => {
    const { HKEY } = module();
    return hive === 'HKCU' ? HKEY.CURRENT_USER : hive === 'HKLM' ? HKEY.LOCAL_MACHINE : HKEY.CLASSES_ROOT;
  };
  function readOpen(handle: number, depth: number): RegistryKey {
    const native = module();
    const values = new Map<string, RegistryData>();
    for (const name of native.enumValueNames(handle)) values.set(name, dataOf(native, native.queryValueRaw(handle, name === '' ? null : name)));
    const subkeys = new Map<string, RegistryKey>();
    if (depth > 0) {
      for (const name of native.enumKeyNames(handle)) {
        const child = native.openKey(handle, name, native.Access.READ);
        if (child === null) continue; // removed meanwhile
        try {
          subkeys.set(name, readOpen(child, depth - 1));
        } finally {
          native.closeKey(child);
        }
      }
    }
    return { values, subkeys };
  }
  return {
    read(hive, path, depth = 0) {
      let handle: number | null;
      try {
        // null is ERROR_FILE_NOT_FOUND: the key is not there. Anything else throws.
        handle = module().openKey(hiveOf(hive), path, module().Access.READ);
      } catch (cause) {
        throw new RegistryUnreadableError(`${hive}\\${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
      }
      if (handle === null) return null;
      try {
        return readOpen(handle, depth);
      } catch (cause) {
        throw new RegistryUnreadableError(`${hive}\\${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
      } finally {
        module().closeKey(handle);
      }
    },
  };
}

/** This machine's registry, shared by policy and Foxmail; native-reg loads at the first read. */
export const windowsRegistry: RegistryReader = nativeRegistryReader();
