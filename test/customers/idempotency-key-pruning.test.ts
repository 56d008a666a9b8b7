import { describe, expect, it } from "vitest";
import { startIdempotencyKeyPruning } from "../../src/customers/idempotency-key-pruning.js";

const silent = { info: () => undefined, warn: () => undefined };

describe("startIdempotencyKeyPruning", () => {
  it("prunes keys older than the retention at once and then every interval, until stopped", async () => {
    const cutoffs: number[] = [];
    const stop = startIdempotencyKeyPruning(
      {
        pruneIdempotencyKeys: async (before) => {
          cutoffs.push(before.getTime());
          return 0;
        },
      },
      silent,
      { retentionMs: 1000, everyMs: 20, now: () => new Date(10_000) },
    );
    await new Promise((resolve) => setTimeout(resolve, 70));
    stop();
    const seen = cutoffs.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toBeGreaterThanOrEqual(3);
    expect(cutoffs.length).toBe(seen);
    expect(new Set(cutoffs)).toEqual(new Set([9_000]));
  });

  it("logs a failed run and keeps going", async () => {
    const warnings: string[] = [];
    let calls = 0;
    const stop = startIdempotencyKeyPruning(
      {
        pruneIdempotencyKeys: async () => {
          calls++;
          throw new Error("database away");
        },
      },
      {
        info: () => undefined,
        warn: (_obj: unknown, message?: string) => void warnings.push(String(message)),
      },
      { everyMs: 20 },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    stop();
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(warnings[0]).toMatch(/pruning idempotency keys failed/);
  });
});
