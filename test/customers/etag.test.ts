import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { UpdateCustomerRequestSchema } from "../../gen/customers/v1/customer_service_pb.js";
import type { CustomerRecord } from "../../src/customers/customer.js";
import {
  ETAG_MISMATCH,
  etagOf,
  PRECONDITION_FAILED,
  updatePreconditionsOf,
} from "../../src/customers/etag.js";
import { ApiError } from "../../src/errors/api-error.js";

const CURRENT = '"5"';

function preconditions(init: { etag?: string; customerEtag?: string; headers?: Record<string, string> }) {
  const req = create(UpdateCustomerRequestSchema, {
    customerId: "019c9e4f-3b2a-7c41-8e5d-2f6a1b0c9d8e",
    customer: { etag: init.customerEtag ?? "" },
    etag: init.etag ?? "",
  });
  return updatePreconditionsOf(req, new Headers(init.headers));
}

/** The ErrorInfo reason `check(CURRENT)` aborts with, or "ok" when every precondition holds. */
function outcome(init: Parameters<typeof preconditions>[0]): string {
  const checked = preconditions(init);
  if ("violation" in checked) return `violation: ${checked.violation.code} on ${checked.violation.field}`;
  try {
    checked.check(CURRENT);
    return "ok";
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    expect(error.code).toBe(Code.Aborted);
    return error.reason;
  }
}

describe("etagOf", () => {
  it("is the version as a strong entity-tag, quotes included", () => {
    expect(etagOf({ version: 1 } as CustomerRecord)).toBe('"1"');
    expect(etagOf({ version: 9_007_199_254_740_991 } as CustomerRecord)).toBe('"9007199254740991"');
  });
});

describe("updatePreconditionsOf", () => {
  it("holds when nothing is asked", () => {
    expect(outcome({})).toBe("ok");
  });

  it.each<[string, Parameters<typeof preconditions>[0], string]>([
    ["the request's etag, current", { etag: CURRENT }, "ok"],
    ["the request's etag, stale", { etag: '"4"' }, ETAG_MISMATCH],
    ["the request's etag without its quotes", { etag: "5" }, ETAG_MISMATCH],
    ["the customer's etag (AIP-154 piggyback), current", { customerEtag: CURRENT }, "ok"],
    ["the customer's etag, stale", { customerEtag: '"4"' }, ETAG_MISMATCH],
    ["both etags, one stale", { etag: CURRENT, customerEtag: '"4"' }, ETAG_MISMATCH],
    ["If-Match, current", { headers: { "if-match": CURRENT } }, "ok"],
    ["If-Match listing the current etag among others", { headers: { "if-match": '"4", "5"' } }, "ok"],
    ["If-Match: *", { headers: { "if-match": "*" } }, "ok"],
    ["If-Match, stale", { headers: { "if-match": '"4"' } }, PRECONDITION_FAILED],
    ["If-Match, weak (strong comparison fails)", { headers: { "if-match": 'W/"5"' } }, PRECONDITION_FAILED],
    ["If-None-Match, another etag", { headers: { "if-none-match": '"4"' } }, "ok"],
    ["If-None-Match, current (weak)", { headers: { "if-none-match": 'W/"5"' } }, PRECONDITION_FAILED],
    ["If-None-Match: * (the customer exists)", { headers: { "if-none-match": "*" } }, PRECONDITION_FAILED],
    [
      "a stale If-Match and a stale etag: the header is reported",
      { etag: '"4"', headers: { "if-match": '"4"' } },
      PRECONDITION_FAILED,
    ],
    ["a malformed If-Match", { headers: { "if-match": "5" } }, "violation: INVALID_FORMAT on etag"],
    [
      "a malformed If-None-Match",
      { headers: { "if-none-match": '"5" "6"' } },
      "violation: INVALID_FORMAT on etag",
    ],
  ])("%s: %s", (_name, init, expected) => {
    expect(outcome(init)).toBe(expected);
  });

  it("says that nothing was written, without revealing the current etag", () => {
    const checked = preconditions({ etag: '"4"' });
    if ("violation" in checked) throw new Error("unexpected violation");
    expect(() => checked.check(CURRENT)).toThrow(/Nothing was written/);
    expect(() => checked.check(CURRENT)).not.toThrow(/"5"/);
  });
});
