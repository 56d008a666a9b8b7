import { describe, expect, it } from "vitest";
import { createServingMonitor } from "../../src/health/serving-monitor.js";

describe("createServingMonitor", () => {
  it("reuses a probe's answer for the cache period and shares one probe between concurrent checks", async () => {
    let probes = 0;
    const monitor = createServingMonitor({ probe: async () => probes++, cacheMs: 60_000 });
    expect(await Promise.all([monitor.serving(), monitor.serving(), monitor.serving()])).toEqual([
      true,
      true,
      true,
    ]);
    expect(await monitor.serving()).toBe(true);
    expect(probes).toBe(1);
  });

  it("is not serving when the probe fails or does not answer in time", async () => {
    const failing = createServingMonitor({ probe: () => Promise.reject(new Error("refused")) });
    expect(await failing.serving()).toBe(false);
    const hanging = createServingMonitor({ probe: () => new Promise(() => undefined), probeTimeoutMs: 50 });
    expect(await hanging.serving()).toBe(false);
  });

  it("reports false to listeners when shutdown begins, and stays not serving", async () => {
    const monitor = createServingMonitor({ probe: async () => undefined, watchIntervalMs: 60_000 });
    const seen: boolean[] = [];
    monitor.subscribe((serving) => seen.push(serving));
    monitor.shutDown();
    expect(seen).toEqual([false]);
    expect(await monitor.serving()).toBe(false);
    const late: boolean[] = [];
    monitor.subscribe((serving) => late.push(serving));
    expect(late).toEqual([false]);
  });
});
