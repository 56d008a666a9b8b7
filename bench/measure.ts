// The method: per operation, one unmeasured warm-up run per side, then baseline/service pairs
// (A B A B A B) so drift (caches, JIT, table growth from creates) falls on both sides alike; each
// measured run is bracketed by probes and by CPU readings of the server process.
import type { LoadStats } from "./load/load-stats.js";
import { median } from "./load/load-stats.js";
import type { Comparison, Operation } from "./operations.js";
import { cpuMicrosPerCall, cpuTicks } from "./processes/cpu-time.js";
import type { BenchSettings } from "./settings.js";
import type { Side } from "./sides.js";

/** One measured run of one side. */
export interface RunResult {
  stats: LoadStats;
  cpuUsPerCall: number;
  probeFailures: string[];
  rowsPerResponse: number[];
}

/** One side over all its runs: medians, and errors summed. */
export interface SideResult {
  label: string;
  command: string;
  runs: RunResult[];
  rps: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  cpuUsPerCall: number;
  /** Load-tool errors plus failed probe calls, over every measured run. */
  errors: number;
  errorSamples: string[];
  rowsPerResponse: number;
}

export interface OperationResult {
  id: string;
  title: string;
  comparison: Comparison;
  baseline: SideResult;
  service: SideResult;
  /**
   * Per pair: throughput → service req/s ÷ baseline req/s; fixed-rate → service p99 ÷ baseline p99;
   * idle → service mean latency − baseline mean latency in ms.
   */
  pairValues: number[];
  /** The median of pairValues. */
  value: number;
}

async function measuredRun(side: Side, seconds: number, index: number): Promise<RunResult> {
  const before = await side.probe(index);
  const ticksBefore = cpuTicks(side.pid);
  const stats = await side.run(seconds, index);
  const ticksAfter = cpuTicks(side.pid);
  const after = await side.probe(index);
  return {
    stats,
    cpuUsPerCall: cpuMicrosPerCall(ticksBefore, ticksAfter, stats.requests),
    probeFailures: [...before.failures, ...after.failures],
    rowsPerResponse: [...before.rows, ...after.rows],
  };
}

function summarise(side: Side, runs: RunResult[]): SideResult {
  const of = (pick: (r: RunResult) => number) => median(runs.map(pick));
  const rows = runs.flatMap((r) => r.rowsPerResponse);
  return {
    label: side.label,
    command: side.command,
    runs,
    rps: of((r) => r.stats.rps),
    p50Ms: of((r) => r.stats.p50Ms),
    p99Ms: of((r) => r.stats.p99Ms),
    meanMs: of((r) => r.stats.meanMs),
    cpuUsPerCall: of((r) => r.cpuUsPerCall),
    errors: runs.reduce((sum, r) => sum + r.stats.errors + r.probeFailures.length, 0),
    errorSamples: runs
      .flatMap((r) => [
        ...(r.stats.errorDetail ? [`load tool: ${r.stats.errorDetail}`] : []),
        ...r.probeFailures,
      ])
      .slice(0, 5),
    rowsPerResponse: rows.length > 0 ? rows.reduce((a, b) => a + b, 0) / rows.length : Number.NaN,
  };
}

function pairValue(comparison: Comparison, baseline: LoadStats, service: LoadStats): number {
  switch (comparison) {
    case "throughput":
      return service.rps / baseline.rps;
    case "fixed-rate":
      return service.p99Ms / baseline.p99Ms;
    case "idle":
      return service.meanMs - baseline.meanMs;
  }
}

/** Warms both sides up, then measures `settings.pairs` baseline/service pairs. */
export async function measure(
  operation: Operation,
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<OperationResult> {
  const { baseline, service } = operation;
  log(`${operation.id}: warm-up`);
  await baseline.run(settings.warmupSeconds, 0);
  await service.run(settings.warmupSeconds, 0);
  const baselineRuns: RunResult[] = [];
  const serviceRuns: RunResult[] = [];
  const pairValues: number[] = [];
  for (let pair = 1; pair <= settings.pairs; pair++) {
    const a = await measuredRun(baseline, settings.seconds, pair);
    const b = await measuredRun(service, settings.seconds, pair);
    baselineRuns.push(a);
    serviceRuns.push(b);
    pairValues.push(pairValue(operation.comparison, a.stats, b.stats));
    log(
      `${operation.id}: pair ${pair}: ${baseline.label} ${a.stats.rps.toFixed(0)} req/s p99 ${a.stats.p99Ms.toFixed(2)} ms, ` +
        `service ${b.stats.rps.toFixed(0)} req/s p99 ${b.stats.p99Ms.toFixed(2)} ms`,
    );
  }
  return {
    id: operation.id,
    title: operation.title,
    comparison: operation.comparison,
    baseline: summarise(baseline, baselineRuns),
    service: summarise(service, serviceRuns),
    pairValues,
    value: median(pairValues),
  };
}
