// A REST body over the limit: fetch (undici, like browsers) must read the 413, not a broken pipe,
// and the connection stays usable; a body past the drain bound is refused and the connection closed.
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drainBoundOf } from "../../src/transport/byte-stream.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

const LIMIT = 64 * 1024;
const AUTH = { authorization: `Bearer ${TEST_API_KEY}` };
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ bodyLimitBytes: LIMIT });
});
afterAll(async () => {
  await server.close();
});

function bigCustomer(bytes: number): string {
  return JSON.stringify({
    firstName: "Ada",
    lastName: "Lovelace",
    email: "ada@example.com",
    company: "x".repeat(bytes),
  });
}

describe("a REST body over the limit", () => {
  it("is answered 413 in the API's error shape, which fetch reads in full", async () => {
    const res = await fetch(`${server.baseUrl}/v1/customers`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: bigCustomer(2 * 1024 * 1024),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: { status: string; requestId: string } };
    expect(body.error.status).toBe("RESOURCE_EXHAUSTED");
    expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
    expect(res.headers.get("connection")).not.toBe("close");
  });

  it("also when sent chunked, without a content-length", async () => {
    const chunks = [Buffer.from(bigCustomer(LIMIT * 3))];
    const res = await fetch(`${server.baseUrl}/v1/customers`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it("past the drain bound is refused without reading it, and the connection is closed", async () => {
    const size = drainBoundOf(LIMIT) + 1;
    const answer = await new Promise<{ status: number; connection?: string }>((resolve, reject) => {
      const req = httpRequest(
        `${server.baseUrl}/v1/customers`,
        {
          method: "POST",
          headers: { ...AUTH, "content-type": "application/json", "content-length": String(size) },
        },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
        },
      );
      req.on("error", reject);
      // Only the headers are sent: the server must answer from the declared length alone.
      req.flushHeaders();
    });
    expect(answer).toEqual({ status: 413, connection: "close" });
  });
});
