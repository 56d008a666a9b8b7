// The server's validator reports, per field, the most relevant of the violations protovalidate finds
// in customer.proto's rules on the normalised record, plus the server-side rules. On generated valid
// customers and on customers that break one rule, protovalidate's full findings flag exactly the
// fields the server flags, with a code the server also uses. The only differences allowed are the
// server-side rules customer.proto documents as beyond CEL: a phone that has the E.164 shape but is
// not a valid number, and a two-letter country that is not an assigned ISO 3166-1 code.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import { protoRuleViolations } from "../../src/customers/proto-rules.js";
import { validateCustomer } from "../../src/customers/validate-customer.js";
import type { FieldViolation } from "../../src/errors/field-violation.js";
import { brokenCustomer, customerMessage, validCustomer } from "./customer-arbitraries.js";

const REGIONS = fc.constantFrom(undefined, "US", "GB", "DE", "IN", "JP");

/** A list element's path as its list's: protovalidate reports `repeated.unique` on the list. */
function listPath(field: string): string {
  return field.replace(/\[\d+\]$/, "");
}

/** Field path → the set of codes reported on it. */
function codesByField(violations: readonly { field: string; code: string }[]): Map<string, Set<string>> {
  const byField = new Map<string, Set<string>>();
  for (const v of violations) {
    const field = listPath(v.field);
    byField.set(field, (byField.get(field) ?? new Set()).add(v.code));
  }
  return byField;
}

/** Server violations that only the server-side rules (not CEL) can find, per customer.proto. */
function isServerOnly(v: FieldViolation, normalised: { phone: string; country?: string }): boolean {
  if (v.field === "phone" && v.code === "INVALID_FORMAT")
    return /^\+[1-9][0-9]{1,14}$/.test(normalised.phone);
  if (v.field === "address.country" && v.code === "INVALID_FORMAT") {
    return /^[A-Z]{2}$/.test(normalised.country ?? "");
  }
  return false;
}

function expectAgreement(input: Parameters<typeof validateCustomer>[0], region: string | undefined): void {
  const server = validateCustomer(input, { defaultPhoneRegion: region });
  const proto = protoRuleViolations(CustomerSchema, customerMessage(server.customer));
  const normalised = { phone: server.customer.phone, country: server.customer.address?.country };
  const serverFields = codesByField(server.violations.filter((v) => !isServerOnly(v, normalised)));
  const protoFields = codesByField(proto);
  expect([...protoFields.keys()].sort(), "fields flagged").toEqual([...serverFields.keys()].sort());
  for (const [field, codes] of serverFields) {
    const protoCodes = protoFields.get(field) ?? new Set();
    // The server reports the most relevant violation per field; protovalidate reports every rule.
    expect(
      [...codes].some((code) => protoCodes.has(code)),
      `${field}: ${[...protoCodes]} vs ${[...codes]}`,
    ).toBe(true);
  }
}

describe("customer.proto's protovalidate rules and the server's validator (property)", () => {
  it("both accept every valid customer", () => {
    fc.assert(
      fc.property(
        REGIONS.chain((region) => validCustomer(region)),
        (customer) => {
          const server = validateCustomer(customer.input, {
            defaultPhoneRegion: customer.defaultPhoneRegion,
          });
          expect(server.violations).toEqual([]);
          expect(protoRuleViolations(CustomerSchema, customerMessage(server.customer))).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("flag the same fields with a shared code on customers that break a rule", () => {
    fc.assert(
      fc.property(
        REGIONS.chain((region) => brokenCustomer(region)),
        (broken) => expectAgreement(broken.input, broken.defaultPhoneRegion),
      ),
      { numRuns: 800 },
    );
  });
});
