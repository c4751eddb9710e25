/**
 * Latency percentiles by the nearest-rank method: every reported value is one that was really measured, and the
 * same data gives the same answer on SQLite and PostgreSQL (computed here, not by a dialect's own function).
 */
export interface Percentiles {
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

function rank(sorted: Float64Array, p: number): number {
  const index = Math.max(Math.ceil((p / 100) * sorted.length) - 1, 0);
  return sorted[index]!;
}

/** Sorts `values` in place (the caller hands over a buffer it no longer needs). */
export function percentilesOf(values: Float64Array): Percentiles {
  if (values.length === 0) return { count: 0, p50: null, p90: null, p95: null, p99: null, max: null };
  values.sort();
  return {
    count: values.length,
    p50: rank(values, 50),
    p90: rank(values, 90),
    p95: rank(values, 95),
    p99: rank(values, 99),
    max: values[values.length - 1]!,
  };
}

/** A growable array of doubles: 8 bytes a value, no per-value objects, for scans over many rows. */
export class Samples {
  private buffer = new Float64Array(1024);
  private size = 0;

  push(value: number): void {
    if (this.size === this.buffer.length) {
      const bigger = new Float64Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    this.buffer[this.size++] = value;
  }

  percentiles(): Percentiles {
    return percentilesOf(this.buffer.subarray(0, this.size));
  }
}
