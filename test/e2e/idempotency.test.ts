// Idempotent creates on every protocol: the REST Idempotency-Key header and request_id (any
// protocol) are one mechanism; a replay answers as the first call did, a reused key with another
// payload is refused, and concurrent calls with one key make one customer.
import { randomUUID } from "node:crypto";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

const AUTH = { authorization: `Bearer ${TEST_API_KEY}` };
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const ada = (email = `ada-${randomUUID()}@example.com`) => ({
  firstName: "Ada",
  lastName: "Lovelace",
  email,
});

function post(body: unknown, headers: Record<string, string> = {}, query = "") {
  return fetch(`${server.baseUrl}/v1/customers${query}`, {
    method: "POST",
    headers: { ...AUTH, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

async function countByEmail(email: string): Promise<number> {
  const { rows } = await server.db.pool.query("select count(*)::int as n from customers where email = $1", [
    email,
  ]);
  return (rows[0] as { n: number }).n;
}

describe("REST Idempotency-Key", () => {
  it("a retry with the key and the same body answers 201 with the first customer and Idempotent-Replayed", async () => {
    const key = `order-${randomUUID()}`;
    const body = ada();
    const first = await post(body, { "idempotency-key": key });
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const created = (await first.json()) as { customerId: string };

    const retry = await post(body, { "idempotency-key": key });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.headers.get("location")).toBe(first.headers.get("location"));
    expect(((await retry.json()) as { customerId: string }).customerId).toBe(created.customerId);
    expect(await countByEmail(body.email)).toBe(1);
  });

  it("accepts the key as a structured-field string (quoted), the same key as bare", async () => {
    const key = `quoted-${randomUUID()}`;
    const body = ada();
    await post(body, { "idempotency-key": `"${key}"` });
    const retry = await post(body, { "idempotency-key": key });
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
  });

  it("the same key with a different body is 400 naming the key, and stores nothing", async () => {
    const key = `reused-${randomUUID()}`;
    await post(ada(), { "idempotency-key": key });
    const other = ada();
    const res = await post(other, { "idempotency-key": key });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { fieldErrors: { field: string; code: string }[] } };
    expect(error.fieldErrors).toEqual([expect.objectContaining({ field: "requestId", code: "NOT_ALLOWED" })]);
    expect(await countByEmail(other.email)).toBe(0);
  });

  it("the header and requestId are one key: a retry with either replays", async () => {
    const key = `both-${randomUUID()}`;
    const body = ada();
    await post(body, { "idempotency-key": key });
    const retry = await post(body, {}, `?requestId=${encodeURIComponent(key)}`);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    const differ = await post(body, { "idempotency-key": key }, "?requestId=other");
    expect(differ.status).toBe(400);
  });

  it.each([
    ["longer than 255 characters", "k".repeat(256)],
    ["not printable ASCII", "clé-ü"],
    ["only spaces", "   "],
  ])("a key %s is 400 INVALID_FORMAT on requestId", async (_label, key) => {
    const res = await post(ada(), {}, `?requestId=${encodeURIComponent(key)}`);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { fieldErrors: { field: string; code: string }[] } };
    expect(error.fieldErrors).toEqual([
      expect.objectContaining({ field: "requestId", code: "INVALID_FORMAT" }),
    ]);
  });

  it("twelve concurrent creates with one key make exactly one customer, all answering it", async () => {
    const key = `race-${randomUUID()}`;
    const body = ada();
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => post(body, { "idempotency-key": key })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(201));
    const ids = new Set(
      await Promise.all(answers.map(async (a) => ((await a.json()) as { customerId: string }).customerId)),
    );
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.headers.get("idempotent-replayed") === null)).toHaveLength(1);
    expect(await countByEmail(body.email)).toBe(1);
  });
});

describe("gRPC", () => {
  it("the idempotency-key metadata and request_id replay the first customer", async () => {
    const client = createClient(CustomerService, createGrpcTransport({ baseUrl: server.baseUrl }));
    const key = `grpc-${randomUUID()}`;
    const customer = ada();
    let replayed: string | null = "unset";
    const first = await client.createCustomer({ customer, requestId: key }, { headers: AUTH });
    const again = await client.createCustomer(
      { customer },
      {
        headers: { ...AUTH, "idempotency-key": key },
        onHeader: (h) => (replayed = h.get("idempotent-replayed")),
      },
    );
    expect(again.customerId).toBe(first.customerId);
    expect(replayed).toBe("true");
    const error = await client.createCustomer({ customer: ada(), requestId: key }, { headers: AUTH }).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(error?.code).toBe(Code.InvalidArgument);
    expect(await countByEmail(customer.email)).toBe(1);
  });
});
