// One gRPC call with exactly the bytes and headers h2load sends (node:http2, no gRPC library), so a
// server that treated h2load's requests differently from a real gRPC client's would be caught too.
import http2 from "node:http2";
import { decodeCustomer } from "./messages.js";
import type { CheckResult } from "./probes.js";

/** Posts `body` (a framed message) to `path` and checks for grpc-status 0 and a Customer. */
export function exactGrpcCall(
  baseUrl: string,
  path: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<CheckResult> {
  return new Promise((resolve) => {
    const session = http2.connect(baseUrl);
    const done = (result: CheckResult) => {
      session.close();
      resolve(result);
    };
    session.once("error", (error) => done({ error: `h2 session: ${error.message}` }));
    const stream = session.request({ ":method": "POST", ":path": path, ...headers });
    stream.setTimeout(10_000, () => stream.close(http2.constants.NGHTTP2_CANCEL));
    const chunks: Buffer[] = [];
    let status = 0;
    let grpcStatus: string | undefined;
    stream.on("response", (h) => {
      status = Number(h[":status"]);
      if (h["grpc-status"] !== undefined) grpcStatus = String(h["grpc-status"]);
    });
    stream.on("trailers", (t) => {
      if (t["grpc-status"] !== undefined) grpcStatus = String(t["grpc-status"]);
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.once("error", (error) => done({ error: `h2 stream: ${error.message}` }));
    stream.once("close", () => {
      const data = Buffer.concat(chunks);
      if (status !== 200 || grpcStatus !== "0" || data.length < 5) {
        done({ error: `h2load-identical call: HTTP ${status}, grpc-status ${grpcStatus}` });
        return;
      }
      const customer = decodeCustomer(data.subarray(5, 5 + data.readUInt32BE(1)));
      done(
        customer.customerId === "" ? { error: "h2load-identical call: customer without id" } : { rows: 1 },
      );
    });
    stream.end(body);
  });
}
