// Create-customer input checks for the baselines: the rules a Node team would write from docs/api.md
// in one function (names, email syntax, phone to E.164 with libphonenumber, address, contact methods),
// so a baseline create does comparable work to the service's validateCustomer, not none.
import parsePhoneNumberFromString from "libphonenumber-js/max";
import { v7 as uuidv7 } from "uuid";
import type { NewCustomer } from "./customer-sql.js";

/** One rejected field. */
export interface FieldError {
  field: string;
  code: string;
}

const NAME = /^\p{L}[\p{L}\p{M} '’.-]*$/u;
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const COUNTRY = /^[A-Z]{2}$/;
const CONTROL = /\p{Cc}/u;
const METHODS = new Set(["EMAIL", "PHONE", "SMS"]);

function text(value: unknown): string {
  return typeof value === "string" ? value.normalize("NFC").trim() : "";
}

/** Parses an international (or, with `region`, national) phone number to E.164. */
export function toE164(raw: string, region?: string): string | undefined {
  const parsed = parsePhoneNumberFromString(raw, {
    extract: false,
    ...(region ? { defaultCountry: region as never } : {}),
  });
  return parsed?.isValid() && !parsed.ext ? parsed.number : undefined;
}

/** Checks a customer given as proto3 JSON (REST) or a proto-loader object (gRPC) and builds the row. */
export function parseNewCustomer(input: unknown): { customer: NewCustomer } | { errors: FieldError[] } {
  const c = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  const fail = (field: string, code: string) => errors.push({ field, code });
  const name = (field: string) => {
    const value = text(c[field]).replace(/\s+/gu, " ");
    const length = [...value].length;
    if (value === "") fail(field, "REQUIRED");
    else if (!NAME.test(value)) fail(field, "INVALID_CHARACTERS");
    else if (length < 2 || length > 50) fail(field, length < 2 ? "TOO_SHORT" : "TOO_LONG");
    return value;
  };
  const bounded = (field: string, value: string, max: number) => {
    if (CONTROL.test(value)) fail(field, "INVALID_CHARACTERS");
    else if ([...value].length > max) fail(field, "TOO_LONG");
    return value;
  };
  if (text(c.customerId) !== "") fail("customerId", "NOT_ALLOWED");
  const firstName = name("firstName");
  const lastName = name("lastName");
  const company = bounded("company", text(c.company), 100);
  const email = bounded("email", text(c.email), 254);
  if (email !== "" && !EMAIL.test(email)) fail("email", "INVALID_FORMAT");

  let address: NewCustomer["address"] = null;
  if (typeof c.address === "object" && c.address !== null) {
    const a = c.address as Record<string, unknown>;
    const part = (field: string, max: number, required: boolean) => {
      const value = bounded(`address.${field}`, text(a[field]), max);
      if (required && value === "") fail(`address.${field}`, "REQUIRED");
      return value;
    };
    address = {
      line1: part("line1", 100, true),
      line2: part("line2", 100, false),
      city: part("city", 100, true),
      state: part("state", 100, false),
      postalCode: part("postalCode", 20, false),
      country: part("country", 2, true).toUpperCase(),
    };
    if (address.country !== "" && !COUNTRY.test(address.country)) fail("address.country", "INVALID_FORMAT");
  }

  const rawPhone = text(c.phone);
  const phone = rawPhone === "" ? "" : toE164(rawPhone, address?.country || undefined);
  if (phone === undefined) fail("phone", "INVALID_FORMAT");

  const methods = Array.isArray(c.preferredContactMethods) ? c.preferredContactMethods.map(String) : [];
  methods.forEach((m, i) => {
    if (!METHODS.has(m)) fail(`preferredContactMethods[${i}]`, "INVALID_FORMAT");
    else if (methods.indexOf(m) !== i) fail(`preferredContactMethods[${i}]`, "DUPLICATE");
  });
  const emailOptIn = c.marketingEmailOptIn === true;
  const smsOptIn = c.marketingSmsOptIn === true;
  if (email === "" && (rawPhone === "" || emailOptIn || methods.includes("EMAIL"))) fail("email", "REQUIRED");
  if (rawPhone === "" && (email === "" || smsOptIn || methods.includes("PHONE") || methods.includes("SMS"))) {
    fail("phone", "REQUIRED");
  }
  if (errors.length > 0 || phone === undefined) return { errors };
  return {
    customer: {
      id: uuidv7(),
      firstName,
      lastName,
      company,
      email,
      phone,
      address,
      preferredContactMethods: methods,
      marketingEmailOptIn: emailOptIn,
      marketingSmsOptIn: smsOptIn,
      createdAt: new Date(),
    },
  };
}
