// PostgreSQL stopped for ~3 s under steady load, then started again on the same port and data
// directory. The real app runs on its own embedded PostgreSQL (not the run's shared one: this test
// stops it) while REST (fetch) and gRPC (connect-node) clients keep creating customers, each create
// under its own idempotency key, and updating the ones created. Every call must end, within a bound,
// either in success or in a clean UNAVAILABLE (REST 503) carrying its request id; acknowledged writes
// are stored exactly once; the service serves again by itself soon after PostgreSQL is back; and a
// retry of every failed create with its key leaves exactly one customer per key.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { type Client, Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { FastifyInstance } from "fastify";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { RequestInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { buildApp } from "../../src/app.js";
import { createDatabaseIfMissing, createQueryPool } from "../../src/db/database.js";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "../../src/db/embedded-postgres.js";
import { createOrm, migrateUp } from "../../src/db/orm.js";

const KEY = "fault-test-key-0123456789abcdef";
const AUTH = { authorization: `Bearer ${KEY}` };
/** No call may take longer: a hang fails the test instead of stalling it. */
const CALL_BOUND_MS = 5_000;
const OUTAGE_MS = 3_000;
const WORKERS_PER_PROTOCOL = 3;
/** Pauses between a worker's calls: steady, not flat out, and backing off after a failure as told. */
const PAUSE_MS = 20;
const PAUSE_AFTER_FAILURE_MS = 100;

type Protocol = "rest" | "grpc";
type CustomerClient = Client<typeof CustomerService>;

/** How one call ended. */
interface Outcome {
  result: "ok" | "unavailable" | "other";
  customerId?: string;
  replayed?: boolean;
  /** What came back, for failure messages. */
  detail?: string;
}

interface CallRecord extends Outcome {
  protocol: Protocol;
  kind: "create" | "update";
  /** The create's idempotency key (and the local part of its unique email). */
  key: string;
  /** The company an update wrote. */
  company?: string;
  startedAt: number;
  ms: number;
}

interface NewCustomer {
  firstName: string;
  lastName: string;
  email: string;
}

let directory: string;
let postgres: EmbeddedDatabase;
let pool: pg.Pool;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "customer-api-fault-"));
  // Persistent: the cluster must survive the stop in the middle of the test.
  postgres = await startEmbeddedPostgres({ directory, persistent: true });
  await createDatabaseIfMissing(postgres.url, "faults");
  const url = postgres.urlFor("faults");
  const orm = await createOrm({ databaseUrl: url, poolMax: 1 });
  try {
    await migrateUp(orm);
  } finally {
    await orm.close();
  }
  // The service's own request-path pool (10 connections, 3 s connect timeout).
  pool = createQueryPool(url, { warn: () => undefined });
  app = await buildApp({ pool, apiKeys: [KEY], pageTokenSecret: "fault-page-token-secret-0123456789abcdef" });
  await app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await pool?.end();
  await postgres?.stop();
  if (directory) await rm(directory, { recursive: true, force: true });
});

/** A REST answer: `okStatus`, or a 503 UNAVAILABLE whose body and x-request-id name the same request. */
async function restOutcome(res: Response, okStatus: number): Promise<Outcome> {
  const text = await res.text();
  if (res.status === okStatus) {
    const body = JSON.parse(text) as { customerId: string };
    return {
      result: "ok",
      customerId: body.customerId,
      replayed: res.headers.get("idempotent-replayed") === "true",
    };
  }
  if (res.status === 503) {
    const { error } = JSON.parse(text) as { error?: { status?: string; requestId?: string } };
    const requestId = res.headers.get("x-request-id");
    if (
      error?.status === "UNAVAILABLE" &&
      requestId &&
      error.requestId === requestId &&
      res.headers.get("retry-after") !== null
    ) {
      return { result: "unavailable" };
    }
  }
  return { result: "other", detail: `HTTP ${res.status} ${text.slice(0, 300)}` };
}

/** An RPC failure: UNAVAILABLE with a google.rpc.RequestInfo, or anything else. */
function rpcFailure(error: unknown): Outcome {
  const e = ConnectError.from(error);
  if (e.code === Code.Unavailable && e.findDetails(RequestInfoSchema)[0]?.requestId)
    return { result: "unavailable" };
  return { result: "other", detail: `${Code[e.code]} ${e.rawMessage}` };
}

/** Runs a call; a thrown error (a network failure, the client's own timeout) counts as "other". */
async function settle(call: () => Promise<Outcome>): Promise<Outcome & { ms: number; startedAt: number }> {
  const startedAt = Date.now();
  const outcome = await call().catch((error: unknown) => ({
    result: "other" as const,
    detail: String(error),
  }));
  return { ...outcome, startedAt, ms: Date.now() - startedAt };
}

/** The two protocols' create and update calls, bounded by CALL_BOUND_MS. */
function callsFor(protocol: Protocol) {
  if (protocol === "rest") {
    const json = { ...AUTH, "content-type": "application/json" };
    return {
      create: async (key: string, customer: NewCustomer) =>
        restOutcome(
          await fetch(`${base}/v1/customers`, {
            method: "POST",
            headers: { ...json, "idempotency-key": key },
            body: JSON.stringify(customer),
            signal: AbortSignal.timeout(CALL_BOUND_MS),
          }),
          201,
        ),
      update: async (customerId: string, company: string) =>
        restOutcome(
          await fetch(`${base}/v1/customers/${customerId}`, {
            method: "PATCH",
            headers: json,
            body: JSON.stringify({ company }),
            signal: AbortSignal.timeout(CALL_BOUND_MS),
          }),
          200,
        ),
    };
  }
  const client: CustomerClient = createClient(CustomerService, createGrpcTransport({ baseUrl: base }));
  return {
    create: async (key: string, customer: NewCustomer): Promise<Outcome> => {
      let replayed = false;
      return client
        .createCustomer(
          { customer, requestId: key },
          {
            headers: AUTH,
            timeoutMs: CALL_BOUND_MS,
            onHeader: (h) => (replayed = h.get("idempotent-replayed") === "true"),
          },
        )
        .then((c) => ({ result: "ok" as const, customerId: c.customerId, replayed }), rpcFailure);
    },
    update: async (customerId: string, company: string): Promise<Outcome> =>
      client
        .updateCustomer(
          { customerId, customer: { company }, updateMask: { paths: ["company"] } },
          { headers: AUTH, timeoutMs: CALL_BOUND_MS },
        )
        .then((c) => ({ result: "ok" as const, customerId: c.customerId }), rpcFailure),
  };
}

const runId = randomBytes(4).toString("hex");
const newCustomer = (key: string): NewCustomer => ({
  firstName: "Fault",
  lastName: "Tolerant",
  email: `${key}@fault.example`,
});

/** Creates, then updates what it created, until told to stop. */
async function worker(protocol: Protocol, index: number, records: CallRecord[], done: () => boolean) {
  const calls = callsFor(protocol);
  for (let n = 0; !done(); n++) {
    const key = `${protocol}-${index}-${n}-${runId}`;
    const created = await settle(() => calls.create(key, newCustomer(key)));
    records.push({ ...created, protocol, kind: "create", key });
    let failed = created.result !== "ok";
    if (created.result === "ok" && created.customerId) {
      const company = `Company ${n}`;
      const updated = await settle(() => calls.update(created.customerId as string, company));
      records.push({ ...updated, protocol, kind: "update", key, company, customerId: created.customerId });
      failed = updated.result !== "ok";
    }
    await delay(failed ? PAUSE_AFTER_FAILURE_MS : PAUSE_MS);
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

describe("PostgreSQL stopped for 3 s under load, then started again on its port", () => {
  it("answers UNAVAILABLE cleanly meanwhile, loses and duplicates nothing, and serves again by itself", async () => {
    const records: CallRecord[] = [];
    let stopLoad = false;
    const protocols: Protocol[] = ["rest", "grpc"];
    const load = Promise.all(
      protocols.flatMap((protocol) =>
        Array.from({ length: WORKERS_PER_PROTOCOL }, (_, i) => worker(protocol, i, records, () => stopLoad)),
      ),
    );
    const succeeded = (r: CallRecord) => r.result === "ok";
    try {
      await waitUntil(() => records.filter(succeeded).length >= 30, 15_000, "calls before the outage");

      const port = postgres.port;
      await postgres.stop();
      const stoppedAt = Date.now();
      await delay(OUTAGE_MS);
      postgres = await startEmbeddedPostgres({ directory, persistent: true, port });
      const backAt = Date.now();
      expect(backAt - stoppedAt).toBeGreaterThanOrEqual(OUTAGE_MS);

      // Each protocol serves again within a few seconds of PostgreSQL being back.
      for (const protocol of protocols) {
        await waitUntil(
          () => records.some((r) => r.protocol === protocol && succeeded(r) && r.startedAt >= backAt),
          10_000,
          `a ${protocol} call to succeed after the restart`,
        );
        const first = records.find((r) => r.protocol === protocol && succeeded(r) && r.startedAt >= backAt);
        expect((first?.startedAt ?? 0) + (first?.ms ?? 0) - backAt).toBeLessThan(5_000);
      }
      await delay(1_000);
    } finally {
      stopLoad = true;
      await load;
    }

    // The app is alive and ready.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // Every call ended, in time, in success or a clean UNAVAILABLE with a request id (no 500, no hang).
    const unclean = records.filter((r) => r.result === "other");
    expect(unclean.map((r) => `${r.protocol} ${r.kind}: ${r.detail}`)).toEqual([]);
    expect(Math.max(...records.map((r) => r.ms))).toBeLessThan(CALL_BOUND_MS);
    for (const protocol of protocols) {
      const mine = records.filter((r) => r.protocol === protocol);
      expect(
        mine.filter((r) => r.result === "unavailable").length,
        `${protocol} saw the outage`,
      ).toBeGreaterThan(0);
      expect(mine.filter(succeeded).length).toBeGreaterThan(10);
    }

    const creates = records.filter((r) => r.kind === "create");
    const stored = await storedCustomersByEmail();
    const storedFor = (r: CallRecord) => stored.get(newCustomer(r.key).email) ?? [];
    // Every acknowledged create is stored exactly once, under the id it was answered with.
    for (const r of creates.filter(succeeded)) {
      expect(
        storedFor(r).map((c) => c.id),
        r.key,
      ).toEqual([r.customerId]);
    }

    // A failed create is stored at most once. It may be stored: when PostgreSQL's fast shutdown
    // lands between the commit and its acknowledgement, the commit is durable but the client saw a
    // terminated connection, which is indistinguishable (to anyone) from a commit that never
    // happened. That is what the idempotency key resolves: at most one such create per client was in
    // flight at the stop, and its retry below must replay the stored customer instead of adding one.
    const failedCreates = creates.filter((r) => !succeeded(r));
    const ambiguous = failedCreates.filter((r) => storedFor(r).length > 0);
    for (const r of failedCreates) expect(storedFor(r).length, r.key).toBeLessThanOrEqual(1);
    expect(ambiguous.length).toBeLessThanOrEqual(protocols.length * WORKERS_PER_PROTOCOL);

    // An acknowledged update is stored; a failed one wrote all of itself or nothing.
    for (const r of records.filter((r) => r.kind === "update")) {
      const [row] = storedFor(r);
      if (succeeded(r)) expect(row?.company, r.key).toBe(r.company);
      else expect([null, "", r.company], r.key).toContain(row?.company ?? null);
    }

    // Retrying every failed create with its key: each succeeds, a stored one is replayed, not repeated.
    const calls = { rest: callsFor("rest"), grpc: callsFor("grpc") };
    for (const r of failedCreates) {
      const retry = await calls[r.protocol].create(r.key, newCustomer(r.key));
      expect(retry.result, `${r.key}: ${retry.detail}`).toBe("ok");
      const before = storedFor(r);
      expect(retry.replayed, r.key).toBe(before.length > 0);
      if (before[0]) expect(retry.customerId).toBe(before[0].id);
    }
    const after = await storedCustomersByEmail();
    for (const r of creates) expect(after.get(newCustomer(r.key).email)?.length, r.key).toBe(1);
    expect([...after.values()].flat()).toHaveLength(creates.length);
    const keys = await pool.query<{ n: number }>("select count(*)::int as n from customer_create_requests");
    expect(keys.rows[0]?.n).toBe(creates.length);
  }, 90_000);
});

/** Every stored customer (id, company) by email. */
async function storedCustomersByEmail(): Promise<Map<string, { id: string; company: string | null }[]>> {
  const { rows } = await pool.query<{ id: string; email: string; company: string | null }>(
    "select id, email, company from customers",
  );
  const byEmail = new Map<string, { id: string; company: string | null }[]>();
  for (const { id, email, company } of rows)
    byEmail.set(email, [...(byEmail.get(email) ?? []), { id, company }]);
  return byEmail;
}
