// Runs h2load (HTTP/2 prior knowledge, or HTTP/1.1 with --h1) and reads its summary plus the
// per-request log, from which the latency percentiles come (h2load prints only min/max/mean/sd).
import { readFile, rm, writeFile } from "node:fs/promises";
import { runCommand } from "../processes/child-process.js";
import { type LoadStats, percentile } from "./load-stats.js";

/** One h2load run. Either `seconds` (timing-based) or `requests` (count-based). */
export interface H2loadRun {
  /** Several URLs are sent in turn (through -i); all must be on the same server. */
  urls: string[];
  http1: boolean;
  clients: number;
  /** Concurrent streams per connection (HTTP/2); HTTP/1.1 always uses 1 (no pipelining). */
  streams: number;
  seconds?: number;
  requests?: number;
  /** Fixed rate per connection (h2load --rps); total rate = clients × rpsPerClient. */
  rpsPerClient?: number;
  /** POST this file's bytes as every request's body. */
  bodyFile?: string;
  headers: Record<string, string>;
  /** Where the per-request log and URL list go (deleted after parsing). */
  scratchPrefix: string;
}

/** h2load's command line for a run (also printed in docs/benchmarks.md). */
export function h2loadArgs(run: H2loadRun, urlFile?: string, logFile?: string): string[] {
  const args = ["-t1", `-c${run.clients}`, `-m${run.http1 ? 1 : run.streams}`];
  if (run.http1) args.push("--h1");
  if (run.seconds !== undefined) args.push(`-D${run.seconds}`);
  if (run.requests !== undefined) args.push(`-n${run.requests}`);
  if (run.rpsPerClient !== undefined) args.push(`--rps=${run.rpsPerClient.toFixed(2)}`);
  if (run.bodyFile !== undefined) args.push("-d", run.bodyFile);
  for (const [name, value] of Object.entries(run.headers)) args.push("-H", `${name}: ${value}`);
  if (logFile !== undefined) args.push(`--log-file=${logFile}`);
  if (urlFile !== undefined) args.push("-i", urlFile);
  else args.push(...run.urls);
  return args;
}

function count(text: string, pattern: RegExp): number {
  const match = pattern.exec(text);
  if (!match?.[1]) throw new Error(`h2load output has no ${pattern}:\n${text}`);
  return Number(match[1]);
}

export async function runH2load(run: H2loadRun): Promise<LoadStats> {
  const logFile = `${run.scratchPrefix}.log`;
  const urlFile = run.urls.length > 1 ? `${run.scratchPrefix}.urls` : undefined;
  if (urlFile) await writeFile(urlFile, `${run.urls.join("\n")}\n`);
  try {
    const timeoutMs = ((run.seconds ?? 0) + 60) * 1000;
    const result = await runCommand("h2load", h2loadArgs(run, urlFile, logFile), { timeoutMs });
    const out = result.stdout;
    if (result.code !== 0 || !/requests: /.test(out)) {
      throw new Error(`h2load failed (exit ${result.code}):\n${out}\n${result.stderr}`);
    }
    const done = count(out, /requests: \d+ total, \d+ started, (\d+) done/);
    const failed = count(out, /(\d+) failed/);
    const timeouts = count(out, /(\d+) timeout/);
    const errored = count(out, /(\d+) errored/);
    const status4xx = count(out, /(\d+) 4xx/);
    const status5xx = count(out, /(\d+) 5xx/);
    const finished = /finished in ([\d.]+)(m?s)/.exec(out);
    const seconds = finished?.[1] ? Number(finished[1]) / (finished[2] === "ms" ? 1000 : 1) : Number.NaN;
    const latencies = (await readFile(logFile, "utf8"))
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => Number(line.split("\t")[2]) / 1000)
      .sort((a, b) => a - b);
    const detail = { failed, errored, timeout: timeouts, "4xx": status4xx, "5xx": status5xx };
    return {
      requests: done,
      seconds,
      rps: done / seconds,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      meanMs: latencies.reduce((a, b) => a + b, 0) / latencies.length,
      // "failed" already includes errored requests and 4xx/5xx statuses; timeouts are counted apart.
      errors: failed + timeouts,
      errorDetail: Object.entries(detail)
        .filter(([, n]) => n > 0)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(", "),
    };
  } finally {
    await rm(logFile, { force: true });
    if (urlFile) await rm(urlFile, { force: true });
  }
}
