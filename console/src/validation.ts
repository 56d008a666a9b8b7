import { clone, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { type Customer, CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import { cleanCountry, cleanName, cleanText } from "../../src/customers/customer-text.js";
import { contractViolations } from "../../src/customers/proto-rules.js";

/**
 * Client-side validation with the contract's own rules: protovalidate reads the buf.validate options
 * compiled into the generated descriptors (gen/), and the server's own rule table (proto-rules.ts)
 * turns its findings into the codes and sentences the server sends, so a rule added to the proto is
 * enforced here, worded as the server words it, with no change to the console. The server stays the
 * authority; its violations are shown as well.
 */
export interface ClientViolation {
  /** Field path in proto names, relative to the validated message (e.g. "address.city"). */
  field: string;
  description: string;
}

export function validateMessage<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
): ClientViolation[] {
  try {
    return contractViolations(schema, message).map(({ field, description }) => ({ field, description }));
  } catch (error) {
    return [{ field: "", description: error instanceof Error ? error.message : String(error) }];
  }
}

/**
 * A customer as the form holds it, checked against the proto rules. The rules describe the stored
 * record, after the server's normalisation (docs/api.md), so the same normalisation is applied first
 * (trim, NFC, collapsed name spaces, upper-case country). Only the server rewrites a phone to E.164
 * (libphonenumber accepts national formats that the E.164 pattern does not), so a typed phone's shape is
 * left to the server, whose violation is shown next to the field like any other.
 */
export function validateCustomer(draft: Customer): ClientViolation[] {
  const normalised = clone(CustomerSchema, draft);
  normalised.firstName = cleanName(normalised.firstName);
  normalised.lastName = cleanName(normalised.lastName);
  normalised.company = cleanText(normalised.company);
  normalised.email = cleanText(normalised.email);
  normalised.phone = cleanText(normalised.phone);
  const address = normalised.address;
  if (address) {
    address.line1 = cleanText(address.line1);
    address.line2 = cleanText(address.line2);
    address.city = cleanText(address.city);
    address.state = cleanText(address.state);
    address.postalCode = cleanText(address.postalCode);
    address.country = cleanCountry(address.country);
  }
  const typedPhone = normalised.phone !== "";
  return validateMessage(CustomerSchema, normalised).filter((v) => !(typedPhone && v.field === "phone"));
}

/** The search fields as the API checks them: at least one must be set (search-request.ts). */
export function validateSearch(
  fields: Record<string, string>,
  kind: "contact" | "address",
): string | undefined {
  if (Object.values(fields).every((value) => value.trim() === "")) {
    return kind === "contact"
      ? "Enter a phone, an email or a first name to search."
      : "Enter at least one address field to search.";
  }
  return undefined;
}
