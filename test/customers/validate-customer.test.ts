import { type DescField, getOption } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { AddressSchema, ContactMethod, CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import { FieldBehavior, field_behavior } from "../../gen/google/api/field_behavior_pb.js";
import { isCountryCode } from "../../src/customers/country-code.js";
import type { AddressData, CustomerData } from "../../src/customers/customer.js";
import { validateCustomer } from "../../src/customers/validate-customer.js";
import type { FieldErrorCode } from "../../src/errors/field-violation.js";

const { CONTACT_METHOD_UNSPECIFIED, EMAIL, PHONE, SMS } = ContactMethod;
const US_PHONE = "+14155552671";

/** A valid customer with email only; each test changes what it is about. */
function customer(overrides: Partial<CustomerData> = {}): CustomerData {
  return {
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
  };
}

function address(overrides: Partial<AddressData> = {}): AddressData {
  return {
    line1: "1 Main St",
    line2: "",
    city: "Springfield",
    state: "",
    postalCode: "12345",
    country: "US",
    ...overrides,
  };
}

function isRequired(field: DescField): boolean {
  return getOption(field, field_behavior).includes(FieldBehavior.REQUIRED);
}

function violationsAt(input: CustomerData, field: string) {
  return validateCustomer(input).violations.filter((v) => v.field === field);
}

function fieldsAndCodes(input: CustomerData, options?: { defaultPhoneRegion?: string }) {
  return validateCustomer(input, options).violations.map((v) => [v.field, v.code]);
}

describe("validateCustomer", () => {
  it("accepts a complete customer and returns it normalised", () => {
    const input = customer({
      firstName: "  Zoe\u0308  ",
      lastName: "Mary\u00a0\u00a0Ann",
      company: "  Acme  &  Co.  ",
      email: "  Zoe.Doe@Example.COM ",
      phone: " (415) 555-2671 ",
      address: address({ line1: "  1  Main   St ", line2: " Apt 4 ", state: " CA ", country: " us " }),
      preferredContactMethods: [EMAIL, SMS],
      marketingEmailOptIn: true,
      marketingSmsOptIn: true,
    });
    const before = structuredClone(input);

    const result = validateCustomer(input);

    expect(result.violations).toEqual([]);
    expect(result.customer).toEqual({
      firstName: "Zo\u00eb",
      lastName: "Mary Ann",
      company: "Acme  &  Co.",
      email: "Zoe.Doe@Example.COM",
      phone: US_PHONE,
      address: {
        line1: "1  Main   St",
        line2: "Apt 4",
        city: "Springfield",
        state: "CA",
        postalCode: "12345",
        country: "US",
      },
      preferredContactMethods: [EMAIL, SMS],
      marketingEmailOptIn: true,
      marketingSmsOptIn: true,
    });
    expect(input).toEqual(before);
  });

  it("reports every violation at once, one per field, in field order", () => {
    const result = validateCustomer(
      customer({
        firstName: "J0hn",
        lastName: "",
        company: "x".repeat(101),
        email: "not-an-email",
        phone: "12345",
        address: address({ line1: "", city: " ", postalCode: "1".repeat(21), country: "XX" }),
        preferredContactMethods: [CONTACT_METHOD_UNSPECIFIED, EMAIL, EMAIL],
        marketingSmsOptIn: true,
      }),
      { defaultPhoneRegion: "US" },
    );

    expect(result.violations.map((v) => [v.field, v.code])).toEqual([
      ["first_name", "INVALID_CHARACTERS"],
      ["last_name", "REQUIRED"],
      ["company", "TOO_LONG"],
      ["email", "INVALID_FORMAT"],
      ["phone", "INVALID_FORMAT"],
      ["address.line1", "REQUIRED"],
      ["address.city", "REQUIRED"],
      ["address.postal_code", "TOO_LONG"],
      ["address.country", "INVALID_FORMAT"],
      ["preferred_contact_methods[0]", "INVALID_FORMAT"],
      ["preferred_contact_methods[2]", "DUPLICATE"],
    ]);
    expect(result.violations.map((v) => v.description)).toEqual([
      "firstName may contain only letters, spaces, apostrophes, hyphens and periods.",
      "lastName is required.",
      "company must have at most 100 characters.",
      "email must be a valid email address such as name@example.com.",
      "phone must be a valid phone number in international format such as +14155552671.",
      "address.line1 is required.",
      "address.city is required.",
      "address.postalCode must have at most 20 characters.",
      "address.country must be an ISO 3166-1 alpha-2 country code such as US.",
      "preferredContactMethods[0] must be EMAIL, PHONE or SMS.",
      "preferredContactMethods[2] repeats EMAIL, which is already listed.",
    ]);
  });

  it("requires the fields customer.proto marks REQUIRED, and email or phone", () => {
    const emptyAddress = { line1: "", line2: "", city: "", state: "", postalCode: "", country: "" };
    const empty = customer({ firstName: "", lastName: "", email: "", address: emptyAddress });
    const annotated = [
      ...CustomerSchema.fields.filter(isRequired).map((f) => f.name),
      ...AddressSchema.fields.filter(isRequired).map((f) => `address.${f.name}`),
    ];

    const required = validateCustomer(empty)
      .violations.filter((v) => v.code === "REQUIRED")
      .map((v) => v.field);

    expect(required).toEqual([
      "first_name",
      "last_name",
      "email",
      "phone",
      "address.line1",
      "address.city",
      "address.country",
    ]);
    expect(required.filter((f) => f !== "email" && f !== "phone")).toEqual(annotated);
  });

  describe.each([
    ["firstName", "first_name"],
    ["lastName", "last_name"],
  ] as const)("%s", (key, field) => {
    it.each([
      ["precomposed José", "Jos\u00e9", "Jos\u00e9"],
      ["decomposed José", "Jose\u0301", "Jos\u00e9"],
      ["precomposed Zoë", "Zo\u00eb", "Zo\u00eb"],
      ["decomposed Zoë", "Zoe\u0308", "Zo\u00eb"],
      ["an apostrophe", "O'Brien", "O'Brien"],
      ["a typographic apostrophe", "O\u2019Brien", "O\u2019Brien"],
      ["a hyphen", "Anne-Marie", "Anne-Marie"],
      ["Han characters", "李娜", "李娜"],
      ["Devanagari with vowel signs", "अनिल", "अनिल"],
      ["Vietnamese diacritics", "Nguyễn", "Nguyễn"],
      ["an inner space", "Mary Ann", "Mary Ann"],
      ["a period and a space", "St. John", "St. John"],
      ["initials", "J.R.", "J.R."],
      ["two letters", "Jo", "Jo"],
      ["surrounding and repeated spaces", "  Mary   Ann  ", "Mary Ann"],
      ["non-breaking and em spaces", "Mary\u00a0\u2003Ann", "Mary Ann"],
      ["a surrounding tab and newline", "\tJos\u00e9\n", "Jos\u00e9"],
      ["50 letters", "a".repeat(50), "a".repeat(50)],
      ["50 letters outside the BMP (100 UTF-16 units)", "𠀀".repeat(50), "𠀀".repeat(50)],
      ["50 decomposed letters (100 code points before NFC)", "e\u0301".repeat(50), "\u00e9".repeat(50)],
    ])("accepts %s", (_label, input, expected) => {
      const result = validateCustomer(customer({ [key]: input }));
      expect(result.violations).toEqual([]);
      expect(result.customer[key]).toBe(expected);
    });

    const onlyLetters = "may contain only letters, spaces, apostrophes, hyphens and periods.";
    it.each<[string, string, FieldErrorCode, string]>([
      ["empty", "", "REQUIRED", "is required."],
      ["only whitespace", "  \t ", "REQUIRED", "is required."],
      ["one letter", "J", "TOO_SHORT", "must have 2 to 50 characters."],
      ["one letter in decomposed form", "e\u0301", "TOO_SHORT", "must have 2 to 50 characters."],
      ["51 letters", "a".repeat(51), "TOO_LONG", "must have 2 to 50 characters."],
      ["51 letters outside the BMP", "𠀀".repeat(51), "TOO_LONG", "must have 2 to 50 characters."],
      ["an inner digit", "J0hn", "INVALID_CHARACTERS", onlyLetters],
      ["a trailing digit", "John3", "INVALID_CHARACTERS", onlyLetters],
      ["an Arabic-Indic digit", "محمد٣", "INVALID_CHARACTERS", onlyLetters],
      ["a single digit (characters win over length)", "1", "INVALID_CHARACTERS", onlyLetters],
      ["an emoji", "John😀", "INVALID_CHARACTERS", onlyLetters],
      ["only emoji", "😀😀", "INVALID_CHARACTERS", onlyLetters],
      ["an at sign", "J@ne", "INVALID_CHARACTERS", onlyLetters],
      ["an underscore", "Jane_Doe", "INVALID_CHARACTERS", onlyLetters],
      ["a comma", "Doe, Jane", "INVALID_CHARACTERS", onlyLetters],
      ["a zero-width space", "John\u200bDoe", "INVALID_CHARACTERS", onlyLetters],
      ["an inner tab", "Mary\tAnn", "INVALID_CHARACTERS", "must not contain control characters."],
      ["a NUL", "Ann\u0000e", "INVALID_CHARACTERS", "must not contain control characters."],
      ["a leading apostrophe", "'Brien", "INVALID_CHARACTERS", "must start with a letter."],
      ["a leading hyphen", "-Anne", "INVALID_CHARACTERS", "must start with a letter."],
      ["a leading period", ".Jo", "INVALID_CHARACTERS", "must start with a letter."],
      ["a leading combining mark", "\u0301Anne", "INVALID_CHARACTERS", "must start with a letter."],
    ])("rejects %s", (_label, input, code, sentence) => {
      expect(violationsAt(customer({ [key]: input }), field)).toEqual([
        { field, code, description: `${key} ${sentence}` },
      ]);
    });
  });

  describe("company", () => {
    it.each([
      ["absent", "", ""],
      ["trimmed", "  Acme Corp  ", "Acme Corp"],
      ["digits and symbols", "3M & Co.", "3M & Co."],
      ["inner whitespace kept as entered", "Acme  Corp", "Acme  Corp"],
      ["NFC-normalised", "Cafe\u0301 Ltd", "Caf\u00e9 Ltd"],
      ["100 characters", "x".repeat(100), "x".repeat(100)],
      ["100 code points outside the BMP", "𠀀".repeat(100), "𠀀".repeat(100)],
    ])("accepts %s", (_label, input, expected) => {
      const result = validateCustomer(customer({ company: input }));
      expect(result.violations).toEqual([]);
      expect(result.customer.company).toBe(expected);
    });

    it.each<[string, string, FieldErrorCode]>([
      ["101 characters", "x".repeat(101), "TOO_LONG"],
      ["101 code points outside the BMP", "𠀀".repeat(101), "TOO_LONG"],
      ["a control character", "Acme\u0007Corp", "INVALID_CHARACTERS"],
    ])("rejects %s", (_label, input, code) => {
      expect(violationsAt(customer({ company: input }), "company").map((v) => v.code)).toEqual([code]);
    });
  });

  describe("email", () => {
    const local242 = "a".repeat(242);
    it.each([
      ["a simple address", "ada@example.com", "ada@example.com"],
      ["case preserved", "Jane.Doe@Example.COM", "Jane.Doe@Example.COM"],
      ["surrounding whitespace trimmed", "  ada@example.com \n", "ada@example.com"],
      ["plus tag and subdomains", "ada+news@mail.example.co.uk", "ada+news@mail.example.co.uk"],
      ["apostrophe in the local part", "o'brien@example.com", "o'brien@example.com"],
      ["a dotless domain (allowed by the HTML spec)", "admin@localhost", "admin@localhost"],
      ["hyphenated domain label", "ada@my-example.com", "ada@my-example.com"],
      ["254 characters", `${local242}@example.com`, `${local242}@example.com`],
      ["absent when a phone is given", "", ""],
    ])("accepts %s", (_label, input, expected) => {
      const result = validateCustomer(customer({ email: input, phone: US_PHONE }));
      expect(result.violations).toEqual([]);
      expect(result.customer.email).toBe(expected);
    });

    it.each<[string, string, FieldErrorCode]>([
      ["no at sign", "plainaddress", "INVALID_FORMAT"],
      ["no domain", "ada@", "INVALID_FORMAT"],
      ["no local part", "@example.com", "INVALID_FORMAT"],
      ["two at signs", "ada@@example.com", "INVALID_FORMAT"],
      ["an inner space", "ada lovelace@example.com", "INVALID_FORMAT"],
      ["a non-ASCII local part", "jos\u00e9@example.com", "INVALID_FORMAT"],
      ["an underscore in the domain", "ada@my_example.com", "INVALID_FORMAT"],
      ["a domain label starting with a hyphen", "ada@-example.com", "INVALID_FORMAT"],
      ["an empty domain label", "ada@example..com", "INVALID_FORMAT"],
      ["a trailing dot in the domain", "ada@example.com.", "INVALID_FORMAT"],
      ["a display name", "Ada <ada@example.com>", "INVALID_FORMAT"],
      ["255 characters", `${local242}a@example.com`, "TOO_LONG"],
      ["a control character", "ada\u0000@example.com", "INVALID_CHARACTERS"],
    ])("rejects %s", (_label, input, code) => {
      const found = violationsAt(customer({ email: input, phone: US_PHONE }), "email");
      expect(found.map((v) => v.code)).toEqual([code]);
    });
  });

  describe("phone", () => {
    it.each<[string, string, string | null, string | undefined, string]>([
      ["international with spaces", "+1 415 555 2671", null, undefined, US_PHONE],
      ["international with dashes", "+1-415-555-2671", null, undefined, US_PHONE],
      ["international with parentheses", "+44 (0) 20 7946 0018", null, undefined, "+442079460018"],
      ["US national, default region", "(415) 555-2671", null, "US", US_PHONE],
      ["GB national, address region", "020 7946 0018", "GB", undefined, "+442079460018"],
      ["GB national, lower-case address country", "020 7946 0018", "gb", undefined, "+442079460018"],
      ["address region wins over the default", "020 7946 0018", "GB", "US", "+442079460018"],
      ["DE national, address region", "030 901820", "DE", undefined, "+4930901820"],
      ["DE mobile, default region", "0151 23456789", null, "DE", "+4915123456789"],
      ["FR national, address region", "01 23 45 67 89", "FR", undefined, "+33123456789"],
      ["invalid address country falls back to the default", "(415) 555-2671", "XX", "US", US_PHONE],
      ["international regardless of the region", "+49 30 901820", "US", "US", "+4930901820"],
    ])("accepts %s", (_label, phone, country, defaultPhoneRegion, e164) => {
      const input = customer({ phone, address: country === null ? null : address({ country }) });
      const result = validateCustomer(input, { defaultPhoneRegion });
      expect(result.violations.filter((v) => v.field === "phone")).toEqual([]);
      expect(result.customer.phone).toBe(e164);
    });

    it.each<[string, string, string | null, string | undefined]>([
      ["national without any region", "(415) 555-2671", null, undefined],
      ["US national read in the address region GB", "(415) 555-2671", "GB", "US"],
      ["GB national read in the default region US", "020 7946 0018", null, "US"],
      ["an unassigned number", "+1 555 555 5555", null, undefined],
      ["too few digits", "+44 20 7946 001", null, undefined],
      ["letters", "call me", null, "US"],
      ["an extension (E.164 cannot keep it)", "+1 415 555 2671 ext. 12", null, undefined],
    ])("rejects %s", (_label, phone, country, defaultPhoneRegion) => {
      const input = customer({ phone, address: country === null ? null : address({ country }) });
      const result = validateCustomer(input, { defaultPhoneRegion });
      expect(result.violations.filter((v) => v.field === "phone")).toEqual([
        {
          field: "phone",
          code: "INVALID_FORMAT",
          description: "phone must be a valid phone number in international format such as +14155552671.",
        },
      ]);
    });

    it("rejects control characters before parsing", () => {
      expect(violationsAt(customer({ phone: "+1 415\u0000555 2671" }), "phone").map((v) => v.code)).toEqual([
        "INVALID_CHARACTERS",
      ]);
    });
  });

  describe("email and phone requirements", () => {
    const eitherOr = "email or phone is required.";
    it.each<[string, Partial<CustomerData>, [string, FieldErrorCode, string][]]>([
      ["email only", { email: "ada@example.com", phone: "" }, []],
      ["phone only", { email: "", phone: US_PHONE }, []],
      [
        "neither",
        { email: "", phone: "" },
        [
          ["email", "REQUIRED", eitherOr],
          ["phone", "REQUIRED", eitherOr],
        ],
      ],
      [
        "neither (whitespace only counts as empty)",
        { email: "  ", phone: "\t" },
        [
          ["email", "REQUIRED", eitherOr],
          ["phone", "REQUIRED", eitherOr],
        ],
      ],
      ["email opt-in with email", { email: "ada@example.com", marketingEmailOptIn: true }, []],
      [
        "email opt-in with phone only",
        { email: "", phone: US_PHONE, marketingEmailOptIn: true },
        [["email", "REQUIRED", "email is required when marketingEmailOptIn is true."]],
      ],
      ["SMS opt-in with phone", { email: "", phone: US_PHONE, marketingSmsOptIn: true }, []],
      [
        "SMS opt-in with email only",
        { marketingSmsOptIn: true },
        [["phone", "REQUIRED", "phone is required when marketingSmsOptIn is true."]],
      ],
      [
        "EMAIL preferred with phone only",
        { email: "", phone: US_PHONE, preferredContactMethods: [EMAIL] },
        [["email", "REQUIRED", "email is required when preferredContactMethods contains EMAIL."]],
      ],
      [
        "PHONE preferred with email only",
        { preferredContactMethods: [PHONE] },
        [["phone", "REQUIRED", "phone is required when preferredContactMethods contains PHONE."]],
      ],
      [
        "SMS preferred with email only",
        { preferredContactMethods: [EMAIL, SMS] },
        [["phone", "REQUIRED", "phone is required when preferredContactMethods contains SMS."]],
      ],
      [
        "all methods preferred with both",
        { phone: US_PHONE, preferredContactMethods: [EMAIL, PHONE, SMS] },
        [],
      ],
      [
        "neither, with email opt-in: the specific reason wins on email",
        { email: "", phone: "", marketingEmailOptIn: true },
        [
          ["email", "REQUIRED", "email is required when marketingEmailOptIn is true."],
          ["phone", "REQUIRED", eitherOr],
        ],
      ],
      [
        "both opt-ins with neither",
        { email: "", phone: "", marketingEmailOptIn: true, marketingSmsOptIn: true },
        [
          ["email", "REQUIRED", "email is required when marketingEmailOptIn is true."],
          ["phone", "REQUIRED", "phone is required when marketingSmsOptIn is true."],
        ],
      ],
      [
        "email opt-in with an invalid email: the format error, not REQUIRED",
        { email: "nope", marketingEmailOptIn: true },
        [["email", "INVALID_FORMAT", "email must be a valid email address such as name@example.com."]],
      ],
    ])("%s", (_label, overrides, expected) => {
      const found = validateCustomer(customer(overrides)).violations.filter(
        (v) => v.field === "email" || v.field === "phone",
      );
      expect(found).toEqual(expected.map(([field, code, description]) => ({ field, code, description })));
    });
  });

  describe("address", () => {
    it("accepts no address", () => {
      const result = validateCustomer(customer({ address: null }));
      expect(result.violations).toEqual([]);
      expect(result.customer.address).toBeNull();
    });

    it.each<[string, Partial<AddressData>, Partial<AddressData>]>([
      ["only the required fields", { line2: "", state: "", postalCode: "" }, { postalCode: "" }],
      [
        "trimmed, inner whitespace kept",
        { line1: "  1  Main   St  ", city: " New  York " },
        { line1: "1  Main   St", city: "New  York" },
      ],
      ["NFC-normalised", { city: "Montre\u0301al" }, { city: "Montr\u00e9al" }],
      ["a lower-case country upper-cased", { country: " de " }, { country: "DE" }],
      ["a mixed-case country", { country: "Gb" }, { country: "GB" }],
      ["Antarctica", { country: "AQ" }, { country: "AQ" }],
      [
        "100-character texts",
        { line1: "x".repeat(100), line2: "y".repeat(100), city: "z".repeat(100), state: "s".repeat(100) },
        {},
      ],
      ["100 code points outside the BMP", { line1: "𠀀".repeat(100) }, {}],
      ["a 20-character postal code", { postalCode: "1".repeat(20) }, {}],
    ])("accepts %s", (_label, overrides, expected) => {
      const input = address(overrides);
      const result = validateCustomer(customer({ address: input }));
      expect(result.violations).toEqual([]);
      expect(result.customer.address).toEqual({ ...input, ...expected });
    });

    it.each<[string, Partial<AddressData>, string, FieldErrorCode, string]>([
      ["empty line1", { line1: "" }, "address.line1", "REQUIRED", "address.line1 is required."],
      ["blank city", { city: "   " }, "address.city", "REQUIRED", "address.city is required."],
      ["empty country", { country: "" }, "address.country", "REQUIRED", "address.country is required."],
      [
        "101-character line1",
        { line1: "x".repeat(101) },
        "address.line1",
        "TOO_LONG",
        "address.line1 must have at most 100 characters.",
      ],
      [
        "101-character line2",
        { line2: "x".repeat(101) },
        "address.line2",
        "TOO_LONG",
        "address.line2 must have at most 100 characters.",
      ],
      [
        "101-character city",
        { city: "x".repeat(101) },
        "address.city",
        "TOO_LONG",
        "address.city must have at most 100 characters.",
      ],
      [
        "101-character state",
        { state: "x".repeat(101) },
        "address.state",
        "TOO_LONG",
        "address.state must have at most 100 characters.",
      ],
      [
        "21-character postal code",
        { postalCode: "1".repeat(21) },
        "address.postal_code",
        "TOO_LONG",
        "address.postalCode must have at most 20 characters.",
      ],
      [
        "control character in line1",
        { line1: "1 Main\nSt" },
        "address.line1",
        "INVALID_CHARACTERS",
        "address.line1 must not contain control characters.",
      ],
      [
        "control character in postal code",
        { postalCode: "123\u000045" },
        "address.postal_code",
        "INVALID_CHARACTERS",
        "address.postalCode must not contain control characters.",
      ],
    ])("rejects %s", (_label, overrides, field, code, description) => {
      const result = validateCustomer(customer({ address: address(overrides) }));
      expect(result.violations).toEqual([{ field, code, description }]);
    });

    it.each(["USA", "840", "UK", "ZZ", "EU", "U1", "U S", "\u0131t"])("rejects country %j", (country) => {
      const result = validateCustomer(customer({ address: address({ country }) }));
      expect(result.violations).toEqual([
        {
          field: "address.country",
          code: "INVALID_FORMAT",
          description: "address.country must be an ISO 3166-1 alpha-2 country code such as US.",
        },
      ]);
    });

    it("reports every required field of an empty address", () => {
      const empty = { line1: "", line2: "", city: "", state: "", postalCode: "", country: "" };
      expect(fieldsAndCodes(customer({ address: empty }))).toEqual([
        ["address.line1", "REQUIRED"],
        ["address.city", "REQUIRED"],
        ["address.country", "REQUIRED"],
      ]);
    });
  });

  describe("preferredContactMethods", () => {
    const both = { phone: US_PHONE };
    it.each<[string, ContactMethod[]]>([
      ["none", []],
      ["each once", [EMAIL, PHONE, SMS]],
      ["in any order", [SMS, EMAIL]],
    ])("accepts %s", (_label, methods) => {
      const result = validateCustomer(customer({ ...both, preferredContactMethods: methods }));
      expect(result.violations).toEqual([]);
      expect(result.customer.preferredContactMethods).toEqual(methods);
    });

    it.each<[string, ContactMethod[], [string, FieldErrorCode][]]>([
      ["UNSPECIFIED", [CONTACT_METHOD_UNSPECIFIED], [["preferred_contact_methods[0]", "INVALID_FORMAT"]]],
      [
        "an unknown number",
        [EMAIL, 99 as ContactMethod],
        [["preferred_contact_methods[1]", "INVALID_FORMAT"]],
      ],
      [
        "a repeat, reported on the later one",
        [EMAIL, PHONE, EMAIL],
        [["preferred_contact_methods[2]", "DUPLICATE"]],
      ],
      [
        "a value three times",
        [SMS, SMS, SMS],
        [
          ["preferred_contact_methods[1]", "DUPLICATE"],
          ["preferred_contact_methods[2]", "DUPLICATE"],
        ],
      ],
      [
        "UNSPECIFIED twice (invalid, not duplicate)",
        [CONTACT_METHOD_UNSPECIFIED, CONTACT_METHOD_UNSPECIFIED],
        [
          ["preferred_contact_methods[0]", "INVALID_FORMAT"],
          ["preferred_contact_methods[1]", "INVALID_FORMAT"],
        ],
      ],
    ])("rejects %s", (_label, methods, expected) => {
      expect(fieldsAndCodes(customer({ ...both, preferredContactMethods: methods }))).toEqual(expected);
    });
  });
});

describe("isCountryCode", () => {
  it.each(["US", "GB", "DE", "FR", "JP", "AQ"])("accepts %s", (code) => {
    expect(isCountryCode(code)).toBe(true);
  });

  it.each(["us", "USA", "840", "UK", "ZZ", "EU", "", "U", "__proto__", "constructor"])(
    "rejects %j",
    (code) => {
      expect(isCountryCode(code)).toBe(false);
    },
  );
});
