// Covers electron/platform/logger.ts.
import { describe, expect, it } from 'vitest';
import { createConsoleLogger } from '../../electron/platform/logger';

describe('createConsoleLogger', () => {
  it('writes one JSON line per event with level and scope', () => {
    const lines: string[] = [];
    createConsoleLogger('host', (l) => lines.push(l)).warn('request refused', { verdict: 'unauthorized' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', scope: 'host', message: 'request refused', verdict: 'unauthorized' });
  });

  it('never writes the value of a field that names a secret', () => {
    const lines: string[] = [];
    const log = createConsoleLogger('core', (l) => lines.push(l));
    log.error('oops', { password: 'hunter2', clientPassword: 'abcd efgh', code: '123456', token: 't0k', totpSeed: 'JBSW', apiKey: 'k', mailbox: 'a@b.cn' });
    expect(lines[0]).not.toMatch(/hunter2|abcd efgh|123456|t0k|JBSW|"k"/);
    expect(JSON.parse(lines[0]!)).toMatchObject({ mailbox: 'a@b.cn', password: '[redacted]' });
  });
});
