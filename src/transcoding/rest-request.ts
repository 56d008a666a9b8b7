import {
  type DescField,
  type DescMessage,
  fromJson,
  type JsonObject,
  type JsonValue,
  type Registry,
} from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { jsonPathToProtoPath, toJsonNamePath } from "./field-paths.js";
import type { HttpBinding } from "./http-bindings.js";
import { findUnknownJsonFields, inferUpdateMask } from "./json-body.js";
import { jsonPathOfDecodeError } from "./json-decode-error.js";
import { queryParamsToJson } from "./query-params.js";
import type { RequestViolation } from "./request-violation.js";
import type { PathVariableValue } from "./route-table.js";

/** The pieces of an HTTP request that map onto a request message. */
export interface RestRequestParts {
  variables: readonly PathVariableValue[];
  query: Iterable<[string, string]>;
  /** Parsed JSON body; undefined when the request had none. */
  body: JsonValue | undefined;
}

/** The request message, or the violations (field = proto path relative to the request) that prevent it. */
export type RestRequestResult =
  | { ok: true; message: ReturnType<typeof fromJson> }
  | { ok: false; violations: RequestViolation[]; message?: string };

/**
 * Builds the RPC request from path variables, query parameters and the JSON body, the way
 * google.api.http specifies: the body fills `body` (or the whole message for "*"), path variables
 * their fields, and query parameters every other field. A PATCH without `updateMask` gets the mask of
 * the keys it sent; a PUT gets "*" (full replacement).
 */
export function restRequestOf(
  binding: HttpBinding,
  parts: RestRequestParts,
  registry: Registry,
): RestRequestResult {
  const input = binding.method.input;
  const violations: RequestViolation[] = [];
  const bodyField = binding.bodyField;
  // A JSON path relative to what the client sent in the body, as a proto path relative to the request.
  const fromBody = (jsonPath: string) =>
    bodyField === undefined || bodyField === "*"
      ? jsonPathToProtoPath(input, jsonPath)
      : `${bodyField.name}.${jsonPathToProtoPath(bodyField.message ?? input, jsonPath)}`;
  const isBound = (path: string[]) => {
    if (bodyField === "*") return true;
    const dotted = path.join(".");
    if (bodyField && (path[0] === bodyField.name || dotted === bodyField.name)) return true;
    for (const p of binding.pathTargets.keys()) {
      if (dotted === p || dotted.startsWith(`${p}.`) || p.startsWith(`${dotted}.`)) return true;
    }
    return false;
  };

  const query = queryParamsToJson(input, parts.query, isBound);
  for (const e of query.errors) {
    const field = e.fieldPath?.join(".") ?? e.param;
    violations.push({ field, reason: e.code, description: e.description });
  }
  const json: JsonObject = query.json;

  if (bodyField !== undefined) {
    // JSON null is a body that is not an object; only a missing body means "empty message".
    const body = parts.body === undefined ? {} : parts.body;
    const bodyDesc = bodyField === "*" ? input : bodyField.message;
    if (bodyDesc && (typeof body !== "object" || body === null || Array.isArray(body))) {
      return { ok: false, violations: [], message: "The request body must be a JSON object." };
    }
    if (bodyDesc) {
      for (const field of findUnknownJsonFields(bodyDesc, body)) {
        violations.push({
          field: fromBody(field),
          reason: "UNKNOWN_FIELD",
          description: `${field} is not a field of this request.`,
        });
      }
    }
    if (bodyField === "*") Object.assign(json, body);
    else json[bodyField.jsonName] = body;
    const mask = updateMaskField(input, isBound);
    if (mask && json[mask.jsonName] === undefined && bodyField !== "*" && bodyField.message) {
      if (binding.httpMethod === "PATCH") {
        json[mask.jsonName] = inferUpdateMask(bodyField.message, body)
          .map((path) => toJsonNamePath(bodyField.message as DescMessage, path.split(".")).join("."))
          .join(",");
      } else if (binding.httpMethod === "PUT") {
        json[mask.jsonName] = "*";
      }
    }
  }

  for (const variable of parts.variables) {
    const target = binding.pathTargets.get(variable.fieldPath.join("."));
    if (!target) continue; // the route table only yields variables of this binding's template
    if (target.isString) {
      setPath(json, target.jsonPath, variable.value);
      continue;
    }
    // Other scalar types take the query-parameter conversions (numbers, booleans, enums, …).
    const converted = queryParamsToJson(input, [[variable.fieldPath.join("."), variable.value]], () => false);
    for (const e of converted.errors) {
      violations.push({ field: variable.fieldPath.join("."), reason: e.code, description: e.description });
    }
    setPath(json, target.jsonPath, jsonAt(converted.json, target.jsonPath));
  }
  if (violations.length > 0) return { ok: false, violations };
  try {
    return { ok: true, message: fromJson(input, json, { registry }) };
  } catch (error) {
    const text = (error as Error).message;
    const root = bodyField === "*" || bodyField === undefined ? input : bodyField.message;
    const body = bodyField === undefined ? undefined : bodyField === "*" ? json : json[bodyField.jsonName];
    const field = root && jsonPathOfDecodeError(root, text, body);
    if (field === undefined) {
      return { ok: false, violations: [], message: `The request does not match its schema: ${text}` };
    }
    const detail = text.replace(/^.* from JSON: /, "");
    return {
      ok: false,
      violations: [
        {
          field: fromBody(field),
          reason: "INVALID_FORMAT",
          description: `${field} has a value of the wrong type (${detail}).`,
        },
      ],
    };
  }
}

/** The request's update-mask field (a top-level google.protobuf.FieldMask not bound elsewhere). */
function updateMaskField(input: DescMessage, isBound: (path: string[]) => boolean): DescField | undefined {
  return input.fields.find(
    (f) => f.fieldKind === "message" && f.message.typeName === FieldMaskSchema.typeName && !isBound([f.name]),
  );
}

function jsonAt(json: JsonObject, path: readonly string[]): JsonValue | undefined {
  let node: JsonValue | undefined = json;
  for (const key of path) {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
    node = node[key];
  }
  return node;
}

function setPath(json: JsonObject, path: readonly string[], value: JsonValue | undefined): void {
  if (value === undefined) return;
  let node = json;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as JsonObject;
  }
  const last = path.at(-1);
  if (last !== undefined) node[last] = value;
}
