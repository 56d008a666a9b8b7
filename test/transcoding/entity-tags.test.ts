import { describe, expect, it } from "vitest";
import {
  conditionMatches,
  type EntityTag,
  isNotModified,
  parseEntityTag,
  parseEntityTagCondition,
} from "../../src/transcoding/entity-tags.js";

const strong = (opaqueTag: string): EntityTag => ({ opaqueTag, weak: false });
const weak = (opaqueTag: string): EntityTag => ({ opaqueTag, weak: true });

describe("parseEntityTag", () => {
  it.each<[string, EntityTag]>([
    ['"3"', strong('"3"')],
    ['W/"3"', weak('"3"')],
    ['""', strong('""')],
    [' "a,b" ', strong('"a,b"')],
  ])("reads %s", (value, tag) => {
    expect(parseEntityTag(value)).toEqual(tag);
  });

  it.each(["3", '"3', 'w/"3"', '"a"b"', '"a b"', "*", ""])("refuses %j", (value) => {
    expect(parseEntityTag(value)).toBeUndefined();
  });
});

describe("parseEntityTagCondition", () => {
  it.each<[string, ReturnType<typeof parseEntityTagCondition>]>([
    ["*", "*"],
    [" * ", "*"],
    ['"3"', [strong('"3"')]],
    ['"1", W/"2",\t"3"', [strong('"1"'), weak('"2"'), strong('"3"')]],
    // A comma is an etagc: the list is scanned tag by tag, not split at commas.
    ['"a,b", "c"', [strong('"a,b"'), strong('"c"')]],
    // Empty list elements are allowed (RFC 9110 §5.6.1).
    [', "1",, "2",', [strong('"1"'), strong('"2"')]],
  ])("reads %j", (value, condition) => {
    expect(parseEntityTagCondition(value)).toEqual(condition);
  });

  it.each(["", " ", ",", "3", '"1" "2"', '"1", 2', '*, "1"', 'W/ "1"', '"1"x'])("refuses %j", (value) => {
    expect(parseEntityTagCondition(value)).toBeUndefined();
  });
});

describe("conditionMatches", () => {
  it("* matches any current tag, strong or weak", () => {
    expect(conditionMatches("*", strong('"1"'), "strong")).toBe(true);
    expect(conditionMatches("*", weak('"1"'), "weak")).toBe(true);
  });

  it("strong comparison needs both tags strong and equal (If-Match)", () => {
    expect(conditionMatches([strong('"2"'), strong('"1"')], strong('"1"'), "strong")).toBe(true);
    expect(conditionMatches([weak('"1"')], strong('"1"'), "strong")).toBe(false);
    expect(conditionMatches([strong('"1"')], weak('"1"'), "strong")).toBe(false);
    expect(conditionMatches([strong('"2"')], strong('"1"'), "strong")).toBe(false);
  });

  it("weak comparison ignores W/ (If-None-Match)", () => {
    expect(conditionMatches([weak('"1"')], strong('"1"'), "weak")).toBe(true);
    expect(conditionMatches([strong('"1"')], weak('"1"'), "weak")).toBe(true);
    expect(conditionMatches([weak('"2"')], strong('"1"'), "weak")).toBe(false);
  });
});

describe("isNotModified", () => {
  it.each<[string | undefined, string | null, boolean]>([
    ['"1"', '"1"', true],
    ['W/"1"', '"1"', true],
    ['"0", "1"', '"1"', true],
    ["*", '"1"', true],
    ['"0"', '"1"', false],
    [undefined, '"1"', false],
    ['"1"', null, false],
    // Malformed on either side: the full response, which is never wrong.
    ["1", '"1"', false],
    ['"1"', "1", false],
  ])("If-None-Match %j against ETag %j: %s", (ifNoneMatch, etag, expected) => {
    expect(isNotModified(ifNoneMatch, etag)).toBe(expected);
  });
});
