// Runs wrk (HTTP/1.1) with bench/lua/requests.lua and reads the JSON line its done() prints.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runCommand } from "../processes/child-process.js";
import type { LoadStats } from "./load-stats.js";

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "../lua/requests.lua");

/** One wrk run against `baseUrl` with requests drawn from `templatesFile`. */
export interface WrkRun {
  baseUrl: string;
  templatesFile: string;
  seconds: number;
  threads: number;
  connections: number;
  /** Makes "{u}" tokens unique across runs (creates get unique emails). */
  uniquePrefix: string;
}

interface WrkJson {
  requests: number;
  durationUs: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
}

/** wrk's command line for a run (also printed in docs/benchmarks.md). */
export function wrkArgs(run: WrkRun): string[] {
  return [
    `-t${run.threads}`,
    `-c${run.connections}`,
    `-d${run.seconds}s`,
    "--timeout",
    "5s",
    "-s",
    SCRIPT,
    `${run.baseUrl}/`,
    "--",
    run.templatesFile,
    run.uniquePrefix,
  ];
}

export async function runWrk(run: WrkRun): Promise<LoadStats> {
  const result = await runCommand("wrk", wrkArgs(run), { timeoutMs: (run.seconds + 30) * 1000 });
  const line = result.stdout.split("\n").find((l) => l.startsWith("BENCH_JSON "));
  if (result.code !== 0 || !line) {
    throw new Error(`wrk failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  const r = JSON.parse(line.slice("BENCH_JSON ".length)) as WrkJson;
  const seconds = r.durationUs / 1e6;
  const kinds = { connect: r.connect, read: r.read, write: r.write, status: r.status, timeout: r.timeout };
  const errors = Object.values(kinds).reduce((a, b) => a + b, 0);
  return {
    requests: r.requests,
    seconds,
    rps: r.requests / seconds,
    p50Ms: r.p50Us / 1000,
    p99Ms: r.p99Us / 1000,
    meanMs: r.meanUs / 1000,
    errors,
    errorDetail: Object.entries(kinds)
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(", "),
  };
}
