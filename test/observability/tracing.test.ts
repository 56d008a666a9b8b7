// OpenTelemetry traces of the real server, exported to memory: a server span per call named by its
// RPC, child of the caller's W3C traceparent (gRPC metadata and HTTP header alike), a client span per
// database statement under it, no personal data in any attribute, and the trace id in the access log.
import { Writable } from "node:stream";
import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { trace } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-node";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
const logs: Record<string, unknown>[] = [];
const logStream = new Writable({
  write(chunk, _encoding, callback) {
    for (const line of String(chunk).split("\n")) if (line) logs.push(JSON.parse(line));
    callback();
  },
});

let server: TestServer;
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID = "00f067aa0ba902b7";
const MISSING = "01890a5d-ac96-774b-bcce-b302099a8057";

beforeAll(async () => {
  server = await startTestServer({
    tracer: trace.getTracer("test"),
    logger: pino({ level: "info" }, logStream),
  });
});
afterAll(async () => {
  await server?.close();
  await provider.shutdown();
});

/** Waits until a server span of `traceId` has ended, and returns every span of that trace. */
async function spansOf(traceId: string): Promise<ReadableSpan[]> {
  for (let i = 0; i < 100; i++) {
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    if (spans.some((s) => s.kind === 1)) return spans;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no server span for trace ${traceId}`);
}

describe("tracing", () => {
  it("a gRPC call: server span named by the RPC, child of the traceparent in metadata, with a database child span", async () => {
    const client = createClient(CustomerService, createGrpcTransport({ baseUrl: server.baseUrl }));
    await expect(
      client.getCustomer(
        { customerId: MISSING },
        {
          headers: { authorization: `Bearer ${TEST_API_KEY}`, traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` },
        },
      ),
    ).rejects.toMatchObject({ code: Code.NotFound });
    const spans = await spansOf(TRACE_ID);
    const call = spans.find((s) => s.kind === 1) as ReadableSpan;
    expect(call.name).toBe("customers.v1.CustomerService/GetCustomer");
    expect(call.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(call.attributes).toMatchObject({
      "rpc.system": "grpc",
      "rpc.service": "customers.v1.CustomerService",
      "rpc.method": "GetCustomer",
      "rpc.grpc.status_code": 5,
      "rpc.response.status_code": "NOT_FOUND",
      "customer_api.protocol": "grpc",
    });
    const queries = spans.filter((s) => s.kind === 2);
    expect(queries.length).toBeGreaterThan(0);
    for (const query of queries) {
      expect(query.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
      expect(query.attributes).toEqual({ "db.system.name": "postgresql", "db.operation.name": "SELECT" });
    }
    const line = logs.find((l) => l.msg === "request completed" && l.traceId === TRACE_ID);
    expect(line).toMatchObject({ rpc: "customers.v1.CustomerService/GetCustomer", code: "NOT_FOUND" });
  });

  it("a REST call: traceparent from the HTTP header, and nothing the customer sent in any attribute", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const res = await fetch(`${server.baseUrl}/v1/customers`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${TEST_API_KEY}`,
        "content-type": "application/json",
        traceparent: `00-${traceId}-b7ad6b7169203331-01`,
      },
      body: JSON.stringify({ firstName: "Grace", lastName: "Hopper", email: "grace@example.com" }),
    });
    expect(res.status).toBe(201);
    const spans = await spansOf(traceId);
    const call = spans.find((s) => s.kind === 1) as ReadableSpan;
    expect(call.name).toBe("customers.v1.CustomerService/CreateCustomer");
    expect(call.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
    expect(call.attributes).toMatchObject({
      "customer_api.protocol": "rest",
      "http.response.status_code": 201,
    });
    expect(spans.some((s) => s.attributes["db.operation.name"] === "INSERT")).toBe(true);
    const everything = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events]));
    for (const value of ["Grace", "Hopper", "grace@example.com"]) expect(everything).not.toContain(value);
  });

  it("a call without traceparent starts a new trace, and its access-log line names it", async () => {
    const res = await fetch(`${server.baseUrl}/v1/customers/id/${MISSING}`, {
      headers: { authorization: `Bearer ${TEST_API_KEY}`, "x-request-id": "trace-no-parent" },
    });
    expect(res.status).toBe(204);
    const line = logs.find((l) => l.msg === "request completed" && l.requestId === "trace-no-parent");
    expect(line?.traceId).toMatch(/^[0-9a-f]{32}$/);
    const spans = await spansOf(line?.traceId as string);
    expect(spans.find((s) => s.kind === 1)?.parentSpanContext).toBeUndefined();
  });
});
