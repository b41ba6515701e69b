// Covers electron/core/audit-export.ts (CSV quoting and the formula guard).
import { describe, expect, it } from 'vitest';
import { auditCsv, csvCell } from '../../electron/core/audit-export';

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1', "'+1"],
    ['-1+2', "'-1+2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['a=b', 'a=b'],
  ])('%j → %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});

describe('auditCsv', () => {
  it('writes a header and one CRLF line per event, the detail as name=value pairs', () => {
    expect(
      auditCsv([
        { time: '2026-01-31T00:00:00.000Z', mailbox: 'li.na@example.cn', kind: 'sign-in', outcome: 'success', device: 'Linux · pc / Chrome', detail: { method: 'sms', n: 2 } },
      ]),
    ).toBe('\uFEFFtime,mailbox,kind,outcome,device,detail\r\n2026-01-31T00:00:00.000Z,li.na@example.cn,sign-in,success,Linux · pc / Chrome,method=sms; n=2\r\n');
    expect(auditCsv([])).toBe('\uFEFFtime,mailbox,kind,outcome,device,detail\r\n');
  });

  it('starts with one UTF-8 byte order mark, so Excel on a Chinese Windows reads Chinese instead of mojibake', () => {
    const bytes = Buffer.from(auditCsv([{ time: '2026-01-31T00:00:00.000Z', mailbox: 'zhang.wei@cstnet.cn', kind: 'sign-in', outcome: 'success', device: '张伟的电脑', detail: {} }]), 'utf8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8').split('\uFEFF')).toHaveLength(2);
    expect(bytes.toString('utf8')).toContain('张伟的电脑');
  });
});
