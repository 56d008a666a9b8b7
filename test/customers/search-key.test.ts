import { describe, expect, it } from "vitest";
import { searchKey } from "../../src/customers/search-key.js";

describe("searchKey", () => {
  it.each([
    ["Anne", "anne"],
    ["  Anne  ", "anne"],
    ["Mary   Ann", "mary ann"],
    ["Mary\t\nAnn", "mary ann"],
    ["Mary\u00a0Ann", "mary ann"],
    ["Mary\u3000Ann", "mary ann"],
    ["ZOË", "zoë"],
    ["ZOE\u0308", "zo\u00eb"],
    ["Jane.Doe@Example.COM", "jane.doe@example.com"],
    ["1 Main ST, Apt 4", "1 main st, apt 4"],
    ["", ""],
    ["   ", ""],
  ])("maps %j to %j", (text, key) => {
    expect(searchKey(text)).toBe(key);
  });

  it.each([
    ["Zoë", "ZOE\u0308"],
    ["  main  street ", "Main Street"],
    ["MARY\u00a0ANN", "mary ann"],
    ["ÉCOLE", "e\u0301cole"],
  ])("gives %j and %j the same key", (a, b) => {
    expect(searchKey(a)).toBe(searchKey(b));
  });

  it.each([
    ["Anne", "Anna"],
    ["Mary Ann", "MaryAnn"],
  ])("keeps %j and %j apart", (a, b) => {
    expect(searchKey(a)).not.toBe(searchKey(b));
  });

  it.each(["  Zoe\u0308  ", "İstanbul", "MARY\u2003ANN"])("is idempotent for %j", (text) => {
    expect(searchKey(searchKey(text))).toBe(searchKey(text));
  });
});
