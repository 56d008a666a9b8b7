import { type PathTemplate, PathTemplateError, parsePathTemplate } from "./path-template.js";

// Over 300 lines on purpose: the fast matcher and the 405 method collector walk the same trie and
// read best side by side. Routing decisions, in the order a request meets them:
//
// - Paths are matched on their raw, still percent-encoded segments, so an encoded "/" (%2F) never splits
//   a segment. Literals compare after percent-decoding both sides ("%7E" matches "~").
// - A path not starting with "/" or containing an empty segment ("//", or a trailing "/") is not-found:
//   no template can produce an empty segment, and we do not redirect or strip, so "/v1/customers/" is a
//   404 rather than an alias of "/v1/customers" (one canonical URL per resource, nothing for caches to
//   disagree on). The bare root "/" is zero segments and can only be matched by "/**".
// - A path with malformed percent-encoding (bad hex such as "%zz", or escapes that are not UTF-8) is
//   rejected with `bad-request` before routing: the client sent something we cannot decode, which is a
//   400, not a missing resource.
// - If the last segment contains ":", the text after the last ":" is first tried as a custom verb, then
//   the whole segment is tried as plain data; so "/v1/x:cancel" prefers "/v1/{name=*}:cancel" but still
//   matches "/v1/{name=*}" with name "x:cancel" when no such verb route exists.
// - Among templates matching the same path, literals beat "*" and "*" beats "**", segment by segment
//   from the left. Only routes for the request method compete; a path matching routes of other methods
//   only (and none of this one) is method-not-allowed with exactly the declared methods.
// - Methods are compared case-sensitively, as RFC 9110 says; HEAD is not implied by GET.

/** One REST binding to register: an HTTP method and a google.api.http path template mapped to a target. */
export interface RouteDefinition<T> {
  readonly method: string;
  readonly template: string;
  readonly target: T;
  readonly name: string;
}

/** A path variable captured from a request; `fieldPath` is shared with the table and must not be mutated. */
export interface PathVariableValue {
  readonly fieldPath: string[];
  readonly value: string;
}

/** The outcome of routing one request (`bad-request` means the path's percent-encoding is malformed). */
export type RouteMatch<T> =
  | { readonly kind: "found"; readonly target: T; readonly variables: PathVariableValue[] }
  | { readonly kind: "not-found" }
  | { readonly kind: "method-not-allowed"; readonly allow: string[] }
  | { readonly kind: "bad-request"; readonly message: string };

/** A matcher precompiled from a fixed set of routes. */
export interface RouteTable<T> {
  match(method: string, rawPath: string): RouteMatch<T>;
}

interface CompiledVariable {
  readonly fieldPath: string[];
  readonly start: number;
  // -1 when the variable ends in "**" and so runs to the last request segment.
  readonly end: number;
  // Multi-segment values keep "%2F" encoded so the caller can tell it from a segment separator.
  readonly multi: boolean;
}

interface CompiledRoute<T> {
  readonly definition: RouteDefinition<T>;
  readonly variables: readonly CompiledVariable[];
}

// The verb key for templates without a verb; the parser never yields an empty verb.
const NO_VERB = "";

class TrieNode<T> {
  literals: Map<string, TrieNode<T>> | undefined = undefined;
  star: TrieNode<T> | undefined = undefined;
  // "**" is always the template's last segment, so this child only ever has `endings`.
  deep: TrieNode<T> | undefined = undefined;
  // verb -> method -> route, for templates ending at this node.
  endings: Map<string, Map<string, CompiledRoute<T>>> | undefined = undefined;
}

const NOT_FOUND = Object.freeze({ kind: "not-found" as const });
const BAD_ENCODING = Object.freeze({
  kind: "bad-request" as const,
  message: "request path contains malformed percent-encoding",
});

/** Builds a route table, throwing on malformed templates and on two routes that would match the same requests. */
export function createRouteTable<T>(routes: readonly RouteDefinition<T>[]): RouteTable<T> {
  const root = new TrieNode<T>();
  const verbs = new Set<string>();
  for (const definition of routes) {
    if (definition.method === "") {
      throw new Error(`route "${definition.name}" has an empty HTTP method`);
    }
    const template = parseForRoute(definition);
    let node = root;
    for (const segment of template.segments) {
      node = childFor(node, segment);
    }
    if (template.verb !== undefined) {
      verbs.add(template.verb);
    }
    node.endings ??= new Map();
    const verbKey = template.verb ?? NO_VERB;
    let methods = node.endings.get(verbKey);
    if (methods === undefined) {
      methods = new Map();
      node.endings.set(verbKey, methods);
    }
    const existing = methods.get(definition.method);
    if (existing !== undefined) {
      const first = existing.definition;
      throw new Error(
        `routes "${first.name}" (${first.method} ${first.template}) and "${definition.name}" ` +
          `(${definition.method} ${definition.template}) match the same requests`,
      );
    }
    methods.set(definition.method, { definition, variables: compileVariables(template) });
  }
  return new CompiledRouteTable(root, verbs);
}

function parseForRoute<T>(definition: RouteDefinition<T>): PathTemplate {
  try {
    return parsePathTemplate(definition.template);
  } catch (error) {
    if (error instanceof PathTemplateError) {
      const problem = `${error.problem} (route "${definition.name}", ${definition.method})`;
      throw new PathTemplateError(error.template, problem, error.offset);
    }
    throw error;
  }
}

function childFor<T>(node: TrieNode<T>, segment: PathTemplate["segments"][number]): TrieNode<T> {
  switch (segment.kind) {
    case "wildcard":
      node.star ??= new TrieNode();
      return node.star;
    case "deep-wildcard":
      node.deep ??= new TrieNode();
      return node.deep;
    case "literal": {
      node.literals ??= new Map();
      let child = node.literals.get(segment.value);
      if (child === undefined) {
        child = new TrieNode();
        node.literals.set(segment.value, child);
      }
      return child;
    }
  }
}

function compileVariables(template: PathTemplate): CompiledVariable[] {
  return template.variables.map((variable) => {
    const deep = template.segments[variable.end - 1]?.kind === "deep-wildcard";
    return Object.freeze({
      fieldPath: Object.freeze([...variable.fieldPath]) as string[],
      start: variable.start,
      end: deep ? -1 : variable.end,
      multi: deep || variable.end - variable.start > 1,
    });
  });
}

class CompiledRouteTable<T> implements RouteTable<T> {
  private readonly root: TrieNode<T>;
  private readonly verbs: ReadonlySet<string>;
  // Reused across calls so a match allocates only its result; safe because match() is synchronous
  // and never calls out while these are live.
  private readonly segments: string[] = [];
  private readonly keys: string[] = [];

  constructor(root: TrieNode<T>, verbs: ReadonlySet<string>) {
    this.root = root;
    this.verbs = verbs;
  }

  match(method: string, rawPath: string): RouteMatch<T> {
    const count = this.split(rawPath);
    if (count < 0) {
      return NOT_FOUND;
    }
    const escaped = rawPath.includes("%");
    if (escaped && !isWellEncoded(rawPath)) {
      return BAD_ENCODING;
    }
    const { segments, keys } = this;
    for (let i = 0; i < count; i++) {
      keys[i] = escaped ? decodeSegment(segments[i] as string) : (segments[i] as string);
    }
    const last = count > 0 ? (segments[count - 1] as string) : "";
    const colon = last.lastIndexOf(":");
    // A leading or trailing ":" leaves an empty segment or an empty verb, so it is data, not a verb.
    const verb = colon > 0 && colon < last.length - 1 ? decodeSegment(last.slice(colon + 1)) : undefined;
    const tryVerb = verb !== undefined && this.verbs.has(verb);

    if (tryVerb) {
      this.setLast(count, last.slice(0, colon));
      const route = find(this.root, keys, 0, count, verb, method);
      if (route !== undefined) {
        return this.found(route, count);
      }
      this.setLast(count, last);
    }
    const route = find(this.root, keys, 0, count, NO_VERB, method);
    if (route !== undefined) {
      return this.found(route, count);
    }

    // Failure path: allocation is fine here.
    const allow = new Set<string>();
    collect(this.root, keys, 0, count, NO_VERB, allow);
    if (tryVerb) {
      this.setLast(count, last.slice(0, colon));
      collect(this.root, keys, 0, count, verb, allow);
    }
    return allow.size === 0 ? NOT_FOUND : { kind: "method-not-allowed", allow: [...allow].sort() };
  }

  // Splits into this.segments; -1 when the path cannot match any template (see the header comment).
  private split(rawPath: string): number {
    if (rawPath.charCodeAt(0) !== 0x2f) {
      return -1;
    }
    let count = 0;
    let start = 1;
    for (let i = 1; i <= rawPath.length; i++) {
      if (i === rawPath.length || rawPath.charCodeAt(i) === 0x2f) {
        if (i === start) {
          return rawPath.length === 1 ? 0 : -1;
        }
        this.segments[count++] = rawPath.slice(start, i);
        start = i + 1;
      }
    }
    return count;
  }

  private setLast(count: number, segment: string): void {
    this.segments[count - 1] = segment;
    this.keys[count - 1] = decodeSegment(segment);
  }

  private found(route: CompiledRoute<T>, count: number): RouteMatch<T> {
    const variables: PathVariableValue[] = [];
    for (const variable of route.variables) {
      let value: string;
      if (!variable.multi) {
        value = this.keys[variable.start] as string;
      } else {
        const end = variable.end === -1 ? count : variable.end;
        let raw = "";
        for (let i = variable.start; i < end; i++) {
          raw = i === variable.start ? (this.segments[i] as string) : `${raw}/${this.segments[i]}`;
        }
        value = decodeMultiSegment(raw);
      }
      variables.push({ fieldPath: variable.fieldPath, value });
    }
    return { kind: "found", target: route.definition.target, variables };
  }
}

// Depth-first in precedence order (literal, "*", "**"), so the first hit is the most specific route.
// Every trie edge consumes one segment, so this visits each node at most once.
function find<T>(
  node: TrieNode<T>,
  keys: readonly string[],
  index: number,
  count: number,
  verb: string,
  method: string,
): CompiledRoute<T> | undefined {
  if (index === count) {
    // "**" also matches zero segments, but a template ending here is more specific.
    return node.endings?.get(verb)?.get(method) ?? node.deep?.endings?.get(verb)?.get(method);
  }
  const literal = node.literals?.get(keys[index] as string);
  if (literal !== undefined) {
    const route = find(literal, keys, index + 1, count, verb, method);
    if (route !== undefined) {
      return route;
    }
  }
  if (node.star !== undefined) {
    const route = find(node.star, keys, index + 1, count, verb, method);
    if (route !== undefined) {
      return route;
    }
  }
  return node.deep?.endings?.get(verb)?.get(method);
}

function collect<T>(
  node: TrieNode<T>,
  keys: readonly string[],
  index: number,
  count: number,
  verb: string,
  allow: Set<string>,
): void {
  if (index === count) {
    addMethods(node.endings?.get(verb), allow);
  } else {
    const literal = node.literals?.get(keys[index] as string);
    if (literal !== undefined) {
      collect(literal, keys, index + 1, count, verb, allow);
    }
    if (node.star !== undefined) {
      collect(node.star, keys, index + 1, count, verb, allow);
    }
  }
  addMethods(node.deep?.endings?.get(verb), allow);
}

function addMethods<T>(methods: Map<string, CompiledRoute<T>> | undefined, allow: Set<string>): void {
  if (methods !== undefined) {
    for (const method of methods.keys()) {
      allow.add(method);
    }
  }
}

function isWellEncoded(rawPath: string): boolean {
  try {
    // Escapes never straddle a raw "/" or ":", so validating the whole path validates every piece of it.
    decodeURIComponent(rawPath);
    return true;
  } catch {
    return false;
  }
}

function decodeSegment(segment: string): string {
  return segment.includes("%") ? decodeURIComponent(segment) : segment;
}

// http.proto: multi-segment variables are decoded "except %2F and %2f are left unchanged".
function decodeMultiSegment(raw: string): string {
  let percent = raw.indexOf("%");
  if (percent < 0) {
    return raw;
  }
  let out = "";
  let from = 0;
  while (percent >= 0) {
    if (raw.charCodeAt(percent + 1) === 0x32 && (raw.charCodeAt(percent + 2) | 0x20) === 0x66) {
      out += decodeURIComponent(raw.slice(from, percent)) + raw.slice(percent, percent + 3);
      from = percent + 3;
    }
    percent = raw.indexOf("%", percent + 3);
  }
  return out + decodeURIComponent(raw.slice(from));
}
