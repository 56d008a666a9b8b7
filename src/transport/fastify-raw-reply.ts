import type { FastifyReply } from "fastify";

/**
 * Hands the response over to code that writes to the raw Node response: headers set through
 * Fastify (x-request-id, CORS) live on the reply until Fastify sends, so they are copied first.
 * Fastify sees the raw response end and still runs its onResponse hooks (the access log).
 */
export function rawResponseOf(reply: FastifyReply): FastifyReply["raw"] {
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) reply.raw.setHeader(name, value);
  }
  return reply.raw;
}
