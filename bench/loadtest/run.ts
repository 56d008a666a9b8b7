// `npm run loadtest` (not part of `npm test`): a soak test. The production build (dist/) runs on its
// own embedded PostgreSQL in a temporary DATA_DIR while Node clients send a paced mix of creates,
// gets, updates and both searches through REST, gRPC, gRPC-web and Connect. It reports calls and
// errors by code per protocol and the server process's RSS and heap over time, with a least-squares
// trend after warm-up. Exit code 1 on any failed call or memory that keeps growing.
//
// LOADTEST_SECONDS (120), LOADTEST_RATE (calls/s in all, 200), LOADTEST_CLIENTS (concurrent clients
// per protocol, 2), LOADTEST_SAMPLE_SECONDS (3), LOADTEST_MAX_GROWTH_MB_PER_MIN (10).
// Progress goes to stderr, the report to stdout.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { freePort } from "../../src/db/embedded-postgres.js";
import { startServer } from "../processes/child-process.js";
import { cleanUp, cleanUpOnSignals, onCleanup } from "../processes/cleanup.js";
import { clockTicksPerSecond, cpuTicks } from "../processes/cpu-time.js";
import { acquireRunLock } from "../processes/run-lock.js";
import { buildService, ROOT } from "../servers.js";
import { latestHeapMb, type MemorySample, rssMb, trendOf, writeHeapProbe } from "./memory.js";
import {
  type Answer,
  type CustomerInput,
  PROTOCOLS,
  type ProtocolClient,
  type ProtocolName,
  protocolClient,
} from "./protocol-clients.js";

const started = Date.now();
const log = (line: string) =>
  console.error(`[loadtest ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

function setting(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  const value = raw ? Number(raw) : fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

const settings = {
  seconds: setting("LOADTEST_SECONDS", 120),
  rate: setting("LOADTEST_RATE", 200),
  clientsPerProtocol: Math.round(setting("LOADTEST_CLIENTS", 2)),
  sampleSeconds: setting("LOADTEST_SAMPLE_SECONDS", 3),
  maxGrowthMbPerMin: setting("LOADTEST_MAX_GROWTH_MB_PER_MIN", 10),
};
/**
 * Start-up (JIT, pools) is left out of the trend: 40 % of the run, at most 60 s. V8's first major GC
 * (at the default rate RSS climbs to ~200 MB, then drops to a flat ~150 MB, 20–65 s in) may still fall
 * inside the fit: the verdict is on the floor of the samples (memory.ts, trendOf), which it leaves flat.
 */
const warmupSeconds = Math.min(60, settings.seconds * 0.4);

/** Calls and answers of one protocol. */
interface ProtocolStats {
  calls: number;
  codes: Map<string, number>;
  latenciesMs: number[];
}

/** The operation mix, by weight. */
const MIX = [
  ["create", 20],
  ["get", 35],
  ["update", 15],
  ["searchByEmail", 15],
  ["searchByAddress", 15],
] as const;
type Operation = (typeof MIX)[number][0];
const TOTAL_WEIGHT = MIX.reduce((sum, [, weight]) => sum + weight, 0);

function pickOperation(): Operation {
  let roll = Math.random() * TOTAL_WEIGHT;
  for (const [operation, weight] of MIX) {
    roll -= weight;
    if (roll < 0) return operation;
  }
  return "get";
}

/** Customers created during the run (the latest 1,000), for gets, updates and searches. */
const known: { id: string; email: string }[] = [];
const runNonce = randomBytes(3).toString("hex");
let serial = 0;

function newCustomer(): CustomerInput {
  serial += 1;
  return {
    firstName: "Soak",
    lastName: "Tester",
    email: `soak.${runNonce}.${serial}@loadtest.example`,
    phone: "+1 415 955 0100",
    address: { line1: "1 Soak Street", city: "Oakland", state: "CA", postalCode: "94607", country: "US" },
  };
}

async function callOnce(client: ProtocolClient, operation: Operation): Promise<Answer> {
  const target = known[Math.floor(Math.random() * known.length)];
  if (operation === "create" || target === undefined) {
    const customer = newCustomer();
    const answer = await client.create(customer);
    if (answer.customerId) {
      known.push({ id: answer.customerId, email: customer.email });
      if (known.length > 1000) known.shift();
    }
    return answer;
  }
  switch (operation) {
    case "get":
      return client.get(target.id);
    case "update":
      return client.update(target.id, `Company ${serial}`);
    case "searchByEmail":
      return client.searchByEmail(target.email);
    case "searchByAddress":
      return client.searchByAddress("oakland", "94607");
  }
}

/** One client: paced calls until `endAt`, one in flight at a time. */
async function worker(client: ProtocolClient, stats: ProtocolStats, intervalMs: number, endAt: number) {
  let next = Date.now() + Math.random() * intervalMs;
  while (Date.now() < endAt) {
    const wait = next - Date.now();
    if (wait > 0) await delay(wait);
    const callStarted = performance.now();
    const answer = await callOnce(client, pickOperation());
    stats.latenciesMs.push(performance.now() - callStarted);
    stats.calls += 1;
    stats.codes.set(answer.code, (stats.codes.get(answer.code) ?? 0) + 1);
    // A client that fell behind does not burst to catch up.
    next = Math.max(next + intervalMs, Date.now() - intervalMs);
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

const fixed = (value: number | undefined, digits = 1) =>
  value === undefined || !Number.isFinite(value) ? "—" : value.toFixed(digits);

async function main(): Promise<number> {
  cleanUpOnSignals();
  const resultsDir = path.join(ROOT, "bench/results");
  await mkdir(path.join(resultsDir, "logs"), { recursive: true });
  // The same lock as the benchmark: a soak test beside a benchmark would measure each other.
  await acquireRunLock(path.join(resultsDir, "run.lock"), 30 * 60_000, log);
  const scratch = await mkdtemp(path.join(tmpdir(), "customer-api-loadtest-"));
  onCleanup("scratch folder", () => rm(scratch, { recursive: true, force: true }));
  // As root, the embedded PostgreSQL runs as the `postgres` user, which must be able to enter it.
  await chmod(scratch, 0o711);

  log("building the service (npm run build)");
  await buildService();
  const apiKey = randomBytes(16).toString("hex");
  const heapFile = path.join(scratch, "heap.jsonl");
  const port = await freePort();
  const { PATH, HOME, TMPDIR, LANG } = process.env;
  log("starting the production build on its own embedded PostgreSQL");
  const server = await startServer({
    name: "service",
    command: process.execPath,
    args: ["--import", pathToFileURL(await writeHeapProbe(scratch)).href, "dist/src/server.js"],
    env: {
      PATH,
      HOME,
      TMPDIR,
      LANG,
      NODE_ENV: "production",
      DATA_DIR: path.join(scratch, "data"),
      HOST: "127.0.0.1",
      PORT: String(port),
      API_KEYS: apiKey,
      LOG_LEVEL: "info",
      LOADTEST_MEMORY_FILE: heapFile,
      LOADTEST_SAMPLE_MS: String(settings.sampleSeconds * 1000),
    },
    cwd: ROOT,
    port,
    logFile: path.join(resultsDir, "logs", "loadtest-service.log"),
    readyPath: "/readyz",
    timeoutMs: 120_000,
  });
  log(
    `service pid ${server.pid} on :${port}; ${settings.seconds} s at ${settings.rate} calls/s, ` +
      `${settings.clientsPerProtocol} client(s) per protocol`,
  );

  const stats = new Map<ProtocolName, ProtocolStats>(
    PROTOCOLS.map((p) => [p, { calls: 0, codes: new Map(), latenciesMs: [] }]),
  );
  const workers = PROTOCOLS.length * settings.clientsPerProtocol;
  const intervalMs = (1000 * workers) / settings.rate;
  const loadStart = Date.now();
  const endAt = loadStart + settings.seconds * 1000;
  const clientCpuBefore = process.cpuUsage();
  const serverTicksBefore = cpuTicks(server.pid);
  const load = Promise.all(
    PROTOCOLS.flatMap((protocol) =>
      Array.from({ length: settings.clientsPerProtocol }, () =>
        worker(
          protocolClient(protocol, server.baseUrl, apiKey),
          stats.get(protocol) as ProtocolStats,
          intervalMs,
          endAt,
        ),
      ),
    ),
  );

  const samples: MemorySample[] = [];
  const sample = () => {
    const t = (Date.now() - loadStart) / 1000;
    const heap = latestHeapMb(heapFile);
    samples.push({ t, rssMb: rssMb(server.pid), ...heap });
    const calls = [...stats.values()].reduce((sum, s) => sum + s.calls, 0);
    const latest = samples.at(-1) as MemorySample;
    log(
      `${calls} calls (${fixed(calls / Math.max(t, 0.001), 0)}/s), RSS ${fixed(latest.rssMb)} MB, heap ${fixed(latest.heapUsedMb)} MB`,
    );
  };
  sample();
  while (Date.now() < endAt) {
    await delay(Math.min(settings.sampleSeconds * 1000, Math.max(0, endAt - Date.now())));
    sample();
  }
  await load;
  const elapsedSeconds = (Date.now() - loadStart) / 1000;
  const serverCpuSeconds = (cpuTicks(server.pid) - serverTicksBefore) / clockTicksPerSecond();
  const clientCpu = process.cpuUsage(clientCpuBefore);
  await server.stop();
  const serviceLog = await readFile(server.logFile, "utf8");
  const errorLines = serviceLog.split("\n").filter((line) => /"level":(50|60)\b/.test(line));

  let failed = 0;
  const protocolRows = PROTOCOLS.map((protocol) => {
    const s = stats.get(protocol) as ProtocolStats;
    const errors = [...s.codes].filter(([code]) => code !== "OK");
    failed += errors.reduce((sum, [, n]) => sum + n, 0);
    return [
      protocol,
      String(s.calls),
      fixed(s.calls / elapsedSeconds),
      String(s.codes.get("OK") ?? 0),
      errors.length === 0 ? "—" : errors.map(([code, n]) => `${code} × ${n}`).join(", "),
      fixed(percentile(s.latenciesMs, 50), 2),
      fixed(percentile(s.latenciesMs, 99), 2),
    ];
  });
  const rss = trendOf(samples, (s) => s.rssMb, warmupSeconds, settings.maxGrowthMbPerMin);
  const heap = trendOf(samples, (s) => s.heapUsedMb, warmupSeconds, settings.maxGrowthMbPerMin);
  const signed = (value: number) => `${value >= 0 ? "+" : ""}${fixed(value, 2)}`;
  const trendLine = (name: string, trend: typeof rss) =>
    `${name}: floor ${signed(trend.floorSlopeMbPerMin)} MB/min, samples ${signed(trend.slopeMbPerMin)} MB/min, ` +
    `over ${fixed(trend.windowSeconds, 0)} s (${trend.samples} samples after ${fixed(warmupSeconds, 0)} s warm-up; ` +
    `limit ${settings.maxGrowthMbPerMin} MB/min on the floor, judged on ≥ 60 s): ${trend.verdict}`;

  console.log(
    [
      "",
      `Load test: ${fixed(elapsedSeconds, 0)} s of mixed calls (${MIX.map(([op, w]) => `${op} ${w} %`).join(", ")}), ` +
        `${settings.clientsPerProtocol} client(s) per protocol, target ${settings.rate} calls/s; ` +
        "production build on its own embedded PostgreSQL",
      "",
      table(["protocol", "calls", "calls/s", "OK", "errors by code", "p50 ms", "p99 ms"], protocolRows),
      "",
      `Service process (pid ${server.pid}) every ${settings.sampleSeconds} s:`,
      "",
      table(
        ["t (s)", "RSS MB", "heap used MB", "heap total MB"],
        samples.map((s) => [fixed(s.t, 0), fixed(s.rssMb), fixed(s.heapUsedMb), fixed(s.heapTotalMb)]),
      ),
      "",
      trendLine("RSS trend", rss),
      trendLine("heap-used trend", heap),
      `CPU: service ${fixed((100 * serverCpuSeconds) / elapsedSeconds, 0)} % of a core, ` +
        `load clients ${fixed((clientCpu.user + clientCpu.system) / 1e4 / elapsedSeconds, 0)} %`,
      `service log: ${errorLines.length} error line(s)${errorLines.length > 0 ? `, first: ${errorLines[0]?.slice(0, 300)}` : ""} ` +
        `(${path.relative(ROOT, server.logFile)})`,
      "",
    ].join("\n"),
  );
  const growing = rss.verdict === "GROWING";
  if (failed > 0) log(`FAILED: ${failed} call(s) did not succeed`);
  if (growing) log(`FAILED: the RSS floor grows by ${fixed(rss.floorSlopeMbPerMin, 2)} MB/min after warm-up`);
  return failed > 0 || growing ? 1 : 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
} finally {
  log("cleaning up");
  await cleanUp();
}
process.exit(exitCode);
