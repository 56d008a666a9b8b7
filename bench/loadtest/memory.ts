// The service process's memory over a load test: RSS read from outside (/proc/<pid>/status), the V8
// heap reported from inside by a probe preloaded with `node --import` (the production build itself
// is not changed), and a least-squares trend of both after warm-up, judged on the memory's floor.
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";

/** One reading. */
export interface MemorySample {
  /** Seconds since the load started. */
  t: number;
  rssMb: number;
  heapUsedMb?: number;
  heapTotalMb?: number;
}

const MB = 1024 * 1024;

// Appends process.memoryUsage() as a JSON line every LOADTEST_SAMPLE_MS; unref'd, so it never holds
// the process open at shutdown.
const PROBE = `import { appendFileSync } from "node:fs";
const file = process.env.LOADTEST_MEMORY_FILE;
const every = Number(process.env.LOADTEST_SAMPLE_MS) || 1000;
if (file) {
  setInterval(() => {
    const { heapUsed, heapTotal } = process.memoryUsage();
    appendFileSync(file, JSON.stringify({ heapUsed, heapTotal }) + "\\n");
  }, every).unref();
}
`;

/** Writes the heap probe into `dir`; returns its path, for `node --import`. */
export async function writeHeapProbe(dir: string): Promise<string> {
  const file = path.join(dir, "heap-probe.mjs");
  await writeFile(file, PROBE);
  return file;
}

/** VmRSS of `pid` in MiB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb) / 1024;
}

/** The probe's latest heap reading, in MiB; undefined before its first. */
export function latestHeapMb(file: string): { heapUsedMb: number; heapTotalMb: number } | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const last = text.trimEnd().split("\n").at(-1);
  if (!last) return undefined;
  const { heapUsed, heapTotal } = JSON.parse(last) as { heapUsed: number; heapTotal: number };
  return { heapUsedMb: heapUsed / MB, heapTotalMb: heapTotal / MB };
}

/** Slope of the least-squares line through (x, y), in y per x; NaN for fewer than two points. */
export function linearSlope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.x - meanX) * (p.y - meanY);
    variance += (p.x - meanX) ** 2;
  }
  return variance === 0 ? Number.NaN : covariance / variance;
}

/** A growth verdict for one series. */
export interface Trend {
  /** MiB per minute over the samples after warm-up. */
  slopeMbPerMin: number;
  /**
   * MiB per minute of the floor: each sample replaced by the lowest value from it to the end. What a
   * later GC gives back (V8 holds off its first major GC for a while, then RSS drops by a third) is not
   * growth; a leak raises the floor as much as the samples. The verdict is on this slope.
   */
  floorSlopeMbPerMin: number;
  /** Seconds the fit spans. */
  windowSeconds: number;
  samples: number;
  verdict: "ok" | "GROWING" | "too short to judge";
}

/** Below this many seconds after warm-up, a slope says more about start-up than about a leak. */
export const MIN_TREND_WINDOW_SECONDS = 60;

/** The trend of `value` over the samples taken at or after `warmupSeconds`. */
export function trendOf(
  samples: readonly MemorySample[],
  value: (s: MemorySample) => number | undefined,
  warmupSeconds: number,
  maxMbPerMin: number,
): Trend {
  const points = samples
    .filter((s) => s.t >= warmupSeconds)
    .flatMap((s) => {
      const y = value(s);
      return y === undefined ? [] : [{ x: s.t / 60, y }];
    });
  const floor = points.map((p) => ({ ...p }));
  for (let i = floor.length - 2; i >= 0; i--) {
    const here = floor[i] as { x: number; y: number };
    here.y = Math.min(here.y, (floor[i + 1] as { y: number }).y);
  }
  const slopeMbPerMin = linearSlope(points);
  const floorSlopeMbPerMin = linearSlope(floor);
  const windowSeconds = points.length > 1 ? ((points.at(-1)?.x ?? 0) - (points[0]?.x ?? 0)) * 60 : 0;
  const verdict =
    windowSeconds < MIN_TREND_WINDOW_SECONDS || !Number.isFinite(floorSlopeMbPerMin)
      ? "too short to judge"
      : floorSlopeMbPerMin > maxMbPerMin
        ? "GROWING"
        : "ok";
  return { slopeMbPerMin, floorSlopeMbPerMin, windowSeconds, samples: points.length, verdict };
}
