import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import { create, createFileRegistry } from "@bufbuild/protobuf";
import { protoCamelCase } from "@bufbuild/protobuf/reflect";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  type FieldDescriptorProtoSchema,
  FileDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import {
  SearchCustomersRequestSchema,
  SearchCustomersResponseSchema,
  UpdateCustomerRequestSchema,
} from "../../gen/customers/v1/customer_service_pb.js";
import {
  findField,
  protoPathToJsonPath,
  resolveFieldPath,
  toJsonNamePath,
} from "../../src/transcoding/field-paths.js";

type FieldInit = MessageInitShape<typeof FieldDescriptorProtoSchema>;
const { OPTIONAL, REPEATED } = FieldDescriptorProto_Label;
const { STRING, INT32, MESSAGE } = FieldDescriptorProto_Type;
const field = (name: string, number: number, type: FieldDescriptorProto_Type, more: FieldInit = {}) => ({
  name,
  number,
  type,
  label: OPTIONAL,
  // protoc always fills in json_name, and protobuf-es relies on it being there.
  jsonName: protoCamelCase(name),
  ...more,
});

// Our protos have no map fields or custom json_name, so a test-only schema covers those.
const registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "test/v1/shelf.proto",
    package: "test.v1",
    syntax: "proto3",
    messageType: [
      {
        name: "Shelf",
        field: [
          field("books", 1, MESSAGE, { label: REPEATED, typeName: ".test.v1.Book" }),
          field("books_by_id", 2, MESSAGE, { label: REPEATED, typeName: ".test.v1.Shelf.BooksByIdEntry" }),
          field("legacy_id", 3, STRING, { jsonName: "legacyIdentifier" }),
        ],
        nestedType: [
          {
            name: "BooksByIdEntry",
            options: { mapEntry: true },
            field: [field("key", 1, STRING), field("value", 2, MESSAGE, { typeName: ".test.v1.Book" })],
          },
        ],
      },
      { name: "Book", field: [field("display_name", 1, STRING), field("page_count", 2, INT32)] },
    ],
  }),
  () => undefined,
);
const ShelfSchema = registry.getMessage("test.v1.Shelf") as DescMessage;

describe("protoPathToJsonPath", () => {
  it.each<[string, DescMessage, string, string]>([
    ["top-level field", CustomerSchema, "first_name", "firstName"],
    ["nested field", CustomerSchema, "address.postal_code", "address.postalCode"],
    ["list index", CustomerSchema, "preferred_contact_methods[1]", "preferredContactMethods[1]"],
    ["already JSON names", CustomerSchema, "address.postalCode", "address.postalCode"],
    ["into a well-known type", CustomerSchema, "created_at.seconds", "createdAt.seconds"],
    ["through the request", UpdateCustomerRequestSchema, "customer.first_name", "customer.firstName"],
    [
      "two levels",
      UpdateCustomerRequestSchema,
      "customer.address.postal_code",
      "customer.address.postalCode",
    ],
    ["a FieldMask field", UpdateCustomerRequestSchema, "update_mask", "updateMask"],
    [
      "into a list element",
      SearchCustomersResponseSchema,
      "customers[0].first_name",
      "customers[0].firstName",
    ],
    ["json_name option", ShelfSchema, "legacy_id", "legacyIdentifier"],
    ["list of messages", ShelfSchema, "books[2].display_name", "books[2].displayName"],
    ["map value", ShelfSchema, 'books_by_id["k"].page_count', 'booksById["k"].pageCount'],
    [
      "quoted key with . and [",
      ShelfSchema,
      'books_by_id["a.b[c]"].page_count',
      'booksById["a.b[c]"].pageCount',
    ],
    ["unknown segment kept, rest unchanged", CustomerSchema, "nope.first_name", "nope.first_name"],
    ["unknown leaf kept", CustomerSchema, "address.post_code", "address.post_code"],
    ["past a scalar", CustomerSchema, "first_name.x_y", "firstName.x_y"],
    ["malformed subscript passed through", ShelfSchema, "books[1.display_name", "books[1.display_name"],
    ["malformed tail after a good segment", ShelfSchema, "legacy_id.books[", "legacyIdentifier.books["],
    ["empty path", CustomerSchema, "", ""],
    ["trailing dot kept", CustomerSchema, "address.", "address."],
  ])("%s: %s", (_, desc, protoPath, jsonPath) => {
    expect(protoPathToJsonPath(desc, protoPath)).toBe(jsonPath);
  });
});

describe("toJsonNamePath", () => {
  it.each<[DescMessage, string[], string[]]>([
    [CustomerSchema, ["address", "postal_code"], ["address", "postalCode"]],
    [
      UpdateCustomerRequestSchema,
      ["customer", "preferred_contact_methods"],
      ["customer", "preferredContactMethods"],
    ],
    [SearchCustomersRequestSchema, ["page_size"], ["pageSize"]],
    [CustomerSchema, ["nope", "postal_code"], ["nope", "postal_code"]],
    [ShelfSchema, ["books_by_id", "display_name"], ["booksById", "displayName"]],
    [CustomerSchema, [], []],
  ])("%s %j", (desc, protoPath, jsonPath) => {
    expect(toJsonNamePath(desc, protoPath)).toEqual(jsonPath);
  });
});

describe("resolveFieldPath", () => {
  it.each<[DescMessage, string[], string[] | undefined]>([
    [SearchCustomersRequestSchema, ["page_size"], ["page_size"]],
    [SearchCustomersRequestSchema, ["pageSize"], ["page_size"]],
    [
      UpdateCustomerRequestSchema,
      ["customer", "address", "postalCode"],
      ["customer", "address", "postal_code"],
    ],
    [UpdateCustomerRequestSchema, ["customer", "firstName"], ["customer", "first_name"]],
    [SearchCustomersResponseSchema, ["customers", "email"], ["customers", "email"]],
    [ShelfSchema, ["legacyIdentifier"], ["legacy_id"]],
    [ShelfSchema, ["booksById", "value", "page_count"], undefined],
    [ShelfSchema, ["booksById", "page_count"], ["books_by_id", "page_count"]],
    [SearchCustomersRequestSchema, ["nope"], undefined],
    [SearchCustomersRequestSchema, ["page_size", "x"], undefined],
    [SearchCustomersRequestSchema, ["PageSize"], undefined],
    [CustomerSchema, ["address", ""], undefined],
    [CustomerSchema, ["constructor"], undefined],
    [CustomerSchema, ["__proto__"], undefined],
    [CustomerSchema, [], []],
  ])("%s %j", (desc, segments, protoNames) => {
    expect(resolveFieldPath(desc, segments)?.map((f) => f.name)).toEqual(protoNames);
  });
});

describe("findField", () => {
  it.each(["postal_code", "postalCode"])("finds Address.postal_code by %s", (name) => {
    const address = CustomerSchema.field.address?.message as DescMessage;
    expect(findField(address, name)?.number).toBe(5);
  });

  it.each(["PostalCode", "postal-code", "toString", "hasOwnProperty"])("does not find %s", (name) => {
    expect(findField(CustomerSchema, name)).toBeUndefined();
  });
});
