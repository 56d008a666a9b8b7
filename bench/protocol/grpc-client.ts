// A @grpc/grpc-js client that sends already-encoded request bytes, so correctness checks send the
// exact message h2load sends and see the real grpc-status, which h2load cannot report.
import * as grpc from "@grpc/grpc-js";

/** Outcome of one unary call. */
export interface GrpcOutcome {
  code: number;
  details: string;
  response?: Buffer;
}

/** A channel to one server; close() when done. */
export interface RawGrpcClient {
  call(method: string, request: Uint8Array, apiKey: string): Promise<GrpcOutcome>;
  close(): void;
}

const identity = (bytes: Buffer) => bytes;

export function rawGrpcClient(port: number): RawGrpcClient {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return {
    call(method, request, apiKey) {
      const metadata = new grpc.Metadata();
      metadata.set("authorization", `Bearer ${apiKey}`);
      return new Promise((resolve) => {
        client.makeUnaryRequest(
          method,
          identity,
          identity,
          Buffer.from(request),
          metadata,
          { deadline: Date.now() + 10_000 },
          (error, response) =>
            resolve(
              error
                ? { code: error.code, details: error.details }
                : { code: grpc.status.OK, details: "", response: response as Buffer },
            ),
        );
      });
    },
    close: () => client.close(),
  };
}
