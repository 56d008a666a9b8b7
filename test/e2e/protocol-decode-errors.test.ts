import http2 from "node:http2";
import { createRegistry, fromBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { file_google_rpc_error_details } from "../../gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

// A gRPC envelope (flags 0, length 3) around bytes that are not a valid protobuf message.
const GARBAGE = Uint8Array.from([0, 0, 0, 0, 3, 0xff, 0xff, 0xff]);
const PATH = "/customers.v1.CustomerService/CreateCustomer";
const registry = createRegistry(file_google_rpc_error_details);

/** Decodes grpc-status-details-bin into the type names and the RequestInfo request id. */
function detailsOf(bin: string) {
  const status = fromBinary(StatusSchema, Buffer.from(bin, "base64"));
  const unpacked = status.details.map((a) => anyUnpack(a, registry));
  const requestInfo = unpacked.find((m) => m?.$typeName === "google.rpc.RequestInfo") as unknown as
    | { requestId: string }
    | undefined;
  return { code: status.code, types: unpacked.map((m) => m?.$typeName), requestId: requestInfo?.requestId };
}

describe("requests the Connect library cannot decode", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("answers an undecodable gRPC message with INVALID_ARGUMENT and the rich details", async () => {
    const session = http2.connect(server.baseUrl);
    try {
      const { headers, trailers } = await new Promise<{
        headers: http2.IncomingHttpHeaders;
        trailers: http2.IncomingHttpHeaders;
      }>((resolve, reject) => {
        const stream = session.request({
          ":method": "POST",
          ":path": PATH,
          "content-type": "application/grpc",
          te: "trailers",
          authorization: `Bearer ${TEST_API_KEY}`,
          "x-request-id": "grpc-garbage-1",
        });
        let responseHeaders: http2.IncomingHttpHeaders = {};
        stream.on("response", (h) => {
          responseHeaders = h;
        });
        stream.on("trailers", (t) => resolve({ headers: responseHeaders, trailers: t }));
        stream.on("error", reject);
        stream.resume();
        stream.end(GARBAGE);
      });
      expect(headers["x-request-id"]).toBe("grpc-garbage-1");
      expect(trailers["grpc-status"]).toBe("3");
      const details = detailsOf(String(trailers["grpc-status-details-bin"]));
      expect(details.types).toEqual(["google.rpc.ErrorInfo", "google.rpc.RequestInfo"]);
      expect(details.requestId).toBe("grpc-garbage-1");
    } finally {
      session.close();
    }
  });

  it("answers an undecodable gRPC-web message with INVALID_ARGUMENT and the rich details", async () => {
    const res = await fetch(`${server.baseUrl}${PATH}`, {
      method: "POST",
      headers: {
        "content-type": "application/grpc-web+proto",
        authorization: `Bearer ${TEST_API_KEY}`,
        "x-request-id": "grpc-web-garbage-1",
      },
      body: GARBAGE,
    });
    const body = new Uint8Array(await res.arrayBuffer());
    expect(body[0]).toBe(0x80); // the trailer envelope
    const trailer = Object.fromEntries(
      Buffer.from(body.subarray(5))
        .toString("latin1")
        .trim()
        .split("\r\n")
        .map((line) => {
          const at = line.indexOf(":");
          return [line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim()];
        }),
    );
    expect(trailer["grpc-status"]).toBe("3");
    const details = detailsOf(trailer["grpc-status-details-bin"] ?? "");
    expect(details.requestId).toBe("grpc-web-garbage-1");
    expect(details.types).toContain("google.rpc.ErrorInfo");
  });

  it("answers an undecodable Connect binary message with invalid_argument, never internal", async () => {
    const res = await fetch(`${server.baseUrl}${PATH}`, {
      method: "POST",
      headers: { "content-type": "application/proto", authorization: `Bearer ${TEST_API_KEY}` },
      body: Uint8Array.from([0xff, 0xff, 0xff]),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; details: { type: string }[] };
    expect(body.code).toBe("invalid_argument");
    expect(body.details.map((d) => d.type)).toEqual(["google.rpc.ErrorInfo", "google.rpc.RequestInfo"]);
  });
});
