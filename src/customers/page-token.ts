import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { PageCursor } from "./customer-repository.js";

/** Signs and checks page tokens: opaque to clients, bound to one search, and tamper-evident. */
export interface PageTokenCodec {
  /** Encodes the cursor after `last` for the search identified by `search`. */
  encode(search: unknown, last: PageCursor): string;
  /** Returns the cursor, or undefined when the token is forged, damaged or from another search. */
  decode(search: unknown, token: string): PageCursor | undefined;
}

/**
 * Builds a codec whose tokens are `base64url(payload).base64url(HMAC-SHA256(payload))`. The payload
 * carries a hash of the search criteria, so a token cannot be replayed against other criteria
 * (AIP-158: changing the request between pages is an error).
 */
export function createPageTokenCodec(secret: string): PageTokenCodec {
  const sign = (payload: string) => createHmac("sha256", secret).update(payload).digest();
  const searchHash = (search: unknown) =>
    createHash("sha256").update(JSON.stringify(search)).digest("base64url").slice(0, 16);
  return {
    encode(search, last) {
      const payload = Buffer.from(
        JSON.stringify({ v: 1, s: searchHash(search), t: last.createdAt.getTime(), i: last.id }),
      ).toString("base64url");
      return `${payload}.${sign(payload).toString("base64url")}`;
    },
    decode(search, token) {
      const [payload, signature, extra] = token.split(".");
      if (!payload || !signature || extra !== undefined) return undefined;
      // Compare the text, not decoded bytes: base64url decoding ignores stray characters and padding.
      const expected = Buffer.from(sign(payload).toString("base64url"));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      try {
        const body = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<
          string,
          unknown
        >;
        if (body.v !== 1 || body.s !== searchHash(search)) return undefined;
        if (!Number.isFinite(body.t) || typeof body.i !== "string") return undefined;
        return { createdAt: new Date(body.t as number), id: body.i };
      } catch {
        return undefined;
      }
    },
  };
}
