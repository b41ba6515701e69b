// Covers electron/main/diagnostics.ts: what Help → Export Diagnostics writes.
import { describe, expect, it } from 'vitest';
import { buildDiagnostics, diagnosticsFileName } from '../../electron/main/diagnostics';
import type { AppInfo } from '../../electron/shared/contract';

const info = {
  productName: 'Mailwarden',
  version: '0.1.0',
  dataDir: 'C:\\Users\\zw\\AppData\\Roaming\\Mailwarden',
  backend: 'embedded',
  shell: 'electron',
  demo: false,
  platform: 'win32',
  policySource: { places: ['registry-hklm'], keys: { enforceTwoFactor: { source: 'enforced', origin: 'registry-hklm' }, locale: { source: 'default' } } },
} as unknown as AppInfo;

describe('the diagnostics file', () => {
  it('names the version, OS, data folder and policy places, then the logs oldest first', () => {
    const text = buildDiagnostics({
      info,
      os: 'Windows 11 (10.0.22631)',
      now: new Date('2026-12-04T01:00:00Z'),
      logs: [
        { name: 'main.log', text: 'newest\n' },
        { name: 'main.1.log', text: 'older\n' },
      ],
    });
    expect(text).toContain('version: 0.1.0');
    expect(text).toContain('os: Windows 11');
    expect(text).toContain('policy places: registry-hklm');
    expect(text).toContain('enforceTwoFactor (enforced)');
    expect(text).not.toContain('locale (');
    expect(text.indexOf('older')).toBeLessThan(text.indexOf('newest'));
  });

  it('keeps the newest log text when the logs are longer than the limit', () => {
    const text = buildDiagnostics({
      info,
      os: 'x',
      now: new Date(),
      maxLogBytes: 10,
      logs: [
        { name: 'main.log', text: 'aaaaaaaaaaNEWEST' },
        { name: 'main.1.log', text: 'old' },
      ],
    });
    expect(text).toContain('NEWEST');
    expect(text).toContain('(newest part)');
    expect(text).not.toContain('old\n');
  });

  it('gets a file name with the date and time', () => {
    expect(diagnosticsFileName(new Date(2026, 11, 4, 9, 30))).toBe('mailwarden-diagnostics-20261204-0930.txt');
  });
});
