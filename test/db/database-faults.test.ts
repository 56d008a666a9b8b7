// Each fault database-faults.ts classifies, provoked against a real PostgreSQL (the run's embedded
// server or DATABASE_URL), so a node-postgres upgrade that changes its wording fails here.
import { createServer, type Server, type Socket } from "node:net";
import { Code } from "@connectrpc/connect";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryPool } from "../../src/db/database.js";
import { asDatabaseFault, isDatabaseFault, isDatabaseUnavailable } from "../../src/db/database-faults.js";
import { freePort } from "../../src/db/embedded-postgres.js";
import { ApiError } from "../../src/errors/api-error.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

const quiet = { warn: () => undefined };
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(async () => {
  await db.drop();
});

/** The error a query on `pool` fails with. */
async function failureOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the query to fail");
}

describe("isDatabaseUnavailable: faults of an unreachable database", () => {
  it("a refused connection (nothing listens on the port)", async () => {
    const port = await freePort();
    const pool = createQueryPool(`postgres://postgres@127.0.0.1:${port}/none`, quiet, 1, 1000);
    const error = await failureOf(() => pool.query("select 1"));
    await pool.end();
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("a connect timeout (the server accepts TCP but never answers)", async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    const pool = createQueryPool(`postgres://postgres@127.0.0.1:${port}/none`, quiet, 1, 200);
    const started = Date.now();
    const error = await failureOf(() => pool.query("select 1"));
    expect(Date.now() - started).toBeLessThan(2000);
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    await pool.end();
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("a pool whose connections are all busy past the connect timeout", async () => {
    const pool = createQueryPool(db.url, quiet, 1, 200);
    const held = await pool.connect();
    const error = await failureOf(() => pool.query("select 1"));
    held.release();
    await pool.end();
    expect((error as Error).message).toMatch(/timeout/i);
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("a connection terminated by the server (administrator shutdown, a restart)", async () => {
    const victim = new pg.Client({ connectionString: db.url });
    victim.on("error", () => undefined);
    await victim.connect();
    const { rows } = await victim.query<{ pid: number }>("select pg_backend_pid() as pid");
    await db.pool.query("select pg_terminate_backend($1)", [rows[0]?.pid]);
    const error = await failureOf(() => victim.query("select 1"));
    await victim.end().catch(() => undefined);
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("a pool that has been closed (the service is shutting down)", async () => {
    const pool = createQueryPool(db.url, quiet, 1);
    await pool.end();
    const error = await failureOf(() => pool.query("select 1"));
    expect(isDatabaseUnavailable(error)).toBe(true);
  });
});

describe("isDatabaseUnavailable: statement errors are not outages", () => {
  it.each([
    ["a syntax error", "selec 1"],
    ["an unknown table", "select * from no_such_table"],
    ["a division by zero", "select 1 / 0"],
    ["a NUL in text", "select $1::text", ["a\u0000b"]],
  ])("%s", async (_label, sql, values?: unknown[]) => {
    const error = await failureOf(() => db.pool.query(sql, values));
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(asDatabaseFault(error)).toBe(error);
  });

  it("non-errors and plain errors", () => {
    expect(isDatabaseUnavailable("ECONNREFUSED")).toBe(false);
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
  });
});

describe("asDatabaseFault", () => {
  it("turns an outage into UNAVAILABLE, keeping the driver error as the cause only", async () => {
    const port = await freePort();
    const pool = createQueryPool(`postgres://postgres@127.0.0.1:${port}/none`, quiet, 1, 1000);
    const driverError = await failureOf(() => pool.query("select 1"));
    await pool.end();
    const fault = asDatabaseFault(driverError);
    expect(fault).toBeInstanceOf(ApiError);
    expect((fault as ApiError).code).toBe(Code.Unavailable);
    expect((fault as ApiError).message).toMatch(/database is unavailable/);
    expect((fault as ApiError).message).not.toMatch(/ECONNREFUSED/);
    expect((fault as ApiError).cause).toBe(driverError);
    expect(isDatabaseFault(fault)).toBe(true);
  });
});
