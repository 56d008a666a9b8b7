// Raw exchanges with the running app (node:http, node:http2 and fetch, nothing that would tidy up a
// hostile request first) and the checks every answer must pass: the documented error shapes of
// docs/api.md, never a server fault, and a server that is still healthy.
import http from "node:http";
import type http2 from "node:http2";
import zlib from "node:zlib";
import { createRegistry, fromBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { file_google_rpc_error_details } from "../../gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

export const AUTH = { authorization: `Bearer ${TEST_API_KEY}` };

/** The field error codes of docs/api.md. */
const FIELD_ERROR_CODES = new Set([
  "REQUIRED",
  "TOO_SHORT",
  "TOO_LONG",
  "INVALID_CHARACTERS",
  "INVALID_FORMAT",
  "NOT_ALLOWED",
  "NOT_FOUND",
  "DUPLICATE",
  "UNKNOWN_FIELD",
  "OUT_OF_RANGE",
]);

/** gRPC codes that say the server failed, not the request: none of them may answer client input. */
const SERVER_FAULTS = new Set([
  Code.Unknown,
  Code.Internal,
  Code.Unavailable,
  Code.DataLoss,
  Code.DeadlineExceeded,
]);

const CODE_NAMES = new Set(
  Object.values(Code)
    .filter((c): c is Code => typeof c === "number")
    .map((c) => Code[c].replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()),
);

const registry = createRegistry(file_google_rpc_error_details);

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  trailers: NodeJS.Dict<string>;
  body: Buffer;
}

/** One HTTP/1.1 exchange, the request target and body sent exactly as given. */
export function http1(
  port: number,
  agent: http.Agent,
  request: { method: string; path: string; headers?: Record<string, string>; body?: Uint8Array },
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers = { ...request.headers };
    if (request.body !== undefined) headers["content-length"] = String(request.body.byteLength);
    const req = http.request(
      { host: "127.0.0.1", port, agent, method: request.method, path: request.path, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            trailers: res.trailers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(request.body === undefined ? undefined : Buffer.from(request.body));
  });
}

export interface Http2Answer {
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTP/2 stream on `session`; rejects if the stream is reset or errors before the answer ends. */
export function http2Exchange(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body: Uint8Array,
): Promise<Http2Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": "POST", ...headers });
    let responseHeaders: http2.IncomingHttpHeaders | undefined;
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => {
      responseHeaders = h;
    });
    stream.on("trailers", (t) => {
      trailers = t;
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", reject);
    stream.on("close", () => {
      if (responseHeaders === undefined) {
        reject(new Error(`stream closed without an answer (RST_STREAM code ${stream.rstCode})`));
      } else {
        resolve({ headers: responseHeaders, trailers, body: Buffer.concat(chunks) });
      }
    });
    stream.end(Buffer.from(body));
  });
}

/** The HTTP status is not a server fault. */
function expectNoServerFault(status: number, what: string): void {
  expect(status, `${what}: HTTP ${status}`).toBeGreaterThanOrEqual(200);
  expect(status, `${what}: HTTP ${status}`).toBeLessThan(500);
}

/**
 * A REST answer to hostile input: 2xx, or 4xx with the documented error body
 * `{"error": {code, status, message, requestId, fieldErrors, details}}` whose details carry ErrorInfo
 * and RequestInfo.
 */
export function expectRestAnswer(res: HttpAnswer): void {
  expectNoServerFault(res.status, "REST");
  const requestId = res.headers["x-request-id"];
  expect(requestId, "every response carries x-request-id").toEqual(expect.any(String));
  if (res.status < 400) return;
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  const body = JSON.parse(res.body.toString("utf8")) as { error: Record<string, unknown> };
  expect(Object.keys(body)).toEqual(["error"]);
  const { error } = body;
  expect(Object.keys(error).sort()).toEqual([
    "code",
    "details",
    "fieldErrors",
    "message",
    "requestId",
    "status",
  ]);
  expect(error.code).toBe(res.status);
  expect(CODE_NAMES).toContain(error.status);
  expect(error.message).toEqual(expect.any(String));
  expect(error.requestId).toBe(requestId);
  for (const fieldError of error.fieldErrors as Record<string, unknown>[]) {
    expect(fieldError).toEqual({
      field: expect.any(String),
      code: expect.any(String),
      message: expect.any(String),
    });
    expect(FIELD_ERROR_CODES).toContain(fieldError.code);
  }
  const details = error.details as Record<string, unknown>[];
  expect(details).toContainEqual(
    expect.objectContaining({ "@type": "type.googleapis.com/google.rpc.ErrorInfo", domain: "customer-api" }),
  );
  expect(details).toContainEqual({ "@type": "type.googleapis.com/google.rpc.RequestInfo", requestId });
}

/**
 * A Connect unary answer: 200, or a Connect error `{code, message, details}` with ErrorInfo and
 * RequestInfo, 4xx unless its code is one of `allowed` (protocol-mandated codes whose HTTP status is 5xx).
 */
export function expectConnectAnswer(res: HttpAnswer, allowed: readonly string[] = []): void {
  if (res.status === 200) return;
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  const body = JSON.parse(decodedBody(res).toString("utf8")) as {
    code: string;
    message?: string;
    details?: { type: string }[];
  };
  if (!allowed.includes(body.code)) expectNoServerFault(res.status, `Connect ${body.code}: ${body.message}`);
  expect(CODE_NAMES).toContain(body.code.toUpperCase());
  expect(body.details?.map((d) => d.type)).toEqual(
    expect.arrayContaining(["google.rpc.ErrorInfo", "google.rpc.RequestInfo"]),
  );
}

/** The body without its content-encoding (Connect may answer in the request's encoding). */
export function decodedBody(res: HttpAnswer): Buffer {
  const encoding = res.headers["content-encoding"];
  if (encoding === "gzip") return zlib.gunzipSync(res.body);
  if (encoding === "br") return zlib.brotliDecompressSync(res.body);
  expect([undefined, "identity"]).toContain(encoding);
  return res.body;
}

/** The gRPC status of an answer: trailers, or the headers of a trailers-only answer. */
export function grpcStatusOf(
  headers: Record<string, string | string[] | undefined>,
  trailers: Record<string, string | string[] | undefined>,
): { code: number; message?: string; details?: string } {
  const from = trailers["grpc-status"] !== undefined ? trailers : headers;
  return {
    code: Number(from["grpc-status"]),
    message: from["grpc-message"] as string | undefined,
    details: from["grpc-status-details-bin"] as string | undefined,
  };
}

/**
 * A gRPC (or gRPC-web) answer: HTTP 200 and a grpc-status that is OK or a client error; an error's
 * grpc-status-details-bin is a google.rpc.Status with the same code, ErrorInfo and RequestInfo.
 * `allowed` lists the server-fault codes this request may get by design.
 */
export function expectGrpcAnswer(
  httpStatus: number,
  status: { code: number; message?: string; details?: string },
  allowed: readonly Code[] = [],
): void {
  expect(httpStatus).toBe(200);
  expect(Number.isInteger(status.code), "a grpc-status").toBe(true);
  if (!allowed.includes(status.code)) {
    expect(SERVER_FAULTS.has(status.code), `grpc-status ${Code[status.code]}: ${status.message}`).toBe(false);
  }
  if (status.code === 0) return;
  expect(status.details, "grpc-status-details-bin").toEqual(expect.any(String));
  const decoded = fromBinary(StatusSchema, Buffer.from(status.details ?? "", "base64"));
  expect(decoded.code).toBe(status.code);
  const types = decoded.details.map((any) => anyUnpack(any, registry)?.$typeName);
  expect(types).toEqual(expect.arrayContaining(["google.rpc.ErrorInfo", "google.rpc.RequestInfo"]));
}

/** Splits a gRPC-web body into its frames: messages and the trailer frame's headers. */
export function grpcWebFrames(body: Buffer): { messages: number; trailers: Record<string, string> } {
  let at = 0;
  let messages = 0;
  const trailers: Record<string, string> = {};
  while (at + 5 <= body.length) {
    const flags = body[at] as number;
    const length = body.readUInt32BE(at + 1);
    const frame = body.subarray(at + 5, at + 5 + length);
    at += 5 + length;
    if ((flags & 0x80) === 0) {
      messages++;
      continue;
    }
    for (const line of frame.toString("latin1").split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  }
  expect(at, "the gRPC-web body is whole frames").toBe(body.length);
  return { messages, trailers };
}

/** The app under test, started for one test file, and a keep-alive HTTP/1.1 agent for it. */
export interface LiveServer {
  server: TestServer;
  agent: http.Agent;
}

/**
 * Starts the real app (its own database) before the file's tests and stops it after them; after
 * every test, whatever it sent, the app must still pass its health checks.
 */
export function liveServer(): LiveServer {
  const live = {} as LiveServer;
  beforeAll(async () => {
    live.server = await startTestServer();
    live.agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  });
  afterEach(async () => {
    await expectHealthy(live.server.baseUrl);
  });
  afterAll(async () => {
    live.agent?.destroy();
    await live.server?.close();
  });
  return live;
}

/** The app still answers its health checks. */
async function expectHealthy(baseUrl: string): Promise<void> {
  for (const path of ["/healthz", "/readyz"]) {
    const res = await fetch(`${baseUrl}${path}`);
    expect(res.status, path).toBe(200);
    await res.arrayBuffer();
  }
}
