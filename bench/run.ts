// `npm run bench`: the service against its baselines, in one run on one throw-away PostgreSQL.
// BENCH_SMOKE=1 (CI): every operation briefly, fails on any error. BENCH_ROWS, BENCH_SECONDS adjust
// a full run, which also rewrites docs/benchmarks.md. Progress goes to stderr, the tables to stdout.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startBenchDatabase } from "./database/bench-database.js";
import { readSample } from "./database/sample.js";
import { seedCustomers } from "./database/seed.js";
import { measure, type OperationResult } from "./measure.js";
import {
  fixedRateOperations,
  idleConnectionOperation,
  type Operation,
  type OperationContext,
  throughputOperations,
} from "./operations.js";
import { cleanUp, cleanUpOnSignals, onCleanup } from "./processes/cleanup.js";
import { acquireRunLock } from "./processes/run-lock.js";
import { checkEquivalence } from "./protocol/equivalence.js";
import { rawGrpcClient } from "./protocol/grpc-client.js";
import { writeBenchmarksDoc } from "./report/benchmarks-doc.js";
import { describeMachine } from "./report/machine.js";
import type { RunReport } from "./report/run-report.js";
import { resultsTable, targetsTable } from "./report/tables.js";
import { evaluateTargets, totalErrors } from "./report/targets.js";
import { buildService, ROOT, startServers } from "./servers.js";
import { loadSettings } from "./settings.js";

const SAMPLE_SIZE = 2000;
const started = Date.now();
const log = (line: string) =>
  console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

async function prepareDatabase(rows: number) {
  log("starting embedded PostgreSQL");
  const db = await startBenchDatabase();
  const seedStart = Date.now();
  await seedCustomers(db.url, rows, log);
  const seedSeconds = (Date.now() - seedStart) / 1000;
  const sample = await readSample(db.url, SAMPLE_SIZE);
  log(`seeded ${rows} customers in ${seedSeconds.toFixed(1)} s (PostgreSQL ${db.version})`);
  return { ...db, seedSeconds, sample };
}

async function main(): Promise<number> {
  const settings = loadSettings();
  cleanUpOnSignals();
  // Before anything slow: fails at once when a load tool is missing. The final report describes again.
  describeMachine(ROOT, "");
  log(
    `${settings.smoke ? "smoke run" : "full run"}: ${settings.rows} rows, ${settings.pairs} pair(s) of ${settings.seconds} s`,
  );
  const resultsDir = path.join(ROOT, "bench/results");
  const logDir = path.join(resultsDir, "logs");
  await mkdir(logDir, { recursive: true });
  await acquireRunLock(path.join(resultsDir, "run.lock"), 30 * 60_000, log);
  const scratch = await mkdtemp(path.join(tmpdir(), "customer-api-bench-files-"));
  onCleanup("scratch files", () => rm(scratch, { recursive: true, force: true }));

  // The compiler and the seed both take a while and little of the same resource: overlap them.
  const [db] = await Promise.all([
    prepareDatabase(settings.rows),
    buildService().then(() => log("service built")),
  ]);

  const apiKey = randomBytes(16).toString("hex");
  const servers = await startServers({ databaseUrl: db.url, apiKey, poolMax: settings.poolMax, logDir });
  log(
    `servers ready: service :${servers.service.port}, fastify-pg :${servers.fastifyPg.port}, grpc-js-pg :${servers.grpcJsPg.port}`,
  );
  const clients = {
    service: rawGrpcClient(servers.service.port),
    grpcJsPg: rawGrpcClient(servers.grpcJsPg.port),
  };
  onCleanup("gRPC probe clients", () => {
    clients.service.close();
    clients.grpcJsPg.close();
  });
  await checkEquivalence(servers, clients, db.sample, apiKey);
  log("baselines answer as the service does");

  const ctx: OperationContext = {
    settings,
    apiKey,
    scratch,
    runNonce: randomBytes(3).toString("hex"),
    servers,
    clients,
    sample: db.sample,
  };
  const results: OperationResult[] = [];
  const run = async (operations: Operation[]) => {
    for (const operation of operations) results.push(await measure(operation, settings, log));
  };
  await run(await throughputOperations(ctx));
  const baselineRps = (id: string) => results.find((r) => r.id === id)?.baseline.rps ?? Number.NaN;
  const fixedRates = { restGet: baselineRps("rest-get") / 2, grpcGet: baselineRps("grpc-get") / 2 };
  await run(await fixedRateOperations(ctx, fixedRates));
  await run([await idleConnectionOperation(ctx)]);

  const report: RunReport = {
    finishedAt: new Date().toISOString(),
    settings,
    machine: describeMachine(ROOT, db.version),
    seedSeconds: db.seedSeconds,
    fixedRates,
    operations: results,
    targets: evaluateTargets(results, settings.rows, !settings.smoke),
  };
  const jsonFile = path.join(resultsDir, settings.smoke ? "smoke.json" : "latest.json");
  await writeFile(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${resultsTable(results)}\n\n${targetsTable(report.targets)}\n`);
  log(`results in ${path.relative(ROOT, jsonFile)}`);
  if (!settings.smoke) {
    await writeBenchmarksDoc(path.join(ROOT, "docs/benchmarks.md"), report);
    log("docs/benchmarks.md rewritten");
  }
  const errors = totalErrors(results);
  if (errors > 0) {
    for (const r of results) {
      for (const side of [r.baseline, r.service]) {
        if (side.errors > 0)
          log(`${r.id} ${side.label}: ${side.errors} error(s): ${side.errorSamples.join("; ")}`);
      }
    }
    log(`FAILED: ${errors} error(s)`);
    return 1;
  }
  return 0;
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
