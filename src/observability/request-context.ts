import { randomUUID } from "node:crypto";
import { createContextKey } from "@connectrpc/connect";
import type { FastifyBaseLogger } from "fastify";

/** Per-request facts shared by every protocol path: the id, the request's logger, and the RPC outcome. */
export interface RequestContext {
  readonly requestId: string;
  readonly log: FastifyBaseLogger;
  /** Client address, as Fastify reports it. */
  readonly ip?: string;
  /** The caller's Credential.subject (JWT `sub`, or `api-key#<n>`), set once credentials are verified. */
  subject?: string;
  /** The W3C trace id of the call's span, when tracing is on (observability/tracing.ts). */
  traceId?: string;
  /** Filled in by the RPC pipeline so the single access-log line can name the RPC and its code. */
  rpc?: { method: string | undefined; code: string };
}

/** Context key under which Connect handlers and interceptors find the RequestContext. */
export const requestContextKey = createContextKey<RequestContext | undefined>(undefined, {
  description: "customer-api request context",
});

/** Name of the header that carries the request id in and out. */
export const REQUEST_ID_HEADER = "x-request-id";

const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes the caller's request id when it is 1-128 characters of [A-Za-z0-9._:-], otherwise makes a UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && ACCEPTED_REQUEST_ID.test(value) ? value : randomUUID();
}
