import { create } from "@bufbuild/protobuf";
import { CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import type { FieldViolation } from "../errors/field-violation.js";
import { isCountryCode } from "./country-code.js";
import type { AddressData, CustomerData } from "./customer.js";
import { cleanCountry, cleanName, cleanText, hasControlCharacter } from "./customer-text.js";
import { parsePhoneNumber } from "./phone-number.js";
import { contractViolations, FORMAT_SENTENCES, type RankedViolation } from "./proto-rules.js";

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

// customer.proto states these fields' format as a pattern; the server-side rules below check what
// the pattern cannot (a real number, an assigned code) and describe both failures alike.
const PHONE_FORMAT = FORMAT_SENTENCES["customers.v1.Customer.phone"];
const COUNTRY_FORMAT = FORMAT_SENTENCES["customers.v1.Address.country"];

function cleanAddress(address: AddressData): AddressData {
  return {
    line1: cleanText(address.line1),
    line2: cleanText(address.line2),
    city: cleanText(address.city),
    state: cleanText(address.state),
    postalCode: cleanText(address.postalCode),
    country: cleanCountry(address.country),
  };
}

/**
 * Normalises a customer record (trim, NFC, collapsed name spaces, upper-case country, E.164 phone)
 * and reports every rule of the contract it breaks, at most one violation per field path, in field
 * order. The rules are customer.proto's buf.validate rules, checked by protovalidate on the
 * normalised record; this module adds only what CEL cannot express: the normalisation itself, phone
 * validity by libphonenumber and the ISO 3166-1 list of assigned country codes.
 */
export function validateCustomer(
  input: CustomerData,
  options: ValidateCustomerOptions = {},
): CustomerValidation {
  const address = input.address === null ? null : cleanAddress(input.address);
  const country = address?.country;
  // A national-format phone is read in the customer's own country when the address says which.
  const region = country !== undefined && isCountryCode(country) ? country : options.defaultPhoneRegion;
  const extra: RankedViolation[] = [];

  let phone = cleanText(input.phone);
  if (phone !== "" && !hasControlCharacter(phone)) {
    const parsed = parsePhoneNumber(phone, region);
    if ("error" in parsed) {
      extra.push({
        field: "phone",
        code: "INVALID_FORMAT",
        description: `phone ${PHONE_FORMAT}`,
        ruleId: "string.pattern",
      });
    } else {
      phone = parsed.e164;
    }
  }
  if (country !== undefined && country !== "" && !hasControlCharacter(country) && !isCountryCode(country)) {
    const description = `address.country ${COUNTRY_FORMAT}`;
    extra.push({ field: "address.country", code: "INVALID_FORMAT", description, ruleId: "string.pattern" });
  }

  const customer: CustomerData = {
    firstName: cleanName(input.firstName),
    lastName: cleanName(input.lastName),
    company: cleanText(input.company),
    email: cleanText(input.email),
    phone,
    address,
    preferredContactMethods: [...input.preferredContactMethods],
    marketingEmailOptIn: input.marketingEmailOptIn,
    marketingSmsOptIn: input.marketingSmsOptIn,
  };
  const message = create(CustomerSchema, { ...customer, address: address ?? undefined });
  return { customer, violations: contractViolations(CustomerSchema, message, extra) };
}
