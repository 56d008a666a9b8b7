/*
 * Query parameters → proto3 JSON, with the semantics of grpc-gateway / vanguard-go / Envoy's
 * transcoder: a key is a dotted field path (proto or JSON name per segment) through singular
 * messages; leaves are scalars, enums, repeated scalars/enums (one value per repetition) and the
 * well-known types whose JSON form is a string. The caller builds the message with `fromJson`.
 *
 * Decisions, stricter than grpc-gateway where its leniency hides client mistakes:
 * - bool accepts exactly `true` / `false` (as proto3 JSON and vanguard-go do), not 1/0/t/f.
 * - enums accept a declared value name or a declared number; undeclared numbers are rejected.
 * - integers are plain decimals (no exponent, no fraction); 64-bit values stay strings, as in JSON.
 * - FieldMask paths: proto or JSON names, or `*`; empty entries (`a,,b`, a trailing comma) are dropped.
 * - unknown parameters are errors (grpc-gateway silently ignores them).
 *
 * Over 300 lines on purpose: one value parser per proto3-JSON scalar and well-known type, kept
 * together so the accepted forms can be read in one place.
 */
import type { DescEnum, DescField, DescMessage, JsonObject, JsonValue } from "@bufbuild/protobuf";
import { fromJson, ScalarType } from "@bufbuild/protobuf";
import { protoCamelCase, protoSnakeCase } from "@bufbuild/protobuf/reflect";
import { hasCustomJsonRepresentation, isWrapperDesc } from "@bufbuild/protobuf/wkt";
import { resolveFieldPath } from "./field-paths.js";
import type { RequestViolationReason } from "./request-violation.js";

/** The API field error codes a query parameter can be rejected with. */
export type QueryParamErrorCode = RequestViolationReason;

/** One rejected query parameter; `fieldPath` (proto names) is the field it named, absent for unknown parameters. */
export interface QueryParamError {
  param: string;
  fieldPath?: string[];
  code: QueryParamErrorCode;
  description: string;
}

/** Proto3 JSON for `fromJson` built from the accepted parameters, plus one error per rejected parameter. */
export interface QueryParamsJson {
  json: Record<string, JsonValue>;
  errors: QueryParamError[];
}

type Conversion =
  | { ok: true; value: JsonValue }
  | { ok: false; code: "INVALID_FORMAT" | "OUT_OF_RANGE"; expected: string };
type Converter = (raw: string) => Conversion;

/**
 * Converts query parameters to a proto3 JSON object for `desc`, rejecting unknown, bound (by path or
 * body, per `boundFields` on any prefix of the proto-name path), repeated-but-singular and unparsable ones.
 */
export function queryParamsToJson(
  desc: DescMessage,
  params: Iterable<[string, string]>,
  boundFields: (fieldPath: string[]) => boolean,
): QueryParamsJson {
  const json = newObject();
  const errors: QueryParamError[] = [];
  const rejected = new Set<string>();
  // Keyed by proto path, so `page_size=1&pageSize=2` is one field given twice.
  const singularSetBy = new Map<string, string>();
  const oneofSetBy = new Map<string, { param: string; member: string }>();

  const apply = (param: string, raw: string): QueryParamError | undefined => {
    const given = param.split(".");
    const reject = (code: QueryParamErrorCode, problem: string, fields?: DescField[]): QueryParamError => {
      const description = `Query parameter ${quote(param)} ${problem}.`;
      if (fields === undefined) return { param, code, description };
      return { param, fieldPath: fields.map((f) => f.name), code, description };
    };
    const notAllowed = (why: string, at: DescField[]) => reject("NOT_ALLOWED", `is not allowed: ${why}`, at);
    const fields = resolveFieldPath(desc, given);
    // A path into a list, map or well-known type is refused as such. `tags.x` does not even resolve
    // (a list of scalars has no sub-fields), so the longest prefix that does is checked.
    const reached = fields ?? knownPrefix(desc, given);
    const blocked = reached.findIndex((f, i) => i < given.length - 1 && isOpaque(f));
    if (blocked >= 0) {
      const name = quote(given.slice(0, blocked + 1).join("."));
      return notAllowed(`${name} ${opaqueBecause(reached[blocked] as DescField)}`, reached);
    }
    const leaf = fields?.at(-1);
    if (fields === undefined || leaf === undefined) return reject("UNKNOWN_FIELD", "is not a known field");
    const fieldPath = fields.map((f) => f.name);
    if (fieldPath.some((_, i) => boundFields(fieldPath.slice(0, i + 1)))) {
      return notAllowed("the URL path or the request body sets it", fields);
    }
    const convert = leafConverter(leaf);
    if (typeof convert === "string") return notAllowed(`it names ${convert}`, fields);

    const key = fieldPath.join(".");
    const first = singularSetBy.get(key);
    if (first !== undefined) {
      const how = first === param ? "was given more than once" : `sets the same field as ${quote(first)}`;
      return reject("DUPLICATE", `${how}, but that field takes a single value`, fields);
    }
    const members = oneofMembers(fields);
    for (const { oneof, member } of members) {
      const other = oneofSetBy.get(oneof);
      if (other !== undefined && other.member !== member) {
        return notAllowed(`it cannot be combined with ${quote(other.param)}; both set one oneof`, fields);
      }
    }
    const result = convert(raw);
    if (!result.ok) return reject(result.code, `must be ${result.expected}; got ${quote(raw)}`, fields);

    if (leaf.fieldKind !== "list") singularSetBy.set(key, param);
    for (const { oneof, member } of members) {
      if (!oneofSetBy.has(oneof)) oneofSetBy.set(oneof, { param, member });
    }
    place(json, fields, result.value);
    return undefined;
  };

  for (const [param, raw] of params) {
    // One error per parameter: once a key is rejected, its further repetitions add nothing new.
    if (rejected.has(param)) continue;
    const error = apply(param, raw);
    if (error !== undefined) {
      rejected.add(param);
      errors.push(error);
    }
  }
  return { json, errors };
}

/** The fields of the longest proper prefix of the path that names a field. */
function knownPrefix(desc: DescMessage, given: string[]): DescField[] {
  for (let n = given.length - 1; n > 0; n--) {
    const fields = resolveFieldPath(desc, given.slice(0, n));
    if (fields !== undefined) return fields;
  }
  return [];
}

/** Lists, maps and messages with a custom JSON form (Timestamp, Struct, ...) have no sub-fields a parameter can address. */
function isOpaque(field: DescField): boolean {
  if (field.fieldKind === "list" || field.fieldKind === "map") return true;
  return field.message !== undefined && hasCustomJsonRepresentation(field.message);
}

function opaqueBecause(field: DescField): string {
  if (field.fieldKind === "list") return "is a list, whose elements cannot be addressed";
  if (field.fieldKind === "map") return "is a map, which query parameters cannot set";
  return `is a ${field.message?.typeName}, which is given whole, not field by field`;
}

/** A converter for the field's values, or a phrase saying what the field is when it cannot be a leaf. */
function leafConverter(field: DescField): Converter | string {
  switch (field.fieldKind) {
    case "scalar":
      return scalarConverter(field.scalar);
    case "enum":
      return enumConverter(field.enum);
    case "message":
      return wktConverter(field.message) ?? `a message (${field.message.typeName}); set its fields instead`;
    case "list":
      if (field.listKind === "scalar") return scalarConverter(field.scalar);
      if (field.listKind === "enum") return enumConverter(field.enum);
      return wktConverter(field.message) ?? `a list of messages (${field.message.typeName})`;
    case "map":
      return "a map field";
  }
}

const ok = (value: JsonValue): Conversion => ({ ok: true, value });
const invalid = (expected: string): Conversion => ({ ok: false, code: "INVALID_FORMAT", expected });
const outOfRange = (expected: string): Conversion => ({ ok: false, code: "OUT_OF_RANGE", expected });

const decimalInteger = /^-?[0-9]+$/;
const decimalFloat = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;
// Both alphabets (standard and URL-safe), with or without padding, as proto3 JSON parsers accept.
const base64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function integerConverter(bits: 32n | 64n, signed: boolean): Converter {
  const min = signed ? -(2n ** (bits - 1n)) : 0n;
  const max = (signed ? 2n ** (bits - 1n) : 2n ** bits) - 1n;
  const expected = `an integer from ${min} to ${max}`;
  return (raw) => {
    if (!decimalInteger.test(raw)) return invalid(expected);
    const value = BigInt(raw);
    if (value < min || value > max) return outOfRange(expected);
    // proto3 JSON writes 64-bit integers as strings because JSON numbers lose precision above 2^53.
    return ok(bits === 64n ? value.toString() : Number(value));
  };
}

function floatConverter(float32: boolean): Converter {
  const expected = `a ${float32 ? "32" : "64"}-bit floating-point number (or NaN, Infinity, -Infinity)`;
  return (raw) => {
    if (raw === "NaN" || raw === "Infinity" || raw === "-Infinity") return ok(raw);
    // Number() alone would also accept hex, binary and whitespace, which no JSON number allows.
    if (!decimalFloat.test(raw)) return invalid(expected);
    const value = Number(raw);
    return Number.isFinite(float32 ? Math.fround(value) : value) ? ok(value) : outOfRange(expected);
  };
}

function bytesConverter(raw: string): Conversion {
  const unpadded = raw.replace(/=+$/, "");
  const wellFormed =
    base64.test(raw) && unpadded.length % 4 !== 1 && (unpadded === raw || raw.length % 4 === 0);
  // A raw "+" in a query string decodes to a space, the usual cause of this error.
  return wellFormed ? ok(raw) : invalid("base64 or base64url (in a URL, write + as %2B or use base64url)");
}

function scalarConverter(type: ScalarType): Converter {
  switch (type) {
    case ScalarType.STRING:
      return ok;
    case ScalarType.BOOL:
      return (raw) => (raw === "true" || raw === "false" ? ok(raw === "true") : invalid("true or false"));
    case ScalarType.BYTES:
      return bytesConverter;
    case ScalarType.FLOAT:
    case ScalarType.DOUBLE:
      return floatConverter(type === ScalarType.FLOAT);
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return integerConverter(32n, true);
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return integerConverter(32n, false);
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return integerConverter(64n, true);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return integerConverter(64n, false);
  }
}

function enumConverter(desc: DescEnum): Converter {
  const expected = `one of ${desc.values.map((v) => v.name).join(", ")}`;
  return (raw) => {
    const value =
      desc.values.find((v) => v.name === raw || v.jsonName === raw) ??
      (decimalInteger.test(raw) ? desc.values.find((v) => v.number === Number(raw)) : undefined);
    return value === undefined ? invalid(expected) : ok(value.name);
  };
}

// protobuf-es does not anchor the end of its Duration pattern, so "1sx" would slip through.
const durationPattern = /^-?[0-9]+(?:\.[0-9]{1,9})?s$/;

/** Converters for the well-known types whose proto3 JSON is a single string or scalar. */
function wktConverter(desc: DescMessage): Converter | undefined {
  if (isWrapperDesc(desc)) return scalarConverter(desc.fields[0].scalar);
  switch (desc.typeName) {
    case "google.protobuf.Timestamp":
      return parsedBy(desc, "an RFC 3339 timestamp from year 0001 to 9999, e.g. 2024-05-01T12:00:00Z");
    case "google.protobuf.Duration":
      return parsedBy(desc, "a number of seconds with an s suffix, e.g. 1.5s", durationPattern);
    case "google.protobuf.FieldMask":
      return fieldMaskConverter;
    default:
      return undefined;
  }
}

/** Validates by letting protobuf-es parse the value, so accepted values are exactly those `fromJson` takes. */
function parsedBy(desc: DescMessage, expected: string, pattern?: RegExp): Converter {
  return (raw) => {
    if (pattern !== undefined && !pattern.test(raw)) return invalid(expected);
    try {
      fromJson(desc, raw);
      return ok(raw);
    } catch {
      return invalid(expected);
    }
  };
}

const snakeName = /^[a-z][a-z0-9_]*$/;

/** FieldMask JSON is lowerCamelCase, so proto-name paths are converted; names that would not survive the round trip are rejected. */
function fieldMaskConverter(raw: string): Conversion {
  const paths: string[] = [];
  for (const path of raw.split(",")) {
    if (path === "") continue;
    const segments = path.split(".").map((segment) => {
      const camel = protoCamelCase(segment);
      const snake = protoSnakeCase(camel);
      // "*" is AIP-134's "replace everything"; fromJson keeps it as it is.
      const valid = segment === "*" || (snakeName.test(snake) && (segment === camel || segment === snake));
      return valid ? camel : undefined;
    });
    if (segments.includes(undefined))
      return invalid("comma-separated field paths, e.g. first_name,address.city");
    paths.push(segments.join("."));
  }
  return ok(paths.join(","));
}

/** The oneofs the path passes through, each keyed by its proto path, with the member the path chooses. */
function oneofMembers(fields: DescField[]): { oneof: string; member: string }[] {
  return fields.flatMap((field, i) => {
    if (field.oneof === undefined) return [];
    const parent = fields.slice(0, i).map((f) => f.name);
    return [{ oneof: [...parent, field.oneof.name].join("."), member: field.name }];
  });
}

function place(json: JsonObject, fields: DescField[], value: JsonValue): void {
  let target = json;
  for (const field of fields.slice(0, -1)) {
    if (!isJsonObject(target[field.jsonName])) target[field.jsonName] = newObject();
    target = target[field.jsonName] as JsonObject;
  }
  const leaf = fields.at(-1) as DescField;
  const list = target[leaf.jsonName];
  if (leaf.fieldKind !== "list") target[leaf.jsonName] = value;
  else if (Array.isArray(list)) list.push(value);
  else target[leaf.jsonName] = [value];
}

function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Objects without a prototype, so that a JSON name such as `__proto__` is stored as an ordinary key. */
function newObject(): JsonObject {
  return Object.create(null) as JsonObject;
}

/** Quotes a client-supplied string for a message, shortened so that a huge value cannot bloat the error. */
function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}
