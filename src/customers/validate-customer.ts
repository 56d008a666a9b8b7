import { ContactMethod } from "../../gen/customers/v1/customer_pb.js";
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

function violation(field: string, code: FieldErrorCode, description: string): FieldViolation {
  return { field, code, description };
}

function clean(raw: string): string {
  return raw.normalize("NFC").trim();
}

function codePoints(text: string): number {
  return [...text].length;
}

/** Checks a free-text field: presence, control characters, length in code points. */
function checkText(
  raw: string,
  field: string,
  name: string,
  max: number,
  required: boolean,
): Checked<string> {
  const value = clean(raw);
  if (value === "") {
    return required ? { value, violation: violation(field, "REQUIRED", `${name} is required.`) } : { value };
  }
  if (CONTROL_CHARACTER.test(value)) {
    return {
      value,
      violation: violation(field, "INVALID_CHARACTERS", `${name} must not contain control characters.`),
    };
  }
  if (codePoints(value) > max) {
    return { value, violation: violation(field, "TOO_LONG", `${name} must have at most ${max} characters.`) };
  }
  return { value };
}

function checkName(raw: string, field: string, name: string): Checked<string> {
  const present = checkText(raw, field, name, Number.POSITIVE_INFINITY, true);
  if (present.violation) {
    return present;
  }
  // Control characters were rejected above, so only visible whitespace (e.g. NBSP, U+3000) is collapsed.
  const value = present.value.replace(/\s+/gu, " ");
  // Characters are checked before length: a name with a digit stays wrong whatever its length.
  if (!NAME_CHARACTERS.test(value)) {
    const description = `${name} may contain only letters, spaces, apostrophes, hyphens and periods.`;
    return { value, violation: violation(field, "INVALID_CHARACTERS", description) };
  }
  if (!STARTS_WITH_LETTER.test(value)) {
    return { value, violation: violation(field, "INVALID_CHARACTERS", `${name} must start with a letter.`) };
  }
  const length = codePoints(value);
  if (length < NAME_MIN || length > NAME_MAX) {
    const code = length < NAME_MIN ? "TOO_SHORT" : "TOO_LONG";
    return {
      value,
      violation: violation(field, code, `${name} must have ${NAME_MIN} to ${NAME_MAX} characters.`),
    };
  }
  return { value };
}

function checkEmail(raw: string): Checked<string> {
  // Length before syntax: the error names the limit, and the regex never sees unbounded input.
  const text = checkText(raw, "email", "email", EMAIL_MAX, false);
  if (text.violation || text.value === "" || EMAIL.test(text.value)) {
    return text;
  }
  const description = "email must be a valid email address such as name@example.com.";
  return { value: text.value, violation: violation("email", "INVALID_FORMAT", description) };
}

function checkPhone(raw: string, region: string | undefined): Checked<string> {
  const text = checkText(raw, "phone", "phone", Number.POSITIVE_INFINITY, false);
  if (text.violation || text.value === "") {
    return text;
  }
  const parsed = parsePhoneNumber(text.value, region);
  if ("error" in parsed) {
    const description = "phone must be a valid phone number in international format such as +14155552671.";
    return { value: text.value, violation: violation("phone", "INVALID_FORMAT", description) };
  }
  return { value: parsed.e164 };
}

function checkCountry(raw: string): Checked<string> {
  const text = checkText(raw, "address.country", "address.country", ADDRESS_TEXT_MAX, true);
  // Only ASCII letters are upper-cased: "ıt".toUpperCase() would turn a typo into "IT".
  const value = text.value.replace(/[a-z]/g, (letter) => letter.toUpperCase());
  if (text.violation || isCountryCode(value)) {
    return { ...text, value };
  }
  const description = "address.country must be an ISO 3166-1 alpha-2 country code such as US.";
  return { value, violation: violation("address.country", "INVALID_FORMAT", description) };
}

function checkAddress(address: AddressData): { value: AddressData; checks: Checked<string>[] } {
  const line1 = checkText(address.line1, "address.line1", "address.line1", ADDRESS_TEXT_MAX, true);
  const line2 = checkText(address.line2, "address.line2", "address.line2", ADDRESS_TEXT_MAX, false);
  const city = checkText(address.city, "address.city", "address.city", ADDRESS_TEXT_MAX, true);
  const state = checkText(address.state, "address.state", "address.state", ADDRESS_TEXT_MAX, false);
  const postalCode = checkText(
    address.postalCode,
    "address.postal_code",
    "address.postalCode",
    POSTAL_CODE_MAX,
    false,
  );
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
    const field = `preferred_contact_methods[${i}]`;
    const name = `preferredContactMethods[${i}]`;
    if (!CONTACT_METHODS.has(method)) {
      violations.push(violation(field, "INVALID_FORMAT", `${name} must be EMAIL, PHONE or SMS.`));
    } else if (seen.has(method)) {
      const description = `${name} repeats ${ContactMethod[method]}, which is already listed.`;
      violations.push(violation(field, "DUPLICATE", description));
    }
    seen.add(method);
  });
  return violations;
}

/**
 * The reason email or phone is required although empty, most specific first: an opt-in or a
 * preferred contact method tells the client which of the two it must send, "email or phone" does not.
 */
function missingContact(
  field: "email" | "phone",
  input: CustomerData,
  otherPresent: boolean,
): FieldViolation | undefined {
  const optIn = field === "email" ? "marketingEmailOptIn" : "marketingSmsOptIn";
  const needing = field === "email" ? [ContactMethod.EMAIL] : [ContactMethod.PHONE, ContactMethod.SMS];
  const method = input.preferredContactMethods.find((m) => needing.includes(m));
  if (input[optIn]) {
    return violation(field, "REQUIRED", `${field} is required when ${optIn} is true.`);
  }
  if (method !== undefined) {
    const description = `${field} is required when preferredContactMethods contains ${ContactMethod[method]}.`;
    return violation(field, "REQUIRED", description);
  }
  return otherPresent ? undefined : violation(field, "REQUIRED", "email or phone is required.");
}

/**
 * Normalises a customer record (trim, NFC, collapsed name spaces, upper-case country, E.164 phone) and
 * reports every rule of the contract it breaks, at most one violation per field path, in field order.
 */
export function validateCustomer(
  input: CustomerData,
  options: ValidateCustomerOptions = {},
): CustomerValidation {
  const firstName = checkName(input.firstName, "first_name", "firstName");
  const lastName = checkName(input.lastName, "last_name", "lastName");
  const company = checkText(input.company, "company", "company", COMPANY_MAX, false);
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
