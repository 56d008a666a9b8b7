// Sequential unary calls on one HTTP/2 connection, as a gRPC channel makes them. With Nagle's
// algorithm on the accepted socket, each response's second write waited for the client's delayed
// ACK: ~40 ms per call. The bound below is far under that stall and far over a real call here.
import http2 from "node:http2";
import { create, toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetCustomerRequestSchema } from "../../gen/customers/v1/customer_service_pb.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

const CALLS = 30;
const MEDIAN_BOUND_MS = 15;

let server: TestServer;
let session: http2.ClientHttp2Session;
let customerId: string;

beforeAll(async () => {
  server = await startTestServer();
  const created = await fetch(`${server.baseUrl}/v1/customers`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ firstName: "Grace", lastName: "Hopper", email: "grace@example.com" }),
  });
  customerId = ((await created.json()) as { customerId: string }).customerId;
  session = http2.connect(server.baseUrl);
});

afterAll(async () => {
  session?.close();
  await server?.close();
});

/** One request on the shared session; resolves with status, trailers and elapsed milliseconds. */
function call(headers: http2.OutgoingHttpHeaders, body?: Uint8Array) {
  return new Promise<{ status: number; grpcStatus?: string; ms: number }>((resolve, reject) => {
    const started = performance.now();
    const stream = session.request(headers, { endStream: body === undefined });
    let status = 0;
    let grpcStatus: string | undefined;
    stream.on("response", (h) => {
      status = Number(h[":status"]);
    });
    stream.on("trailers", (t) => {
      grpcStatus = t["grpc-status"] as string | undefined;
    });
    stream.on("data", () => {});
    stream.on("end", () => resolve({ status, grpcStatus, ms: performance.now() - started }));
    stream.on("error", reject);
    if (body !== undefined) stream.end(body);
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe("sequential calls on one HTTP/2 cleartext connection", () => {
  it("gRPC GetCustomer answers each call well under the delayed-ACK stall", async () => {
    const message = toBinary(GetCustomerRequestSchema, create(GetCustomerRequestSchema, { customerId }));
    const frame = new Uint8Array(5 + message.length);
    new DataView(frame.buffer).setUint32(1, message.length);
    frame.set(message, 5);
    const times: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const result = await call(
        {
          ":method": "POST",
          ":path": "/customers.v1.CustomerService/GetCustomer",
          "content-type": "application/grpc",
          te: "trailers",
          authorization: `Bearer ${TEST_API_KEY}`,
        },
        frame,
      );
      expect(result).toMatchObject({ status: 200, grpcStatus: "0" });
      times.push(result.ms);
    }
    expect(median(times)).toBeLessThan(MEDIAN_BOUND_MS);
  });

  it("REST GET over h2c answers each call well under the delayed-ACK stall", async () => {
    const times: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const result = await call({
        ":method": "GET",
        ":path": `/v1/customers/id/${customerId}`,
        authorization: `Bearer ${TEST_API_KEY}`,
      });
      expect(result.status).toBe(200);
      times.push(result.ms);
    }
    expect(median(times)).toBeLessThan(MEDIAN_BOUND_MS);
  });
});
