import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { ContactMethod, CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import type { CustomerRecord } from "../../src/customers/customer.js";
import { customerDataFromProto, customerToProto } from "../../src/customers/customer-mapping.js";
import { OUTPUT_ONLY } from "../../src/customers/update-mask.js";

const record: CustomerRecord = {
  id: "019c9e4f-3b2a-7c41-8e5d-2f6a1b0c9d8e",
  firstName: "Ada",
  lastName: "Lovelace",
  company: "Analytical Engines",
  email: "ada@example.com",
  phone: "+442079460018",
  address: {
    line1: "12 St James's Square",
    line2: "",
    city: "London",
    state: "",
    postalCode: "SW1Y 4JH",
    country: "GB",
  },
  preferredContactMethods: [ContactMethod.EMAIL, ContactMethod.SMS],
  marketingEmailOptIn: true,
  marketingSmsOptIn: false,
  createdAt: new Date("2026-03-02T09:15:00.123Z"),
  updatedAt: new Date("2026-03-02T10:00:00.456Z"),
  version: 7,
};

describe("customerDataFromProto", () => {
  it("reads exactly the Customer fields that are not output-only", () => {
    const writable = CustomerSchema.fields.filter((f) => !OUTPUT_ONLY.has(f.name)).map((f) => f.localName);

    const data = customerDataFromProto(create(CustomerSchema, { address: {} }));

    expect(Object.keys(data).sort()).toEqual(writable.sort());
  });

  it("reads an absent address as null and a present one as plain data", () => {
    expect(customerDataFromProto(create(CustomerSchema)).address).toBeNull();
    expect(
      customerDataFromProto(create(CustomerSchema, { address: { city: "Springfield" } })).address,
    ).toEqual({ line1: "", line2: "", city: "Springfield", state: "", postalCode: "", country: "" });
  });

  it("does not share the message's contact-method list", () => {
    const customer = create(CustomerSchema, { preferredContactMethods: [ContactMethod.PHONE] });

    customerDataFromProto(customer).preferredContactMethods.push(ContactMethod.SMS);

    expect(customer.preferredContactMethods).toEqual([ContactMethod.PHONE]);
  });
});

describe("customerToProto", () => {
  it("writes the server-owned fields and returns the data customerDataFromProto reads", () => {
    const customer = customerToProto(record);
    const { id, createdAt, updatedAt, version: _version, ...data } = record;

    expect(customer.customerId).toBe(id);
    expect(customer.etag).toBe('"7"');
    expect(customer.createdAt && timestampDate(customer.createdAt)).toEqual(createdAt);
    expect(customer.updatedAt && timestampDate(customer.updatedAt)).toEqual(updatedAt);
    expect(customerDataFromProto(customer)).toStrictEqual(data);
  });

  it("leaves the address out for a customer without one", () => {
    expect(customerToProto({ ...record, address: null }).address).toBeUndefined();
  });
});
