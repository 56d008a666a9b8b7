import type { DescField, DescMessage, JsonValue } from "@bufbuild/protobuf";

/**
 * Finds which field a protobuf-es `fromJson` error is about, as a JSON path relative to `root`
 * (e.g. `firstName`, `address.city`), so a wrong JSON type becomes a field error instead of a bare
 * message. protobuf-es names the field ("cannot decode field pkg.Msg.field"), or only the enum or
 * message type; then the matching field that `json` (the decoded body) contains is taken. Undefined
 * when no single field can be named.
 */
export function jsonPathOfDecodeError(
  root: DescMessage,
  errorMessage: string,
  json?: JsonValue,
): string | undefined {
  const match = /^cannot decode (field|enum|message) ([\w.]+) from JSON/.exec(errorMessage);
  if (!match) return undefined;
  const [, kind, name] = match;
  const matches = (parent: DescMessage, field: DescField): boolean => {
    if (kind === "field") return `${parent.typeName}.${field.name}` === name;
    if (kind === "enum") return field.enum?.typeName === name;
    return field.message?.typeName === name;
  };
  // Breadth-first; each message type is visited once (recursive types).
  const candidates: string[][] = [];
  const queue: { desc: DescMessage; path: string[] }[] = [{ desc: root, path: [] }];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const { desc, path } = queue.shift() as { desc: DescMessage; path: string[] };
    if (seen.has(desc.typeName)) continue;
    seen.add(desc.typeName);
    for (const field of desc.fields) {
      if (matches(desc, field)) candidates.push([...path, field.jsonName]);
      if (field.message) queue.push({ desc: field.message, path: [...path, field.jsonName] });
    }
  }
  // Several fields of one type (createdAt, updatedAt): only those the client sent can be at fault;
  // when that still leaves more than one, say nothing rather than blame the wrong field.
  const sent = json === undefined ? candidates : candidates.filter((path) => isPresent(json, path));
  return sent.length === 1 ? sent[0]?.join(".") : undefined;
}

function isPresent(json: JsonValue, path: readonly string[]): boolean {
  let node: JsonValue | undefined = json;
  for (const key of path) {
    if (typeof node !== "object" || node === null || Array.isArray(node) || !(key in node)) return false;
    node = node[key];
  }
  return true;
}
