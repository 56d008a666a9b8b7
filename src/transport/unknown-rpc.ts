import { Code, ConnectError } from "@connectrpc/connect";
import type { FastifyReply, FastifyRequest } from "fastify";
import { connectErrorFrom } from "../errors/connect-error-from.js";
import { connectErrorJson, grpcWebTrailerFrame, setGrpcStatus } from "./error-framing.js";

const RPC_PATH = /^\/[A-Za-z_][\w.]*\/[A-Za-z_]\w*$/;

/**
 * Answers a request for an RPC this server does not have in the caller's own protocol: gRPC and
 * gRPC-web get UNIMPLEMENTED (status 12) in a trailers-only response, a Connect call to an RPC-shaped
 * path gets `unimplemented` (HTTP 404). Returns false for anything else, which is REST's to answer.
 */
export function answerUnknownRpc(req: FastifyRequest, reply: FastifyReply, requestId: string): boolean {
  const contentType = String(req.headers["content-type"] ?? "");
  const path = (req.raw.url ?? "/").split("?", 1)[0] ?? "/";
  const grpcWeb = /^application\/grpc-web/i.test(contentType);
  const grpc = !grpcWeb && /^application\/grpc/i.test(contentType);
  const connect = /^application\/(connect\+)?(json|proto)/i.test(contentType) && RPC_PATH.test(path);
  if (!grpc && !grpcWeb && !connect) return false;
  const rpc = path.slice(1);
  const { error } = connectErrorFrom(
    new ConnectError(`This server has no RPC ${rpc}.`, Code.Unimplemented),
    requestId,
  );
  const status = new Headers();
  setGrpcStatus(status, error);
  if (grpc) {
    // Trailers-only: the status travels in the response headers (gRPC over HTTP/2 spec).
    reply.code(200).header("content-type", contentType);
    status.forEach((value, name) => {
      reply.header(name, value);
    });
    reply.send();
  } else if (grpcWeb) {
    reply
      .code(200)
      .header("content-type", contentType)
      .send(Buffer.from(grpcWebTrailerFrame(status)));
  } else {
    reply
      .code(404)
      .header("content-type", "application/json")
      .send(Buffer.from(connectErrorJson(error)));
  }
  return true;
}
