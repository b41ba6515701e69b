// Covers electron/platform/request-label.ts.
import { describe, expect, it } from 'vitest';
import { currentRequestLabel, withRequestLabel } from '../../electron/platform/request-label';

describe('request labels', () => {
  it('names what each async context serves, across awaits, and nothing outside', async () => {
    expect(currentRequestLabel()).toBeUndefined();
    const seen = await Promise.all(
      ['grants:change', 'activity:list'].map((label) =>
        withRequestLabel(label, async () => {
          await new Promise((resolve) => setImmediate(resolve));
          return currentRequestLabel();
        }),
      ),
    );
    expect(seen).toEqual(['grants:change', 'activity:list']);
    expect(currentRequestLabel()).toBeUndefined();
  });

  it('keeps a label short whatever it is given', () => {
    expect(withRequestLabel('x'.repeat(500), () => currentRequestLabel())).toHaveLength(64);
  });
});
