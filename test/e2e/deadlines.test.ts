// Deadlines and cancellation reach PostgreSQL: a call blocked on a row lock is cancelled in the
// database (the waiting statement disappears from pg_stat_activity) when the caller's deadline
// passes, when the server's budget runs out, or when the client disconnects.
import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

const AUTH = { authorization: `Bearer ${TEST_API_KEY}` };
const BUDGET_MS = 800;
let server: TestServer;
let locker: pg.Client;
let id: string;

beforeAll(async () => {
  server = await startTestServer({ callBudgetMs: BUDGET_MS });
});
afterAll(async () => {
  const t = Date.now();
  await server.app.close();
  console.log("app.close", Date.now() - t);
  await server.db.drop();
  console.log("db.drop", Date.now() - t);
});

beforeEach(async () => {
  const res = await fetch(`${server.baseUrl}/v1/customers`, {
    method: "POST",
    headers: { ...AUTH, "content-type": "application/json" },
    body: JSON.stringify({
      firstName: "Ada",
      lastName: "Lovelace",
      email: `ada-${randomUUID()}@example.com`,
    }),
  });
  id = ((await res.json()) as { customerId: string }).customerId;
  // Another session holds the row, so every update of it waits in PostgreSQL.
  locker = new pg.Client({ connectionString: server.db.url });
  await locker.connect();
  await locker.query("begin");
  await locker.query("select id from customers where id = $1 for update", [id]);
});
afterEach(async () => {
  await locker.query("rollback");
  await locker.end();
});

/** Statements of the app's connections now waiting for a lock. */
async function lockWaiters(): Promise<number> {
  const { rows } = await locker.query<{ n: number }>(
    `select count(*)::int as n from pg_stat_activity
     where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
  );
  return rows[0]?.n ?? -1;
}

async function waitersAfter(ms: number): Promise<number> {
  await delay(ms);
  return lockWaiters();
}

describe("a call blocked in PostgreSQL", () => {
  it("is cancelled there when the gRPC caller's deadline passes: DEADLINE_EXCEEDED", async () => {
    const client = createClient(CustomerService, createGrpcTransport({ baseUrl: server.baseUrl }));
    const started = Date.now();
    const call = client.updateCustomer(
      { customerId: id, customer: { company: "Engines" }, updateMask: { paths: ["company"] } },
      { headers: AUTH, timeoutMs: 200 },
    );
    expect(await waitersAfter(100)).toBe(1);
    const error = await call.then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(error?.code).toBe(Code.DeadlineExceeded);
    expect(Date.now() - started).toBeLessThan(BUDGET_MS);
    expect(await waitersAfter(100)).toBe(0);
  });

  it("is cancelled when the server's budget runs out: REST 504 DEADLINE_EXCEEDED", async () => {
    const started = Date.now();
    const res = await fetch(`${server.baseUrl}/v1/customers/${id}`, {
      method: "PATCH",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify({ company: "Engines" }),
    });
    const elapsed = Date.now() - started;
    expect(res.status).toBe(504);
    const { error } = (await res.json()) as { error: { status: string; message: string } };
    expect(error.status).toBe("DEADLINE_EXCEEDED");
    expect(error.message).toMatch(/budget/);
    expect(elapsed).toBeGreaterThanOrEqual(BUDGET_MS - 50);
    expect(elapsed).toBeLessThan(BUDGET_MS + 1500);
    expect(await waitersAfter(100)).toBe(0);
  });

  it("is cancelled when the client disconnects, long before the budget", async () => {
    // node:http, so that disconnecting closes the TCP connection at once.
    const body = JSON.stringify({ company: "Engines" });
    const req = httpRequest(`${server.baseUrl}/v1/customers/${id}`, {
      method: "PATCH",
      headers: { ...AUTH, "content-type": "application/json", "content-length": String(body.length) },
    });
    req.on("error", () => undefined);
    req.end(body);
    expect(await waitersAfter(100)).toBe(1);
    req.destroy();
    expect(await waitersAfter(150)).toBe(0);
  });
});
