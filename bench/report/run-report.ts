// Everything a run produced, as written to bench/results/*.json and rendered into the docs.
import type { OperationResult } from "../measure.js";
import type { BenchSettings } from "../settings.js";
import type { Machine } from "./machine.js";
import type { TargetResult } from "./targets.js";

export interface RunReport {
  finishedAt: string;
  settings: BenchSettings;
  machine: Machine;
  /** Seconds the seed (insert + VACUUM ANALYZE) took. */
  seedSeconds: number;
  /** Fixed rates used, in requests per second (half the baselines' measured maximum). */
  fixedRates: { restGet: number; grpcGet: number };
  operations: OperationResult[];
  targets: TargetResult[];
}
