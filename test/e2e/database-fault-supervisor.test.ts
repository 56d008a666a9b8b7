// The embedded PostgreSQL killed under the real server process (node --import tsx src/server.ts):
// the service logs the exit as an error, /readyz answers 503, the supervisor starts PostgreSQL again
// on the same port and data directory, and the same service process serves again (readiness 200,
// old data readable, new writes) without a restart of its own. Its SIGTERM then stops PostgreSQL
// for good: the deliberate stop is not restarted.
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, startServer } from "../../bench/processes/child-process.js";
import { freePort, isProcessAlive, watchPostmaster } from "../../src/db/embedded-postgres.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const KEY = "supervisor-test-key-0123456789";
const AUTH = { authorization: `Bearer ${KEY}` };

type LogLine = Record<string, unknown> & { msg?: string; level?: number };

let dataDir: string;
let server: ServerProcess;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "customer-api-supervisor-"));
  // As root, embedded PostgreSQL runs as the `postgres` user, which must be able to enter DATA_DIR.
  await chmod(dataDir, 0o711);
  const port = await freePort();
  // Only what Node needs: nothing of the caller's shell (DATABASE_URL above all) reaches the service.
  const { PATH, HOME, TMPDIR, LANG } = process.env;
  server = await startServer({
    name: "service",
    command: process.execPath,
    args: ["--import", "tsx", "src/server.ts"],
    env: {
      PATH,
      HOME,
      TMPDIR,
      LANG,
      DATA_DIR: dataDir,
      PORT: String(port),
      API_KEYS: KEY,
      LOG_LEVEL: "info",
    },
    cwd: ROOT,
    port,
    logFile: path.join(dataDir, "service.log"),
    readyPath: "/readyz",
    timeoutMs: 60_000,
  });
}, 90_000);

afterAll(async () => {
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function logLines(): Promise<LogLine[]> {
  const text = await readFile(server.logFile, "utf8");
  return text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);
}

async function readyStatus(): Promise<number> {
  const res = await fetch(`${server.baseUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
  await res.arrayBuffer();
  return res.status;
}

/** Polls /readyz every 50 ms until it answers `status`; returns how long that took. */
async function waitForReady(status: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while ((await readyStatus()) !== status) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `/readyz did not answer ${status} within ${timeoutMs} ms; log:\n${await readFile(server.logFile, "utf8")}`,
      );
    }
    await delay(50);
  }
  return Date.now() - started;
}

function createCustomer(email: string) {
  return fetch(`${server.baseUrl}/v1/customers`, {
    method: "POST",
    headers: { ...AUTH, "content-type": "application/json" },
    body: JSON.stringify({ firstName: "Edsger", lastName: "Dijkstra", email }),
    signal: AbortSignal.timeout(5_000),
  });
}

describe("the embedded PostgreSQL under the server process", () => {
  it("is restarted on its port after a SIGKILL; readiness goes 503, then 200, in the same service process", async () => {
    const postgresDir = path.join(dataDir, "postgres");
    const before = await watchPostmaster(postgresDir);
    const created = await createCustomer("edsger@example.com");
    expect(created.status).toBe(201);
    const customer = (await created.json()) as { customerId: string };

    process.kill(before.pid, "SIGKILL");
    await waitForReady(503, 5_000);
    const recoveredIn = await waitForReady(200, 30_000);
    // 0.5 s back-off plus crash recovery of a tiny cluster; a second attempt (1 s later) may be
    // needed while the killed server's backends still hold its shared memory.
    expect(recoveredIn).toBeLessThan(15_000);

    const after = await watchPostmaster(postgresDir);
    expect(after.pid).not.toBe(before.pid);
    expect(after.port).toBe(before.port);
    expect(isProcessAlive(before.pid)).toBe(false);
    // The service itself never stopped: same process, and its pool reconnected by itself.
    expect(isProcessAlive(server.pid)).toBe(true);
    const got = await fetch(`${server.baseUrl}/v1/customers/id/${customer.customerId}`, { headers: AUTH });
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ customerId: customer.customerId, firstName: "Edsger" });
    expect((await createCustomer("edsger.again@example.com")).status).toBe(201);

    const lines = await logLines();
    const exit = lines.find((l) => l.msg === "embedded PostgreSQL exited unexpectedly; restarting it");
    expect(exit, "the exit is logged").toMatchObject({ level: 50, pid: before.pid, restartInMs: 500 });
    expect(lines.find((l) => l.msg === "embedded PostgreSQL restarted")).toMatchObject({ pid: after.pid });
    expect(lines.filter((l) => l.msg === "customer-api listening")).toHaveLength(1);

    // SIGTERM: a graceful stop, and the PostgreSQL it stops is not started again.
    await server.stop();
    const final = await logLines();
    expect(final.at(-1)?.msg).toBe("stopped");
    expect(final.filter((l) => l.msg === "embedded PostgreSQL restarted")).toHaveLength(1);
    expect(isProcessAlive(after.pid)).toBe(false);
    // A clean PostgreSQL shutdown removes its lock file.
    expect(existsSync(path.join(postgresDir, "cluster", "postmaster.pid"))).toBe(false);
  }, 60_000);
});
