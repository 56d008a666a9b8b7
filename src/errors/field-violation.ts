/** Field error codes of the API contract (docs/api.md); sent as google.rpc.BadRequest `reason`. */
export type FieldErrorCode =
  | "REQUIRED"
  | "TOO_SHORT"
  | "TOO_LONG"
  | "INVALID_CHARACTERS"
  | "INVALID_FORMAT"
  | "NOT_ALLOWED"
  | "NOT_FOUND"
  | "DUPLICATE"
  | "UNKNOWN_FIELD"
  | "OUT_OF_RANGE";

/**
 * One invalid field. `field` is a proto field path (snake_case, dots between
 * message levels, `[i]` for list elements), relative to the message that was
 * validated; `description` is a sentence for humans that names the field by its
 * JSON name.
 */
export interface FieldViolation {
  field: string;
  code: FieldErrorCode;
  description: string;
}

/** Prefixes every violation's field path with `prefix.` (e.g. to make it relative to the request). */
export function prefixViolations(prefix: string, violations: readonly FieldViolation[]): FieldViolation[] {
  return violations.map((v) => ({ ...v, field: `${prefix}.${v.field}` }));
}
