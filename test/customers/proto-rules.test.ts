// The server's rules are the protos' buf.validate rules: every rule the protos declare has a meaning
// in the contract's one table (RULE_CODES), and the violations the server reports are the ones
// protovalidate finds, worded from the proto (CEL messages, length bounds) in the contract's shape.
import { create, type DescMessage, getOption } from "@bufbuild/protobuf";
import {
  field as validateField,
  message as validateMessage,
} from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { describe, expect, it } from "vitest";
import { AddressSchema, ContactMethod, CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import {
  CreateCustomerRequestSchema,
  GetCustomerRequestSchema,
  SearchCustomersByAddressRequestSchema,
  SearchCustomersRequestSchema,
  UpdateCustomerRequestSchema,
} from "../../gen/customers/v1/customer_service_pb.js";
import type { CustomerData } from "../../src/customers/customer.js";
import { contractViolations, RULE_CODES } from "../../src/customers/proto-rules.js";
import { validateCustomer } from "../../src/customers/validate-customer.js";

const MESSAGES: DescMessage[] = [
  CustomerSchema,
  AddressSchema,
  CreateCustomerRequestSchema,
  UpdateCustomerRequestSchema,
  GetCustomerRequestSchema,
  SearchCustomersRequestSchema,
  SearchCustomersByAddressRequestSchema,
];

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The rule ids a message's buf.validate options can report: CEL ids and `<type>.<rule>` of standard rules. */
function declaredRuleIds(message: DescMessage): string[] {
  const ids = getOption(message, validateMessage).cel.map((rule) => rule.id);
  for (const field of message.fields) {
    const rules = getOption(field, validateField);
    if (rules.required) ids.push("required");
    ids.push(...rules.cel.map((rule) => rule.id));
    const typed: { case: string | undefined; value?: object }[] = [rules.type];
    if (rules.type.case === "repeated") {
      const { unique, items } = rules.type.value;
      if (unique) ids.push("repeated.unique");
      if (items) typed.push(items.type);
    }
    for (const { case: kind, value } of typed) {
      if (kind === undefined || kind === "repeated" || !value) continue;
      for (const [key, v] of Object.entries(value)) {
        if (key === "$typeName" || key === "example" || v === undefined || v === false) continue;
        if (Array.isArray(v) && v.length === 0) continue;
        if (typeof v === "object" && !Array.isArray(v) && "case" in v) {
          if (v.case !== undefined) ids.push(`${kind}.${v.case}`);
          continue;
        }
        ids.push(`${kind}.${snake(key)}`);
      }
    }
  }
  return ids;
}

const customer = (overrides: Partial<CustomerData> = {}): CustomerData => ({
  firstName: "Ada",
  lastName: "Lovelace",
  company: "",
  email: "ada@example.com",
  phone: "",
  address: null,
  preferredContactMethods: [],
  marketingEmailOptIn: false,
  marketingSmsOptIn: false,
  ...overrides,
});

function celMessage(message: DescMessage, field: string, id: string): string {
  const found = message.fields.find((f) => f.name === field);
  const rule = found && getOption(found, validateField).cel.find((r) => r.id === id);
  if (!rule) throw new Error(`${message.typeName}.${field} declares no CEL rule ${id}`);
  return rule.message;
}

describe("the protos' buf.validate rules and RULE_CODES", () => {
  it("gives every rule the protos declare a meaning in the contract", () => {
    const declared = new Set(MESSAGES.flatMap(declaredRuleIds));
    expect(declared.size).toBeGreaterThan(10);
    expect([...declared].filter((id) => !(id in RULE_CODES))).toEqual([]);
  });

  it("maps no rule the protos do not declare", () => {
    const declared = new Set(MESSAGES.flatMap(declaredRuleIds));
    expect(Object.keys(RULE_CODES).filter((id) => !declared.has(id))).toEqual([]);
  });
});

describe("validateCustomer reports what the proto rules find", () => {
  it("describes a CEL rule's violation by the message customer.proto gives it", () => {
    const message = celMessage(CustomerSchema, "company", "text.control_characters");
    expect(validateCustomer(customer({ company: "Acme\u0007" })).violations).toEqual([
      { field: "company", code: "INVALID_CHARACTERS", description: `company ${message}` },
    ]);
  });

  it("takes length bounds from the proto's string rules", () => {
    const rules = getOption(CustomerSchema.field.company, validateField);
    const max = rules.type.case === "string" ? Number(rules.type.value.maxLen) : Number.NaN;
    expect(validateCustomer(customer({ company: "x".repeat(max) })).violations).toEqual([]);
    expect(validateCustomer(customer({ company: "x".repeat(max + 1) })).violations).toEqual([
      { field: "company", code: "TOO_LONG", description: `company must have at most ${max} characters.` },
    ]);
  });

  it("names the first preferred method that needs a phone, computed by the proto's CEL expression", () => {
    const methods = [ContactMethod.EMAIL, ContactMethod.SMS, ContactMethod.PHONE];
    expect(validateCustomer(customer({ preferredContactMethods: methods })).violations).toEqual([
      {
        field: "phone",
        code: "REQUIRED",
        description: "phone is required when preferredContactMethods contains SMS.",
      },
    ]);
  });

  it("reports each repeated element once, on the element, after an invalid one", () => {
    const { UNSPECIFIED, EMAIL, SMS } = {
      UNSPECIFIED: ContactMethod.CONTACT_METHOD_UNSPECIFIED,
      EMAIL: ContactMethod.EMAIL,
      SMS: ContactMethod.SMS,
    };
    const result = validateCustomer(
      customer({
        phone: "+14155552671",
        preferredContactMethods: [SMS, UNSPECIFIED, UNSPECIFIED, EMAIL, SMS, SMS],
      }),
    );
    expect(result.violations.map((v) => [v.field, v.code])).toEqual([
      ["preferred_contact_methods[1]", "INVALID_FORMAT"],
      ["preferred_contact_methods[2]", "INVALID_FORMAT"],
      ["preferred_contact_methods[4]", "DUPLICATE"],
      ["preferred_contact_methods[5]", "DUPLICATE"],
    ]);
  });

  it("adds only the server-side rules: a real phone number and an assigned country code", () => {
    // Both have the shape customer.proto's patterns accept; only libphonenumber and ISO 3166-1 refuse them.
    const shaped = customer({
      phone: "+10000000000",
      address: {
        line1: "1 Main St",
        line2: "",
        city: "Springfield",
        state: "",
        postalCode: "",
        country: "ZZ",
      },
    });
    expect(
      contractViolations(
        CustomerSchema,
        create(CustomerSchema, { ...shaped, address: shaped.address ?? undefined }),
      ),
    ).toEqual([]);
    expect(validateCustomer(shaped).violations.map((v) => [v.field, v.code])).toEqual([
      ["phone", "INVALID_FORMAT"],
      ["address.country", "INVALID_FORMAT"],
    ]);
  });
});

describe("request rules from customer_service.proto", () => {
  it.each([
    ["", "REQUIRED", "customerId is required."],
    ["not-a-uuid", "INVALID_FORMAT", "customerId must be a UUID."],
  ])("GetCustomer customer_id %j", (customerId, code, description) => {
    expect(
      contractViolations(GetCustomerRequestSchema, create(GetCustomerRequestSchema, { customerId })),
    ).toEqual([{ field: "customer_id", code, description }]);
  });

  it("checks UpdateCustomer's customer_id but not its partial customer, which is checked after the mask", () => {
    const req = create(UpdateCustomerRequestSchema, {
      customerId: "0190a0a0-0000-7000-8000-000000000000",
      customer: { email: "only-this@example.com" },
    });
    expect(contractViolations(UpdateCustomerRequestSchema, req)).toEqual([]);
    req.customerId = "x";
    expect(contractViolations(UpdateCustomerRequestSchema, req).map((v) => v.field)).toEqual(["customer_id"]);
  });

  it.each([SearchCustomersRequestSchema, SearchCustomersByAddressRequestSchema])(
    "%s refuses a negative page size",
    (schema) => {
      expect(contractViolations(schema, create(schema, { pageSize: -1 }))).toEqual([
        { field: "page_size", code: "OUT_OF_RANGE", description: "pageSize must not be negative." },
      ]);
      expect(contractViolations(schema, create(schema, { pageSize: 0 }))).toEqual([]);
    },
  );
});
