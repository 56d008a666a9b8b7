// jsonPathOfDecodeError maps the message of a protobuf-es `fromJson` failure to the JSON path of the
// field it is about. The messages are not written by hand: each row feeds the function the error that
// fromJson actually throws for a wrong JSON type, so a change in protobuf-es wording fails here too.
import { type DescMessage, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import { CreateCustomerRequestSchema } from "../../gen/customers/v1/customer_service_pb.js";
import { jsonPathOfDecodeError } from "../../src/transcoding/json-decode-error.js";

/** The message fromJson throws for `json`; fails the test if it decodes. */
function decodeErrorOf(schema: DescMessage, json: JsonValue): string {
  try {
    fromJson(schema, json);
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return (error as Error).message;
  }
  throw new Error(`fromJson accepted ${JSON.stringify(json)}`);
}

describe("jsonPathOfDecodeError", () => {
  it.each<[string, JsonValue, string]>([
    ["a number for a string", { firstName: 5 }, "firstName"],
    ["a boolean for a string", { lastName: true }, "lastName"],
    ["an array for a nested string", { address: { city: [1] } }, "address.city"],
    ["an object for a nested string", { address: { postalCode: {} } }, "address.postalCode"],
    ["an unknown enum name", { preferredContactMethods: ["FAX"] }, "preferredContactMethods"],
    ["a number for a message", { address: 5 }, "address"],
    ["a string for a message", { address: "1 Main St" }, "address"],
    ["an invalid timestamp", { createdAt: "x" }, "createdAt"],
    ["a string for a bool", { marketingEmailOptIn: "yes" }, "marketingEmailOptIn"],
  ])("names the field of %s in a Customer", (_label, json, expected) => {
    const message = decodeErrorOf(CustomerSchema, json);
    expect(jsonPathOfDecodeError(CustomerSchema, message, json)).toBe(expected);
  });

  it.each<[string, JsonValue, string]>([
    ["a number for a string", { customer: { firstName: 5 } }, "customer.firstName"],
    ["an array for a nested string", { customer: { address: { city: [1] } } }, "customer.address.city"],
    [
      "an unknown enum name",
      { customer: { preferredContactMethods: ["FAX"] } },
      "customer.preferredContactMethods",
    ],
    ["a number for a message", { customer: { address: 5 } }, "customer.address"],
    ["an invalid timestamp", { customer: { createdAt: "x" } }, "customer.createdAt"],
    ["a number for the top message", { customer: 5 }, "customer"],
    ["a number for the request id", { requestId: 5 }, "requestId"],
  ])("names the path of %s from a CreateCustomerRequest", (_label, json, expected) => {
    const message = decodeErrorOf(CreateCustomerRequestSchema, json);
    expect(jsonPathOfDecodeError(CreateCustomerRequestSchema, message, json)).toBe(expected);
  });

  it("uses the decoded JSON to tell fields of one type apart", () => {
    const message = decodeErrorOf(CustomerSchema, { updatedAt: "x" });
    expect(jsonPathOfDecodeError(CustomerSchema, message, { updatedAt: "x" })).toBe("updatedAt");
    const both = decodeErrorOf(CustomerSchema, { createdAt: "x", updatedAt: "y" });
    expect(jsonPathOfDecodeError(CustomerSchema, both, { createdAt: "x", updatedAt: "y" })).toBeUndefined();
  });

  it("never names another field than the one with the wrong type", () => {
    // createdAt and updatedAt are both google.protobuf.Timestamp, and protobuf-es names only the
    // message type; a wrong updatedAt must not be reported on createdAt (undefined is acceptable:
    // the caller then reports the message without a field).
    const message = decodeErrorOf(CustomerSchema, { updatedAt: "x" });
    const path = jsonPathOfDecodeError(CustomerSchema, message);
    expect(path === "updatedAt" || path === undefined, `reported on ${path}`).toBe(true);
  });

  it.each<[string, string]>([
    ["an unrelated message", "something else went wrong"],
    ["an empty message", ""],
    ["a field that is not in the tree", "cannot decode field other.v1.Thing.name from JSON: expected string"],
    ["an enum that is not in the tree", 'cannot decode enum other.v1.Colour from JSON: "RED"'],
    ["a message type that is not in the tree", "cannot decode message other.v1.Thing from JSON: 5"],
    ["the wording without 'from JSON'", "cannot decode field customers.v1.Customer.first_name"],
    [
      "the wording not at the start",
      "oops: cannot decode field customers.v1.Customer.first_name from JSON: expected string, got 5",
    ],
  ])("returns undefined for %s", (_label, message) => {
    expect(jsonPathOfDecodeError(CustomerSchema, message)).toBeUndefined();
  });

  it("returns undefined for an unknown key, which names the root message, not a field of it", () => {
    const message = decodeErrorOf(CustomerSchema, { nickname: "Ada" });
    expect(jsonPathOfDecodeError(CustomerSchema, message)).toBeUndefined();
  });
});
