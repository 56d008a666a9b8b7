// The targets the service is held to, each evaluated on this run's results (service ÷ baseline,
// medians of pairs). Smoke runs are too short to judge: there every target is "not evaluated".
import type { OperationResult } from "../measure.js";

export interface TargetResult {
  target: string;
  measured: string;
  /** undefined: not evaluated (smoke run, missing operation, or the row count it needs). */
  met: boolean | undefined;
  note?: string;
}

interface RatioTarget {
  id: string;
  target: string;
  check: (value: number) => boolean;
}

const AT_LEAST = (min: number) => (v: number) => v >= min;

const OPERATION_TARGETS: RatioTarget[] = [
  { id: "grpc-get", target: "gRPC GetCustomer ÷ grpc-js+pg ≥ 1.0", check: AT_LEAST(1.0) },
  { id: "rest-get", target: "REST get by id ÷ Fastify+pg ≥ 0.8", check: AT_LEAST(0.8) },
  { id: "connect-get", target: "Connect JSON get ÷ Fastify+pg REST get ≥ 0.7", check: AT_LEAST(0.7) },
  { id: "grpc-web-get", target: "gRPC-web get ÷ Fastify+pg REST get ≥ 0.7", check: AT_LEAST(0.7) },
  { id: "rest-create", target: "REST create ÷ Fastify+pg ≥ 0.7", check: AT_LEAST(0.7) },
  { id: "grpc-create", target: "gRPC create ÷ grpc-js+pg ≥ 0.7", check: AT_LEAST(0.7) },
  { id: "search-email", target: "search by email ÷ Fastify+pg ≥ 0.7", check: AT_LEAST(0.7) },
  { id: "search-phone", target: "search by phone ÷ Fastify+pg ≥ 0.7", check: AT_LEAST(0.7) },
  { id: "search-firstName", target: "search by first-name prefix ÷ Fastify+pg ≥ 0.7", check: AT_LEAST(0.7) },
  { id: "search-address", target: "search by address ÷ Fastify+pg ≥ 0.7", check: AT_LEAST(0.7) },
  {
    id: "rest-get-fixed-rate",
    target: "REST get p99 at a fixed rate ≤ 1.5 × Fastify+pg's",
    check: (v) => v <= 1.5,
  },
  {
    id: "grpc-get-fixed-rate",
    target: "gRPC get p99 at a fixed rate ≤ 1.5 × grpc-js+pg's",
    check: (v) => v <= 1.5,
  },
  {
    id: "grpc-get-idle",
    target: "one call on an idle HTTP/2 connection ≤ grpc-js+pg + 1 ms",
    check: (v) => v <= 1,
  },
];

const SEARCH_VS_GET_ROWS = 1_000_000;

/** How an operation's comparison value reads: "0.93×", "p99 1.20×", "+0.150 ms (mean … / … ms)". */
export function formatValue(result: OperationResult, digits = 2): string {
  switch (result.comparison) {
    case "throughput":
      return `${result.value.toFixed(digits)}×`;
    case "fixed-rate":
      return `p99 ${result.value.toFixed(digits)}×`;
    case "idle": {
      const means = `mean ${result.service.meanMs.toFixed(3)} / ${result.baseline.meanMs.toFixed(3)} ms`;
      return `${result.value >= 0 ? "+" : ""}${result.value.toFixed(3)} ms (${means})`;
    }
  }
}

/** Evaluates every target on `results`; `evaluate` false (smoke) reports the values only. */
export function evaluateTargets(results: OperationResult[], rows: number, evaluate: boolean): TargetResult[] {
  const byId = new Map(results.map((r) => [r.id, r]));
  const out: TargetResult[] = [];
  for (const t of OPERATION_TARGETS) {
    const result = byId.get(t.id);
    out.push({
      target: t.target,
      // Three digits: a ratio of 0.697 must not read as a "0.70" that missed a 0.7 target.
      measured: result ? formatValue(result, 3) : "not measured",
      met: evaluate && result ? t.check(result.value) : undefined,
    });
  }
  const get = byId.get("rest-get");
  for (const kind of ["email", "phone", "firstName", "address"]) {
    const search = byId.get(`search-${kind}`);
    const ratio = search && get ? search.service.rps / get.service.rps : Number.NaN;
    const judged = evaluate && rows >= SEARCH_VS_GET_ROWS && Number.isFinite(ratio);
    out.push({
      target: `search by ${kind} ÷ REST get by id (service) at 1M rows ≥ 0.8`,
      measured: `${ratio.toFixed(3)}× at ${rows.toLocaleString("en-US")} rows`,
      met: judged ? ratio >= 0.8 : undefined,
      ...(rows < SEARCH_VS_GET_ROWS ? { note: "judged only with BENCH_ROWS=1000000" } : {}),
    });
  }
  const errors = results.reduce((sum, r) => sum + r.service.errors + r.baseline.errors, 0);
  out.push({
    target: "errors = 0 (every side, every run and probe)",
    measured: String(errors),
    met: errors === 0,
  });
  return out;
}

/** Errors of every side of every operation (load tools and probes). */
export function totalErrors(results: OperationResult[]): number {
  return results.reduce((sum, r) => sum + r.service.errors + r.baseline.errors, 0);
}
