// validateCustomer against the field rules of docs/api.md, on generated customers: every customer
// the rules allow is accepted and comes back in the documented normalised form; every customer that
// breaks one rule is rejected with exactly that field and the documented code.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateCustomer } from "../../src/customers/validate-customer.js";
import { brokenCustomer, validCustomer } from "./customer-arbitraries.js";

const REGIONS = fc.constantFrom(undefined, "US", "GB", "DE", "IN", "JP");

describe("validateCustomer (property)", () => {
  it("accepts every customer the documented rules allow, normalised as documented", () => {
    fc.assert(
      fc.property(
        REGIONS.chain((region) => validCustomer(region)),
        (customer) => {
          const before = structuredClone(customer.input);
          const result = validateCustomer(customer.input, {
            defaultPhoneRegion: customer.defaultPhoneRegion,
          });
          expect(result.violations).toEqual([]);
          expect(result.customer).toEqual(customer.expected);
          expect(customer.input).toEqual(before);
        },
      ),
      { numRuns: 600 },
    );
  });

  it("normalising is idempotent: the stored form validates to itself", () => {
    fc.assert(
      fc.property(validCustomer("US"), (customer) => {
        const result = validateCustomer(customer.expected, { defaultPhoneRegion: "US" });
        expect(result).toEqual({ customer: customer.expected, violations: [] });
      }),
      { numRuns: 200 },
    );
  });

  it("reports a customer that breaks one rule on exactly that field, with the documented code", () => {
    fc.assert(
      fc.property(
        REGIONS.chain((region) => brokenCustomer(region)),
        (broken) => {
          const { violations } = validateCustomer(broken.input, {
            defaultPhoneRegion: broken.defaultPhoneRegion,
          });
          expect(
            violations.map((v) => [v.field, v.code]),
            broken.rule,
          ).toEqual(broken.violations);
          for (const v of violations) expect(v.description).toMatch(/\S/);
        },
      ),
      { numRuns: 1500 },
    );
  });
});
