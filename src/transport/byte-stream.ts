import { promisify } from "node:util";
import zlib from "node:zlib";

/** Reads a body stream into one buffer (one chunk is returned as is, without copying). */
export async function readAll(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks);
}

/** A body stream of one buffer. */
export async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** How much of a too-large body is read and thrown away, so that HTTP/1.1 clients see the error. */
export function drainBoundOf(limitBytes: number): number {
  return Math.max(4 * limitBytes, 8 * 1024 * 1024);
}

/** Why a body was not read: over the limit (drained, or abandoned past the drain bound), or the client left. */
export type UnreadBody = "too-large" | "too-large-undrained" | "aborted";

/**
 * Reads a request body up to `limitBytes`. A larger body is read on and discarded up to
 * `drainBytes`, so an HTTP/1.1 client that is still sending can read the error that follows
 * (closing the socket under it would show that client only a broken pipe); past that bound it is
 * abandoned ("too-large-undrained", the connection cannot be reused).
 */
export async function readAtMost(
  body: AsyncIterable<Uint8Array | string>,
  limitBytes: number,
  drainBytes = limitBytes,
): Promise<Buffer | UnreadBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > drainBytes) return "too-large-undrained";
      if (size > limitBytes) continue;
      chunks.push(
        typeof chunk === "string"
          ? Buffer.from(chunk)
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
      );
    }
  } catch {
    return "aborted";
  }
  if (size > limitBytes) return "too-large";
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}

const decompressors: Record<string, (bytes: Uint8Array) => Promise<Buffer>> = {
  gzip: promisify(zlib.gunzip),
  br: promisify(zlib.brotliDecompress),
};

/** Decompresses a body sent with `content-encoding` (gzip, br); undefined for other encodings. */
export function decompressBody(encoding: string, bytes: Uint8Array): Promise<Buffer> | undefined {
  return decompressors[encoding]?.(bytes);
}
