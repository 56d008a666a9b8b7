import { createHash } from "node:crypto";
import scalarApiReference from "@scalar/fastify-api-reference";
import type { FastifyInstance } from "fastify";

/** Where the API reference page is served. */
export const API_REFERENCE_PATH = "/docs";

// Inline <script> elements without src: the page's start-up code, allowed by hash, not 'unsafe-inline'.
const INLINE_SCRIPT = /<script(?![^>]*\ssrc=)([^>]*)>([\s\S]*?)<\/script>/g;

/**
 * The page's Content-Security-Policy: everything from this service only (the reference's script is
 * bundled in the npm package and served here, never from a CDN), inline scripts by their SHA-256.
 * Styles stay 'unsafe-inline' because the bundle injects its stylesheet at run time.
 */
function contentSecurityPolicy(html: string): string {
  const hashes = [...html.matchAll(INLINE_SCRIPT)]
    .filter((m) => !/type=["']application\/json["']/.test(m[1]))
    .map((m) => `'sha256-${createHash("sha256").update(m[2]).digest("base64")}'`);
  return [
    "default-src 'self'",
    `script-src 'self' ${hashes.join(" ")}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join("; ");
}

/**
 * Serves the API reference page (Scalar) at /docs, rendered in the browser from GET /openapi.json,
 * without credentials and with no request leaving the service.
 */
export async function registerApiReference(app: FastifyInstance): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook("onSend", async (_req, reply, payload) => {
      const type = String(reply.getHeader("content-type") ?? "");
      if (typeof payload === "string" && type.startsWith("text/html")) {
        reply.header("content-security-policy", contentSecurityPolicy(payload));
      } else {
        reply.header("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
      }
      return payload;
    });
    await scope.register(scalarApiReference, {
      routePrefix: API_REFERENCE_PATH,
      configuration: { url: "/openapi.json", pageTitle: "customer-api reference", telemetry: false },
    });
  });
}
