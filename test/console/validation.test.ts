// The console checks a form with the server's own rules, normalisation and wording: for every field
// but a typed phone (only the server reads national formats), its violations are the server's.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { validateCustomer as validateInBrowser } from "../../console/src/validation.js";
import { ContactMethod, CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import { customerDataFromProto } from "../../src/customers/customer-mapping.js";
import { validateCustomer as validateOnServer } from "../../src/customers/validate-customer.js";

const address = {
  line1: "1 Main St",
  line2: "",
  city: "Springfield",
  state: "",
  postalCode: "",
  country: "us",
};

describe("console validation", () => {
  it.each([
    [
      "a valid customer, normalised as the server normalises it",
      { firstName: " Ada\u00a0\u00a0Mary ", lastName: "Lovelace", email: "ada@example.com", address },
    ],
    ["a name with a digit and one too short", { firstName: "J0hn", lastName: "L", email: "ada@example.com" }],
    [
      "a company too long and a bad email",
      { firstName: "Ada", lastName: "Lovelace", company: "x".repeat(101), email: "nope" },
    ],
    [
      "an address without its city, an unassigned-looking country",
      {
        firstName: "Ada",
        lastName: "Lovelace",
        email: "a@b.co",
        address: { ...address, city: " ", country: "U S" },
      },
    ],
    [
      "neither email nor phone, SMS preferred",
      {
        firstName: "Ada",
        lastName: "Lovelace",
        preferredContactMethods: [ContactMethod.SMS, ContactMethod.SMS],
      },
    ],
    ["a control character in a name", { firstName: "Ada\tMary", lastName: "Lovelace", email: "a@b.co" }],
  ])("reports what the server reports for %s", (_label, fields) => {
    const draft = create(CustomerSchema, fields);
    const server = validateOnServer(customerDataFromProto(draft)).violations.map(
      ({ field, description }) => ({
        field,
        description,
      }),
    );
    expect(validateInBrowser(draft)).toEqual(server);
  });
});
