import type { DescMessage, JsonValue, MessageInitShape } from "@bufbuild/protobuf";
import { create, createFileRegistry, fromJson } from "@bufbuild/protobuf";
import { protoCamelCase } from "@bufbuild/protobuf/reflect";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  type FieldDescriptorProtoSchema,
  FileDescriptorProtoSchema,
  file_google_protobuf_any,
  file_google_protobuf_empty,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
} from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import {
  SearchCustomersResponseSchema,
  UpdateCustomerRequestSchema,
} from "../../gen/customers/v1/customer_service_pb.js";
import { resolveFieldPath } from "../../src/transcoding/field-paths.js";
import { findUnknownJsonFields, inferUpdateMask } from "../../src/transcoding/json-body.js";

const T = FieldDescriptorProto_Type;
const { REPEATED } = FieldDescriptorProto_Label;
type FieldInit = MessageInitShape<typeof FieldDescriptorProtoSchema>;
/** [name, scalar type or message type name, extras]; fields are numbered in order. */
type Spec = [string, FieldDescriptorProto_Type | string, FieldInit?];
const fields = (...specs: Spec[]): FieldInit[] =>
  specs.map(([name, type, more], i) => ({
    name,
    number: i + 1,
    label: FieldDescriptorProto_Label.OPTIONAL,
    // protoc always fills in json_name, and protobuf-es relies on it being there.
    jsonName: protoCamelCase(name),
    ...(typeof type === "string" ? { type: T.MESSAGE, typeName: type } : { type }),
    ...more,
  }));
const list = { label: REPEATED };
const entry = (name: string, key: FieldDescriptorProto_Type, value: FieldDescriptorProto_Type | string) => ({
  name,
  options: { mapEntry: true },
  field: fields(["key", key], ["value", value]),
});

// Our protos have no maps and no Struct, Any, Empty or wrapper fields: a test-only schema has them.
const wkts = [
  file_google_protobuf_any,
  file_google_protobuf_empty,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
];
const registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "test/v1/body.proto",
    package: "test.v1",
    syntax: "proto3",
    dependency: wkts.map((f) => f.proto.name),
    messageType: [
      {
        name: "Body",
        field: fields(
          ["item", ".test.v1.Item"],
          ["items", ".test.v1.Body.ItemsEntry", list],
          ["by_rank", ".test.v1.Body.ByRankEntry", list],
          ["labels", ".test.v1.Body.LabelsEntry", list],
          ["meta", ".google.protobuf.Struct"],
          ["extra", ".google.protobuf.Any"],
          ["nothing", ".google.protobuf.Empty"],
          ["count", ".google.protobuf.Int32Value"],
          ["times", ".google.protobuf.Timestamp", list],
        ),
        nestedType: [
          entry("ItemsEntry", T.STRING, ".test.v1.Item"),
          entry("ByRankEntry", T.INT32, ".test.v1.Item"),
          entry("LabelsEntry", T.STRING, T.STRING),
        ],
      },
      { name: "Item", field: fields(["display_name", T.STRING], ["sub", ".test.v1.Item"]) },
    ],
  }),
  (name) => wkts.find((f) => f.proto.name === name),
);
const BodySchema = registry.getMessage("test.v1.Body") as DescMessage;
const AddressSchema = CustomerSchema.field.address?.message as DescMessage;

describe("findUnknownJsonFields", () => {
  // biome-ignore format: one case per line reads as a table
  it.each<[DescMessage, JsonValue, string | undefined, string[]]>([
    [CustomerSchema, { firstName: "A", marketingEmailOptin: true }, undefined, ["marketingEmailOptin"]],
    [CustomerSchema, { first_name: "A", address: { city: "x", postCode: "1" } }, undefined, ["address.postCode"]],
    [CustomerSchema, { address: { postal_code: "1", postalCode: "2" } }, undefined, []],
    [CustomerSchema, { address: { zip: "1" }, nick: "n" }, "customer", ["customer.address.zip", "customer.nick"]],
    [CustomerSchema, { createdAt: "2024-01-01T00:00:00Z", address: null, preferredContactMethods: ["EMAIL"] }, undefined, []],
    [CustomerSchema, JSON.parse('{"__proto__": {}, "constructor": 1, "toString": 2}'), undefined, ["__proto__", "constructor", "toString"]],
    [AddressSchema, { line1: "a", preferredContactMethods: [] }, undefined, ["preferredContactMethods"]],
    [UpdateCustomerRequestSchema, { customer: { address: { zip: 1 } }, updateMask: "email", extra: 1 }, undefined, ["customer.address.zip", "extra"]],
    [UpdateCustomerRequestSchema, { customer: { address: "not an object" } }, undefined, []],
    [SearchCustomersResponseSchema, { customers: [{ firstName: "a" }, { nick: "b" }, null] }, undefined, ["customers[1].nick"]],
    [SearchCustomersResponseSchema, { customers: "not a list" }, undefined, []],
    [BodySchema, { items: { "a.b": { bogus: 1, display_name: "x" } } }, undefined, ['items["a.b"].bogus']],
    [BodySchema, { byRank: { "1": { sub: { bogus: 1 } } } }, undefined, ["byRank[1].sub.bogus"]],
    [BodySchema, { item: { sub: { sub: { displayName: "x", oops: 1 } } } }, "body", ["body.item.sub.sub.oops"]],
    [BodySchema, { labels: { anything: "y" }, meta: { anything: 1 }, count: 5, times: ["2024-01-01T00:00:00Z"] }, undefined, []],
    [BodySchema, { extra: { "@type": "type.googleapis.com/test.v1.Item", whatever: 1 } }, undefined, []],
    [BodySchema, { nothing: { x: 1 } }, undefined, ["nothing.x"]],
    [BodySchema, [{ bogus: 1 }], undefined, []],
    [BodySchema, "text", undefined, []],
    [BodySchema, null, undefined, []],
  ])("%s %j (prefix %s)", (desc, json, prefix, unknown) => {
    expect(findUnknownJsonFields(desc, json, prefix)).toEqual(unknown);
  });

  it("finds nothing in a body that fromJson accepts", () => {
    const json = { firstName: "A", address: { postal_code: "1" }, preferred_contact_methods: ["SMS"] };
    expect(findUnknownJsonFields(CustomerSchema, json)).toEqual([]);
    expect(() => fromJson(CustomerSchema, json)).not.toThrow();
  });
});

describe("inferUpdateMask", () => {
  // biome-ignore format: one case per line reads as a table
  it.each<[DescMessage, JsonValue, string[]]>([
    [CustomerSchema, { firstName: "A", marketing_email_opt_in: true }, ["first_name", "marketing_email_opt_in"]],
    [CustomerSchema, { address: { city: "B", postal_code: "1" } }, ["address.city", "address.postal_code"]],
    [CustomerSchema, { address: {} }, ["address"]],
    [CustomerSchema, { address: null }, ["address"]],
    [CustomerSchema, { address: { nope: 1 } }, ["address"]],
    [CustomerSchema, { preferredContactMethods: ["EMAIL"], createdAt: "2024-01-01T00:00:00Z" }, ["preferred_contact_methods", "created_at"]],
    [CustomerSchema, { preferredContactMethods: [] }, ["preferred_contact_methods"]],
    [CustomerSchema, { nope: 1, email: "a@b.c" }, ["email"]],
    [CustomerSchema, { email: "a@b.c", address: { city: "x" }, firstName: "A" }, ["email", "address.city", "first_name"]],
    [CustomerSchema, {}, []],
    [CustomerSchema, null, []],
    [CustomerSchema, ["email"], []],
    [BodySchema, { item: { displayName: "x", sub: { sub: { display_name: "y" } } } }, ["item.display_name", "item.sub.sub.display_name"]],
    [BodySchema, { items: { a: { displayName: "x" } }, labels: {} }, ["items", "labels"]],
    [BodySchema, { meta: { a: 1 }, extra: {}, count: null }, ["meta", "extra", "count"]],
    [BodySchema, { nothing: {} }, ["nothing"]],
    [BodySchema, { item: "not an object" }, ["item"]],
  ])("%s %j", (desc, json, mask) => {
    expect(inferUpdateMask(desc, json)).toEqual(mask);
  });

  it("yields paths that name fields of the message", () => {
    const body = { first_name: "A", address: { city: "B", postalCode: "1" }, marketingSmsOptIn: false };
    const mask = inferUpdateMask(CustomerSchema, body);
    for (const path of mask) expect(resolveFieldPath(CustomerSchema, path.split("."))).toBeDefined();
    // The same paths in a request's FieldMask, in proto3 JSON (camelCase) form.
    const jsonMask = mask.map((p) => p.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())).join(",");
    const request = fromJson(UpdateCustomerRequestSchema, {
      customerId: "x",
      customer: body,
      updateMask: jsonMask,
    });
    expect(request.updateMask?.paths).toEqual([
      "first_name",
      "address.city",
      "address.postal_code",
      "marketing_sms_opt_in",
    ]);
  });
});
