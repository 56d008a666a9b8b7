// The real entry point (src/server.ts) as a child process with its own embedded PostgreSQL: start-up
// logs and the development key, graceful shutdown on SIGTERM (calls in flight finish, idle keep-alive
// connections do not hold it up, new connections are refused, exit code 0), data kept across restarts,
// and start-up refusing invalid configuration with a message naming the variable.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../src/db/embedded-postgres.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TIMEOUT = 60_000;
/** Longer than any test waits, so an exit within a few seconds proves shutdown did not hang until it. */
const GRACE_MS = 30_000;

type LogLine = Record<string, unknown> & { msg?: string; level?: number };

/** A running `node --import tsx src/server.ts` and everything it printed. */
interface ServerProcess {
  proc: ChildProcess;
  port: number;
  baseUrl: string;
  dataDir: string;
  logs: LogLine[];
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ServerProcess>();
const tempDirs: string[] = [];

async function makeDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "customer-api-lifecycle-"));
  // As root, embedded PostgreSQL runs as the `postgres` user, which must be able to enter DATA_DIR.
  await chmod(dir, 0o711);
  tempDirs.push(dir);
  return dir;
}

/** Environment of the test process without anything that would change the server's configuration. */
function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of [
    "DATABASE_URL",
    "API_KEYS",
    "PORT",
    "HOST",
    "DATA_DIR",
    "LOG_LEVEL",
    "PAGE_TOKEN_SECRET",
    "MIGRATE_ON_START",
    "DEFAULT_PHONE_REGION",
    "BODY_LIMIT_BYTES",
    "SHUTDOWN_GRACE_MS",
    "NODE_OPTIONS",
  ]) {
    delete env[name];
  }
  return env;
}

function spawnServer(env: NodeJS.ProcessEnv, port: number, dataDir: string): ServerProcess {
  const proc = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: LogLine[] = [];
  const chunks: string[] = [];
  let partial = "";
  proc.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    chunks.push(chunk);
    partial += chunk;
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        // Not a pino line (kept in output()).
      }
    }
  });
  proc.stderr?.setEncoding("utf8").on("data", (chunk: string) => chunks.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const server: ServerProcess = {
    proc,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    dataDir,
    logs,
    output: () => chunks.join(""),
    exited,
  };
  running.add(server);
  void exited.then(() => running.delete(server));
  return server;
}

/** Starts the service on a free port with the embedded database in `dataDir`, and waits until it listens. */
async function startServer(dataDir: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const port = await freePort();
  const server = spawnServer(
    { ...baseEnv(), DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: "info", ...extraEnv },
    port,
    dataDir,
  );
  await waitForLog(server, (line) => line.msg === "customer-api listening", 45_000);
  return server;
}

function isRunning(server: ServerProcess): boolean {
  return server.proc.exitCode === null && server.proc.signalCode === null;
}

async function waitForLog(
  server: ServerProcess,
  predicate: (line: LogLine) => boolean,
  timeoutMs = 10_000,
): Promise<LogLine> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = server.logs.find(predicate);
    if (found) return found;
    if (!isRunning(server)) throw new Error(`the server exited; output:\n${server.output()}`);
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for a log line; output:\n${server.output()}`);
    await delay(50);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with the exit, or undefined when the process is still running after `ms`. */
async function exitWithin(server: ServerProcess, ms: number) {
  return Promise.race([server.exited, delay(ms).then(() => undefined)]);
}

/** SIGTERM, then SIGKILL (and the orphaned PostgreSQL it started) if it does not stop in time. */
async function stopServer(server: ServerProcess): Promise<void> {
  if (!isRunning(server)) return;
  server.proc.kill("SIGTERM");
  if (await exitWithin(server, 20_000)) return;
  server.proc.kill("SIGKILL");
  await server.exited;
  const pidFile = path.join(server.dataDir, "postgres", "cluster", "postmaster.pid");
  if (existsSync(pidFile)) {
    const pid = Number((await readFile(pidFile, "utf8")).split("\n")[0]);
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, "SIGQUIT");
      } catch {
        // Already gone.
      }
    }
  }
}

/** Sends one HTTP/1.1 request with `agent` and resolves once the whole response has been read. */
function request(
  options: http.RequestOptions & { body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const req = http.request(options, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          socket: req.socket as net.Socket,
        }),
      );
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Resolves with the error code of a new TCP connection attempt, or "connected". */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

function connectJson(
  server: ServerProcess,
  method: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<Response> {
  return fetch(`${server.baseUrl}/customers.v1.CustomerService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

afterEach(async () => {
  await Promise.all([...running].map(stopServer));
});

afterAll(async () => {
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

describe("the service process (node --import tsx src/server.ts, embedded PostgreSQL)", () => {
  /** Carried from the first run to the restart. */
  let firstRun: { dataDir: string; devKey: string; customer: Record<string, unknown> } | undefined;

  it(
    "starts, prints its development key, serves, and shuts down gracefully on SIGTERM",
    async () => {
      const dataDir = await makeDataDir();
      const server = await startServer(dataDir, { SHUTDOWN_GRACE_MS: String(GRACE_MS) });

      const listening = server.logs.find((l) => l.msg === "customer-api listening");
      expect(listening).toMatchObject({ database: "embedded", service: "customer-api" });
      const devKey = (await readFile(path.join(dataDir, "dev-api-key"), "utf8")).trim();
      expect(devKey.length).toBeGreaterThanOrEqual(16);
      const keyLine = await waitForLog(server, (l) => typeof l.msg === "string" && l.msg.includes(devKey));
      expect(keyLine.msg).toContain("development API key");
      const auth = { authorization: `Bearer ${devKey}` };

      // A successful call, with a request id to find in the logs.
      const requestId = `lifecycle-create-${Date.now()}`;
      const created = await connectJson(
        server,
        "CreateCustomer",
        { customer: { firstName: "Margaret", lastName: "Hamilton", email: "margaret@example.com" } },
        { ...auth, "x-request-id": requestId },
      );
      expect(created.status).toBe(200);
      expect(created.headers.get("x-request-id")).toBe(requestId);
      const customer = (await created.json()) as Record<string, unknown>;
      expect(customer.customerId).toEqual(expect.any(String));
      const accessLine = await waitForLog(server, (l) => l.requestId === requestId);
      expect(accessLine).toMatchObject({ msg: "request completed", statusCode: 200, requestId });
      // The restart test needs only this much; it does not depend on how the shutdown below goes.
      firstRun = { dataDir, devKey, customer };
      const unauthenticated = await connectJson(
        server,
        "GetCustomer",
        { customerId: customer.customerId },
        {},
      );
      expect(unauthenticated.status).toBe(401);

      // An HTTP/1.1 keep-alive connection, its request completed and its socket idle in the agent.
      const keepAlive = new http.Agent({ keepAlive: true });
      try {
        const health = await request({
          host: "127.0.0.1",
          port: server.port,
          path: "/healthz",
          agent: keepAlive,
        });
        expect(health.status).toBe(200);
        expect(health.headers.connection).toBe("keep-alive");
        expect(health.socket.destroyed).toBe(false);
        const idleClosed = new Promise<void>((resolve) => health.socket.once("close", () => resolve()));

        // A call in flight: its body arrives half before and half after SIGTERM.
        const slowRequestId = `lifecycle-slow-${Date.now()}`;
        const body = JSON.stringify({
          customer: { firstName: "Katherine", lastName: "Johnson", email: "katherine@example.com" },
        });
        let slowRest: (() => void) | undefined;
        const slow = new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = http.request(
            {
              host: "127.0.0.1",
              port: server.port,
              method: "POST",
              path: "/customers.v1.CustomerService/CreateCustomer",
              agent: false,
              headers: {
                ...auth,
                "content-type": "application/json",
                "content-length": Buffer.byteLength(body),
                "x-request-id": slowRequestId,
              },
            },
            (res) => {
              let text = "";
              res.setEncoding("utf8");
              res.on("data", (chunk: string) => (text += chunk));
              res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
            },
          );
          req.on("error", reject);
          req.flushHeaders();
          req.write(body.slice(0, body.length / 2));
          slowRest = () => req.end(body.slice(body.length / 2));
        });
        // Let the server receive the head and the first half.
        await delay(500);
        const sigtermAt = Date.now();
        server.proc.kill("SIGTERM");
        await waitForLog(server, (l) => typeof l.msg === "string" && l.msg.startsWith("shutting down"));

        // New connections are refused while the call in flight is still open.
        let attempt = await tryConnect(server.port);
        for (let i = 0; attempt !== "ECONNREFUSED" && i < 20; i++) {
          await delay(50);
          attempt = await tryConnect(server.port);
        }
        expect(attempt).toBe("ECONNREFUSED");
        expect(isRunning(server)).toBe(true);

        slowRest?.();
        const finished = await slow;
        // Soft, so a failure here still reports how the process exited.
        expect
          .soft(finished.status, `in-flight call: ${finished.body}\nserver output:\n${server.output()}`)
          .toBe(200);
        expect.soft(JSON.parse(finished.body)).toMatchObject({ firstName: "Katherine", lastName: "Johnson" });

        const exit = await exitWithin(server, 10_000);
        expect(exit, "the process should exit within a few seconds of the last call").toEqual({
          code: 0,
          signal: null,
        });
        expect(Date.now() - sigtermAt).toBeLessThan(GRACE_MS);
        await idleClosed;
        expect(server.logs.some((l) => l.msg === "grace period over, closing remaining connections")).toBe(
          false,
        );
        expect(server.logs.at(-1)?.msg).toBe("stopped");
        expect(
          server.logs.find((l) => l.requestId === slowRequestId && l.msg === "request completed"),
        ).toMatchObject({ statusCode: 200, path: "/customers.v1.CustomerService/CreateCustomer" });
      } finally {
        keepAlive.destroy();
      }

      // Every line logged while serving a request names it.
      for (const line of server.logs.filter((l) => l.msg === "request completed")) {
        expect(line.requestId).toEqual(expect.any(String));
      }
    },
    TIMEOUT,
  );

  it(
    "keeps its data and development key across a restart with the same DATA_DIR",
    async () => {
      expect(firstRun, "needs the first run's DATA_DIR").toBeDefined();
      if (!firstRun) return;
      const { dataDir, devKey, customer } = firstRun;
      const server = await startServer(dataDir);
      expect((await readFile(path.join(dataDir, "dev-api-key"), "utf8")).trim()).toBe(devKey);
      await waitForLog(server, (l) => typeof l.msg === "string" && l.msg.includes(devKey));

      const res = await connectJson(
        server,
        "GetCustomer",
        { customerId: customer.customerId },
        { authorization: `Bearer ${devKey}` },
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(customer);

      const search = await connectJson(
        server,
        "SearchCustomers",
        { firstName: "MARG" },
        { authorization: `Bearer ${devKey}` },
      );
      expect(search.status).toBe(200);
      const found = (await search.json()) as { customers: { customerId: string }[] };
      expect(found.customers.map((c) => c.customerId)).toEqual([customer.customerId]);

      server.proc.kill("SIGTERM");
      expect(await exitWithin(server, 15_000)).toEqual({ code: 0, signal: null });
    },
    TIMEOUT,
  );

  it.each([
    ["an external DATABASE_URL without API_KEYS", { DATABASE_URL: "postgres://127.0.0.1:1/x" }, "API_KEYS"],
    ["PORT=abc", { PORT: "abc" }, "PORT"],
    ["PORT out of range", { PORT: "70000" }, "PORT"],
    ["an unknown LOG_LEVEL", { LOG_LEVEL: "loud" }, "LOG_LEVEL"],
  ])(
    "refuses to start with %s, naming the variable",
    async (_label, env, variable) => {
      const dataDir = await makeDataDir();
      const port = await freePort();
      const server = spawnServer(
        { ...baseEnv(), DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: "info", ...env },
        port,
        dataDir,
      );
      const exit = await exitWithin(server, 30_000);
      expect(exit, `still running; output:\n${server.output()}`).toBeDefined();
      expect(exit?.code).not.toBe(0);
      expect(exit?.code).not.toBeNull();
      expect(server.output()).toContain(variable);
      expect(server.logs.some((l) => l.msg === "customer-api listening")).toBe(false);
      expect(existsSync(path.join(dataDir, "postgres"))).toBe(false);
    },
    TIMEOUT,
  );
});

/** Command lines (arguments joined by spaces) of running `postgres` processes whose arguments name `dir`. */
async function postgresProcessesUsing(dir: string): Promise<{ pid: number; cmdline: string }[]> {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = (await readFile(`/proc/${entry}/cmdline`, "utf8")).split("\0").filter((a) => a !== "");
    } catch {
      continue; // Exited while we looked.
    }
    const [command, ...rest] = args;
    if (command === undefined || !path.basename(command).startsWith("postgres")) continue;
    if (rest.some((arg) => arg.includes(dir))) found.push({ pid: Number(entry), cmdline: args.join(" ") });
  }
  return found;
}

/** Polls briefly: the postmaster's own exit is what the service waits for, so this should hold at once. */
async function expectNoPostgresUsing(dir: string): Promise<void> {
  let left = await postgresProcessesUsing(dir);
  for (let i = 0; left.length > 0 && i < 20; i++) {
    await delay(100);
    left = await postgresProcessesUsing(dir);
  }
  expect(left, "PostgreSQL processes still running on the DATA_DIR").toEqual([]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

describe("the service process: other signals and start-up failures", () => {
  it.each([["SIGINT"], ["SIGHUP"]] as const)(
    "shuts down gracefully on %s and stops its embedded PostgreSQL",
    async (signal) => {
      const dataDir = await makeDataDir();
      const server = await startServer(dataDir, { SHUTDOWN_GRACE_MS: String(GRACE_MS) });
      const pidFile = path.join(dataDir, "postgres", "cluster", "postmaster.pid");
      const postmasterPid = Number((await readFile(pidFile, "utf8")).split("\n")[0]);
      expect(isAlive(postmasterPid)).toBe(true);
      // The check below can see the embedded PostgreSQL while it runs.
      const before = await postgresProcessesUsing(dataDir);
      expect(before.map((p) => p.pid)).toContain(postmasterPid);

      // It serves until the signal.
      const devKey = (await readFile(path.join(dataDir, "dev-api-key"), "utf8")).trim();
      const created = await connectJson(
        server,
        "CreateCustomer",
        { customer: { firstName: "Grace", lastName: "Hopper", email: "grace@example.com" } },
        { authorization: `Bearer ${devKey}` },
      );
      expect(created.status).toBe(200);

      const signalledAt = Date.now();
      server.proc.kill(signal);
      const exit = await exitWithin(server, 15_000);
      expect(exit, `still running; output:\n${server.output()}`).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalledAt).toBeLessThan(GRACE_MS);
      expect(
        server.logs.find((l) => typeof l.msg === "string" && l.msg.startsWith("shutting down")),
      ).toMatchObject({ signal });
      expect(server.logs.at(-1)?.msg, server.output()).toBe("stopped");
      expect(server.logs.some((l) => (l.level ?? 0) >= 50)).toBe(false);

      await expectNoPostgresUsing(dataDir);
      expect(isAlive(postmasterPid)).toBe(false);
      // A clean PostgreSQL shutdown removes its lock file.
      expect(existsSync(pidFile)).toBe(false);
    },
    TIMEOUT,
  );

  it(
    "refuses a second server on the same DATA_DIR, and the first keeps working",
    async () => {
      const dataDir = await makeDataDir();
      const first = await startServer(dataDir);
      const devKey = (await readFile(path.join(dataDir, "dev-api-key"), "utf8")).trim();
      const auth = { authorization: `Bearer ${devKey}` };
      const created = await connectJson(
        first,
        "CreateCustomer",
        { customer: { firstName: "Barbara", lastName: "Liskov", email: "barbara@example.com" } },
        auth,
      );
      expect(created.status).toBe(200);
      const customer = (await created.json()) as { customerId: string };

      const port = await freePort();
      const second = spawnServer(
        { ...baseEnv(), DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: "info" },
        port,
        dataDir,
      );
      const exit = await exitWithin(second, 15_000);
      expect(exit, `the second server is still running; output:\n${second.output()}`).toBeDefined();
      expect(exit?.code).not.toBe(0);
      expect(exit?.code).not.toBeNull();
      expect(second.logs.some((l) => l.msg === "customer-api listening")).toBe(false);
      const fatal = second.logs.find((l) => l.level === 60);
      expect(fatal, `no fatal JSON log line; output:\n${second.output()}`).toBeDefined();
      expect(JSON.stringify(fatal)).toMatch(/postmaster\.pid|another PostgreSQL/);
      expect(await tryConnect(port)).toBe("ECONNREFUSED");

      // The first server and its database were not disturbed.
      expect(isRunning(first)).toBe(true);
      expect((await fetch(`${first.baseUrl}/readyz`)).status).toBe(200);
      const got = await connectJson(first, "GetCustomer", { customerId: customer.customerId }, auth);
      expect(got.status).toBe(200);
      expect(await got.json()).toMatchObject({ customerId: customer.customerId, firstName: "Barbara" });
      const another = await connectJson(
        first,
        "CreateCustomer",
        { customer: { firstName: "Frances", lastName: "Allen", email: "frances@example.com" } },
        auth,
      );
      expect(another.status).toBe(200);

      first.proc.kill("SIGTERM");
      expect(await exitWithin(first, 15_000)).toEqual({ code: 0, signal: null });
      await expectNoPostgresUsing(dataDir);
    },
    TIMEOUT,
  );

  it(
    "refuses to start with MIGRATE_ON_START=false on a fresh DATA_DIR, naming MIGRATE_ON_START",
    async () => {
      const dataDir = await makeDataDir();
      const port = await freePort();
      const server = spawnServer(
        { ...baseEnv(), DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: "info", MIGRATE_ON_START: "false" },
        port,
        dataDir,
      );
      const exit = await exitWithin(server, 45_000);
      expect(exit, `still running; output:\n${server.output()}`).toBeDefined();
      expect(exit?.code).not.toBe(0);
      expect(exit?.code).not.toBeNull();
      expect(server.logs.some((l) => l.msg === "customer-api listening")).toBe(false);
      expect(server.logs.some((l) => l.msg === "applied database migrations")).toBe(false);
      const fatal = server.logs.find((l) => l.level === 60);
      expect(fatal, `no fatal JSON log line; output:\n${server.output()}`).toBeDefined();
      expect(JSON.stringify(fatal)).toContain("MIGRATE_ON_START");
      expect(await tryConnect(port)).toBe("ECONNREFUSED");
      // The embedded PostgreSQL it started for the check is stopped again.
      await expectNoPostgresUsing(dataDir);
    },
    TIMEOUT,
  );

  it(
    "refuses to start with a HOST that does not resolve, naming HOST",
    async () => {
      const dataDir = await makeDataDir();
      const port = await freePort();
      const server = spawnServer(
        {
          ...baseEnv(),
          DATA_DIR: dataDir,
          PORT: String(port),
          LOG_LEVEL: "info",
          HOST: "no-such-host.invalid",
        },
        port,
        dataDir,
      );
      const exit = await exitWithin(server, 45_000);
      expect(exit, `still running; output:\n${server.output()}`).toBeDefined();
      expect(exit?.code).not.toBe(0);
      expect(exit?.code).not.toBeNull();
      expect(server.logs.some((l) => l.msg === "customer-api listening")).toBe(false);
      const fatal = server.logs.find((l) => l.level === 60);
      expect(fatal, `no fatal JSON log line; output:\n${server.output()}`).toBeDefined();
      expect(JSON.stringify(fatal)).toContain("HOST");
      await expectNoPostgresUsing(dataDir);
    },
    TIMEOUT,
  );
});
