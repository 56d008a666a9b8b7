import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { pathToString } from "@bufbuild/protobuf/reflect";
import { createValidator } from "@bufbuild/protovalidate";
import type { FieldErrorCode } from "../errors/field-violation.js";

/**
 * What a protovalidate rule id means in our error contract: the field error code, and for
 * message-level rules (whose violations name no field) the fields the contract reports them on.
 */
interface RuleMeaning {
  code: FieldErrorCode;
  fields?: readonly string[];
}

/**
 * The one table from protovalidate rule ids (standard ones and the `id`s of customer.proto's CEL
 * rules) to the contract's field error codes (docs/api.md). A rule id missing here is a programming
 * error and is reported as INVALID_FORMAT, so a new proto rule never surfaces as a crash.
 */
export const RULE_CODES: Readonly<Record<string, RuleMeaning>> = {
  required: { code: "REQUIRED" },
  "string.min_len": { code: "TOO_SHORT" },
  "string.max_len": { code: "TOO_LONG" },
  "string.pattern": { code: "INVALID_FORMAT" },
  "name.characters": { code: "INVALID_CHARACTERS" },
  "name.starts_with_letter": { code: "INVALID_CHARACTERS" },
  "text.control_characters": { code: "INVALID_CHARACTERS" },
  "email.format": { code: "INVALID_FORMAT" },
  "enum.defined_only": { code: "INVALID_FORMAT" },
  "enum.not_in": { code: "INVALID_FORMAT" },
  "repeated.unique": { code: "DUPLICATE" },
  "int32.gte": { code: "OUT_OF_RANGE" },
  "string.uuid": { code: "INVALID_FORMAT" },
  "customer.email_or_phone": { code: "REQUIRED", fields: ["email", "phone"] },
  "customer.email_for_opt_in": { code: "REQUIRED", fields: ["email"] },
  "customer.phone_for_opt_in": { code: "REQUIRED", fields: ["phone"] },
  "customer.email_for_method": { code: "REQUIRED", fields: ["email"] },
  "customer.phone_for_method": { code: "REQUIRED", fields: ["phone"] },
};

/** One broken proto rule: the proto field path it is reported on, our code, and its rule id. */
export interface ProtoRuleViolation {
  field: string;
  code: FieldErrorCode;
  ruleId: string;
}

// One validator for the process: it compiles each message's rules once and caches them.
const validator = createValidator();

/**
 * Every buf.validate rule of `message`'s proto that it breaks, in our vocabulary (RULE_CODES).
 * The proto rules hold for normalised records (customer.proto's comment): callers pass the
 * server's normalised form, not raw client input.
 */
export function protoRuleViolations<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
): ProtoRuleViolation[] {
  const result = validator.validate(schema, message);
  if (result.kind === "valid") return [];
  if (result.kind === "error") throw result.error;
  return result.violations.flatMap((violation) => {
    const meaning = RULE_CODES[violation.ruleId] ?? { code: "INVALID_FORMAT" };
    const fields = meaning.fields ?? [pathToString(violation.field)];
    return fields.map((field) => ({ field, code: meaning.code, ruleId: violation.ruleId }));
  });
}
