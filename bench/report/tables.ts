// The results as Markdown tables: printed on stdout and written into docs/benchmarks.md.
import type { OperationResult } from "../measure.js";
import { formatValue, type TargetResult } from "./targets.js";

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

const num = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : "—");
const ms = (value: number) => num(value, value < 10 ? 2 : 1);

export function resultsTable(results: OperationResult[]): string {
  return table(
    [
      "operation",
      "baseline",
      "service ÷ baseline",
      "req/s service",
      "req/s baseline",
      "p50 ms service / baseline",
      "p99 ms service / baseline",
      "CPU µs/call service / baseline",
      "errors service / baseline",
      "rows/response",
    ],
    results.map((r) => [
      r.title,
      r.baseline.label,
      formatValue(r),
      num(r.service.rps),
      num(r.baseline.rps),
      `${ms(r.service.p50Ms)} / ${ms(r.baseline.p50Ms)}`,
      `${ms(r.service.p99Ms)} / ${ms(r.baseline.p99Ms)}`,
      `${num(r.service.cpuUsPerCall)} / ${num(r.baseline.cpuUsPerCall)}`,
      `${r.service.errors} / ${r.baseline.errors}`,
      r.id.startsWith("search") || r.id === "rest-mix" ? num(r.service.rowsPerResponse, 1) : "1",
    ]),
  );
}

export function targetsTable(targets: TargetResult[]): string {
  return table(
    ["target", "measured", "met"],
    targets.map((t) => [
      t.target,
      t.measured,
      t.met === undefined ? `not evaluated${t.note ? ` (${t.note})` : ""}` : t.met ? "met" : "**not met**",
    ]),
  );
}
