import {
  type DescField,
  type DescMethod,
  type DescService,
  getOption,
  hasOption,
  ScalarType,
} from "@bufbuild/protobuf";
import { http } from "../../gen/google/api/annotations_pb.js";
import type { HttpRule } from "../../gen/google/api/http_pb.js";
import { type HttpResponse, http_response } from "../../gen/transcoding/v1/http_response_pb.js";
import { resolveFieldPath, resolveSingularPath, toJsonNamePath } from "./field-paths.js";
import { parsePathTemplate } from "./path-template.js";

/** One HTTP route of one RPC: a google.api.http rule (or one of its additional_bindings). */
export interface HttpBinding {
  /** `package.Service/Method`, for logs and conflict messages. */
  name: string;
  method: DescMethod & { methodKind: "unary" };
  httpMethod: string;
  template: string;
  /** Field paths (proto names) bound by the template's variables. */
  pathFields: string[][];
  /** Per variable, keyed by its dotted proto path: where its value goes in the request JSON. */
  pathTargets: ReadonlyMap<string, PathTarget>;
  /** Request field the body maps to; undefined for no body, [] for `body: "*"`. */
  bodyField: DescField | "*" | undefined;
  /** Response field written as the body; undefined for the whole response. */
  responseBodyField: DescField | undefined;
  /** Our transcoding.v1.http_response option for the method (defaults when absent). */
  response: ResponseRule;
}

/** Where a path variable's value goes: its JSON-name path, and whether it is a plain string field. */
export interface PathTarget {
  jsonPath: string[];
  isString: boolean;
}

/** The effective transcoding.v1.http_response settings of a method. */
export interface ResponseRule {
  successStatus: number;
  /** Location header template; each {a.b} is a response field path (proto names). */
  location: string | undefined;
  notFoundAsNoContent: boolean;
  noContentWhenEmpty: DescField | undefined;
  /** HTTP status by google.rpc.ErrorInfo reason, for errors that do not take their code's canonical one. */
  errorStatuses: ReadonlyMap<string, number>;
}

/**
 * Reads every google.api.http binding (with additional_bindings) of the unary methods of
 * `services`, checking that each names real fields, so a wrong annotation fails at start-up.
 */
export function httpBindingsOf(services: readonly DescService[]): HttpBinding[] {
  const bindings: HttpBinding[] = [];
  for (const service of services) {
    for (const method of service.methods) {
      if (!hasOption(method, http)) continue;
      const name = `${service.typeName}/${method.name}`;
      if (method.methodKind !== "unary") {
        throw new Error(
          `${name}: google.api.http on a streaming method is not supported by the REST transcoder`,
        );
      }
      const rule = getOption(method, http);
      const response = responseRuleOf(name, method);
      for (const r of [rule, ...rule.additionalBindings]) {
        bindings.push(bindingOf(name, method as HttpBinding["method"], r, response));
      }
    }
  }
  return bindings;
}

function bindingOf(
  name: string,
  method: HttpBinding["method"],
  rule: HttpRule,
  response: ResponseRule,
): HttpBinding {
  const p = rule.pattern;
  let httpMethod: string;
  let template: string;
  switch (p.case) {
    case "get":
    case "put":
    case "post":
    case "delete":
    case "patch":
      httpMethod = p.case.toUpperCase();
      template = p.value;
      break;
    case "custom":
      httpMethod = p.value.kind.toUpperCase();
      template = p.value.path;
      break;
    default:
      throw new Error(`${name}: google.api.http rule has no pattern`);
  }
  const parsed = parsePathTemplate(template);
  for (const variable of parsed.variables) {
    if (!resolveSingularPath(method.input, variable.fieldPath)) {
      throw new Error(
        `${name}: path variable {${variable.fieldPath.join(".")}} is not a field of ${method.input.typeName}`,
      );
    }
  }
  let bodyField: HttpBinding["bodyField"];
  if (rule.body === "*") bodyField = "*";
  else if (rule.body !== "") {
    bodyField = method.input.fields.find((f) => f.name === rule.body);
    if (!bodyField)
      throw new Error(`${name}: body "${rule.body}" is not a field of ${method.input.typeName}`);
  }
  let responseBodyField: DescField | undefined;
  if (rule.responseBody !== "") {
    responseBodyField = method.output.fields.find((f) => f.name === rule.responseBody);
    if (!responseBodyField) {
      throw new Error(
        `${name}: response_body "${rule.responseBody}" is not a field of ${method.output.typeName}`,
      );
    }
  }
  const pathFields = parsed.variables.map((v) => [...v.fieldPath]);
  const pathTargets = new Map<string, PathTarget>();
  for (const fieldPath of pathFields) {
    const leaf = resolveFieldPath(method.input, fieldPath)?.at(-1);
    pathTargets.set(fieldPath.join("."), {
      jsonPath: toJsonNamePath(method.input, fieldPath),
      isString: leaf?.fieldKind === "scalar" && leaf.scalar === ScalarType.STRING,
    });
  }
  return {
    name,
    method,
    httpMethod,
    template,
    pathFields,
    pathTargets,
    bodyField,
    responseBodyField,
    response,
  };
}

function responseRuleOf(name: string, method: DescMethod): ResponseRule {
  const option: HttpResponse | undefined = hasOption(method, http_response)
    ? getOption(method, http_response)
    : undefined;
  const successStatus = option?.successStatus || 200;
  if (successStatus < 200 || successStatus > 299) {
    throw new Error(`${name}: http_response.success_status must be 2xx, got ${successStatus}`);
  }
  const location = option?.location || undefined;
  for (const match of location?.matchAll(/\{([^}]*)\}/g) ?? []) {
    if (!resolveSingularPath(method.output, (match[1] ?? "").split("."))) {
      throw new Error(
        `${name}: http_response.location names {${match[1]}}, not a field of ${method.output.typeName}`,
      );
    }
  }
  let noContentWhenEmpty: DescField | undefined;
  if (option?.noContentWhenEmpty) {
    noContentWhenEmpty = method.output.fields.find((f) => f.name === option.noContentWhenEmpty);
    if (noContentWhenEmpty?.fieldKind !== "list") {
      throw new Error(
        `${name}: http_response.no_content_when_empty must name a repeated field of ${method.output.typeName}`,
      );
    }
  }
  const errorStatuses = new Map<string, number>();
  for (const { reason, status } of option?.errorStatuses ?? []) {
    if (reason === "" || errorStatuses.has(reason)) {
      throw new Error(`${name}: http_response.error_statuses needs a distinct, non-empty reason per entry`);
    }
    if (status < 400 || status > 599) {
      throw new Error(`${name}: http_response.error_statuses status for ${reason} must be 4xx or 5xx`);
    }
    errorStatuses.set(reason, status);
  }
  return {
    successStatus,
    location,
    notFoundAsNoContent: option?.notFoundAsNoContent ?? false,
    noContentWhenEmpty,
    errorStatuses,
  };
}
