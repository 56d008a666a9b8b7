// The benchmark's parameters, read once from the environment (see docs/benchmarks.md, "How to run").

/** How long and how hard each measurement runs. */
export interface BenchSettings {
  /** BENCH_SMOKE=1: every operation briefly, one pair, no targets; what CI runs. */
  smoke: boolean;
  /** Customers seeded before the load starts. */
  rows: number;
  /** Length of one measured run. */
  seconds: number;
  /** Length of the unmeasured run each side gets before an operation's pairs. */
  warmupSeconds: number;
  /** Baseline/service pairs per operation (A B A B A B). */
  pairs: number;
  /** wrk: threads and open HTTP/1.1 connections. */
  wrkThreads: number;
  wrkConnections: number;
  /** h2load (gRPC): HTTP/2 connections and concurrent streams per connection. */
  h2Clients: number;
  h2Streams: number;
  /** h2load --h1 at a fixed rate: connections, one request in flight on each. */
  fixedRateH1Clients: number;
  /** Calls made one after another on one idle HTTP/2 connection. */
  idleCalls: number;
  /** Calls each correctness probe makes before and after a run. */
  probeCalls: number;
  /**
   * Pool size of the baselines: the service's request path uses the node-postgres pool of
   * src/db/database.ts (createQueryPool, max 10), so both sides get the same 10 connections.
   */
  poolMax: number;
}

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return Number(raw);
}

/** Reads BENCH_SMOKE, BENCH_ROWS and BENCH_SECONDS; the rest is fixed so runs stay comparable. */
export function loadSettings(): BenchSettings {
  const smoke = ["1", "true"].includes(process.env.BENCH_SMOKE?.trim().toLowerCase() ?? "");
  return {
    smoke,
    rows: positiveInteger("BENCH_ROWS", smoke ? 1000 : 100_000),
    seconds: positiveInteger("BENCH_SECONDS", smoke ? 1 : 5),
    warmupSeconds: smoke ? 1 : 3,
    pairs: smoke ? 1 : 3,
    wrkThreads: 1,
    wrkConnections: 32,
    h2Clients: 10,
    h2Streams: 5,
    fixedRateH1Clients: 16,
    idleCalls: smoke ? 50 : 200,
    probeCalls: 20,
    poolMax: 10,
  };
}
