/**
 * What every benchmark shares: medians and percentiles, the one-line report of a ratio with its
 * two raw medians, and the machine-readable line bench/run.mjs gathers into the results file.
 */

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** Nearest-rank percentile (p in 0–100) of the samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export const ms = (value: number): string => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export interface Figure {
  /** Short name, e.g. "first paint". */
  readonly name: string;
  /** The figure as it goes into BENCHMARKS.md. */
  readonly value: string;
  /** The goal as written in the issue, or '' when there is none. */
  readonly goal: string;
  /** 'met', 'missed', or '' without a goal. */
  readonly verdict: 'met' | 'missed' | '';
  /** What the figure compares, in a sentence. */
  readonly note: string;
}

/** Prints a figure for a person and, on its own line, for bench/run.mjs. */
export function report(figure: Figure): void {
  const verdict = figure.verdict ? ` [goal ${figure.goal}: ${figure.verdict.toUpperCase()}]` : '';
  console.log(`${figure.name}: ${figure.value}${verdict}`);
  console.log(`BENCH-FIGURE ${JSON.stringify(figure)}`);
}

/** A ratio of two medians, printed with both. */
export function ratioFigure(
  name: string,
  numerator: { label: string; samples: number[] },
  denominator: { label: string; samples: number[] },
  goal: number | null,
  note: string,
): Figure {
  const a = median(numerator.samples);
  const b = median(denominator.samples);
  const ratio = a / b;
  return {
    name,
    value: `${ratio.toFixed(2)}× (${numerator.label} median ${ms(a)} ÷ ${denominator.label} median ${ms(b)}; ${numerator.samples.length} runs each after a warm-up)`,
    goal: goal === null ? '' : `≤ ${goal}×`,
    verdict: goal === null ? '' : ratio <= goal ? 'met' : 'missed',
    note,
  };
}
