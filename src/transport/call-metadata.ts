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

/**
 * Request headers (Node's form) as the metadata of a call handed to a Connect handler, less those
 * that describe the HTTP hop rather than the call, and less `skip`.
 */
export function callMetadataOf(
  headers: Record<string, string | string[] | undefined>,
  skip?: ReadonlySet<string>,
): Headers {
  const metadata = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith(":") || skip?.has(name)) continue;
    if (typeof value === "string") metadata.append(name, value);
    else for (const v of value) metadata.append(name, v);
  }
  return metadata;
}

/** A request header (Node's form) as one string: repeated fields joined as a list (RFC 9110 §5.3). */
export function headerValue(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}
