import type { JsonValue } from "@bufbuild/protobuf";
import { drainBoundOf, readAtMost, type UnreadBody } from "../transport/byte-stream.js";
import { headerValue } from "../transport/call-metadata.js";
import type { HttpBinding } from "./http-bindings.js";

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;

/** What the transcoder reads of a Node HTTP/1.1 or HTTP/2 compatibility request. */
export interface RestHttpRequest extends AsyncIterable<Buffer | string> {
  readonly method?: string;
  readonly url?: string;
  readonly httpVersion: string;
  readonly headers: Record<string, string | string[] | undefined>;
  /** HTTP/2 only: the stream, which tells whether a body follows the headers. */
  readonly stream?: { endAfterHeaders?: boolean };
}

/** The parsed JSON body, or the HTTP status and message that refuse it. */
export type BodyResult =
  | { ok: true; json: JsonValue | undefined }
  | { ok: false; status: number; message: string };

/**
 * Reads the request body, up to `limitBytes`: the bytes, or why not (see readAtMost). A body whose
 * declared length is past the drain bound is not read at all.
 */
export async function readBodyBytes(req: RestHttpRequest, limitBytes: number): Promise<Buffer | UnreadBody> {
  const drainBytes = drainBoundOf(limitBytes);
  if (Number(req.headers["content-length"] ?? 0) > drainBytes) return "too-large-undrained";
  // Most REST calls (GET) frame no body at all; skip the stream iterator they would otherwise pay for.
  if (!hasBodyFraming(req) && req.headers["content-length"] === undefined) return EMPTY;
  return readAtMost(req, limitBytes, drainBytes);
}

const EMPTY = Buffer.alloc(0);

/** Parses the JSON body a binding expects, refusing bodies where none belongs and non-JSON media types. */
export function parseBody(req: RestHttpRequest, raw: Buffer, binding: HttpBinding): BodyResult {
  const sent = raw.length > 0 || hasBodyFraming(req);
  if (binding.bodyField === undefined) {
    return sent
      ? { ok: false, status: 400, message: `${req.method} ${binding.template} takes no request body.` }
      : { ok: true, json: undefined };
  }
  if (!sent) return { ok: true, json: undefined };
  if (!JSON_CONTENT_TYPE.test(headerValue(req.headers, "content-type") ?? "")) {
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
 * Whether the request frames a body even when it is empty: a content-length, chunked
 * transfer-encoding, or (HTTP/2) a stream that did not end with the headers.
 */
function hasBodyFraming(req: RestHttpRequest): boolean {
  if (Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined)
    return true;
  return req.stream?.endAfterHeaders === false;
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
