import { clone, create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { changedPaths } from "../../console/src/update-mask.js";
import { AddressSchema, ContactMethod, CustomerSchema } from "../../gen/customers/v1/customer_pb.js";

const opened = create(CustomerSchema, {
  firstName: "Ada",
  lastName: "Lovelace",
  email: "ada@example.com",
  preferredContactMethods: [ContactMethod.EMAIL],
  address: { line1: "12 Analytical Row", city: "Babbageton", country: "GB" },
});

describe("console update mask", () => {
  it("names only the fields that changed, address fields by their nested path", () => {
    const edited = clone(CustomerSchema, opened);
    edited.company = "Engines Ltd";
    edited.marketingEmailOptIn = true;
    edited.preferredContactMethods = [ContactMethod.EMAIL, ContactMethod.SMS];
    edited.address = create(AddressSchema, { line1: "12 Analytical Row", city: "London", country: "GB" });
    expect(changedPaths(opened, edited)).toEqual([
      "company",
      "marketing_email_opt_in",
      "preferred_contact_methods",
      "address.city",
    ]);
  });

  it("is empty for no change and names the whole address when it is cleared", () => {
    expect(changedPaths(opened, create(CustomerSchema, { ...opened }))).toEqual([]);
    expect(changedPaths(opened, create(CustomerSchema, { ...opened, address: undefined }))).toEqual([
      "address",
    ]);
  });
});
