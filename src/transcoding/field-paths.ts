import type { DescField, DescMessage } from "@bufbuild/protobuf";

// Clients may spell a field by its proto name or its JSON name (proto3 JSON parsers accept both),
// so every lookup goes through one index per message, built on first use.
const fieldIndexes = new WeakMap<DescMessage, Map<string, DescField>>();

/** Finds the field of `desc` called `name`, accepting its proto name (`postal_code`) or its JSON name (`postalCode`). */
export function findField(desc: DescMessage, name: string): DescField | undefined {
  let index = fieldIndexes.get(desc);
  if (index === undefined) {
    index = new Map();
    // JSON names first so that a proto name wins if a (non-conforming) schema lets the two collide,
    // the same precedence protobuf-es applies when parsing JSON.
    for (const field of desc.fields) index.set(field.jsonName, field);
    for (const field of desc.fields) index.set(field.name, field);
    fieldIndexes.set(desc, index);
  }
  return index.get(name);
}

/**
 * Resolves a dotted field path, one name (proto or JSON) per segment, to the fields it passes through;
 * undefined when a segment names no field or follows a field that has no sub-fields.
 */
export function resolveFieldPath(desc: DescMessage, segments: readonly string[]): DescField[] | undefined {
  const fields: DescField[] = [];
  let current: DescMessage | undefined = desc;
  for (const segment of segments) {
    const field: DescField | undefined = current === undefined ? undefined : findField(current, segment);
    if (field === undefined) return undefined;
    fields.push(field);
    // Lists and maps of messages are resolved through to their element type; whether a caller may
    // traverse them (query parameters may not) is the caller's rule, not a property of the path.
    current = field.message;
  }
  return fields;
}

/**
 * Resolves a path of proto names through singular message fields, the paths google.api.http
 * templates and the http_response option name; undefined when a segment names no field, or the
 * path crosses or ends at a list or map.
 */
export function resolveSingularPath(desc: DescMessage, segments: readonly string[]): DescField[] | undefined {
  const fields: DescField[] = [];
  let current: DescMessage | undefined = desc;
  for (const segment of segments) {
    const field: DescField | undefined = current?.fields.find((f) => f.name === segment);
    if (field === undefined || field.fieldKind === "list" || field.fieldKind === "map") return undefined;
    fields.push(field);
    current = field.fieldKind === "message" ? field.message : undefined;
  }
  return fields;
}

/** How a field is spelled: its proto name (`postal_code`) or its JSON name (`postalCode`). */
export type FieldNaming = "proto" | "json";

/** Spells each segment of a field path (given in either spelling) the `naming` way. */
export function renameSegments(
  desc: DescMessage,
  segments: readonly string[],
  naming: FieldNaming,
): string[] {
  const renamed: string[] = [];
  let current: DescMessage | undefined = desc;
  for (const segment of segments) {
    const field: DescField | undefined = current === undefined ? undefined : findField(current, segment);
    // An unknown segment is echoed as given: the path is for people to read, and the client's own
    // spelling is the most recognisable thing to show them.
    renamed.push(field === undefined ? segment : naming === "json" ? field.jsonName : field.name);
    current = field?.message;
  }
  return renamed;
}

/** Translates a field path given as proto names (`["address", "postal_code"]`) to JSON names (`["address", "postalCode"]`). */
export function toJsonNamePath(desc: DescMessage, protoPath: readonly string[]): string[] {
  return renameSegments(desc, protoPath, "json");
}

// One path segment: a name followed by any number of subscripts (`[1]`, `["key"]`; quoted keys may
// contain dots and brackets), ending where the next dot or the string ends.
const segmentPattern = /([^.[]*)((?:\[(?:"(?:[^"\\]|\\.)*"|[^\]"]*)\])*)(?=\.|$)/y;

/**
 * Converts a proto field path string (`customer.first_name`, `preferred_contact_methods[1]`,
 * `labels["k"].postal_code`) to its JSON-name form, keeping subscripts and unknown segments unchanged.
 */
export function protoPathToJsonPath(desc: DescMessage, protoPath: string): string {
  return renamePath(desc, protoPath, "json");
}

/** The inverse of {@link protoPathToJsonPath}: a JSON-name path (`address.postalCode`) in proto names. */
export function jsonPathToProtoPath(desc: DescMessage, jsonPath: string): string {
  return renamePath(desc, jsonPath, "proto");
}

function renamePath(desc: DescMessage, protoPath: string, naming: FieldNaming): string {
  const names: string[] = [];
  const subscripts: string[] = [];
  let pos = 0;
  for (;;) {
    segmentPattern.lastIndex = pos;
    const match = segmentPattern.exec(protoPath);
    if (match === null) break;
    names.push(match[1] ?? "");
    subscripts.push(match[2] ?? "");
    pos = segmentPattern.lastIndex;
    if (pos === protoPath.length) break;
    pos++; // the dot
  }
  const converted = renameSegments(desc, names, naming)
    .map((name, i) => `${name}${subscripts[i]}`)
    .join(".");
  // A malformed tail (e.g. an unterminated subscript) cannot be interpreted, so it is passed through
  // verbatim rather than dropped.
  const rest = protoPath.slice(pos);
  if (rest === "") return converted;
  return names.length === 0 ? rest : `${converted}.${rest}`;
}
