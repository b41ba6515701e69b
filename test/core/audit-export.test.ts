// Covers electron/core/audit-export.ts: CSV quoting and the formula guard, and the export read
// in batches (oldest first, a keyset that neither repeats nor skips an event) written as it goes.
import { describe, expect, it } from 'vitest';
import type { ActivityRecord } from '../../electron/core/activity';
import { auditBatches, auditCount, auditCsvLines, auditCsvStart, auditJson, csvCell, type AuditRow } from '../../electron/core/audit-export';
import { testCore } from '../factories/core';

const auditCsv = (rows: readonly AuditRow[]) => `${auditCsvStart}${auditCsvLines(rows)}`;

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

describe('the CSV export', () => {
  it('writes a header and one CRLF line per event, the detail as name=value pairs', () => {
    expect(
      auditCsv([
        {
          time: '2026-01-31T00:00:00.000Z',
          mailbox: 'li.na@example.cn',
          kind: 'sign-in',
          outcome: 'success',
          device: 'Linux · pc / Chrome',
          detail: { method: 'sms', n: 2 },
        },
      ]),
    ).toBe(
      '\uFEFFtime,mailbox,kind,outcome,device,detail\r\n2026-01-31T00:00:00.000Z,li.na@example.cn,sign-in,success,Linux · pc / Chrome,method=sms; n=2\r\n',
    );
    expect(auditCsv([])).toBe('\uFEFFtime,mailbox,kind,outcome,device,detail\r\n');
  });

  it('starts with one UTF-8 byte order mark, so Excel on a Chinese Windows reads Chinese instead of mojibake', () => {
    const bytes = Buffer.from(
      auditCsv([{ time: '2026-01-31T00:00:00.000Z', mailbox: 'zhang.wei@cstnet.cn', kind: 'sign-in', outcome: 'success', device: '张伟的电脑', detail: {} }]),
      'utf8',
    );
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8').split('\uFEFF')).toHaveLength(2);
    expect(bytes.toString('utf8')).toContain('张伟的电脑');
  });
});

describe('auditBatches', () => {
  /** 23 events over 3 mailboxes, in runs of three sharing one millisecond, stored out of order. */
  async function logOf23() {
    const t = await testCore();
    const events = t.store.collection<ActivityRecord>('activity');
    const records: ActivityRecord[] = Array.from({ length: 23 }, (_, i) => ({
      _id: `e${String(22 - i).padStart(2, '0')}`,
      mailbox: ['a@example.cn', 'b@example.cn', 'c@example.cn'][i % 3]!,
      kind: 'sign-in',
      outcome: 'success',
      at: t.clock.now() - 60_000 + Math.floor(i / 3) * 1000,
      device: `PC ${i}`,
      detail: { i },
    }));
    for (const record of [...records].reverse()) await events.insert(record);
    const oldestFirst = [...records].sort((x, y) => x.at - y.at || (x._id < y._id ? -1 : 1));
    return { t, records, oldestFirst };
  }

  const all = async (batches: AsyncGenerator<AuditRow[]>) => {
    const sizes: number[] = [];
    const rows: AuditRow[] = [];
    for await (const batch of batches) {
      sizes.push(batch.length);
      rows.push(...batch);
    }
    return { sizes, rows };
  };

  it('gives every event once, oldest first, in batches that cut through a millisecond', async () => {
    const { t, oldestFirst } = await logOf23();
    const { sizes, rows } = await all(auditBatches(t.core, { since: 0 }, 4));
    expect(sizes).toEqual([4, 4, 4, 4, 4, 3]);
    expect(rows.map((r) => r.detail.i)).toEqual(oldestFirst.map((r) => r.detail.i));
    expect(await auditCount(t.core, { since: 0 })).toBe(23);
  });

  it('keeps to --since and --mailbox', async () => {
    const { t, oldestFirst } = await logOf23();
    const since = oldestFirst[10]!.at;
    const { rows } = await all(auditBatches(t.core, { since, mailbox: 'B@Example.cn' }, 2));
    const wanted = oldestFirst.filter((r) => r.at >= since && r.mailbox === 'b@example.cn');
    expect(rows.map((r) => r.detail.i)).toEqual(wanted.map((r) => r.detail.i));
    expect(rows.every((r) => r.time === new Date(wanted[0]!.at).toISOString() || r.time > rows[0]!.time)).toBe(true);
    expect(await auditCount(t.core, { since, mailbox: 'b@example.cn' })).toBe(wanted.length);
  });

  it('ends without an empty batch when the events fill the last one exactly, and gives none for an empty log', async () => {
    const { t } = await logOf23();
    expect((await all(auditBatches(t.core, { since: 0 }, 23))).sizes).toEqual([23]);
    expect((await all(auditBatches(t.core, { since: Number.MAX_SAFE_INTEGER }, 5))).sizes).toEqual([]);
  });

  it('does not repeat or shift an event when one is recorded between batches', async () => {
    const { t, oldestFirst } = await logOf23();
    const batches = auditBatches(t.core, { since: 0 }, 5);
    const first = await batches.next();
    await t.core.activity.record({ mailbox: 'a@example.cn', kind: 'sign-in', device: 'meanwhile' });
    const rest = await all(batches);
    const rows = [...(first.value as AuditRow[]), ...rest.rows];
    expect(rows.slice(0, 23).map((r) => r.detail.i)).toEqual(oldestFirst.map((r) => r.detail.i));
    expect(rows.slice(23).map((r) => r.device)).toEqual(['meanwhile']);
  });
});

describe('auditJson', () => {
  it('writes row by row exactly what JSON.stringify writes for the whole array', () => {
    const rows: AuditRow[] = [
      { time: '2026-01-31T00:00:00.000Z', mailbox: 'li.na@example.cn', kind: 'sign-in', outcome: 'success', device: 'PC "1"', detail: { method: 'sms' } },
      { time: '2026-01-31T00:00:01.000Z', mailbox: 'li.na@example.cn', kind: 'sign-in', outcome: 'failure', device: '张伟的电脑', detail: {} },
    ];
    for (const some of [rows, rows.slice(0, 1), []]) {
      expect(some.map((row, i) => auditJson.row(row, i === 0)).join('') + auditJson.end(some.length)).toBe(`${JSON.stringify(some, null, 2)}\n`);
    }
  });
});
