import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  SearchCustomersByAddressRequestSchema,
  SearchCustomersRequestSchema,
} from "../../gen/customers/v1/customer_service_pb.js";
import type { CustomerRecord } from "../../src/customers/customer.js";
import type {
  AddressSearch,
  ContactSearch,
  CustomerRepository,
  PageCursor,
  PageRequest,
} from "../../src/customers/customer-repository.js";
import { createPageTokenCodec } from "../../src/customers/page-token.js";
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type SearchPlan,
  searchRequestFromAddress,
  searchRequestFromContact,
} from "../../src/customers/search-request.js";
import { ApiError } from "../../src/errors/api-error.js";

const tokens = createPageTokenCodec("search-request-test-secret-0123456789");
const US = { defaultPhoneRegion: "US" };
const cursor: PageCursor = {
  createdAt: new Date("2026-03-02T09:15:00.123Z"),
  id: "019c9e4f-3b2a-7c41-8e5d-2f6a1b0c9d8e",
};

type ContactInit = MessageInitShape<typeof SearchCustomersRequestSchema>;
type AddressInit = MessageInitShape<typeof SearchCustomersByAddressRequestSchema>;

function contact(init: ContactInit, options: { defaultPhoneRegion?: string } = {}): SearchPlan {
  return searchRequestFromContact(create(SearchCustomersRequestSchema, init), tokens, options);
}

function byAddress(init: AddressInit): SearchPlan {
  return searchRequestFromAddress(create(SearchCustomersByAddressRequestSchema, init), tokens);
}

/** Runs `build`, expects an INVALID_ARGUMENT ApiError and returns its violations as [field, code]. */
function violationsOf(build: () => unknown): [string, string][] {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ApiError);
  const apiError = error as ApiError;
  expect(apiError.code).toBe(Code.InvalidArgument);
  for (const v of apiError.violations) expect(v.description).not.toBe("");
  return apiError.violations.map((v) => [v.field, v.code]);
}

/** A repository that records what a plan asks of it. */
function recordingRepository() {
  const calls: { method: string; search: ContactSearch | AddressSearch; page: PageRequest }[] = [];
  const fail = () => Promise.reject(new Error("not used by searches"));
  const repository: CustomerRepository = {
    insert: fail,
    insertOnce: fail,
    pruneIdempotencyKeys: fail,
    findById: fail,
    update: fail,
    async searchByContact(search, page) {
      calls.push({ method: "searchByContact", search, page });
      return [] as CustomerRecord[];
    },
    async searchByAddress(search, page) {
      calls.push({ method: "searchByAddress", search, page });
      return [] as CustomerRecord[];
    },
  };
  return { repository, calls };
}

describe("control characters in search criteria", () => {
  it.each<[string, () => unknown, [string, string][]]>([
    ["a NUL in email", () => contact({ email: "a\u0000@b.example" }), [["email", "INVALID_CHARACTERS"]]],
    [
      "NULs in phone and first name",
      () => contact({ phone: "+1\u0000", firstName: "A\u0001" }),
      [
        ["phone", "INVALID_CHARACTERS"],
        ["first_name", "INVALID_CHARACTERS"],
      ],
    ],
    [
      "a NUL in a page token",
      () => contact({ email: "a@b.example", pageToken: "\u0000" }),
      [["page_token", "INVALID_CHARACTERS"]],
    ],
    [
      "a NUL in state",
      () => byAddress({ city: "Oslo", state: "\u0000x" }),
      [["state", "INVALID_CHARACTERS"]],
    ],
    [
      "a DEL in postal code",
      () => byAddress({ postalCode: "01\u007f" }),
      [["postal_code", "INVALID_CHARACTERS"]],
    ],
  ])("%s is INVALID_CHARACTERS naming the field", (_label, build, violations) => {
    expect(violationsOf(build)).toEqual(violations);
  });

  it("treats tabs and newlines as whitespace, not as control characters", () => {
    expect(contact({ firstName: "Mary\tAnn" }).criteria).toEqual({ firstNamePrefixKey: "mary ann" });
  });
});

describe("searchRequestFromContact", () => {
  it.each<[string, ContactInit, ContactSearch]>([
    [
      "an email, as its search key",
      { email: "  Ada.Lovelace@Example.COM " },
      { emailKey: "ada.lovelace@example.com" },
    ],
    ["a first name, as a prefix key", { firstName: "  ZOE\u0308  " }, { firstNamePrefixKey: "zo\u00eb" }],
    [
      "a first name with collapsed whitespace",
      { firstName: "Mary   Ann" },
      { firstNamePrefixKey: "mary ann" },
    ],
    ["an international phone, as E.164", { phone: " +44 20 7946 0001 " }, { phone: "+442079460001" }],
    [
      "every criterion",
      { phone: "+1 415 555 2671", email: "a@b.example", firstName: "Al" },
      { phone: "+14155552671", emailKey: "a@b.example", firstNamePrefixKey: "al" },
    ],
  ])("accepts %s", (_name, init, criteria) => {
    const plan = contact(init, US);

    expect(plan.criteria).toEqual(criteria);
    expect(plan.pageSize).toBe(DEFAULT_PAGE_SIZE);
  });

  it.each([
    ["(415) 555-2671", "US", "+14155552671"],
    ["415.555.2671", "us", "+14155552671"],
    ["020 7946 0001", "GB", "+442079460001"],
    ["+33 1 42 68 53 00", "US", "+33142685300"],
  ])("normalises phone %j with default region %s to %s", (phone, region, e164) => {
    expect(contact({ phone }, { defaultPhoneRegion: region }).criteria).toEqual({ phone: e164 });
  });

  it("rejects a national phone number when there is no default region", () => {
    expect(violationsOf(() => contact({ phone: "(415) 555-2671" }))).toEqual([["phone", "INVALID_FORMAT"]]);
  });

  it.each(["not a phone", "+1 415", "12345", "+14155552671 ext. 12", "call +14155552671"])(
    "rejects phone %j with INVALID_FORMAT on phone",
    (phone) => {
      expect(violationsOf(() => contact({ phone, email: "a@b.example" }, US))).toEqual([
        ["phone", "INVALID_FORMAT"],
      ]);
    },
  );

  it.each<[string, ContactInit]>([
    ["nothing", {}],
    ["only whitespace", { phone: "  ", email: " \t ", firstName: "\u00a0" }],
    ["only paging", { pageSize: 10 }],
  ])("requires a criterion when given %s", (_name, init) => {
    expect(violationsOf(() => contact(init, US))).toEqual([
      ["phone", "REQUIRED"],
      ["email", "REQUIRED"],
      ["first_name", "REQUIRED"],
    ]);
  });

  it.each([
    [0, DEFAULT_PAGE_SIZE],
    [1, 1],
    [50, 50],
    [199, 199],
    [MAX_PAGE_SIZE, MAX_PAGE_SIZE],
    [201, MAX_PAGE_SIZE],
    [500, MAX_PAGE_SIZE],
    [2_147_483_647, MAX_PAGE_SIZE],
  ])("turns page size %i into %i", (pageSize, expected) => {
    expect(contact({ email: "a@b.example", pageSize }).pageSize).toBe(expected);
  });

  it("uses 50 and 200 as default and maximum page sizes", () => {
    expect([DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE]).toEqual([50, 200]);
  });

  it.each([-1, -50, -2_147_483_648])("rejects page size %i with OUT_OF_RANGE on page_size", (pageSize) => {
    expect(violationsOf(() => contact({ email: "a@b.example", pageSize }))).toEqual([
      ["page_size", "OUT_OF_RANGE"],
    ]);
  });

  it.each([
    ["garbage", "not-a-token"],
    ["a token with a flipped character", `x${tokens.encode({ emailKey: "a@b.example" }, cursor).slice(1)}`],
    ["a token of other criteria", tokens.encode({ emailKey: "someone.else@example.com" }, cursor)],
    [
      "a token signed with another secret",
      createPageTokenCodec("other").encode({ emailKey: "a@b.example" }, cursor),
    ],
  ])("rejects %s with INVALID_FORMAT on page_token", (_name, pageToken) => {
    expect(violationsOf(() => contact({ email: "a@b.example", pageToken }))).toEqual([
      ["page_token", "INVALID_FORMAT"],
    ]);
  });

  it("reports several violations at once, checking the token only against valid criteria", () => {
    expect(violationsOf(() => contact({ phone: "nope", pageSize: -1, pageToken: "forged" }, US))).toEqual([
      ["phone", "INVALID_FORMAT"],
      ["page_size", "OUT_OF_RANGE"],
    ]);
    expect(violationsOf(() => contact({ email: "a@b.c", pageSize: -1, pageToken: "forged" }, US))).toEqual([
      ["page_size", "OUT_OF_RANGE"],
      ["page_token", "INVALID_FORMAT"],
    ]);
    expect(violationsOf(() => contact({ pageSize: -5, pageToken: "forged" }, US))).toEqual([
      ["phone", "REQUIRED"],
      ["email", "REQUIRED"],
      ["first_name", "REQUIRED"],
      ["page_size", "OUT_OF_RANGE"],
    ]);
  });

  it("runs searchByContact with one row more than the page size and no cursor on the first page", async () => {
    const { repository, calls } = recordingRepository();

    await contact({ email: "Ada@Example.com", firstName: "Ad", pageSize: 5 }).run(repository);

    expect(calls).toEqual([
      {
        method: "searchByContact",
        search: { emailKey: "ada@example.com", firstNamePrefixKey: "ad" },
        page: { after: undefined, limit: 6 },
      },
    ]);
  });

  it("continues after the cursor of a token issued for the same criteria, even with another page size", async () => {
    const first = contact({ email: "Ada@Example.com", firstName: "Ad", pageSize: 5 });
    const pageToken = tokens.encode(first.criteria, cursor);
    const { repository, calls } = recordingRepository();

    // Same criteria, spelled differently: the normalised criteria are what the token is bound to.
    const next = contact({ email: " ada@example.COM ", firstName: "AD", pageSize: 300, pageToken });
    await next.run(repository);

    expect(next.criteria).toEqual(first.criteria);
    expect(calls).toEqual([
      {
        method: "searchByContact",
        search: first.criteria,
        page: { after: cursor, limit: MAX_PAGE_SIZE + 1 },
      },
    ]);
  });

  it("rejects a token issued for an address search", () => {
    const addressToken = tokens.encode(byAddress({ city: "Springfield" }).criteria, cursor);

    expect(violationsOf(() => contact({ firstName: "springfield", pageToken: addressToken }))).toEqual([
      ["page_token", "INVALID_FORMAT"],
    ]);
  });
});

describe("searchRequestFromAddress", () => {
  it.each<[string, AddressInit, AddressSearch]>([
    ["line1", { line1: "  742  Evergreen TERRACE " }, { line1Key: "742 evergreen terrace" }],
    ["line2", { line2: "Unit  B" }, { line2Key: "unit b" }],
    ["city", { city: "SPRINGFIELD" }, { cityKey: "springfield" }],
    ["state", { state: " Or " }, { stateKey: "or" }],
    ["postal code", { postalCode: " 97477 " }, { postalCodeKey: "97477" }],
    ["country, upper-cased", { country: " us " }, { country: "US" }],
    [
      "every field",
      {
        line1: "1 Main St",
        line2: "Apt 4",
        city: "New York",
        state: "NY",
        postalCode: "10001",
        country: "US",
      },
      {
        line1Key: "1 main st",
        line2Key: "apt 4",
        cityKey: "new york",
        stateKey: "ny",
        postalCodeKey: "10001",
        country: "US",
      },
    ],
    ["fields with blanks ignored", { city: "Springfield", state: "   " }, { cityKey: "springfield" }],
  ])("accepts %s", (_name, init, criteria) => {
    const plan = byAddress(init);

    expect(plan.criteria).toEqual(criteria);
    expect(plan.pageSize).toBe(DEFAULT_PAGE_SIZE);
  });

  const allRequired: [string, string][] = ["line1", "line2", "city", "state", "postal_code", "country"].map(
    (f) => [f, "REQUIRED"],
  );

  it.each<[string, AddressInit]>([
    ["nothing", {}],
    ["only whitespace", { line1: " ", line2: "\t", city: "\n", state: "  ", postalCode: " ", country: " " }],
    ["only paging", { pageSize: 10 }],
  ])("requires a field when given %s", (_name, init) => {
    expect(violationsOf(() => byAddress(init))).toEqual(allRequired);
  });

  it.each([
    [0, DEFAULT_PAGE_SIZE],
    [7, 7],
    [MAX_PAGE_SIZE, MAX_PAGE_SIZE],
    [500, MAX_PAGE_SIZE],
  ])("turns page size %i into %i", (pageSize, expected) => {
    expect(byAddress({ city: "Springfield", pageSize }).pageSize).toBe(expected);
  });

  it("rejects a negative page size with OUT_OF_RANGE on page_size", () => {
    expect(violationsOf(() => byAddress({ city: "Springfield", pageSize: -1 }))).toEqual([
      ["page_size", "OUT_OF_RANGE"],
    ]);
  });

  it.each([
    ["garbage", "%%%"],
    ["a token of other criteria", tokens.encode({ cityKey: "shelbyville" }, cursor)],
    ["a token of a contact search", tokens.encode({ emailKey: "a@b.example" }, cursor)],
  ])("rejects %s with INVALID_FORMAT on page_token", (_name, pageToken) => {
    expect(violationsOf(() => byAddress({ city: "Springfield", pageToken }))).toEqual([
      ["page_token", "INVALID_FORMAT"],
    ]);
  });

  it("reports several violations at once", () => {
    expect(violationsOf(() => byAddress({ pageSize: -1, pageToken: "forged" }))).toEqual([
      ...allRequired,
      ["page_size", "OUT_OF_RANGE"],
    ]);
  });

  it("runs searchByAddress with one row more than the page size, after the token's cursor", async () => {
    const first = byAddress({ city: "Springfield", country: "us", pageSize: 20 });
    const pageToken = tokens.encode(first.criteria, cursor);
    const { repository, calls } = recordingRepository();

    await byAddress({ city: " springfield ", country: "US", pageSize: 20, pageToken }).run(repository);

    expect(calls).toEqual([
      {
        method: "searchByAddress",
        search: { cityKey: "springfield", country: "US" },
        page: { after: cursor, limit: 21 },
      },
    ]);
  });
});
