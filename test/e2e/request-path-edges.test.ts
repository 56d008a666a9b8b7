// The edges of the one request path: unknown RPCs answered in each caller's own protocol, every HTTP
// method on an API path answered in the API's error shape, compressed Connect errors that still carry
// their details, and REST requests rejected before their RPC named in the access log.
import { randomUUID } from "node:crypto";
import http from "node:http";
import http2 from "node:http2";
import { Writable } from "node:stream";
import { gunzipSync } from "node:zlib";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loggerOptions } from "../../src/observability/logger-options.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

const AUTH = { authorization: `Bearer ${TEST_API_KEY}` };
type LogLine = Record<string, unknown> & { msg?: string; requestId?: string };
const lines: LogLine[] = [];
const memory = new Writable({
  write(chunk: Buffer | string, _encoding, callback) {
    for (const line of chunk.toString().split("\n")) if (line !== "") lines.push(JSON.parse(line) as LogLine);
    callback();
  },
});

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ logger: pino(loggerOptions("info"), memory) });
});
afterAll(async () => {
  await server?.close();
});

async function accessLineOf(requestId: string): Promise<LogLine> {
  for (let i = 0; i < 250; i++) {
    const line = lines.find((l) => l.requestId === requestId && l.msg === "request completed");
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no access-log line for ${requestId}`);
}

describe("an unknown RPC is answered in its caller's protocol", () => {
  it("gRPC: UNIMPLEMENTED (12) in the trailers of an HTTP 200 response, with details", async () => {
    const session = http2.connect(server.baseUrl);
    try {
      const headers = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
        const stream = session.request({
          ":method": "POST",
          ":path": "/customers.v1.CustomerService/Nope",
          "content-type": "application/grpc",
          te: "trailers",
          ...AUTH,
        });
        let head: http2.IncomingHttpHeaders = {};
        stream.on("response", (h) => {
          head = h;
        });
        stream.on("trailers", (t) => {
          head = { ...head, ...t };
        });
        stream.on("data", () => {});
        stream.on("end", () => resolve(head));
        stream.on("error", reject);
        stream.end(new Uint8Array(5));
      });
      expect(headers[":status"]).toBe(200);
      expect(headers["grpc-status"]).toBe("12");
      expect(decodeURIComponent(String(headers["grpc-message"]))).toContain(
        "customers.v1.CustomerService/Nope",
      );
      expect(headers["grpc-status-details-bin"]).toBeTruthy();
    } finally {
      session.close();
    }
  });

  it("gRPC-web: UNIMPLEMENTED (12) in the trailer frame, with details", async () => {
    const res = await fetch(`${server.baseUrl}/customers.v1.CustomerService/Nope`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/grpc-web+proto" },
      body: new Uint8Array(5),
    });
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes[0]).toBe(0x80);
    const trailer = bytes.subarray(5).toString();
    expect(trailer).toMatch(/grpc-status: 12\r\n/);
    expect(trailer).toMatch(/grpc-status-details-bin: \S+/);
  });

  it("Connect: HTTP 404 with code unimplemented", async () => {
    const res = await fetch(`${server.baseUrl}/customers.v1.CustomerService/Nope`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe("unimplemented");
  });

  it("REST: an unknown path is still the REST 404 body", async () => {
    const res = await fetch(`${server.baseUrl}/v1/nowhere`, { headers: AUTH });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe("NOT_FOUND");
  });
});

describe("every HTTP method on an API path gets the API's answer", () => {
  it.each(["TRACE", "PROPFIND", "OPTIONS", "QUERY"])(
    "%s /v1/customers is 405 with Allow, in the API error shape",
    async (method) => {
      // node:http rather than fetch, which refuses TRACE.
      const res = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
        (resolve, reject) => {
          const req = http.request(`${server.baseUrl}/v1/customers`, { method, headers: AUTH }, (r) => {
            let body = "";
            r.on("data", (c: Buffer) => {
              body += c.toString();
            });
            r.on("end", () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body }));
          });
          req.on("error", reject);
          req.end();
        },
      );
      expect(res.status).toBe(405);
      expect(res.headers.allow).toContain("POST");
      const body = JSON.parse(res.body) as { error: { status: string; requestId: string } };
      expect(body.error.status).toBe("UNIMPLEMENTED");
      expect(body.error.requestId).toBe(res.headers["x-request-id"]);
    },
  );
});

describe("Connect errors for clients that accept gzip", () => {
  it("a large decode error still carries ErrorInfo and RequestInfo and is named in the access log", async () => {
    const requestId = `gzip-${randomUUID()}`;
    const res = await fetch(`${server.baseUrl}/customers.v1.CustomerService/GetCustomer`, {
      method: "POST",
      headers: {
        ...AUTH,
        "content-type": "application/json",
        "accept-encoding": "gzip",
        "x-request-id": requestId,
      },
      body: JSON.stringify({ customerId: "x", ["k".repeat(1500)]: 1 }),
    });
    expect(res.status).toBe(400);
    const bytes = Buffer.from(await res.arrayBuffer());
    // fetch decodes a gzip body itself; either way the JSON must be readable.
    const text = bytes[0] === 0x1f ? gunzipSync(bytes).toString() : bytes.toString();
    const body = JSON.parse(text) as { code: string; details: { type: string }[] };
    expect(body.code).toBe("invalid_argument");
    expect(body.details.map((d) => d.type)).toEqual(
      expect.arrayContaining(["google.rpc.ErrorInfo", "google.rpc.RequestInfo"]),
    );
    expect(await accessLineOf(requestId)).toMatchObject({
      rpc: "customers.v1.CustomerService/GetCustomer",
      code: "INVALID_ARGUMENT",
    });
  });
});

describe("REST requests rejected before their RPC runs", () => {
  it("name the RPC and the code in the access log", async () => {
    const requestId = `rejected-${randomUUID()}`;
    const res = await fetch(`${server.baseUrl}/v1/customers/search?bogus=1`, {
      headers: { ...AUTH, "x-request-id": requestId },
    });
    expect(res.status).toBe(400);
    expect(await accessLineOf(requestId)).toMatchObject({
      rpc: "customers.v1.CustomerService/SearchCustomers",
      code: "INVALID_ARGUMENT",
    });
  });
});
