import {
  type DescEnum,
  type DescField,
  type DescMessage,
  type DescService,
  getOption,
  ScalarType,
} from "@bufbuild/protobuf";
import { field as validateField } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { FieldBehavior, field_behavior } from "../../gen/google/api/field_behavior_pb.js";
import { type HttpBinding, httpBindingsOf } from "./http-bindings.js";
import { parsePathTemplate } from "./path-template.js";

/** An OpenAPI 3.1 document as plain JSON. */
export type OpenApiDocument = Record<string, unknown>;
type Schema = Record<string, unknown>;

// Well-known types in their proto3 JSON form (protobuf's JSON mapping).
const WELL_KNOWN: Readonly<Record<string, Schema>> = {
  "google.protobuf.Timestamp": { type: "string", format: "date-time" },
  "google.protobuf.FieldMask": { type: "string", description: "Comma-separated field paths." },
};

// The error statuses REST answers with (docs/api.md, "Errors"), and what each means.
const ERROR_STATUSES: Readonly<Record<number, string>> = {
  400: "Invalid input: validation, malformed JSON, unknown field or bad query parameter.",
  401: "Missing or invalid credentials (with WWW-Authenticate: Bearer).",
  403: "The credential lacks the scope for this call.",
  404: "No route matches the path.",
  405: "The path exists but not for this HTTP method.",
  409: "Stale etag in the body (ABORTED).",
  412: "If-Match / If-None-Match precondition failed.",
  413: "Request body over the size limit.",
  415: "Request body is not application/json.",
  429: "Rate limit exceeded (with Retry-After).",
  500: "Unexpected failure; internals are never shown.",
  503: "Database unreachable or shutting down (with Retry-After).",
  504: "The server-side time budget of the call ran out.",
};

/** Fields of `message` a client writes: OUTPUT_ONLY ones are left out of request schemas. */
function behaviours(field: DescField): FieldBehavior[] {
  return getOption(field, field_behavior);
}

/** The protovalidate rules of a string field as JSON Schema keywords; CEL-only rules are not expressible. */
function stringConstraints(field: DescField): Schema {
  const rules = getOption(field, validateField);
  if (rules.type.case !== "string") return {};
  const s = rules.type.value;
  const out: Schema = {};
  if (s.minLen !== undefined && s.minLen > 0n) out.minLength = Number(s.minLen);
  if (s.maxLen !== undefined && s.maxLen > 0n) out.maxLength = Number(s.maxLen);
  if (s.pattern) out.pattern = s.pattern;
  return out;
}

/** Builds the schemas of every message reachable from the documented methods. */
class SchemaSet {
  readonly schemas: Record<string, Schema> = {};

  ref(message: DescMessage): Schema {
    const known = WELL_KNOWN[message.typeName];
    if (known) return known;
    if (!(message.typeName in this.schemas)) {
      this.schemas[message.typeName] = {}; // reserved first: messages may refer to themselves
      this.schemas[message.typeName] = this.messageSchema(message);
    }
    return { $ref: `#/components/schemas/${message.typeName}` };
  }

  enumSchema(desc: DescEnum): Schema {
    return { type: "string", enum: desc.values.map((v) => v.name) };
  }

  valueSchema(field: DescField): Schema {
    switch (field.fieldKind) {
      case "message":
        return this.ref(field.message);
      case "enum":
        return this.enumSchema(field.enum);
      case "list":
        return { type: "array", items: this.listItem(field) };
      case "map":
        return { type: "object" };
      case "scalar":
        return { ...scalarSchema(field.scalar), ...stringConstraints(field) };
    }
  }

  private listItem(field: DescField & { fieldKind: "list" }): Schema {
    if (field.listKind === "message") return this.ref(field.message);
    if (field.listKind === "enum") return this.enumSchema(field.enum);
    return scalarSchema(field.scalar);
  }

  private messageSchema(message: DescMessage): Schema {
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const field of message.fields) {
      const behaviour = behaviours(field);
      const schema = this.valueSchema(field);
      properties[field.jsonName] = behaviour.includes(FieldBehavior.OUTPUT_ONLY)
        ? { ...schema, readOnly: true }
        : schema;
      if (behaviour.includes(FieldBehavior.REQUIRED)) required.push(field.jsonName);
    }
    return {
      type: "object",
      properties,
      ...(required.length ? { required } : {}),
      additionalProperties: false,
    };
  }
}

function scalarSchema(scalar: ScalarType): Schema {
  switch (scalar) {
    case ScalarType.STRING:
      return { type: "string" };
    case ScalarType.BOOL:
      return { type: "boolean" };
    case ScalarType.BYTES:
      return { type: "string", contentEncoding: "base64" };
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return { type: "number" };
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return { type: "string", pattern: "^-?[0-9]+$" };
    default:
      return { type: "integer", format: "int32" };
  }
}

/** The OpenAPI path of a binding's template: `{customer_id}` becomes `{customerId}`. */
function openApiPath(binding: HttpBinding): string {
  let path = binding.template;
  for (const [protoPath, target] of binding.pathTargets) {
    path = path.replace(
      new RegExp(`\\{${protoPath.replace(/\./g, "\\.")}(=[^}]*)?\\}`),
      `{${target.jsonPath.join(".")}}`,
    );
  }
  return path;
}

function errorResponses(binding: HttpBinding): Record<string, unknown> {
  const statuses = [400, 401, 403, 429, 500, 503, 504];
  if (binding.bodyField !== undefined) statuses.push(413, 415);
  if (binding.response.errorStatuses.size > 0 || binding.method.name === "UpdateCustomer") statuses.push(409);
  for (const status of binding.response.errorStatuses.values()) statuses.push(status);
  const responses: Record<string, unknown> = {};
  for (const status of [...new Set(statuses)].sort()) {
    responses[String(status)] = { $ref: `#/components/responses/Error${status}` };
  }
  return responses;
}

function operation(binding: HttpBinding, schemas: SchemaSet, variant: number): Schema {
  const input = binding.method.input;
  const pathFields = new Set(binding.pathFields.map((p) => p.join(".")));
  const parameters: Schema[] = [];
  for (const [, target] of binding.pathTargets) {
    parameters.push({
      name: target.jsonPath.join("."),
      in: "path",
      required: true,
      schema: { type: "string" },
    });
  }
  if (binding.bodyField === undefined) {
    // No body: every other request field is a query parameter (query-params.ts), by its JSON name.
    for (const field of input.fields) {
      if (pathFields.has(field.name) || field.fieldKind === "message" || field.fieldKind === "map") continue;
      parameters.push({
        name: field.jsonName,
        in: "query",
        required: false,
        schema: schemas.valueSchema(field),
      });
    }
  }
  const op: Schema = {
    operationId:
      variant === 0
        ? binding.method.name
        : `${binding.method.name}${binding.httpMethod[0]}${binding.httpMethod.slice(1).toLowerCase()}`,
    tags: [binding.method.parent.name],
    security: [{ bearer: [] }],
  };
  if (parameters.length) op.parameters = parameters;
  if (binding.bodyField !== undefined) {
    const body = binding.bodyField === "*" ? schemas.ref(input) : schemas.valueSchema(binding.bodyField);
    op.requestBody = { required: true, content: { "application/json": { schema: body } } };
  }
  const output = binding.responseBodyField
    ? schemas.valueSchema(binding.responseBodyField)
    : schemas.ref(binding.method.output);
  const success: Schema = { description: "Success.", content: { "application/json": { schema: output } } };
  if (binding.response.location) {
    success.headers = { Location: { description: "Path of the new resource.", schema: { type: "string" } } };
  }
  const responses: Record<string, unknown> = { [String(binding.response.successStatus)]: success };
  if (binding.response.notFoundAsNoContent) responses["204"] = { description: "No such resource." };
  if (binding.response.noContentWhenEmpty) responses["204"] = { description: "Nothing matches." };
  op.responses = { ...responses, ...errorResponses(binding) };
  return op;
}

const ERROR_BODY: Schema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "status", "message", "requestId"],
      properties: {
        code: { type: "integer" },
        status: { type: "string" },
        message: { type: "string" },
        requestId: { type: "string" },
        fieldErrors: {
          type: "array",
          items: {
            type: "object",
            required: ["field", "code", "message"],
            properties: { field: { type: "string" }, code: { type: "string" }, message: { type: "string" } },
          },
        },
        details: { type: "array", items: { type: "object" } },
      },
    },
  },
};

/**
 * The OpenAPI 3.1 document of the REST surface of `services`, read from the same google.api.http and
 * transcoding.v1.http_response bindings (httpBindingsOf) the REST router is built from, with the
 * protovalidate string rules as JSON Schema keywords.
 */
export function openApiDocument(
  services: readonly DescService[],
  info: { title: string; version: string },
): OpenApiDocument {
  const schemas = new SchemaSet();
  const paths: Record<string, Record<string, Schema>> = {};
  const seen = new Map<string, number>();
  for (const binding of httpBindingsOf(services)) {
    parsePathTemplate(binding.template); // the router rejects an invalid template; so does the document
    const path = openApiPath(binding);
    const variant = seen.get(binding.name) ?? 0;
    seen.set(binding.name, variant + 1);
    paths[path] ??= {};
    paths[path][binding.httpMethod.toLowerCase()] = operation(binding, schemas, variant);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, description] of Object.entries(ERROR_STATUSES)) {
    responses[`Error${status}`] = {
      description,
      content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorBody" } } },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      ...info,
      description: "REST/JSON surface of the service, transcoded from its protobuf contract.",
    },
    paths,
    components: {
      schemas: { ...schemas.schemas, ErrorBody: ERROR_BODY },
      responses,
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "API key or JWT." } },
    },
  };
}
