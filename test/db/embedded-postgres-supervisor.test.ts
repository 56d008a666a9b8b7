// The supervisor's rules on stand-in processes and fake timers: an unexpected exit is logged and
// restarted after 0.5 s, 1 s, 2 s … up to the cap, the back-off starts again after a stable run, a
// failed restart is retried, and a deliberate stop is never taken for a crash. The real embedded
// PostgreSQL killed under the real server process: test/e2e/database-fault-supervisor.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type StartedProcess,
  type Supervisor,
  supervise,
} from "../../src/db/embedded-postgres-supervisor.js";

interface FakeProcess extends StartedProcess {
  pid: number;
  /** Makes it exit, as a crash would. */
  die(): void;
  stop: ReturnType<typeof vi.fn<() => Promise<void>>>;
}

let nextPid = 100;
function fakeProcess(): FakeProcess {
  let die!: () => void;
  const exited = new Promise<void>((resolve) => {
    die = resolve;
  });
  const stop = vi.fn(async () => die());
  return { pid: nextPid++, exited, die, stop };
}

interface LogLine {
  level: "info" | "error";
  fields: Record<string, unknown>;
  msg?: string;
}

let lines: LogLine[];
const log = {
  info: (fields: unknown, msg?: string) =>
    lines.push({ level: "info", fields: fields as LogLine["fields"], msg }),
  error: (fields: unknown, msg?: string) =>
    lines.push({ level: "error", fields: fields as LogLine["fields"], msg }),
};
const BACKOFF = { initialDelayMs: 500, maxDelayMs: 4_000, stableAfterMs: 60_000 };
const tick = (ms: number) => vi.advanceTimersByTimeAsync(ms);

let supervisor: Supervisor | undefined;
beforeEach(() => {
  vi.useFakeTimers();
  lines = [];
});
afterEach(async () => {
  await supervisor?.stop();
  supervisor = undefined;
  vi.useRealTimers();
});

/** Supervises a fresh stand-in whose replacements come from `restart` (by default new stand-ins). */
function superviseFake(restart: () => Promise<StartedProcess> = async () => fakeProcess()) {
  const original = fakeProcess();
  const restarts = vi.fn(restart);
  supervisor = supervise({
    name: "test server",
    running: original,
    restart: restarts,
    log,
    backoff: BACKOFF,
  });
  return { original, restarts, supervisor };
}

describe("supervise", () => {
  it("logs an unexpected exit as an error and starts a replacement after the initial delay", async () => {
    const { original, restarts, supervisor } = superviseFake();
    expect(supervisor.up).toBe(true);
    original.die();
    await tick(0);
    expect(supervisor.up).toBe(false);
    expect(lines).toEqual([
      {
        level: "error",
        fields: expect.objectContaining({ pid: original.pid, restartInMs: 500 }),
        msg: "test server exited unexpectedly; restarting it",
      },
    ]);
    await tick(499);
    expect(restarts).not.toHaveBeenCalled();
    await tick(1);
    expect(restarts).toHaveBeenCalledTimes(1);
    expect(supervisor.up).toBe(true);
    expect(lines.at(-1)).toMatchObject({ level: "info", msg: "test server restarted" });
    // The original belongs to whoever started it: the supervisor never stops it.
    expect(original.stop).not.toHaveBeenCalled();
  });

  it("doubles the delay while replacements keep dying, up to the cap, and resets after a stable run", async () => {
    const replacements: FakeProcess[] = [];
    const { original, restarts } = superviseFake(async () => {
      const next = fakeProcess();
      replacements.push(next);
      return next;
    });
    original.die();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      await tick(0);
      const wait = lines.filter((l) => l.level === "error").at(-1)?.fields.restartInMs as number;
      delays.push(wait);
      await tick(wait);
      expect(restarts).toHaveBeenCalledTimes(i + 1);
      if (i < 5) replacements.at(-1)?.die();
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 4_000, 4_000]);
    // A dead replacement of the supervisor's own is released.
    expect(replacements[0]?.stop).toHaveBeenCalled();

    // Up for a minute: the next exit starts again from the initial delay.
    await tick(60_000);
    replacements.at(-1)?.die();
    await tick(0);
    expect(lines.at(-1)?.fields.restartInMs).toBe(500);
  });

  it("retries a replacement that fails to start, with the same back-off", async () => {
    let failures = 2;
    const { original, restarts, supervisor } = superviseFake(async () => {
      if (failures-- > 0) throw new Error("could not bind IPv4 address");
      return fakeProcess();
    });
    original.die();
    await tick(500);
    expect(restarts).toHaveBeenCalledTimes(1);
    expect(lines.at(-1)).toMatchObject({
      level: "error",
      msg: "test server did not start again; retrying",
      fields: { restartInMs: 1_000 },
    });
    await tick(1_000);
    expect(restarts).toHaveBeenCalledTimes(2);
    await tick(1_999);
    expect(restarts).toHaveBeenCalledTimes(2);
    await tick(1);
    expect(restarts).toHaveBeenCalledTimes(3);
    expect(supervisor.up).toBe(true);
  });

  it("never restarts after stop(): a deliberate stop is not a crash", async () => {
    const { original, restarts, supervisor } = superviseFake();
    await supervisor.stop();
    original.die();
    await tick(120_000);
    expect(restarts).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it("stop() during the back-off cancels the pending restart", async () => {
    const { original, restarts, supervisor } = superviseFake();
    original.die();
    await tick(100);
    await supervisor.stop();
    await tick(120_000);
    expect(restarts).not.toHaveBeenCalled();
  });

  it("stop() while a replacement is starting waits for it and stops it", async () => {
    const replacement = fakeProcess();
    let started!: () => void;
    const { original, supervisor } = superviseFake(
      () =>
        new Promise((resolve) => {
          started = () => resolve(replacement);
        }),
    );
    original.die();
    await tick(500);
    let stopped = false;
    const stopping = supervisor.stop().then(() => {
      stopped = true;
    });
    await tick(0);
    expect(stopped).toBe(false);
    started();
    await stopping;
    expect(replacement.stop).toHaveBeenCalledTimes(1);
    expect(lines.some((l) => l.msg === "test server restarted")).toBe(false);
  });

  it("stop() stops a running replacement, which then is not restarted", async () => {
    const replacements: FakeProcess[] = [];
    const { original, restarts, supervisor } = superviseFake(async () => {
      const next = fakeProcess();
      replacements.push(next);
      return next;
    });
    original.die();
    await tick(500);
    await supervisor.stop();
    expect(replacements[0]?.stop).toHaveBeenCalledTimes(1);
    await tick(120_000);
    expect(restarts).toHaveBeenCalledTimes(1);
    expect(lines.filter((l) => l.level === "error")).toHaveLength(1);
  });
});
