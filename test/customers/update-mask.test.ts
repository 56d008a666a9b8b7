import {
  create,
  createFileRegistry,
  getOption,
  type MessageInitShape,
  setExtension,
} from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldMaskSchema,
  FieldOptionsSchema,
  FileDescriptorProtoSchema,
  timestampFromDate,
} from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { AddressSchema, ContactMethod, CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import { FieldBehavior, field_behavior } from "../../gen/google/api/field_behavior_pb.js";
import type { CustomerData } from "../../src/customers/customer.js";
import { customerDataFromProto } from "../../src/customers/customer-mapping.js";
import {
  applyUpdateMask,
  OUTPUT_ONLY,
  outputOnlyFields,
  type ResolvedMask,
  resolveUpdateMask,
} from "../../src/customers/update-mask.js";

const { EMAIL, PHONE, SMS } = ContactMethod;
type CustomerInit = MessageInitShape<typeof CustomerSchema>;

const WRITABLE = [
  "first_name",
  "last_name",
  "company",
  "email",
  "phone",
  "address",
  "preferred_contact_methods",
  "marketing_email_opt_in",
  "marketing_sms_opt_in",
];

const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });

/** The resolved mask as sorted arrays, for readable comparisons. */
function resolved(paths: string[] | undefined, customer: CustomerInit = {}) {
  const result = resolveUpdateMask(
    paths === undefined ? undefined : mask(...paths),
    create(CustomerSchema, customer),
  );
  if ("violations" in result) return { violations: result.violations.map((v) => [v.field, v.code]) };
  return { fields: [...result.mask.fields].sort(), addressFields: [...result.mask.addressFields].sort() };
}

function resolvedOrThrow(paths: string[] | undefined, customer: CustomerInit): ResolvedMask {
  const result = resolveUpdateMask(
    paths === undefined ? undefined : mask(...paths),
    create(CustomerSchema, customer),
  );
  if ("violations" in result) throw new Error(`unexpected violations: ${JSON.stringify(result.violations)}`);
  return result.mask;
}

const stored: CustomerData = {
  firstName: "Marge",
  lastName: "Simpson",
  company: "Pretzel Wagon",
  email: "marge@example.com",
  phone: "+15035550142",
  address: {
    line1: "742 Evergreen Terrace",
    line2: "Unit B",
    city: "Springfield",
    state: "OR",
    postalCode: "97477",
    country: "US",
  },
  preferredContactMethods: [EMAIL, SMS],
  marketingEmailOptIn: true,
  marketingSmsOptIn: true,
};

const withoutAddress: CustomerData = { ...stored, address: null };

/** Fields of `message` in customer.proto whose options mention `behavior`, read from the source text. */
/** The fields of a message whose `google.api.field_behavior` lists `behavior`, read off the compiled proto. */
function annotatedInProto(message: string, behavior: keyof typeof FieldBehavior): string[] {
  const schema = [CustomerSchema, AddressSchema].find((m) => m.name === message);
  return (schema?.fields ?? [])
    .filter((f) => f.proto.options && getOption(f, field_behavior).includes(FieldBehavior[behavior]))
    .map((f) => f.name);
}

describe("OUTPUT_ONLY", () => {
  it("is the Customer fields customer.proto annotates OUTPUT_ONLY", () => {
    expect([...OUTPUT_ONLY].sort()).toEqual(annotatedInProto("Customer", "OUTPUT_ONLY").sort());
    expect([...OUTPUT_ONLY].sort()).toEqual(["created_at", "customer_id", "etag", "updated_at"]);
  });

  it("leaves every other Customer field writable, REQUIRED ones included", () => {
    const writable = CustomerSchema.fields.map((f) => f.name).filter((name) => !OUTPUT_ONLY.has(name));

    expect(writable).toEqual(WRITABLE);
    expect(annotatedInProto("Customer", "REQUIRED")).toEqual(["first_name", "last_name"]);
  });

  it("finds no output-only Address field (address sub-paths are all writable)", () => {
    expect(outputOnlyFields(AddressSchema)).toEqual(new Set());
    expect(annotatedInProto("Address", "OUTPUT_ONLY")).toEqual([]);
  });

  it("counts a field as output-only whatever other behaviours it lists, and only then", () => {
    const { OPTIONAL } = FieldDescriptorProto_Label;
    const { STRING } = FieldDescriptorProto_Type;
    const behaviours: [string, FieldBehavior[]][] = [
      ["plain", []],
      ["required", [FieldBehavior.REQUIRED]],
      ["immutable", [FieldBehavior.IMMUTABLE]],
      ["output_only", [FieldBehavior.OUTPUT_ONLY]],
      ["immutable_output_only", [FieldBehavior.IMMUTABLE, FieldBehavior.OUTPUT_ONLY]],
      ["output_only_identifier", [FieldBehavior.OUTPUT_ONLY, FieldBehavior.IDENTIFIER]],
    ];
    const registry = createFileRegistry(
      create(FileDescriptorProtoSchema, {
        name: "test/v1/behaviours.proto",
        package: "test.v1",
        syntax: "proto3",
        messageType: [
          {
            name: "Resource",
            field: behaviours.map(([name, list], i) => {
              const options = create(FieldOptionsSchema);
              if (list.length > 0) setExtension(options, field_behavior, list);
              return { name, number: i + 1, label: OPTIONAL, type: STRING, options };
            }),
          },
        ],
      }),
      () => undefined,
    );
    const resource = registry.getMessage("test.v1.Resource");
    if (!resource) throw new Error("test.v1.Resource is not in the registry");

    expect([...outputOnlyFields(resource)].sort()).toEqual([
      "immutable_output_only",
      "output_only",
      "output_only_identifier",
    ]);
  });
});

describe("resolveUpdateMask", () => {
  it.each<[string, string[] | undefined, CustomerInit, string[], string[]]>([
    [
      "an absent mask: the populated fields",
      undefined,
      { firstName: "Ada", email: "a@b.example" },
      ["email", "first_name"],
      [],
    ],
    [
      "an empty mask: the populated fields",
      [],
      { lastName: "Lovelace", marketingSmsOptIn: true },
      ["last_name", "marketing_sms_opt_in"],
      [],
    ],
    [
      "an absent mask: a present address and contact methods",
      undefined,
      { address: { city: "Springfield" }, preferredContactMethods: [PHONE] },
      ["address", "preferred_contact_methods"],
      [],
    ],
    [
      "an absent mask: never output-only fields",
      undefined,
      {
        customerId: "019c9e4f-3b2a-7c41-8e5d-2f6a1b0c9d8e",
        createdAt: timestampFromDate(new Date()),
        updatedAt: timestampFromDate(new Date()),
        etag: '"4"',
        company: "Acme",
      },
      ["company"],
      [],
    ],
    [
      "an absent mask: nothing when nothing is populated",
      undefined,
      { marketingEmailOptIn: false, email: "" },
      [],
      [],
    ],
    ["*: every writable field", ["*"], {}, [...WRITABLE].sort(), []],
    ["*: every writable field, whatever is populated", ["*"], { firstName: "Ada" }, [...WRITABLE].sort(), []],
    ["listed top-level fields", ["email", "phone"], { firstName: "Ada" }, ["email", "phone"], []],
    ["a listed field that is not populated (clears it)", ["company"], {}, ["company"], []],
    ["the whole address", ["address"], {}, ["address"], []],
    ["address sub-fields", ["address.city", "address.postal_code"], {}, [], ["city", "postal_code"]],
    [
      "every address sub-field",
      [
        "address.line1",
        "address.line2",
        "address.city",
        "address.state",
        "address.postal_code",
        "address.country",
      ],
      {},
      [],
      ["city", "country", "line1", "line2", "postal_code", "state"],
    ],
    [
      "top-level fields and address sub-fields",
      ["first_name", "address.line2"],
      {},
      ["first_name"],
      ["line2"],
    ],
    ["repeated paths once", ["email", "email", "address.city", "address.city"], {}, ["email"], ["city"]],
    [
      "output-only paths ignored",
      ["customer_id", "created_at", "updated_at", "etag", "email"],
      {},
      ["email"],
      [],
    ],
    ["only output-only paths: nothing", ["customer_id", "updated_at"], { firstName: "Ada" }, [], []],
  ])("resolves %s", (_name, paths, customer, fields, addressFields) => {
    expect(resolved(paths, customer)).toEqual({ fields, addressFields });
  });

  it.each<[string, string[]]>([
    ["an unknown field", ["nickname"]],
    ["a JSON name instead of the proto name", ["firstName"]],
    ["an unknown address sub-field", ["address.street"]],
    ["a sub-path of a scalar field", ["email.domain"]],
    ["a too-deep address path", ["address.city.name"]],
    ["a too-deep scalar path", ["first_name.a.b"]],
    ["an empty path", [""]],
    ["a trailing dot", ["address."]],
    ["an unknown path among known ones", ["email", "nickname", "address.city"]],
    ["several unknown paths", ["nickname", "address.street", "address.city.name", "email.domain"]],
  ])("reports %s as one violation on update_mask", (_name, paths) => {
    expect(resolved(paths, { firstName: "Ada" })).toEqual({ violations: [["update_mask", "UNKNOWN_FIELD"]] });
  });

  it("names every unknown path in the violation", () => {
    const result = resolveUpdateMask(mask("nickname", "email", "address.street"), create(CustomerSchema));

    expect("violations" in result && result.violations[0]?.description).toMatch(/nickname.*address\.street/);
  });

  it.each<[string, string[]]>([
    ["* with a field", ["*", "email"]],
    ["a field with *", ["first_name", "*"]],
    ["* twice", ["*", "*"]],
    ["* with an output-only path", ["*", "customer_id"]],
  ])("rejects %s as a violation on update_mask", (_name, paths) => {
    const result = resolved(paths, {});

    expect(result).toHaveProperty("violations");
    expect(result.violations).toHaveLength(1);
    expect(result.violations?.[0]?.[0]).toBe("update_mask");
  });
});

describe("applyUpdateMask", () => {
  it.each<[string, CustomerData, string[] | undefined, CustomerInit, CustomerData]>([
    [
      "an absent mask: merges the sent fields only",
      stored,
      undefined,
      { lastName: "Bouvier", marketingSmsOptIn: false },
      // marketing_sms_opt_in=false is not "populated" in proto3, so an absent mask cannot clear it.
      { ...stored, lastName: "Bouvier" },
    ],
    [
      "listed fields: replaced, others kept",
      stored,
      ["email", "marketing_email_opt_in"],
      { email: "marjorie@example.com", marketingEmailOptIn: false, firstName: "Ignored" },
      { ...stored, email: "marjorie@example.com", marketingEmailOptIn: false },
    ],
    [
      "a listed field absent from the patch: cleared",
      stored,
      ["company", "preferred_contact_methods"],
      {},
      { ...stored, company: "", preferredContactMethods: [] },
    ],
    [
      "the whole address absent from the patch: cleared",
      stored,
      ["address"],
      {},
      { ...stored, address: null },
    ],
    [
      "the whole address: replaced, sub-fields not sent become empty",
      stored,
      ["address"],
      { address: { line1: "1 Main St", city: "Shelbyville", country: "US" } },
      {
        ...stored,
        address: {
          line1: "1 Main St",
          line2: "",
          city: "Shelbyville",
          state: "",
          postalCode: "",
          country: "US",
        },
      },
    ],
    [
      "*: full replacement, unsent fields cleared",
      stored,
      ["*"],
      { firstName: "Homer", lastName: "Simpson", phone: "+15035550199" },
      {
        firstName: "Homer",
        lastName: "Simpson",
        company: "",
        email: "",
        phone: "+15035550199",
        address: null,
        preferredContactMethods: [],
        marketingEmailOptIn: false,
        marketingSmsOptIn: false,
      },
    ],
    [
      "an address sub-field: only it changes",
      stored,
      ["address.city"],
      { address: { city: "Shelbyville", line1: "Ignored" } },
      {
        ...stored,
        address: { ...(stored.address as NonNullable<CustomerData["address"]>), city: "Shelbyville" },
      },
    ],
    [
      "an address sub-field absent from the patch: cleared",
      stored,
      ["address.line2", "address.state"],
      {},
      {
        ...stored,
        address: { ...(stored.address as NonNullable<CustomerData["address"]>), line2: "", state: "" },
      },
    ],
    [
      "an address sub-field on a customer without address: creates an address with it",
      withoutAddress,
      ["address.city", "address.country"],
      { address: { city: "Springfield", country: "US" } },
      {
        ...withoutAddress,
        address: { line1: "", line2: "", city: "Springfield", state: "", postalCode: "", country: "US" },
      },
    ],
    [
      "the whole address with one of its sub-fields: the whole address wins",
      stored,
      ["address", "address.city"],
      { address: { line1: "1 Main St", city: "Shelbyville", country: "US" } },
      {
        ...stored,
        address: {
          line1: "1 Main St",
          line2: "",
          city: "Shelbyville",
          state: "",
          postalCode: "",
          country: "US",
        },
      },
    ],
    [
      "output-only paths: nothing changes",
      stored,
      ["customer_id", "created_at"],
      { customerId: "019c9e4f-3b2a-7c41-8e5d-2f6a1b0c9d8e", firstName: "Ignored" },
      stored,
    ],
  ])("%s", (_name, current, paths, patchInit, expected) => {
    const patchProto = create(CustomerSchema, patchInit);
    const before = structuredClone(current);

    const merged = applyUpdateMask(
      current,
      customerDataFromProto(patchProto),
      resolvedOrThrow(paths, patchInit),
    );

    expect(merged).toStrictEqual(expected);
    expect(current).toStrictEqual(before);
  });

  it("does not share the stored address object with the result", () => {
    const current = structuredClone(stored);

    const merged = applyUpdateMask(
      current,
      customerDataFromProto(create(CustomerSchema, { address: { city: "Shelbyville" } })),
      resolvedOrThrow(["address.city"], {}),
    );
    if (merged.address) merged.address.line1 = "changed";

    expect(current.address?.line1).toBe("742 Evergreen Terrace");
  });
});
