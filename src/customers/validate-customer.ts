import { getOption, type Message } from "@bufbuild/protobuf";
import type { GenMessage } from "@bufbuild/protobuf/codegenv2";
import { AddressSchema, ContactMethod, CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import { FieldBehavior, field_behavior } from "../../gen/google/api/field_behavior_pb.js";
import type { FieldErrorCode, FieldViolation } from "../errors/field-violation.js";
import { isCountryCode } from "./country-code.js";
import type { AddressData, CustomerData } from "./customer.js";
import { parsePhoneNumber } from "./phone-number.js";

/** Settings for validateCustomer that depend on the deployment rather than on the record. */
export interface ValidateCustomerOptions {
  /** ISO 3166-1 alpha-2 region for national-format phones when the address gives no valid country. */
  defaultPhoneRegion?: string;
}

/** The normalised customer and every rule it breaks (empty when the customer is valid). */
export interface CustomerValidation {
  customer: CustomerData;
  violations: FieldViolation[];
}

/** One field's normalised value and, if it breaks a rule, the single most relevant violation. */
interface Checked<T> {
  value: T;
  violation?: FieldViolation;
}

const NAME_MIN = 2;
const NAME_MAX = 50;
const COMPANY_MAX = 100;
const EMAIL_MAX = 254;
const ADDRESS_TEXT_MAX = 100;
const POSTAL_CODE_MAX = 20;

const CONTROL_CHARACTER = /\p{Cc}/u;
// Apostrophes include U+2019 because phones and word processors turn ' into ’ as people type.
const NAME_CHARACTERS = /^[\p{L}\p{M} '’.-]*$/u;
const STARTS_WITH_LETTER = /^\p{L}/u;
// The WHATWG HTML "valid email address" production, verbatim (seed rule: HTML-spec email syntax).
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const CONTACT_METHODS: ReadonlySet<ContactMethod> = new Set([
  ContactMethod.EMAIL,
  ContactMethod.PHONE,
  ContactMethod.SMS,
]);

/**
 * A field as its rules see it: the proto path violations carry, the JSON path their descriptions name it
 * by (docs/api.md), and whether customer.proto marks it `(google.api.field_behavior) = REQUIRED`.
 */
interface RuleField {
  path: string;
  json: string;
  required: boolean;
}

/** Every field of `schema` by local name, below `parent` when the message is nested in one. */
function ruleFields<T extends Message>(
  schema: GenMessage<T>,
  parent?: RuleField,
): Record<Exclude<keyof T, keyof Message>, RuleField> {
  const fields: Record<string, RuleField> = {};
  for (const field of schema.fields) {
    fields[field.localName] = {
      path: parent ? `${parent.path}.${field.name}` : field.name,
      json: parent ? `${parent.json}.${field.jsonName}` : field.jsonName,
      required: getOption(field, field_behavior).includes(FieldBehavior.REQUIRED),
    };
  }
  return fields as Record<Exclude<keyof T, keyof Message>, RuleField>;
}

// Built once, at module load: each rule below names its field once, by one of these.
const CUSTOMER = ruleFields(CustomerSchema);
const ADDRESS = ruleFields(AddressSchema, CUSTOMER.address);

/** The `i`th element of a repeated field (`preferred_contact_methods[1]`, `preferredContactMethods[1]`). */
function element(field: RuleField, i: number): RuleField {
  return { path: `${field.path}[${i}]`, json: `${field.json}[${i}]`, required: false };
}

/** A violation of `field` described as its JSON path followed by `sentence` ("is required."). */
function violation(field: RuleField, code: FieldErrorCode, sentence: string): FieldViolation {
  return { field: field.path, code, description: `${field.json} ${sentence}` };
}

function clean(raw: string): string {
  return raw.normalize("NFC").trim();
}

function codePoints(text: string): number {
  return [...text].length;
}

/** Checks a free-text field: presence if it is REQUIRED, control characters, length in code points. */
function checkText(raw: string, field: RuleField, max: number): Checked<string> {
  const value = clean(raw);
  if (value === "") {
    return field.required ? { value, violation: violation(field, "REQUIRED", "is required.") } : { value };
  }
  if (CONTROL_CHARACTER.test(value)) {
    return {
      value,
      violation: violation(field, "INVALID_CHARACTERS", "must not contain control characters."),
    };
  }
  if (codePoints(value) > max) {
    return { value, violation: violation(field, "TOO_LONG", `must have at most ${max} characters.`) };
  }
  return { value };
}

function checkName(raw: string, field: RuleField): Checked<string> {
  const present = checkText(raw, field, Number.POSITIVE_INFINITY);
  if (present.violation) {
    return present;
  }
  // Control characters were rejected above, so only visible whitespace (e.g. NBSP, U+3000) is collapsed.
  const value = present.value.replace(/\s+/gu, " ");
  // Characters are checked before length: a name with a digit stays wrong whatever its length.
  if (!NAME_CHARACTERS.test(value)) {
    const sentence = "may contain only letters, spaces, apostrophes, hyphens and periods.";
    return { value, violation: violation(field, "INVALID_CHARACTERS", sentence) };
  }
  if (!STARTS_WITH_LETTER.test(value)) {
    return { value, violation: violation(field, "INVALID_CHARACTERS", "must start with a letter.") };
  }
  const length = codePoints(value);
  if (length < NAME_MIN || length > NAME_MAX) {
    const code = length < NAME_MIN ? "TOO_SHORT" : "TOO_LONG";
    return { value, violation: violation(field, code, `must have ${NAME_MIN} to ${NAME_MAX} characters.`) };
  }
  return { value };
}

function checkEmail(raw: string): Checked<string> {
  // Length before syntax: the error names the limit, and the regex never sees unbounded input.
  const text = checkText(raw, CUSTOMER.email, EMAIL_MAX);
  if (text.violation || text.value === "" || EMAIL.test(text.value)) {
    return text;
  }
  const sentence = "must be a valid email address such as name@example.com.";
  return { value: text.value, violation: violation(CUSTOMER.email, "INVALID_FORMAT", sentence) };
}

function checkPhone(raw: string, region: string | undefined): Checked<string> {
  const text = checkText(raw, CUSTOMER.phone, Number.POSITIVE_INFINITY);
  if (text.violation || text.value === "") {
    return text;
  }
  const parsed = parsePhoneNumber(text.value, region);
  if ("error" in parsed) {
    const sentence = "must be a valid phone number in international format such as +14155552671.";
    return { value: text.value, violation: violation(CUSTOMER.phone, "INVALID_FORMAT", sentence) };
  }
  return { value: parsed.e164 };
}

function checkCountry(raw: string): Checked<string> {
  const text = checkText(raw, ADDRESS.country, ADDRESS_TEXT_MAX);
  // Only ASCII letters are upper-cased: "ıt".toUpperCase() would turn a typo into "IT".
  const value = text.value.replace(/[a-z]/g, (letter) => letter.toUpperCase());
  if (text.violation || isCountryCode(value)) {
    return { ...text, value };
  }
  const sentence = "must be an ISO 3166-1 alpha-2 country code such as US.";
  return { value, violation: violation(ADDRESS.country, "INVALID_FORMAT", sentence) };
}

function checkAddress(address: AddressData): { value: AddressData; checks: Checked<string>[] } {
  const line1 = checkText(address.line1, ADDRESS.line1, ADDRESS_TEXT_MAX);
  const line2 = checkText(address.line2, ADDRESS.line2, ADDRESS_TEXT_MAX);
  const city = checkText(address.city, ADDRESS.city, ADDRESS_TEXT_MAX);
  const state = checkText(address.state, ADDRESS.state, ADDRESS_TEXT_MAX);
  const postalCode = checkText(address.postalCode, ADDRESS.postalCode, POSTAL_CODE_MAX);
  const country = checkCountry(address.country);
  return {
    value: {
      line1: line1.value,
      line2: line2.value,
      city: city.value,
      state: state.value,
      postalCode: postalCode.value,
      country: country.value,
    },
    checks: [line1, line2, city, state, postalCode, country],
  };
}

function checkContactMethods(methods: readonly ContactMethod[]): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const seen = new Set<ContactMethod>();
  methods.forEach((method, i) => {
    if (!CONTACT_METHODS.has(method)) {
      const field = element(CUSTOMER.preferredContactMethods, i);
      violations.push(violation(field, "INVALID_FORMAT", "must be EMAIL, PHONE or SMS."));
    } else if (seen.has(method)) {
      const field = element(CUSTOMER.preferredContactMethods, i);
      const sentence = `repeats ${ContactMethod[method]}, which is already listed.`;
      violations.push(violation(field, "DUPLICATE", sentence));
    }
    seen.add(method);
  });
  return violations;
}

/** The description of both email and phone when neither is given: the record needs one of them. */
const EMAIL_OR_PHONE = `${CUSTOMER.email.json} or ${CUSTOMER.phone.json} is required.`;

/**
 * The reason email or phone is required although empty, most specific first: an opt-in or a
 * preferred contact method tells the client which of the two it must send, "email or phone" does not.
 */
function missingContact(
  contact: "email" | "phone",
  input: CustomerData,
  otherPresent: boolean,
): FieldViolation | undefined {
  const field = CUSTOMER[contact];
  const optIn = contact === "email" ? "marketingEmailOptIn" : "marketingSmsOptIn";
  const needing = contact === "email" ? [ContactMethod.EMAIL] : [ContactMethod.PHONE, ContactMethod.SMS];
  const method = input.preferredContactMethods.find((m) => needing.includes(m));
  if (input[optIn]) {
    return violation(field, "REQUIRED", `is required when ${CUSTOMER[optIn].json} is true.`);
  }
  if (method !== undefined) {
    const methods = CUSTOMER.preferredContactMethods.json;
    return violation(field, "REQUIRED", `is required when ${methods} contains ${ContactMethod[method]}.`);
  }
  return otherPresent ? undefined : { field: field.path, code: "REQUIRED", description: EMAIL_OR_PHONE };
}

/**
 * Normalises a customer record (trim, NFC, collapsed name spaces, upper-case country, E.164 phone) and
 * reports every rule of the contract it breaks, at most one violation per field path, in field order.
 */
export function validateCustomer(
  input: CustomerData,
  options: ValidateCustomerOptions = {},
): CustomerValidation {
  const firstName = checkName(input.firstName, CUSTOMER.firstName);
  const lastName = checkName(input.lastName, CUSTOMER.lastName);
  const company = checkText(input.company, CUSTOMER.company, COMPANY_MAX);
  const address = input.address === null ? null : checkAddress(input.address);
  const country = address?.value.country;
  // A national-format phone is read in the customer's own country when the address says which.
  const region = country !== undefined && isCountryCode(country) ? country : options.defaultPhoneRegion;
  const email = checkEmail(input.email);
  const phone = checkPhone(input.phone, region);

  // Presence, not validity, decides the conditional rules: an invalid value already has its own violation.
  const emailMissing = email.value === "" ? missingContact("email", input, phone.value !== "") : undefined;
  const phoneMissing = phone.value === "" ? missingContact("phone", input, email.value !== "") : undefined;

  const violations = [
    firstName.violation,
    lastName.violation,
    company.violation,
    email.violation ?? emailMissing,
    phone.violation ?? phoneMissing,
    ...(address?.checks.map((check) => check.violation) ?? []),
    ...checkContactMethods(input.preferredContactMethods),
  ].filter((v): v is FieldViolation => v !== undefined);

  return {
    customer: {
      firstName: firstName.value,
      lastName: lastName.value,
      company: company.value,
      email: email.value,
      phone: phone.value,
      address: address?.value ?? null,
      preferredContactMethods: [...input.preferredContactMethods],
      marketingEmailOptIn: input.marketingEmailOptIn,
      marketingSmsOptIn: input.marketingSmsOptIn,
    },
    violations,
  };
}
