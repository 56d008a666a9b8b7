import type { JsonValue } from "@bufbuild/protobuf";
import type { FastifyRequest } from "fastify";
import type { HttpBinding } from "./http-bindings.js";

/** Headers that describe the HTTP hop rather than the call; not passed on as metadata. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "host",
]);
const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;

/** The parsed JSON body, or the HTTP status and message that refuse it. */
export type BodyResult =
  | { ok: true; json: JsonValue | undefined }
  | { ok: false; status: number; message: string };

/** Reads the JSON body a binding expects, refusing bodies where none belongs and non-JSON media types. */
export function readBody(req: FastifyRequest, binding: HttpBinding): BodyResult {
  const raw = req.body as Buffer | undefined;
  const sent = (raw !== undefined && raw.length > 0) || hasBodyFraming(req);
  if (binding.bodyField === undefined) {
    return sent
      ? { ok: false, status: 400, message: `${req.method} ${binding.template} takes no request body.` }
      : { ok: true, json: undefined };
  }
  if (!sent) return { ok: true, json: undefined };
  // Fastify leaves a body unread when it has no content-type; never treat that as "no body".
  if (raw === undefined || !JSON_CONTENT_TYPE.test(req.headers["content-type"] ?? "")) {
    return { ok: false, status: 415, message: "Send the body as application/json." };
  }
  if (raw.length === 0) return { ok: true, json: undefined };
  try {
    return { ok: true, json: JSON.parse(raw.toString("utf8")) as JsonValue };
  } catch (error) {
    return { ok: false, status: 400, message: `The body is not valid JSON: ${(error as Error).message}` };
  }
}

/**
 * Whether the request frames a body: a content-length, chunked transfer-encoding, or (HTTP/2) a
 * stream that did not end with the headers. Fastify does not read GET bodies, nor bodies without a
 * content-type, so the parsed body alone cannot tell.
 */
function hasBodyFraming(req: FastifyRequest): boolean {
  if (Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined)
    return true;
  const stream = (req.raw as { stream?: { endAfterHeaders?: boolean } }).stream;
  return stream?.endAfterHeaders === false;
}

/** Request headers as RPC metadata, less those that describe the HTTP hop rather than the call. */
export function metadataOf(req: FastifyRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith(":")) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

/**
 * Splits a raw query string into decoded name/value pairs (`+` is a space, as in forms), or names
 * the first parameter whose percent-encoding is malformed — URLSearchParams would keep it silently.
 */
export function queryParamsOf(
  rawQuery: string,
): { ok: true; params: [string, string][] } | { ok: false; param: string } {
  const params: [string, string][] = [];
  if (rawQuery === "") return { ok: true, params };
  for (const pair of rawQuery.split("&")) {
    if (pair === "") continue;
    const at = pair.indexOf("=");
    const rawName = at === -1 ? pair : pair.slice(0, at);
    const rawValue = at === -1 ? "" : pair.slice(at + 1);
    try {
      params.push([decodeQueryComponent(rawName), decodeQueryComponent(rawValue)]);
    } catch {
      return { ok: false, param: rawName };
    }
  }
  return { ok: true, params };
}

function decodeQueryComponent(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, " "));
}
