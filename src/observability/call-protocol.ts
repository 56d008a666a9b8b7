import type { FastifyRequest } from "fastify";

/** How a call reached the service: the label of every call metric. */
export type CallProtocol = "grpc" | "grpc_web" | "connect" | "rest";

/**
 * The protocol of a request: gRPC and gRPC-web by content type (connect-es serves both on the RPC
 * path), Connect for any other request to an RPC path (`/package.Service/Method`), REST otherwise.
 */
export function callProtocolOf(req: FastifyRequest): CallProtocol {
  const contentType = req.headers["content-type"];
  if (contentType?.startsWith("application/grpc")) {
    return contentType.startsWith("application/grpc-web") ? "grpc_web" : "grpc";
  }
  const url = req.url;
  // RPC paths have exactly two segments, the first holding a dot (the package); REST paths start /v1/.
  const slash = url.indexOf("/", 1);
  return slash > 0 && url.lastIndexOf(".", slash) > 0 && url.indexOf("/", slash + 1) < 0 ? "connect" : "rest";
}
