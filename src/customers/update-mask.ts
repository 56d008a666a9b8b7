import { type DescMessage, getOption, isFieldSet } from "@bufbuild/protobuf";
import type { FieldMask } from "@bufbuild/protobuf/wkt";
import { AddressSchema, type Customer, CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import { FieldBehavior, field_behavior } from "../../gen/google/api/field_behavior_pb.js";
import type { FieldViolation } from "../errors/field-violation.js";
import type { AddressData, CustomerData } from "./customer.js";

/**
 * Proto names of the fields of `desc` annotated `(google.api.field_behavior) = OUTPUT_ONLY`, whatever
 * other behaviours (IMMUTABLE, REQUIRED, …) the repeated option also lists.
 */
export function outputOnlyFields(desc: DescMessage): ReadonlySet<string> {
  const names = desc.fields
    .filter((f) => getOption(f, field_behavior).includes(FieldBehavior.OUTPUT_ONLY))
    .map((f) => f.name);
  return new Set(names);
}

/** Proto names of the Customer fields the server owns, read once from customer.proto's annotations. */
export const OUTPUT_ONLY = outputOnlyFields(CustomerSchema);

/** The Customer fields an update may write (every field that is not output-only). */
const WRITABLE = CustomerSchema.fields.filter((f) => !OUTPUT_ONLY.has(f.name));

/** The resolved AIP-134 mask: top-level Customer fields to replace, and address sub-fields to replace. */
export interface ResolvedMask {
  fields: Set<string>;
  addressFields: Set<string>;
}

/**
 * Resolves an update_mask (AIP-134): absent or empty means the populated fields of `customer`; "*"
 * means every writable field (full replacement). Output-only paths are ignored (AIP-203); unknown
 * paths are violations on `update_mask`.
 */
export function resolveUpdateMask(
  mask: FieldMask | undefined,
  customer: Customer,
): { mask: ResolvedMask } | { violations: FieldViolation[] } {
  const resolved: ResolvedMask = { fields: new Set(), addressFields: new Set() };
  if (mask === undefined || mask.paths.length === 0) {
    for (const field of WRITABLE) if (isFieldSet(customer, field)) resolved.fields.add(field.name);
    return { mask: resolved };
  }
  if (mask.paths.includes("*")) {
    if (mask.paths.length > 1) {
      return { violations: [violation('update_mask may not combine "*" with other paths.')] };
    }
    for (const field of WRITABLE) resolved.fields.add(field.name);
    return { mask: resolved };
  }
  const unknown: string[] = [];
  for (const path of mask.paths) {
    const [head, sub, ...rest] = path.split(".");
    if (head === undefined || OUTPUT_ONLY.has(head)) continue;
    if (!hasField(CustomerSchema, head) || rest.length > 0) {
      unknown.push(path);
    } else if (sub === undefined) {
      resolved.fields.add(head);
    } else if (head === "address" && hasField(AddressSchema, sub)) {
      resolved.addressFields.add(sub);
    } else {
      unknown.push(path);
    }
  }
  if (unknown.length > 0) {
    return { violations: [violation(`update_mask names unknown fields: ${unknown.join(", ")}.`)] };
  }
  return { mask: resolved };
}

/** Writes the masked fields of `patch` over `current` and returns the merged data. */
export function applyUpdateMask(
  current: CustomerData,
  patch: CustomerData,
  mask: ResolvedMask,
): CustomerData {
  const merged: CustomerData = { ...current };
  const target = merged as unknown as Record<string, unknown>;
  const source = patch as unknown as Record<string, unknown>;
  for (const name of mask.fields) {
    const key = localName(CustomerSchema, name);
    target[key] = source[key];
  }
  if (mask.addressFields.size > 0 && !mask.fields.has("address")) {
    const address: AddressData = merged.address
      ? { ...merged.address }
      : { line1: "", line2: "", city: "", state: "", postalCode: "", country: "" };
    for (const name of mask.addressFields) {
      const key = localName(AddressSchema, name) as keyof AddressData;
      address[key] = patch.address?.[key] ?? "";
    }
    merged.address = address;
  }
  return merged;
}

function hasField(desc: DescMessage, name: string): boolean {
  return desc.fields.some((f) => f.name === name);
}

function localName(desc: DescMessage, name: string): string {
  const field = desc.fields.find((f) => f.name === name);
  if (!field) throw new Error(`${desc.typeName} has no field ${name}`);
  return field.localName;
}

function violation(description: string): FieldViolation {
  return { field: "update_mask", code: "UNKNOWN_FIELD", description };
}
