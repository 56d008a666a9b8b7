import { describe, expect, it } from "vitest";
import { PathTemplateError } from "../../src/transcoding/path-template.js";
import { createRouteTable, type RouteDefinition } from "../../src/transcoding/route-table.js";

function routes(...specs: [name: string, method: string, template: string][]): RouteDefinition<string>[] {
  return specs.map(([name, method, template]) => ({ name, method, template, target: name }));
}

const table = createRouteTable(
  routes(
    ["ListCustomers", "GET", "/v1/customers"],
    ["CreateCustomer", "POST", "/v1/customers"],
    ["SearchCustomers", "GET", "/v1/customers:search"],
    ["GetCustomer", "GET", "/v1/customers/{id}"],
    ["UpdateCustomer", "PATCH", "/v1/customers/{customer.id}"],
    ["DeleteCustomer", "DELETE", "/v1/customers/{id}"],
    ["GetMe", "GET", "/v1/customers/me"],
    ["GetBook", "GET", "/v1/{name=shelves/*/books/*}"],
    ["GetNote", "GET", "/v1/shelves/{shelf}/notes/{note.id}"],
    ["GetFile", "GET", "/v1/files/{path=**}"],
    ["GetResource", "GET", "/v1/{name=*}"],
    ["CancelResource", "POST", "/v1/{name=*}:cancel"],
    ["GetOperation", "GET", "/v1/{name=operations/**}"],
    ["CancelOperation", "POST", "/v1/{name=operations/**}:cancel"],
  ),
);

type Vars = Record<string, string>;

function expectFound(method: string, path: string, route: string, vars: Vars): void {
  const result = table.match(method, path);
  if (result.kind !== "found") {
    throw new Error(`${method} ${path}: expected ${route}, got ${JSON.stringify(result)}`);
  }
  expect(result.target).toBe(route);
  expect(Object.fromEntries(result.variables.map((v) => [v.fieldPath.join("."), v.value]))).toEqual(vars);
}

describe("createRouteTable: matching and extraction", () => {
  it.each<[string, string, string, Vars]>([
    ["GET", "/v1/customers", "ListCustomers", {}],
    ["POST", "/v1/customers", "CreateCustomer", {}],
    ["GET", "/v1/customers/42", "GetCustomer", { id: "42" }],
    ["PATCH", "/v1/customers/42", "UpdateCustomer", { "customer.id": "42" }],
    ["DELETE", "/v1/customers/42", "DeleteCustomer", { id: "42" }],
    ["GET", "/v1/shelves/s1/books/b2", "GetBook", { name: "shelves/s1/books/b2" }],
    ["GET", "/v1/shelves/s1/notes/n2", "GetNote", { shelf: "s1", "note.id": "n2" }],
    ["GET", "/v1/files/a/b/c.txt", "GetFile", { path: "a/b/c.txt" }],
    ["GET", "/v1/files/a", "GetFile", { path: "a" }],
    ["GET", "/v1/files", "GetFile", { path: "" }],
    ["GET", "/v1/thing", "GetResource", { name: "thing" }],
    ["GET", "/v1/operations/op1/sub", "GetOperation", { name: "operations/op1/sub" }],
    ["GET", "/v1/operations", "GetOperation", { name: "operations" }],
  ])("%s %s -> %s", (method, path, route, vars) => {
    expectFound(method, path, route, vars);
  });

  it("returns the field path as proto field names", () => {
    const result = table.match("PATCH", "/v1/customers/7");
    expect(result).toEqual({
      kind: "found",
      target: "UpdateCustomer",
      variables: [{ fieldPath: ["customer", "id"], value: "7" }],
    });
  });
});

describe("createRouteTable: percent-decoding", () => {
  it.each<[string, string, string, Vars]>([
    ["single segment: %2F becomes /", "/v1/customers/a%2Fb", "GetCustomer", { id: "a/b" }],
    ["single segment: %2f becomes /", "/v1/customers/a%2fb", "GetCustomer", { id: "a/b" }],
    ["single segment: %20", "/v1/customers/a%20b", "GetCustomer", { id: "a b" }],
    ["single segment: UTF-8", "/v1/customers/caf%C3%A9", "GetCustomer", { id: "café" }],
    ["single segment: + is not a space", "/v1/customers/a+b", "GetCustomer", { id: "a+b" }],
    ["single segment: %25", "/v1/customers/100%25", "GetCustomer", { id: "100%" }],
    ["multi segment: %2F stays encoded", "/v1/files/a%2Fb/c", "GetFile", { path: "a%2Fb/c" }],
    ["multi segment: %2f stays as sent", "/v1/files/a%2fb", "GetFile", { path: "a%2fb" }],
    ["multi segment: %20", "/v1/files/a%20b/c", "GetFile", { path: "a b/c" }],
    ["multi segment: UTF-8", "/v1/files/%C3%A9/%E2%82%AC", "GetFile", { path: "é/€" }],
    ["multi segment: mixed", "/v1/files/%C3%A9%2F%20x", "GetFile", { path: "é%2F x" }],
    [
      "fixed multi segment keeps %2F",
      "/v1/shelves/a%2Fb/books/c",
      "GetBook",
      { name: "shelves/a%2Fb/books/c" },
    ],
    ["literals compare decoded", "/v1/%63ustomers/%6De", "GetMe", {}],
    ["encoded / never splits a segment", "/v1/shelves%2Fs1", "GetResource", { name: "shelves/s1" }],
  ])("%s: %s", (_label, path, route, vars) => {
    expectFound("GET", path, route, vars);
  });

  // Decision: malformed escapes are a client error (400), reported before routing.
  it.each([
    "/v1/customers/%zz",
    "/v1/customers/%",
    "/v1/customers/a%2",
    "/v1/customers/%C3",
    "/v1/files/%FF/x",
  ])("bad-request for %s", (path) => {
    expect(table.match("GET", path)).toEqual({
      kind: "bad-request",
      message: "request path contains malformed percent-encoding",
    });
  });
});

describe("createRouteTable: custom verbs", () => {
  it.each<[string, string, string, Vars]>([
    ["GET", "/v1/customers:search", "SearchCustomers", {}],
    ["GET", "/v1/customers:%73earch", "SearchCustomers", {}],
    ["POST", "/v1/abc:cancel", "CancelResource", { name: "abc" }],
    ["POST", "/v1/a:b:cancel", "CancelResource", { name: "a:b" }],
    ["POST", "/v1/operations/x/y:cancel", "CancelOperation", { name: "operations/x/y" }],
    ["POST", "/v1/operations:cancel", "CancelOperation", { name: "operations" }],
    // Without a GET verb route the colon is data for the plain template.
    ["GET", "/v1/abc:cancel", "GetResource", { name: "abc:cancel" }],
    ["GET", "/v1/abc:other", "GetResource", { name: "abc:other" }],
    ["GET", "/v1/abc:", "GetResource", { name: "abc:" }],
    ["GET", "/v1/:abc", "GetResource", { name: ":abc" }],
    ["GET", "/v1/a%3Acancel", "GetResource", { name: "a:cancel" }],
    ["GET", "/v1/customers/42:search", "GetCustomer", { id: "42:search" }],
  ])("%s %s -> %s", (method, path, route, vars) => {
    expectFound(method, path, route, vars);
  });

  it("treats an encoded colon as data, not as a verb separator", () => {
    expect(table.match("POST", "/v1/abc%3Acancel")).toEqual({ kind: "method-not-allowed", allow: ["GET"] });
  });
});

describe("createRouteTable: not found and method not allowed", () => {
  it.each([
    "/v2/customers",
    "/v1/customers/", // Decision: a trailing slash is a different path, not an alias.
    "/v1//customers",
    "//v1/customers",
    "v1/customers",
    "",
    "/",
    "/v1/customers/1/extra",
    "/v1/shelves/s1/books",
    "/v1",
  ])("not-found: %j", (path) => {
    expect(table.match("GET", path)).toEqual({ kind: "not-found" });
  });

  it.each<[string, string, string[]]>([
    ["PUT", "/v1/customers", ["GET", "POST"]],
    ["HEAD", "/v1/customers", ["GET", "POST"]],
    ["get", "/v1/customers", ["GET", "POST"]],
    ["PUT", "/v1/customers/1", ["DELETE", "GET", "PATCH"]],
    ["POST", "/v1/customers/me", ["DELETE", "GET", "PATCH"]],
    ["POST", "/v1/customers:search", ["GET"]],
    ["DELETE", "/v1/abc:cancel", ["GET", "POST"]],
    ["POST", "/v1/files/a/b", ["GET"]],
  ])("%s %s -> 405 allow %j", (method, path, allow) => {
    expect(table.match(method, path)).toEqual({ kind: "method-not-allowed", allow });
  });
});

describe("createRouteTable: precedence", () => {
  const precedence = createRouteTable(
    routes(
      ["xy", "GET", "/p/x/y"],
      ["xStar", "GET", "/p/x/*"],
      ["starY", "GET", "/p/*/y"],
      ["starStar", "GET", "/p/*/*"],
      ["deep", "GET", "/p/**"],
      ["xDeep", "GET", "/p/x/**"],
      ["backtrackLiteral", "GET", "/b/x/y"],
      ["backtrackStar", "GET", "/b/*/z"],
      ["plain", "GET", "/v/{name}"],
      ["verb", "GET", "/v/{name}:act"],
      ["byId", "GET", "/m/{id}"],
      ["special", "POST", "/m/special"],
    ),
  );

  it.each([
    ["/p/x/y", "xy"],
    ["/p/x/z", "xStar"],
    ["/p/q/y", "starY"],
    ["/p/q/z", "starStar"],
    ["/p/x/y/z", "xDeep"],
    ["/p/x", "xDeep"],
    ["/p/q/y/z", "deep"],
    ["/p", "deep"],
    ["/p/q", "deep"],
    ["/b/x/z", "backtrackStar"],
    ["/v/n:act", "verb"],
    ["/v/n:other", "plain"],
    ["/m/special", "byId"],
  ])("GET %s -> %s", (path, route) => {
    const result = precedence.match("GET", path);
    expect(result.kind === "found" ? result.target : result).toBe(route);
  });

  it("matches the root only through **", () => {
    expect(precedence.match("GET", "/")).toEqual({ kind: "not-found" });
    const root = createRouteTable(routes(["all", "GET", "/{rest=**}"]));
    expect(root.match("GET", "/")).toEqual({
      kind: "found",
      target: "all",
      variables: [{ fieldPath: ["rest"], value: "" }],
    });
    expect(root.match("GET", "/a/b")).toMatchObject({ kind: "found", variables: [{ value: "a/b" }] });
  });

  it("does not leak state between calls", () => {
    expect(precedence.match("GET", "/p/q/y/z/w/v")).toMatchObject({ target: "deep" });
    expect(precedence.match("GET", "/p/x/y")).toMatchObject({ target: "xy" });
    expect(precedence.match("GET", "/v/n:act")).toMatchObject({ variables: [{ value: "n" }] });
    expect(precedence.match("GET", "/v/n:other")).toMatchObject({ variables: [{ value: "n:other" }] });
  });
});

describe("createRouteTable: construction errors", () => {
  it.each<[string, string, string]>([
    ["/v1/{id}", "/v1/{name}", "GET"],
    ["/v1/{id}", "/v1/*", "GET"],
    ["/v1/{name=shelves/*}", "/v1/shelves/{shelf}", "PATCH"],
    ["/v1/{a=**}", "/v1/**", "GET"],
    ["/v1/%78", "/v1/x", "GET"],
    ["/v1/{n}:do", "/v1/*:do", "POST"],
    ["/v1/{a.b}/{c}", "/v1/{x}/{y.z}", "DELETE"],
  ])("conflict: %s vs %s (%s)", (first, second, method) => {
    const build = () =>
      createRouteTable([
        { name: "First", method, template: first, target: 1 },
        { name: "Second", method, template: second, target: 2 },
      ]);
    expect(build).toThrow(/"First".*"Second"/);
    expect(build).toThrow(`${method} ${first}`);
    expect(build).toThrow(`${method} ${second}`);
  });

  it.each<[string, string, string, string]>([
    ["GET", "/v1/{id}", "DELETE", "/v1/{name}"],
    ["GET", "/v1/{name}", "GET", "/v1/{name}:cancel"],
    ["GET", "/v1/{name}:a", "GET", "/v1/{name}:b"],
    ["GET", "/v1/x", "GET", "/v1/{x}"],
    ["GET", "/v1/*", "GET", "/v1/**"],
  ])("no conflict: %s %s and %s %s", (m1, t1, m2, t2) => {
    expect(() =>
      createRouteTable([
        { name: "A", method: m1, template: t1, target: 1 },
        { name: "B", method: m2, template: t2, target: 2 },
      ]),
    ).not.toThrow();
  });

  it("names the route whose template is malformed", () => {
    const build = () => createRouteTable(routes(["Broken", "GET", "/v1/{id"]));
    expect(build).toThrow(PathTemplateError);
    expect(build).toThrow(/"\/v1\/\{id".*route "Broken", GET/);
  });

  it("rejects an empty method", () => {
    expect(() => createRouteTable(routes(["NoMethod", "", "/v1/x"]))).toThrow(/"NoMethod"/);
  });
});
