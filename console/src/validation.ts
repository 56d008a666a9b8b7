import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { pathToString } from "@bufbuild/protobuf/reflect";
import { createValidator } from "@bufbuild/protovalidate";

/**
 * Client-side validation with the contract's own rules: protovalidate reads the buf.validate options
 * compiled into the generated descriptors (gen/), so a rule added to the proto is enforced here with
 * no change to the console. The server stays the authority; its violations are shown as well.
 */
const validator = createValidator();

export interface ClientViolation {
  /** Field path in proto names, relative to the validated message (e.g. "address.city"). */
  field: string;
  description: string;
}

export function validateMessage<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
): ClientViolation[] {
  const result = validator.validate(schema, message);
  if (result.kind === "valid") return [];
  if (result.kind === "error") return [{ field: "", description: result.error.message }];
  return result.violations.map((v) => ({ field: pathToString(v.field), description: v.message }));
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
