import { describe, expect, it } from "vitest";
import {
  PathTemplateError,
  parsePathTemplate,
  type TemplateSegment,
} from "../../src/transcoding/path-template.js";

const lit = (value: string): TemplateSegment => ({ kind: "literal", value });
const STAR: TemplateSegment = { kind: "wildcard" };
const DEEP: TemplateSegment = { kind: "deep-wildcard" };

describe("parsePathTemplate: valid templates", () => {
  it.each([
    {
      name: "literals only",
      template: "/v1/customers",
      segments: [lit("v1"), lit("customers")],
      variables: [],
      verb: undefined,
    },
    {
      name: "{field} is {field=*}",
      template: "/v1/customers/{id}",
      segments: [lit("v1"), lit("customers"), STAR],
      variables: [{ fieldPath: ["id"], start: 2, end: 3 }],
      verb: undefined,
    },
    {
      name: "explicit {field=*}",
      template: "/v1/customers/{id=*}",
      segments: [lit("v1"), lit("customers"), STAR],
      variables: [{ fieldPath: ["id"], start: 2, end: 3 }],
      verb: undefined,
    },
    {
      name: "nested field path",
      template: "/v1/{a.b.c}",
      segments: [lit("v1"), STAR],
      variables: [{ fieldPath: ["a", "b", "c"], start: 1, end: 2 }],
      verb: undefined,
    },
    {
      name: "multi-segment variable",
      template: "/v1/{name=shelves/*/books/*}",
      segments: [lit("v1"), lit("shelves"), STAR, lit("books"), STAR],
      variables: [{ fieldPath: ["name"], start: 1, end: 5 }],
      verb: undefined,
    },
    {
      name: "several variables",
      template: "/v1/shelves/{shelf}/books/{book_id}",
      segments: [lit("v1"), lit("shelves"), STAR, lit("books"), STAR],
      variables: [
        { fieldPath: ["shelf"], start: 2, end: 3 },
        { fieldPath: ["book_id"], start: 4, end: 5 },
      ],
      verb: undefined,
    },
    {
      name: "bare wildcard",
      template: "/v1/*/books",
      segments: [lit("v1"), STAR, lit("books")],
      variables: [],
      verb: undefined,
    },
    {
      name: "bare ** as last segment",
      template: "/v1/files/**",
      segments: [lit("v1"), lit("files"), DEEP],
      variables: [],
      verb: undefined,
    },
    {
      name: "{name=**}",
      template: "/v1/{name=**}",
      segments: [lit("v1"), DEEP],
      variables: [{ fieldPath: ["name"], start: 1, end: 2 }],
      verb: undefined,
    },
    {
      name: "{name=prefix/**}",
      template: "/v1/{name=files/**}",
      segments: [lit("v1"), lit("files"), DEEP],
      variables: [{ fieldPath: ["name"], start: 1, end: 3 }],
      verb: undefined,
    },
    {
      name: "verb after literal",
      template: "/v1/customers:search",
      segments: [lit("v1"), lit("customers")],
      variables: [],
      verb: "search",
    },
    {
      name: "verb after variable",
      template: "/v1/{name=customers/*}:undelete",
      segments: [lit("v1"), lit("customers"), STAR],
      variables: [{ fieldPath: ["name"], start: 1, end: 3 }],
      verb: "undelete",
    },
    {
      name: "verb after **",
      template: "/v1/{path=**}:get",
      segments: [lit("v1"), DEEP],
      variables: [{ fieldPath: ["path"], start: 1, end: 2 }],
      verb: "get",
    },
    {
      name: "percent-escapes and sub-delims in literals are decoded",
      template: "/v1/a%20b/%7Euser/x-y_z.~!$&'()+,;@/caf%C3%A9",
      segments: [lit("v1"), lit("a b"), lit("~user"), lit("x-y_z.~!$&'()+,;@"), lit("café")],
      variables: [],
      verb: undefined,
    },
    {
      name: "identifiers with underscores and digits",
      template: "/{_a1.B_2}",
      segments: [STAR],
      variables: [{ fieldPath: ["_a1", "B_2"], start: 0, end: 1 }],
      verb: undefined,
    },
  ])("$name: $template", ({ template, segments, variables, verb }) => {
    const parsed = parsePathTemplate(template);
    expect(parsed.template).toBe(template);
    expect(parsed.segments).toEqual(segments);
    expect(parsed.variables).toEqual(variables);
    expect(parsed.verb).toBe(verb);
  });
});

describe("parsePathTemplate: syntax errors", () => {
  it.each([
    { name: "empty template", template: "", problem: 'must start with "/"' },
    { name: "missing leading slash", template: "v1/customers", problem: 'must start with "/"' },
    { name: "root only", template: "/", problem: "empty segment" },
    { name: "double slash", template: "/v1//customers", problem: "empty segment" },
    { name: "trailing slash", template: "/v1/customers/", problem: "empty segment" },
    { name: "empty segment before verb", template: "/v1/:cancel", problem: "empty segment" },
    { name: "empty variable segments", template: "/v1/{name=}", problem: "empty segment" },
    { name: "empty segment inside variable", template: "/v1/{name=a//b}", problem: "empty segment" },
    { name: "unclosed brace", template: "/v1/{name", problem: 'unclosed variable "{name"' },
    { name: "unclosed brace after =", template: "/v1/{name=shelves/*", problem: "unclosed variable" },
    { name: "stray closing brace", template: "/v1/name}", problem: 'unexpected "}"' },
    { name: "nested variable", template: "/v1/{name={id}}", problem: "variables cannot be nested" },
    { name: "nested variable deeper", template: "/v1/{name=a/{id}}", problem: "variables cannot be nested" },
    { name: "** not last", template: "/v1/**/books", problem: '"**" must be the last segment' },
    { name: "** inside variable not last", template: "/v1/{name=**/x}", problem: '"**" must be the last' },
    { name: "variable with ** then more", template: "/v1/{name=**}/x", problem: '"**" must be the last' },
    { name: "*** segment", template: "/v1/***", problem: '"**" must be a whole segment' },
    { name: "* inside literal", template: "/v1/a*", problem: 'unexpected "*"' },
    { name: "* prefix of literal", template: "/v1/*a", problem: '"*" must be a whole segment' },
    {
      name: "duplicate variable",
      template: "/v1/{id}/{id}",
      problem: 'field path "id" is bound more than once',
    },
    {
      name: "duplicate nested variable",
      template: "/{a.b}/x/{a.b}",
      problem: '"a.b" is bound more than once',
    },
    { name: "overlapping field paths", template: "/{a}/{a.b}", problem: 'field paths "a" and "a.b" overlap' },
    { name: "empty variable", template: "/v1/{}", problem: "expected a field name" },
    { name: "identifier starts with digit", template: "/v1/{1abc}", problem: "expected a field name" },
    {
      name: "hyphen in identifier",
      template: "/v1/{a-b}",
      problem: 'expected "=" or "}" after field path "a"',
    },
    { name: "empty field path component", template: "/v1/{a..b}", problem: "expected a field name" },
    { name: "leading dot in field path", template: "/v1/{.a}", problem: "expected a field name" },
    { name: "trailing dot in field path", template: "/v1/{a.}", problem: "expected a field name" },
    { name: "space in literal", template: "/v1/a b", problem: 'unexpected " "' },
    { name: "query string", template: "/v1/a?x=1", problem: 'unexpected "?"' },
    { name: "non-ASCII literal", template: "/v1/café", problem: 'unexpected "é"' },
    { name: "malformed percent-escape", template: "/v1/%zz", problem: "malformed percent-escape" },
    { name: "truncated percent-escape", template: "/v1/a%2", problem: "malformed percent-escape" },
    { name: "percent-escape not UTF-8", template: "/v1/%C3", problem: "not valid UTF-8" },
    { name: "empty verb", template: "/v1/customers:", problem: "expected a verb" },
    { name: "verb not last", template: "/v1/customers:search/x", problem: 'unexpected "/"' },
    { name: "two verbs", template: "/v1/a:b:c", problem: 'unexpected ":"' },
    {
      name: "verb inside variable",
      template: "/v1/{name=*:cancel}",
      problem: 'expected "}" to close variable',
    },
    { name: "= outside variable", template: "/v1/a=b", problem: 'unexpected "="' },
  ])("$name: $template", ({ template, problem }) => {
    let caught: unknown;
    try {
      parsePathTemplate(template);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PathTemplateError);
    const error = caught as PathTemplateError;
    expect(error.template).toBe(template);
    expect(error.problem).toContain(problem);
    expect(error.message).toContain(JSON.stringify(template));
    expect(error.message).toContain(problem);
  });

  it("reports where the problem is", () => {
    expect(() => parsePathTemplate("/v1/{name")).toThrow(
      'invalid path template "/v1/{name": unclosed variable "{name" (at offset 4)',
    );
  });
});
