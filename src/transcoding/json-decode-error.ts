import type { DescField, DescMessage } from "@bufbuild/protobuf";

/**
 * Finds which field a protobuf-es `fromJson` error is about, as a JSON path relative to `root`
 * (e.g. `firstName`, `address.city`), so a wrong JSON type becomes a field error instead of a bare
 * message. protobuf-es names the field ("cannot decode field pkg.Msg.field"), the enum or the
 * message type; the first field of `root`'s tree that matches is taken. Undefined when none does.
 */
export function jsonPathOfDecodeError(root: DescMessage, errorMessage: string): string | undefined {
  const match = /^cannot decode (field|enum|message) ([\w.]+) from JSON/.exec(errorMessage);
  if (!match) return undefined;
  const [, kind, name] = match;
  const matches = (parent: DescMessage, field: DescField): boolean => {
    if (kind === "field") return `${parent.typeName}.${field.name}` === name;
    if (kind === "enum") return field.enum?.typeName === name;
    return field.message?.typeName === name;
  };
  // Breadth-first, so the shallowest match wins; each message type is visited once (recursive types).
  const queue: { desc: DescMessage; path: string[] }[] = [{ desc: root, path: [] }];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const { desc, path } = queue.shift() as { desc: DescMessage; path: string[] };
    if (seen.has(desc.typeName)) continue;
    seen.add(desc.typeName);
    for (const field of desc.fields) {
      if (matches(desc, field)) return [...path, field.jsonName].join(".");
      if (field.message) queue.push({ desc: field.message, path: [...path, field.jsonName] });
    }
  }
  return undefined;
}
