// Covers electron/main/start-retry.ts: the desktop app waits a moment for a data folder another
// Mailwarden process is still letting go of, instead of an error and an exit (issue 10, fault 11).
import { describe, expect, it } from 'vitest';
import { openWhenFree } from '../../electron/main/start-retry';
import { DataFolderInUseError } from '../../electron/store/folder-lock';

function scripted(refusals: number, error: () => Error = () => new DataFolderInUseError('/data')) {
  let calls = 0;
  const waits: number[] = [];
  return {
    open: async () => {
      calls += 1;
      if (calls <= refusals) throw error();
      return 'backend';
    },
    sleep: async (ms: number) => {
      waits.push(ms);
    },
    get calls() {
      return calls;
    },
    waits,
  };
}

describe('opening the data folder at start', () => {
  it('waits and tries again while another process still holds the folder, then opens', async () => {
    const run = scripted(3);
    const told: number[] = [];
    await expect(openWhenFree(run.open, { sleep: run.sleep, onWait: (attempt) => told.push(attempt) })).resolves.toBe('backend');
    expect(run.calls).toBe(4);
    expect(run.waits).toEqual([800, 800, 800]);
    expect(told).toEqual([1, 2, 3]);
  });

  it('gives up with the clear error after about five seconds of a holder that stays', async () => {
    const run = scripted(100);
    await expect(openWhenFree(run.open, { sleep: run.sleep })).rejects.toBeInstanceOf(DataFolderInUseError);
    expect(run.calls).toBe(6);
    expect(run.waits.reduce((sum, ms) => sum + ms, 0)).toBe(4_000);
  });

  it('does not retry any other failure', async () => {
    const run = scripted(1, () => new Error('written by a newer version'));
    await expect(openWhenFree(run.open, { sleep: run.sleep })).rejects.toThrow('written by a newer version');
    expect(run.calls).toBe(1);
  });
});
