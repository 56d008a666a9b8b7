import type { DescMessage, JsonValue, MessageInitShape } from "@bufbuild/protobuf";
import { create, createFileRegistry, fromJson } from "@bufbuild/protobuf";
import { protoCamelCase } from "@bufbuild/protobuf/reflect";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  type FieldDescriptorProtoSchema,
  FileDescriptorProtoSchema,
  file_google_protobuf_any,
  file_google_protobuf_duration,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
} from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import {
  SearchCustomersRequestSchema,
  SearchCustomersResponseSchema,
  UpdateCustomerRequestSchema,
} from "../../gen/customers/v1/customer_service_pb.js";
import { type QueryParamErrorCode, queryParamsToJson } from "../../src/transcoding/query-params.js";

const T = FieldDescriptorProto_Type;
const { REPEATED } = FieldDescriptorProto_Label;
type FieldInit = MessageInitShape<typeof FieldDescriptorProtoSchema>;
/** [name, scalar type or message/enum type name, extras]; fields are numbered in order. */
type Spec = [string, FieldDescriptorProto_Type | string, FieldInit?];
const fields = (...specs: Spec[]): FieldInit[] =>
  specs.map(([name, type, more], i) => ({
    name,
    number: i + 1,
    label: FieldDescriptorProto_Label.OPTIONAL,
    // protoc always fills in json_name, and protobuf-es relies on it being there.
    jsonName: protoCamelCase(name),
    ...(typeof type === "string"
      ? { type: type.endsWith("Color") ? T.ENUM : T.MESSAGE, typeName: type }
      : { type }),
    ...more,
  }));
const list = { label: REPEATED };

// Our protos have no 64-bit, float, bytes, wrapper, Duration, map or oneof fields: a test-only
// schema covers every kind of leaf and every kind of field that must be rejected.
// biome-ignore format: a field table reads best a few fields per line
const paramsFields = fields(
  ["i32", T.INT32], ["i64", T.INT64], ["u32", T.UINT32], ["u64", T.UINT64], ["s32", T.SINT32],
  ["f64", T.FIXED64], ["sf32", T.SFIXED32], ["flt", T.FLOAT], ["dbl", T.DOUBLE], ["flag", T.BOOL],
  ["text", T.STRING], ["data", T.BYTES], ["color", ".test.v1.Color"], ["nums", T.INT32, list],
  ["colors", ".test.v1.Color", list], ["tags", T.STRING, list],
  ["at", ".google.protobuf.Timestamp"], ["ttl", ".google.protobuf.Duration"], ["mask", ".google.protobuf.FieldMask"],
  ["wi32", ".google.protobuf.Int32Value"], ["wbool", ".google.protobuf.BoolValue"],
  ["wstr", ".google.protobuf.StringValue"], ["wi64", ".google.protobuf.Int64Value"],
  ["wbytes", ".google.protobuf.BytesValue"], ["wdbl", ".google.protobuf.DoubleValue"],
  ["wu32", ".google.protobuf.UInt32Value"], ["inner", ".test.v1.Inner"], ["inners", ".test.v1.Inner", list],
  ["labels", ".test.v1.Params.LabelsEntry", list], ["meta", ".google.protobuf.Struct"],
  ["extra", ".google.protobuf.Any"], ["times", ".google.protobuf.Timestamp", list],
  ["by_name", T.STRING, { oneofIndex: 0 }], ["by_number", T.INT32, { oneofIndex: 0 }],
  ["legacy_id", T.STRING, { jsonName: "legacyIdentifier" }],
);
const wkts = [
  file_google_protobuf_any,
  file_google_protobuf_duration,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
];
const registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "test/v1/params.proto",
    package: "test.v1",
    syntax: "proto3",
    dependency: wkts.map((f) => f.proto.name),
    messageType: [
      {
        name: "Params",
        field: paramsFields,
        oneofDecl: [{ name: "choice" }],
        nestedType: [
          {
            name: "LabelsEntry",
            options: { mapEntry: true },
            field: fields(["key", T.STRING], ["value", T.STRING]),
          },
        ],
      },
      {
        name: "Inner",
        field: fields(
          ["display_name", T.STRING],
          ["deep", ".test.v1.Deep", { oneofIndex: 0 }],
          ["aliases", T.STRING, list],
          ["nickname", T.STRING, { oneofIndex: 0 }],
        ),
        oneofDecl: [{ name: "kind" }],
      },
      { name: "Deep", field: fields(["level", T.INT32]) },
    ],
    enumType: [
      {
        name: "Color",
        value: ["COLOR_UNSPECIFIED", "RED", "GREEN"].map((name, number) => ({ name, number })),
      },
    ],
  }),
  (name) => wkts.find((f) => f.proto.name === name),
);

const schemas = {
  search: SearchCustomersRequestSchema,
  update: UpdateCustomerRequestSchema,
  customer: CustomerSchema,
  response: SearchCustomersResponseSchema,
  params: registry.getMessage("test.v1.Params") as DescMessage,
};
type SchemaName = keyof typeof schemas;

// As for UpdateCustomer: customer_id comes from the URL path, customer is the body.
const boundByRoute = (path: string[]) => ["customer_id", "customer"].includes(path.join("."));
const run = (schema: SchemaName, query: string, bound = schema === "update" ? boundByRoute : () => false) =>
  queryParamsToJson(schemas[schema], new URLSearchParams(query), bound);

// Each case: schema, query string, the JSON expected, and values the message built from it must have.
// biome-ignore format: one case per line reads as a table
const accepted: [SchemaName, string, Record<string, JsonValue>, Record<string, unknown>][] = [
  // Our own request messages, by proto and JSON names.
  ["search", "first_name=Ann&page_size=20", { firstName: "Ann", pageSize: 20 }, { firstName: "Ann", pageSize: 20 }],
  ["search", "firstName=Ann&pageToken=abc", { firstName: "Ann", pageToken: "abc" }, { pageToken: "abc" }],
  ["search", "phone=%2B14155552671&email=a%40b.c", { phone: "+14155552671", email: "a@b.c" }, { email: "a@b.c" }],
  ["search", "first_name=", { firstName: "" }, { firstName: "" }],
  ["search", "page_size=-0", { pageSize: 0 }, { pageSize: 0 }],
  ["search", "", {}, {}],
  ["customer", "address.postal_code=94105&address.city=SF", { address: { postalCode: "94105", city: "SF" } }, { address: { postalCode: "94105", city: "SF" } }],
  ["customer", "preferred_contact_methods=EMAIL&preferredContactMethods=3", { preferredContactMethods: ["EMAIL", "SMS"] }, { preferredContactMethods: [1, 3] }],
  ["customer", "marketing_email_opt_in=true&marketingSmsOptIn=false", { marketingEmailOptIn: true, marketingSmsOptIn: false }, { marketingEmailOptIn: true }],
  ["customer", "created_at=2024-05-01T12:00:00.5Z", { createdAt: "2024-05-01T12:00:00.5Z" }, { createdAt: { seconds: 1714564800n, nanos: 500_000_000 } }],
  ["update", "update_mask=first_name,address.postal_code", { updateMask: "firstName,address.postalCode" }, { updateMask: { paths: ["first_name", "address.postal_code"] } }],
  // Integers: range limits, leading zeros, 64-bit as strings.
  ["params", "i32=-2147483648&sf32=2147483647", { i32: -2147483648, sf32: 2147483647 }, { i32: -2147483648, sf32: 2147483647 }],
  ["params", "u32=4294967295&s32=-1", { u32: 4294967295, s32: -1 }, { u32: 4294967295, s32: -1 }],
  ["params", "i64=-9223372036854775808", { i64: "-9223372036854775808" }, { i64: -9223372036854775808n }],
  ["params", "u64=18446744073709551615&f64=007", { u64: "18446744073709551615", f64: "7" }, { u64: 18446744073709551615n, f64: 7n }],
  // Floats, including the proto3 JSON special values.
  ["params", "flt=1.5&dbl=-2.5e3", { flt: 1.5, dbl: -2500 }, { flt: 1.5, dbl: -2500 }],
  ["params", "dbl=.25&flt=3.", { dbl: 0.25, flt: 3 }, { dbl: 0.25, flt: 3 }],
  ["params", "dbl=NaN&flt=-Infinity", { dbl: "NaN", flt: "-Infinity" }, { dbl: Number.NaN, flt: -Infinity }],
  // Bools, strings, bytes (standard or URL-safe base64, padded or not).
  ["params", "flag=false&text=a%20b", { flag: false, text: "a b" }, { flag: false, text: "a b" }],
  ["params", "data=aGk", { data: "aGk" }, { data: new Uint8Array([104, 105]) }],
  ["params", "data=aGk%3D", { data: "aGk=" }, { data: new Uint8Array([104, 105]) }],
  ["params", "data=-_8", { data: "-_8" }, { data: new Uint8Array([251, 255]) }],
  ["params", "data=", { data: "" }, { data: new Uint8Array(0) }],
  // Enums by name or declared number; repeated fields by repetition.
  ["params", "color=GREEN", { color: "GREEN" }, { color: 2 }],
  ["params", "color=1", { color: "RED" }, { color: 1 }],
  ["params", "nums=1&nums=2&nums=3", { nums: [1, 2, 3] }, { nums: [1, 2, 3] }],
  ["params", "colors=RED&colors=2&colors=RED", { colors: ["RED", "GREEN", "RED"] }, { colors: [1, 2, 1] }],
  ["params", "tags=&tags=x", { tags: ["", "x"] }, { tags: ["", "x"] }],
  // Well-known types in their proto3 JSON string forms.
  ["params", "at=2024-05-01T14:00:00%2B02:00", { at: "2024-05-01T14:00:00+02:00" }, { at: { seconds: 1714564800n } }],
  ["params", "ttl=1.5s", { ttl: "1.5s" }, { ttl: { seconds: 1n, nanos: 500_000_000 } }],
  ["params", "ttl=-3s", { ttl: "-3s" }, { ttl: { seconds: -3n } }],
  ["params", "mask=display_name,inner.deep.level", { mask: "displayName,inner.deep.level" }, { mask: { paths: ["display_name", "inner.deep.level"] } }],
  ["params", "mask=displayName,,inners,", { mask: "displayName,inners" }, { mask: { paths: ["display_name", "inners"] } }],
  ["params", "mask=", { mask: "" }, { mask: { paths: [] } }],
  ["update", "update_mask=*", { updateMask: "*" }, { updateMask: { paths: ["*"] } }],
  ["params", "times=2024-01-01T00:00:00Z&times=1970-01-01T00:00:01Z", { times: ["2024-01-01T00:00:00Z", "1970-01-01T00:00:01Z"] }, { times: [{ seconds: 1704067200n }, { seconds: 1n }] }],
  // Wrappers from their scalar's string form.
  ["params", "wi32=-7&wbool=false&wstr=", { wi32: -7, wbool: false, wstr: "" }, { wi32: -7, wbool: false, wstr: "" }],
  ["params", "wi64=123&wu32=0&wdbl=0.25", { wi64: "123", wu32: 0, wdbl: 0.25 }, { wi64: 123n, wu32: 0, wdbl: 0.25 }],
  ["params", "wbytes=AA%3D%3D", { wbytes: "AA==" }, { wbytes: new Uint8Array([0]) }],
  // Nested singular messages, several levels deep, mixing proto and JSON names; oneofs; json_name.
  ["params", "inner.display_name=x&inner.deep.level=3", { inner: { displayName: "x", deep: { level: 3 } } }, { inner: { displayName: "x", kind: { case: "deep", value: { level: 3 } } } }],
  ["params", "inner.aliases=a&inner.aliases=b&inner.displayName=y", { inner: { aliases: ["a", "b"], displayName: "y" } }, { inner: { aliases: ["a", "b"], displayName: "y" } }],
  ["params", "by_number=3", { byNumber: 3 }, { choice: { case: "byNumber", value: 3 } }],
  ["params", "legacy_id=7&text=t", { legacyIdentifier: "7", text: "t" }, { legacyId: "7", text: "t" }],
  ["params", "legacyIdentifier=8", { legacyIdentifier: "8" }, { legacyId: "8" }],
];

describe("queryParamsToJson accepts", () => {
  it.each(accepted)("%s ?%s", (schema, query, json, values) => {
    const result = run(schema, query);
    expect(result.errors).toEqual([]);
    expect(result.json).toEqual(json);
    expect(fromJson(schemas[schema], result.json)).toMatchObject(values);
  });
});

// Each case: schema, query string, error code, proto field path ("" for none), text in the description.
// The error is always about the query's last parameter.
// biome-ignore format: one case per line reads as a table
const rejected: [SchemaName, string, QueryParamErrorCode, string, string][] = [
  // Unknown parameters.
  ["search", "nope=1", "UNKNOWN_FIELD", "", "not a known field"],
  ["search", "page_size.x=1", "UNKNOWN_FIELD", "", "not a known field"],
  ["search", "PageSize=1", "UNKNOWN_FIELD", "", "not a known field"],
  ["search", "__proto__=1", "UNKNOWN_FIELD", "", "not a known field"],
  ["customer", "address.nope=1", "UNKNOWN_FIELD", "", "not a known field"],
  // Unparsable or out-of-range values.
  ["search", "page_size=abc", "INVALID_FORMAT", "page_size", 'must be an integer from -2147483648 to 2147483647; got "abc"'],
  ["search", "page_size=", "INVALID_FORMAT", "page_size", "integer"],
  ["search", "page_size=1.5", "INVALID_FORMAT", "page_size", "integer"],
  ["search", "pageSize=1e3", "INVALID_FORMAT", "page_size", "integer"],
  ["search", "page_size=%201", "INVALID_FORMAT", "page_size", "integer"],
  ["search", "page_size=2147483648", "OUT_OF_RANGE", "page_size", "2147483647"],
  ["customer", "preferred_contact_methods=FAX", "INVALID_FORMAT", "preferred_contact_methods", "one of CONTACT_METHOD_UNSPECIFIED, EMAIL, PHONE, SMS"],
  ["customer", "preferred_contact_methods=9", "INVALID_FORMAT", "preferred_contact_methods", "one of"],
  ["customer", "preferred_contact_methods=email", "INVALID_FORMAT", "preferred_contact_methods", "one of"],
  ["customer", "marketing_email_opt_in=1", "INVALID_FORMAT", "marketing_email_opt_in", "true or false"],
  ["customer", "marketingEmailOptIn=TRUE", "INVALID_FORMAT", "marketing_email_opt_in", "true or false"],
  ["customer", "marketing_email_opt_in=", "INVALID_FORMAT", "marketing_email_opt_in", "true or false"],
  ["customer", "created_at=yesterday", "INVALID_FORMAT", "created_at", "RFC 3339"],
  ["customer", "created_at=2024-13-01T00:00:00Z", "INVALID_FORMAT", "created_at", "RFC 3339"],
  ["update", "update_mask=line_1", "INVALID_FORMAT", "update_mask", "field paths"],
  ["params", "i64=9223372036854775808", "OUT_OF_RANGE", "i64", "9223372036854775807"],
  ["params", "u32=-1", "OUT_OF_RANGE", "u32", "from 0 to 4294967295"],
  ["params", "u64=-1", "OUT_OF_RANGE", "u64", "from 0 to 18446744073709551615"],
  ["params", "i64=1.0", "INVALID_FORMAT", "i64", "integer"],
  ["params", "flt=1e39", "OUT_OF_RANGE", "flt", "32-bit floating-point"],
  ["params", "dbl=1e400", "OUT_OF_RANGE", "dbl", "64-bit floating-point"],
  ["params", "dbl=0x10", "INVALID_FORMAT", "dbl", "floating-point"],
  ["params", "dbl=", "INVALID_FORMAT", "dbl", "floating-point"],
  ["params", "dbl=nan", "INVALID_FORMAT", "dbl", "floating-point"],
  ["params", "data=a", "INVALID_FORMAT", "data", "base64"],
  ["params", "data=aG+k", "INVALID_FORMAT", "data", "%2B"],
  ["params", "data=aG=k", "INVALID_FORMAT", "data", "base64"],
  ["params", "data=aGk==", "INVALID_FORMAT", "data", "base64"],
  ["params", "color=", "INVALID_FORMAT", "color", "one of COLOR_UNSPECIFIED, RED, GREEN"],
  ["params", "ttl=1sx", "INVALID_FORMAT", "ttl", "1.5s"],
  ["params", "ttl=1.5", "INVALID_FORMAT", "ttl", "1.5s"],
  ["params", "ttl=1.1234567891s", "INVALID_FORMAT", "ttl", "1.5s"],
  ["params", "ttl=315576000001s", "INVALID_FORMAT", "ttl", "1.5s"],
  ["params", "at=", "INVALID_FORMAT", "at", "RFC 3339"],
  ["params", "times=2024-01-01T00:00:00Z&times=never", "INVALID_FORMAT", "times", 'got "never"'],
  ["params", "mask=a-b", "INVALID_FORMAT", "mask", "field paths"],
  ["params", "mask=inner..deep", "INVALID_FORMAT", "mask", "field paths"],
  ["params", "mask=DisplayName", "INVALID_FORMAT", "mask", "field paths"],
  ["params", "mask=display__name", "INVALID_FORMAT", "mask", "field paths"],
  ["params", "mask=display_Name", "INVALID_FORMAT", "mask", "field paths"],
  ["params", "wi32=x", "INVALID_FORMAT", "wi32", "integer"],
  ["params", "wbool=yes", "INVALID_FORMAT", "wbool", "true or false"],
  ["params", "wu32=-1", "OUT_OF_RANGE", "wu32", "from 0"],
  ["params", "inner.deep.level=x", "INVALID_FORMAT", "inner.deep.level", "integer"],
  // A singular field given twice, under one name or two.
  ["search", "page_size=1&page_size=2", "DUPLICATE", "page_size", "more than once"],
  ["search", "page_size=1&pageSize=2", "DUPLICATE", "page_size", 'same field as "page_size"'],
  ["search", "email=a&email=b", "DUPLICATE", "email", "single value"],
  ["update", "update_mask=first_name&update_mask=email", "DUPLICATE", "update_mask", "single value"],
  ["params", "wi32=1&wi32=2", "DUPLICATE", "wi32", "single value"],
  ["params", `text=x&text=${"y".repeat(100)}`, "DUPLICATE", "text", "more than once"],
  // Fields bound by the route, fields that cannot be leaves, paths that cannot be traversed, oneofs.
  ["update", "customer_id=x", "NOT_ALLOWED", "customer_id", "URL path or the request body sets it"],
  ["update", "customerId=x", "NOT_ALLOWED", "customer_id", "URL path or the request body sets it"],
  ["update", "customer.firstName=x", "NOT_ALLOWED", "customer.first_name", "URL path or the request body sets it"],
  ["customer", "address=x", "NOT_ALLOWED", "address", "a message (customers.v1.Address)"],
  ["customer", "createdAt.seconds=5", "NOT_ALLOWED", "created_at.seconds", '"createdAt" is a google.protobuf.Timestamp'],
  ["customer", "preferred_contact_methods.x=1", "NOT_ALLOWED", "preferred_contact_methods", "is a list"],
  ["response", "customers.first_name=x", "NOT_ALLOWED", "customers.first_name", '"customers" is a list'],
  ["response", "customers=x", "NOT_ALLOWED", "customers", "a list of messages"],
  ["params", "labels=x", "NOT_ALLOWED", "labels", "a map field"],
  ["params", "labels.key=x", "NOT_ALLOWED", "labels", '"labels" is a map'],
  ["params", "tags.x=1", "NOT_ALLOWED", "tags", '"tags" is a list'],
  ["params", "meta=x", "NOT_ALLOWED", "meta", "google.protobuf.Struct"],
  ["params", "extra=x", "NOT_ALLOWED", "extra", "google.protobuf.Any"],
  ["params", "inners.display_name=x", "NOT_ALLOWED", "inners.display_name", "is a list"],
  ["params", "by_name=x&byNumber=1", "NOT_ALLOWED", "by_number", 'combined with "by_name"'],
  ["params", "inner.nickname=x&inner.deep.level=1", "NOT_ALLOWED", "inner.deep.level", 'combined with "inner.nickname"'],
];

describe("queryParamsToJson rejects", () => {
  it.each(rejected)("%s ?%s", (schema, query, code, fieldPath, text) => {
    const param = [...new URLSearchParams(query).keys()].at(-1) ?? "";
    const { errors } = run(schema, query);
    expect(errors).toEqual([
      { param, code, description: expect.any(String), ...(fieldPath && { fieldPath: fieldPath.split(".") }) },
    ]);
    expect(errors[0]?.description).toContain(JSON.stringify(param));
    expect(errors[0]?.description).toContain(text);
  });

  it("collects one error per bad parameter and keeps the good ones", () => {
    const result = run("params", "nope=1&i32=x&flag=maybe&text=ok&nums=1&nums=x&nums=y&nope=2");
    expect(result.errors.map((e) => [e.param, e.code])).toEqual([
      ["nope", "UNKNOWN_FIELD"],
      ["i32", "INVALID_FORMAT"],
      ["flag", "INVALID_FORMAT"],
      ["nums", "INVALID_FORMAT"],
    ]);
    expect(result.json).toEqual({ text: "ok", nums: [1] });
  });

  it("asks boundFields about every prefix of the proto-name path", () => {
    const asked: string[] = [];
    const record = (path: string[]) => {
      asked.push(path.join("."));
      return false;
    };
    run("params", "inner.deep.level=1&inner.displayName=x", record);
    expect(asked).toEqual(["inner", "inner.deep", "inner.deep.level", "inner", "inner.display_name"]);
  });

  it("shortens a huge value in the description", () => {
    const { errors } = run("search", `page_size=${"9".repeat(10_000)}`);
    expect(errors[0]?.code).toBe("OUT_OF_RANGE");
    expect(errors[0]?.description.length).toBeLessThan(200);
  });
});
