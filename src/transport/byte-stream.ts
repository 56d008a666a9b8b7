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

/**
 * Reads a request body up to `limitBytes`: the bytes, "too-large" as soon as the limit is passed
 * (the rest is not read), or "aborted" when the client went away mid-body.
 */
export async function readAtMost(
  body: AsyncIterable<Uint8Array | string>,
  limitBytes: number,
): Promise<Buffer | "too-large" | "aborted"> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const bytes =
        typeof chunk === "string"
          ? Buffer.from(chunk)
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      size += bytes.length;
      if (size > limitBytes) return "too-large";
      chunks.push(bytes);
    }
  } catch {
    return "aborted";
  }
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
