// Arbitraries for customers built from the field rules of docs/api.md, not from the validator's code:
// valid customers (raw input as a client may type it, and the normalised form the API documents
// storing), and invalid ones that break exactly one rule, with the violation that rule documents.
import { create } from "@bufbuild/protobuf";
import fc from "fast-check";
import { getAlpha2Codes } from "i18n-iso-countries/index.js";
import {
  type CountryCode,
  getCountries,
  getExampleNumber,
  parsePhoneNumberFromString,
} from "libphonenumber-js/max";
import examples from "libphonenumber-js/mobile/examples";
import { ContactMethod, CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import type { AddressData, CustomerData } from "../../src/customers/customer.js";
import type { FieldErrorCode } from "../../src/errors/field-violation.js";

const { EMAIL, PHONE, SMS } = ContactMethod;

/** A valid customer: what the client sends, and what docs/api.md says is stored and returned. */
export interface GeneratedCustomer {
  input: CustomerData;
  expected: CustomerData;
  /** DEFAULT_PHONE_REGION the customer was generated for (national phones are read in it). */
  defaultPhoneRegion?: string;
  /** The customer's phone number, when it has one. */
  phone?: KnownPhone;
}

/** A customer that breaks one rule, and the violations ([proto path, code]) the contract documents for it. */
export interface BrokenCustomer {
  rule: string;
  input: CustomerData;
  defaultPhoneRegion?: string;
  violations: [string, FieldErrorCode][];
}

/** A phone number libphonenumber's full metadata calls valid, with the spellings a client may send. */
export interface KnownPhone {
  country: CountryCode;
  e164: string;
  international: string;
  /** National format, read in `country`; absent when libphonenumber does not read it back as the same number. */
  national?: string;
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/** Unicode code points, the unit every length rule counts. */
function codePointLength(text: string): number {
  return [...text].length;
}

function codePoints(text: string): string[] {
  return [...text];
}

const CONTROL = /\p{Cc}/u;
/** Whitespace JavaScript's trim() removes; docs/api.md: "All text is trimmed". */
const PADDING = fc.array(fc.constantFrom(" ", "\t", "\n", "\u00a0", "\u3000"), { maxLength: 3 });
/** Control characters trim() keeps, so they stay in the text wherever they are put. */
const UNTRIMMED_CONTROLS = ["\u0000", "\u0001", "\u0007", "\u001b", "\u007f", "\u0085", "\u009f"];
/** Control characters for the inside of a text, where whitespace controls are not trimmed either. */
const CONTROLS = [...UNTRIMMED_CONTROLS, "\t", "\n", "\r", "\u000b"];

/** A client's spelling of `canonical`: maybe decomposed (NFD), maybe surrounded by whitespace. */
function spelledAs(canonical: string): fc.Arbitrary<string> {
  return fc
    .record({ before: PADDING, after: PADDING, decompose: fc.boolean() })
    .map(({ before, after, decompose }) =>
      [...before, decompose ? canonical.normalize("NFD") : canonical, ...after].join(""),
    );
}

/** `text` with the code point at `index` replaced by `by`. */
function replaceAt(text: string, index: number, by: string): string {
  const chars = codePoints(text);
  chars[index] = by;
  return chars.join("");
}

/** `text` with a control character in place of one of its inner code points (so no trim can remove it). */
function withControlInside(text: string): fc.Arbitrary<string> {
  const chars = codePoints(text);
  if (chars.length < 2) return fc.constantFrom(...UNTRIMMED_CONTROLS).map((c) => `${text}${c}x`);
  return fc
    .record({ at: fc.integer({ min: 1, max: chars.length - 1 }), control: fc.constantFrom(...CONTROLS) })
    .map(({ at, control }) =>
      replaceAt(text, at, at === chars.length - 1 && /\s/.test(control) ? "\u0000" : control),
    );
}

/** `text`, or a stand-in when it is too short to hold a character inside it. */
function nonEmpty(text: string): string {
  return codePointLength(text) > 1 ? text : "Acme Co";
}

const WHITESPACE_ONLY = fc
  .array(fc.constantFrom(" ", "\t", "\n", "\u00a0"), { maxLength: 4 })
  .map((w) => w.join(""));

// ---------------------------------------------------------------------------------------------
// Letters, names, free text

// Blocks of letters from several scripts, astral ones (CJK Extension B) included: one of them is one
// code point but two UTF-16 units, so a length counted in UTF-16 units would be caught.
const LETTER_BLOCKS: [number, number, number][] = [
  // [first, last, weight]
  [0x41, 0x5a, 4],
  [0x61, 0x7a, 8],
  [0xc0, 0x24f, 3],
  [0x391, 0x3c9, 1],
  [0x410, 0x44f, 1],
  [0x5d0, 0x5ea, 1],
  [0x620, 0x64a, 1],
  [0x905, 0x939, 1],
  [0xe01, 0xe30, 1],
  [0x3041, 0x3096, 1],
  [0x4e00, 0x9fff, 1],
  [0xac00, 0xd7a3, 1],
  [0x20000, 0x2a6df, 2],
];
const MARK_BLOCKS: [number, number][] = [
  [0x300, 0x36f],
  [0x5b0, 0x5bc],
  [0x64b, 0x652],
  [0x93e, 0x94c],
  [0xe34, 0xe3a],
];

function fromBlocks(blocks: [number, number, number][], test: RegExp): fc.Arbitrary<string> {
  return fc
    .oneof(...blocks.map(([min, max, weight]) => ({ arbitrary: fc.integer({ min, max }), weight })))
    .map((cp) => String.fromCodePoint(cp))
    .filter((ch) => test.test(ch) && ch.normalize("NFC") === ch);
}

/** One letter (\p{L}), already in NFC. */
const letter = fromBlocks(LETTER_BLOCKS, /^\p{L}$/u);
/** An astral letter: one code point, two UTF-16 units. */
const astralLetter = fromBlocks([[0x20000, 0x2a6df, 1]], /^\p{L}$/u);
const mark = fromBlocks(
  MARK_BLOCKS.map(([min, max]) => [min, max, 1]),
  /^\p{M}$/u,
);
/** A letter followed by up to two combining marks (which NFC may compose with it). */
const letterWithMarks = fc
  .tuple(letter, fc.array(mark, { maxLength: 2 }))
  .map(([l, marks]) => [l, ...marks].join(""));

const NAME_TOKEN = fc.oneof(
  { arbitrary: letterWithMarks, weight: 12 },
  { arbitrary: fc.constant(" "), weight: 3 },
  { arbitrary: fc.constantFrom("'", "\u2019", ".", "-"), weight: 2 },
);

/** docs/api.md's name rule, read literally, on the normalised form. */
function isDocumentedName(name: string): boolean {
  const length = codePointLength(name);
  return (
    /^\p{L}[\p{L}\p{M} '\u2019.-]*$/u.test(name) &&
    !name.includes("  ") &&
    !name.endsWith(" ") &&
    name.normalize("NFC") === name &&
    length >= 2 &&
    length <= 50
  );
}

/** A valid name in its normalised form (NFC, single spaces, 2–50 code points; often exactly 50). */
const canonicalName = fc
  .tuple(
    letterWithMarks,
    fc.oneof(
      fc.array(NAME_TOKEN, { minLength: 1, maxLength: 10 }),
      fc.array(NAME_TOKEN, { minLength: 40, maxLength: 70 }),
    ),
  )
  .map(([first, rest]) => {
    const joined = `${first}${rest.join("")}`.normalize("NFC").replace(/ {2,}/g, " ");
    return codePoints(joined).slice(0, 50).join("").trimEnd().normalize("NFC");
  })
  .filter(isDocumentedName);

/** A client's spelling of a valid name: decomposed or not, padded, inner spaces as runs of spaces. */
function nameSpelling(canonical: string): fc.Arbitrary<string> {
  const words = canonical.split(" ");
  const run = fc.array(fc.constantFrom(" ", "\u00a0", "\u3000"), { minLength: 1, maxLength: 3 });
  return fc
    .array(run, { minLength: words.length - 1, maxLength: words.length - 1 })
    .chain((runs) => spelledAs(words.map((w, i) => (i === 0 ? w : `${runs[i - 1]?.join("")}${w}`)).join("")));
}

/** A name: raw spelling and the documented stored form. */
const nameArb = canonicalName.chain((canonical) =>
  nameSpelling(canonical).map((raw) => ({ raw, canonical })),
);

/**
 * Free text for company and address lines: any printable graphemes (emoji, scripts, marks), trimmed
 * and NFC as stored, at most `max` code points (often exactly `max`); inner whitespace kept.
 */
function freeText(min: number, max: number): fc.Arbitrary<{ raw: string; canonical: string }> {
  const exact = fc
    .array(fc.oneof(letter, astralLetter, fc.constant(" ")), { minLength: max, maxLength: max })
    .map((chars) => chars.join(""));
  const graphemes = fc.string({ unit: "grapheme", minLength: min, maxLength: Math.min(max, 30) });
  return fc
    .oneof({ arbitrary: graphemes, weight: 4 }, { arbitrary: exact, weight: 1 })
    .map((text) => text.normalize("NFC").trim())
    .filter((text) => !CONTROL.test(text) && codePointLength(text) >= min && codePointLength(text) <= max)
    .chain((canonical) => spelledAs(canonical).map((raw) => ({ raw, canonical })));
}

// ---------------------------------------------------------------------------------------------
// Email (the WHATWG HTML "valid email address" syntax, at most 254 characters)

const ALNUM = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"];
const LOCAL_CHARS = [...ALNUM, ...".!#$%&'*+/=?^_`{|}~-"];
const alnum = fc.constantFrom(...ALNUM);
const label = fc.oneof(
  alnum,
  fc
    .tuple(alnum, fc.string({ unit: fc.constantFrom(...ALNUM, "-"), maxLength: 61 }), alnum)
    .map(([a, middle, b]) => `${a}${middle}${b}`),
);

/** A valid email address, case kept; sometimes exactly 254 characters long. */
const canonicalEmail = fc
  .record({
    local: fc.string({ unit: fc.constantFrom(...LOCAL_CHARS), minLength: 1, maxLength: 30 }),
    domain: fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join(".")),
    longest: fc.nat(4).map((n) => n === 0),
  })
  .map(({ local, domain, longest }) => {
    const room = 254 - 1 - domain.length;
    return `${longest && room > local.length ? local.padEnd(room, "x") : local}@${domain}`;
  })
  .filter((email) => email.length <= 254);

// ---------------------------------------------------------------------------------------------
// Phones: every region's example number from libphonenumber, with some of its last digits varied

function sameNumber(text: string, e164: string, region?: CountryCode): boolean {
  const parsed = parsePhoneNumberFromString(text, region ? { defaultCountry: region } : {});
  return parsed?.isValid() === true && parsed.number === e164 && parsed.ext === undefined;
}

function knownPhone(e164: string): KnownPhone | undefined {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed?.isValid() || parsed.country === undefined || parsed.number !== e164) return undefined;
  const { country } = parsed;
  const international = parsed.formatInternational();
  const national = parsed.formatNational();
  return {
    country,
    e164,
    international: sameNumber(international, e164) ? international : e164,
    ...(sameNumber(national, e164, country) && !national.startsWith("+") ? { national } : {}),
  };
}

const EXAMPLE_PHONES: KnownPhone[] = getCountries().flatMap((country) => {
  const example = getExampleNumber(country, examples);
  const known = example && knownPhone(example.number);
  return known ? [known] : [];
});

/** A valid phone number of some region. */
const phoneArb: fc.Arbitrary<KnownPhone> = fc
  .record({
    base: fc.constantFrom(...EXAMPLE_PHONES),
    tail: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 }),
  })
  .map(({ base, tail }) =>
    tail.length === 0 ? base : (knownPhone(`${base.e164.slice(0, -tail.length)}${tail.join("")}`) ?? base),
  );

/** How a client may write `phone`: E.164, international format, or national format when `region` is its country. */
function phoneSpelling(phone: KnownPhone, region: string | undefined): fc.Arbitrary<string> {
  const spellings = [phone.e164, phone.international];
  if (phone.national !== undefined && region === phone.country) spellings.push(phone.national);
  return fc.constantFrom(...spellings).chain(spelledAs);
}

// ---------------------------------------------------------------------------------------------
// Address

/** ISO 3166-1 alpha-2 codes. */
const COUNTRIES = Object.keys(getAlpha2Codes());
const COUNTRY_SET = new Set(COUNTRIES);

/** An assigned country code in any letter case, padded: stored upper-case. */
const countryArb = fc
  .record({ code: fc.constantFrom(...COUNTRIES), lower: fc.tuple(fc.boolean(), fc.boolean()) })
  .chain(({ code, lower }) => {
    const raw = [...code].map((c, i) => (lower[i] ? c.toLowerCase() : c)).join("");
    return spelledAs(raw).map((spelled) => ({ raw: spelled, canonical: code }));
  });

const optionalText = (max: number) =>
  fc.option(freeText(1, max), { nil: undefined }).map((t) => t ?? { raw: "", canonical: "" });

const addressArb = fc
  .record({
    line1: freeText(1, 100),
    line2: optionalText(100),
    city: freeText(1, 100),
    state: optionalText(100),
    postalCode: optionalText(20),
    country: countryArb,
  })
  .map((fields) => {
    const pick = (side: "raw" | "canonical"): AddressData => ({
      line1: fields.line1[side],
      line2: fields.line2[side],
      city: fields.city[side],
      state: fields.state[side],
      postalCode: fields.postalCode[side],
      country: fields.country[side],
    });
    return { raw: pick("raw"), canonical: pick("canonical") };
  });

// ---------------------------------------------------------------------------------------------
// Valid customers

/**
 * Valid customers for a service whose DEFAULT_PHONE_REGION is `defaultPhoneRegion`: email or phone
 * (or both), contact methods without repeats and only for the channels present, opt-ins only
 * where their channel is present.
 */
export function validCustomer(defaultPhoneRegion?: string): fc.Arbitrary<GeneratedCustomer> {
  return fc
    .record({
      firstName: nameArb,
      lastName: nameArb,
      company: optionalText(100),
      email: fc.option(canonicalEmail, { nil: undefined }),
      anyPhone: fc.option(phoneArb, { nil: undefined }),
      // Often a number of the region national formats are read in, so that they get sent.
      localPhone: fc.boolean(),
      address: fc.option(addressArb, { nil: undefined }),
      emailOptIn: fc.boolean(),
      smsOptIn: fc.boolean(),
    })
    .filter((c) => c.email !== undefined || c.anyPhone !== undefined)
    .chain(({ anyPhone, localPhone, ...c }) => {
      // A national-format phone is read in the address's country, else in DEFAULT_PHONE_REGION.
      const region = c.address ? c.address.canonical.country : defaultPhoneRegion;
      const local = region === undefined ? undefined : EXAMPLE_PHONES.find((p) => p.country === region);
      const phone = anyPhone && localPhone && local ? local : anyPhone;
      const allowed = [
        ...(c.email !== undefined ? [EMAIL] : []),
        ...(phone !== undefined ? [PHONE, SMS] : []),
      ];
      return fc
        .record({
          email: c.email === undefined ? fc.constant("") : spelledAs(c.email),
          phoneText: phone === undefined ? fc.constant("") : phoneSpelling(phone, region),
          methods: fc.shuffledSubarray(allowed),
        })
        .map(({ email, phoneText, methods }): GeneratedCustomer => {
          const shared = {
            preferredContactMethods: methods,
            marketingEmailOptIn: c.emailOptIn && c.email !== undefined,
            marketingSmsOptIn: c.smsOptIn && phone !== undefined,
          };
          return {
            input: {
              firstName: c.firstName.raw,
              lastName: c.lastName.raw,
              company: c.company.raw,
              email,
              phone: phoneText,
              address: c.address?.raw ?? null,
              ...shared,
            },
            expected: {
              firstName: c.firstName.canonical,
              lastName: c.lastName.canonical,
              company: c.company.canonical,
              email: c.email ?? "",
              phone: phone?.e164 ?? "",
              address: c.address?.canonical ?? null,
              ...shared,
            },
            ...(defaultPhoneRegion !== undefined ? { defaultPhoneRegion } : {}),
            ...(phone !== undefined ? { phone } : {}),
          };
        });
    });
}

// ---------------------------------------------------------------------------------------------
// One rule broken

type Mutation = fc.Arbitrary<
  Omit<BrokenCustomer, "defaultPhoneRegion"> & { defaultPhoneRegion?: string | null }
>;

function broken(
  base: GeneratedCustomer,
  rule: string,
  patch: Partial<CustomerData>,
  violations: [string, FieldErrorCode][],
) {
  return { rule, input: { ...base.input, ...patch }, violations };
}

/** Names ("first_name" or "last_name") that break one rule each. */
function brokenName(base: GeneratedCustomer, field: "first_name" | "last_name"): Mutation {
  const key = field === "first_name" ? "firstName" : "lastName";
  const canonical = base.expected[key];
  const length = codePointLength(canonical);
  const at = (rule: string, raw: fc.Arbitrary<string>, code: FieldErrorCode): Mutation =>
    raw.map((value) =>
      broken(base, `${key}: ${rule}`, key === "firstName" ? { firstName: value } : { lastName: value }, [
        [field, code],
      ]),
    );
  const badChar = fc.constantFrom(
    ..."0123456789@_!#&/(,".split(""),
    "\u{1f600}",
    "\u200b",
    "\u00ad",
    "\u2013",
    "\u2018",
    "\u00b7",
    "\u0663",
  );
  return fc.oneof(
    at("blank", WHITESPACE_ONLY, "REQUIRED"),
    // One code point once NFC has composed it (e + U+0301 = é, Hangul jamo L+V = one syllable), or an
    // astral letter (one code point, two UTF-16 units).
    at(
      "one character",
      fc.oneof(letter, astralLetter, fc.constantFrom("e\u0301", "A\u030a", "\u1100\u1161")).chain(spelledAs),
      "TOO_SHORT",
    ),
    at(
      "51+ characters",
      fc.array(fc.oneof(letter, astralLetter), { minLength: 51, maxLength: 70 }).map((l) => l.join("")),
      "TOO_LONG",
    ),
    at(
      "a character names may not hold",
      fc
        .record({ i: fc.integer({ min: 1, max: length - 1 }), c: badChar })
        .map(({ i, c }) => replaceAt(canonical, i, c)),
      "INVALID_CHARACTERS",
    ),
    at(
      "not starting with a letter",
      fc.constantFrom("-", "'", "\u2019", ".", "\u0301", "\u093f").map((c) => replaceAt(canonical, 0, c)),
      "INVALID_CHARACTERS",
    ),
    at("a control character", withControlInside(canonical), "INVALID_CHARACTERS"),
  );
}

/** The customer with a phone in E.164, so that no rule about regions is involved. */
function regionFree(base: GeneratedCustomer): GeneratedCustomer {
  return { ...base, input: { ...base.input, phone: base.phone?.e164 ?? "" } };
}

/** The customer with an email and a phone, so either may be cleared without the other becoming required. */
function withBothContacts(base: GeneratedCustomer): fc.Arbitrary<GeneratedCustomer> {
  return fc.tuple(canonicalEmail, phoneArb).map(([email, phone]) => {
    const input = { ...base.input };
    if (input.email === "") input.email = email;
    const known = base.phone ?? phone;
    input.phone = known.e164;
    return { ...base, input, phone: known };
  });
}

function brokenCompany(base: GeneratedCustomer): Mutation {
  const company = nonEmpty(base.expected.company);
  return fc.oneof(
    fc
      .array(fc.oneof(letter, astralLetter, fc.constant(" ")), { minLength: 101, maxLength: 130 })
      .map((chars) => `A${chars.join("")}B`)
      .map((value) =>
        broken(base, "company: 101+ characters", { company: value }, [["company", "TOO_LONG"]]),
      ),
    withControlInside(company).map((value) =>
      broken(base, "company: a control character", { company: value }, [["company", "INVALID_CHARACTERS"]]),
    ),
  );
}

/**
 * `contact` cleared while an opt-in or a preferred contact method still needs it (the other contact
 * present): REQUIRED on `contact` alone.
 */
function clearedWhileNeeded(base: GeneratedCustomer, contact: "email" | "phone"): Mutation[] {
  const optIn = contact === "email" ? "marketingEmailOptIn" : "marketingSmsOptIn";
  const needing = contact === "email" ? [EMAIL] : [PHONE, SMS];
  const cleared = fc.tuple(withBothContacts(base), WHITESPACE_ONLY);
  const clear = (b: GeneratedCustomer, rule: string, blank: string, patch: Partial<CustomerData>) => {
    patch[contact] = blank;
    return broken(b, `${contact}: cleared with ${rule}`, patch, [[contact, "REQUIRED"]]);
  };
  return [
    cleared.map(([b, blank]) => clear(b, optIn, blank, { [optIn]: true })),
    fc.tuple(cleared, fc.constantFrom(...needing)).map(([[b, blank], method]) => {
      const methods = b.input.preferredContactMethods;
      const preferred = methods.includes(method) ? methods : [...methods, method];
      return clear(b, `${ContactMethod[method]} preferred`, blank, {
        [optIn]: false,
        preferredContactMethods: preferred,
      });
    }),
  ];
}

function brokenEmail(base: GeneratedCustomer): Mutation {
  const short = canonicalEmail.filter((e) => e.length <= 180);
  const invalid = fc.oneof(
    short.map((e) => e.replace("@", ".")),
    short.map((e) => `a@${e}`),
    fc
      .record({
        e: short,
        c: fc.constantFrom(...' (),:;<>[]\\"'.split(""), "\u00f6", "\u00e9", "\u00fc", "\u2018"),
      })
      .map(({ e, c }) => `${e.slice(0, 1)}${c}${e.slice(1)}`),
    short.map((e) => e.replace("@", "@-")),
    short.map((e) => `${e}.`),
    short.map((e) => e.replace("@", "@a..")),
    short.map((e) => `${e.split("@")[0]}@${"a".repeat(64)}.com`),
    fc.constantFrom("plainaddress", "@example.com", "user@", "user@[192.168.0.1]", '"quoted"@example.com'),
  );
  return fc.oneof(
    fc
      .record({ e: canonicalEmail, extra: fc.integer({ min: 1, max: 40 }) })
      .map(({ e, extra }) => `${"x".repeat(255 - e.length + extra)}${e}`)
      .map((email) => broken(base, "email: 255+ characters", { email }, [["email", "TOO_LONG"]])),
    invalid
      .chain(spelledAs)
      .map((email) => broken(base, "email: not HTML email syntax", { email }, [["email", "INVALID_FORMAT"]])),
    canonicalEmail
      .chain(withControlInside)
      .map((email) =>
        broken(base, "email: a control character", { email }, [["email", "INVALID_CHARACTERS"]]),
      ),
    ...clearedWhileNeeded(base, "email"),
    fc.tuple(WHITESPACE_ONLY, WHITESPACE_ONLY).map(([email, phone]) =>
      broken(
        base,
        "email and phone both missing",
        { email, phone, preferredContactMethods: [], marketingEmailOptIn: false, marketingSmsOptIn: false },
        [
          ["email", "REQUIRED"],
          ["phone", "REQUIRED"],
        ],
      ),
    ),
  );
}

function brokenPhone(base: GeneratedCustomer): Mutation {
  const invalid = fc.oneof(
    fc.integer({ min: 0, max: 999 }).map((n) => `+${n}`),
    fc.constantFrom("call me", "abc", "+1 415 555 2671 1234", "0"),
    fc
      .tuple(phoneArb, fc.constantFrom(" ext. 12", " x12", ";ext=12"))
      .map(([p, ext]) => `${p.international}${ext}`),
  );
  const nationalPhones = phoneArb.filter((p) => p.national !== undefined);
  return fc.oneof(
    invalid
      .chain(spelledAs)
      .map((phone) => broken(base, "phone: not a valid number", { phone }, [["phone", "INVALID_FORMAT"]])),
    // National format, but neither an address country nor DEFAULT_PHONE_REGION says which country.
    nationalPhones.map((p) => ({
      ...broken(base, "phone: national format without a region", { phone: p.national, address: null }, [
        ["phone", "INVALID_FORMAT"],
      ]),
      defaultPhoneRegion: null,
    })),
    phoneArb
      .chain((p) => withControlInside(p.e164))
      .map((phone) =>
        broken(base, "phone: a control character", { phone }, [["phone", "INVALID_CHARACTERS"]]),
      ),
    ...clearedWhileNeeded(base, "phone"),
  );
}

const ADDRESS_TEXTS: [keyof AddressData, string, number][] = [
  ["line1", "line1", 100],
  ["line2", "line2", 100],
  ["city", "city", 100],
  ["state", "state", 100],
  ["postalCode", "postal_code", 20],
];

function brokenAddress(base: GeneratedCustomer): Mutation {
  return fc.tuple(addressArb, fc.constantFrom(...ADDRESS_TEXTS)).chain(([fresh, [key, field, max]]) => {
    const b = regionFree(base);
    const address = b.input.address ?? fresh.raw;
    const at = (rule: string, k: keyof AddressData, value: string, path: string, code: FieldErrorCode) =>
      broken(b, `address.${k}: ${rule}`, { address: { ...address, [k]: value } }, [
        [`address.${path}`, code],
      ]);
    const invalidCountry = fc.oneof(
      fc
        .tuple(fc.constantFrom(...ALNUM.slice(26, 52)), fc.constantFrom(...ALNUM.slice(26, 52)))
        .map(([a, c]) => `${a}${c}`)
        .filter((code) => !COUNTRY_SET.has(code)),
      fc.constantFrom("USA", "840", "U.S.", "U S", "\u0131t", "UK", "EU", "1A", "D"),
    );
    const required = fc.constantFrom<[keyof AddressData, string]>(
      ["line1", "line1"],
      ["city", "city"],
      ["country", "country"],
    );
    return fc.oneof(
      fc
        .tuple(required, WHITESPACE_ONLY)
        .map(([[k, path], blank]) => at("blank", k, blank, path, "REQUIRED")),
      fc
        .array(fc.oneof(letter, astralLetter), { minLength: max + 1, maxLength: max + 20 })
        .map((chars) => at(`${max + 1}+ characters`, key, chars.join(""), field, "TOO_LONG")),
      invalidCountry
        .chain(spelledAs)
        .map((country) =>
          at("not an ISO 3166-1 alpha-2 code", "country", country, "country", "INVALID_FORMAT"),
        ),
      withControlInside(nonEmpty((base.expected.address ?? fresh.canonical)[key])).map((value) =>
        at("a control character", key, value, field, "INVALID_CHARACTERS"),
      ),
    );
  });
}

function brokenContactMethods(base: GeneratedCustomer): Mutation {
  const methods = base.input.preferredContactMethods;
  const allowed = base.input.email.trim() !== "" ? EMAIL : PHONE;
  const duplicate =
    methods.length === 0
      ? fc.constant({ list: [allowed, allowed] as ContactMethod[], at: 1 })
      : fc
          .integer({ min: 0, max: methods.length - 1 })
          .chain((j) => fc.integer({ min: j + 1, max: methods.length }).map((k) => ({ j, k })))
          .map(({ j, k }) => {
            const list = [...methods];
            list.splice(k, 0, methods[j] as ContactMethod);
            return { list, at: k };
          });
  const unknown = fc
    .record({
      value: fc.constantFrom(0, 4, 5, 99, -1, 2147483647, -2147483648),
      at: fc.integer({ min: 0, max: methods.length }),
    })
    .map(({ value, at }) => {
      const list = [...methods];
      list.splice(at, 0, value as ContactMethod);
      return { list, at };
    });
  return fc.oneof(
    duplicate.map(({ list, at }) =>
      broken(base, "preferredContactMethods: a repeat", { preferredContactMethods: list }, [
        [`preferred_contact_methods[${at}]`, "DUPLICATE"],
      ]),
    ),
    unknown.map(({ list, at }) =>
      broken(
        base,
        "preferredContactMethods: UNSPECIFIED or an unknown number",
        { preferredContactMethods: list },
        [[`preferred_contact_methods[${at}]`, "INVALID_FORMAT"]],
      ),
    ),
  );
}

/** Customers that break exactly one documented rule (or, for "neither email nor phone", the one pair). */
export function brokenCustomer(defaultPhoneRegion?: string): fc.Arbitrary<BrokenCustomer> {
  return validCustomer(defaultPhoneRegion).chain((base) =>
    fc
      .oneof(
        brokenName(base, "first_name"),
        brokenName(base, "last_name"),
        brokenCompany(base),
        brokenEmail(base),
        brokenPhone(base),
        brokenAddress(base),
        brokenContactMethods(base),
      )
      .map(({ defaultPhoneRegion: region, ...rest }): BrokenCustomer => {
        const effective = region === null ? undefined : (region ?? base.defaultPhoneRegion);
        return { ...rest, ...(effective !== undefined ? { defaultPhoneRegion: effective } : {}) };
      }),
  );
}

// ---------------------------------------------------------------------------------------------
// Wire forms

/** The customer as a proto message (gRPC, Connect). */
export function customerMessage(data: CustomerData) {
  return create(CustomerSchema, { ...data, address: data.address ?? undefined });
}

/**
 * The customer as a REST JSON body: JSON names or proto names (both are accepted), enums by name,
 * numbers for values the enum does not declare.
 */
export function customerJson(data: CustomerData, naming: "json" | "proto" = "json"): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const field of CustomerSchema.fields) {
    const value = (data as unknown as Record<string, unknown>)[field.localName];
    if (value === undefined || value === null) continue;
    const name = naming === "json" ? field.jsonName : field.name;
    if (field.localName === "preferredContactMethods") {
      json[name] = (value as number[]).map((m) => (m in ContactMethod ? ContactMethod[m] : m));
    } else if (field.localName === "address") {
      const address: Record<string, unknown> = {};
      for (const [key, text] of Object.entries(value as AddressData)) {
        address[naming === "json" ? key : key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = text;
      }
      json[name] = address;
    } else {
      json[name] = value;
    }
  }
  return json;
}

/** A violation's proto path (`address.postal_code`, `preferred_contact_methods[1]`) in JSON names. */
export function jsonFieldPath(protoPath: string): string {
  return protoPath.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
