// What one load-generator run measured, whichever tool ran it.

/** Throughput, latency and errors of one run. */
export interface LoadStats {
  /** Responses completed. */
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Connection errors, timeouts and HTTP statuses >= 400 (what the tool can see). */
  errors: number;
  /** The error counts by kind, when there are any. */
  errorDetail: string;
}

/** The p-th percentile (0-100) of ascending `sorted` values, nearest-rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** The median of unsorted values. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
