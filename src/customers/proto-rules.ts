import { type DescField, type DescMessage, getOption, type MessageShape } from "@bufbuild/protobuf";
import { type Path, pathToString, type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";
import { createValidator, type Violation } from "@bufbuild/protovalidate";
import { field as validateField } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import type { FieldErrorCode, FieldViolation } from "../errors/field-violation.js";

/**
 * What a protovalidate rule id means in our error contract: the field error code, and for
 * message-level rules (whose violations name no field) the fields the contract reports them on.
 */
interface RuleMeaning {
  code: FieldErrorCode;
  fields?: readonly string[];
}

/**
 * The one table from protovalidate rule ids (standard ones and the `id`s of the protos' CEL rules)
 * to the contract's field error codes (docs/api.md), in order of relevance: when a field breaks
 * several rules, the contract reports only the first of them here (a missing value before its
 * characters, its characters before its length, its length before its syntax). A rule id missing
 * here is a programming error and is reported as INVALID_FORMAT, so a new proto rule never crashes.
 */
export const RULE_CODES: Readonly<Record<string, RuleMeaning>> = {
  required: { code: "REQUIRED" },
  "customer.email_for_opt_in": { code: "REQUIRED", fields: ["email"] },
  "customer.phone_for_opt_in": { code: "REQUIRED", fields: ["phone"] },
  "customer.email_for_method": { code: "REQUIRED", fields: ["email"] },
  "customer.phone_for_method": { code: "REQUIRED", fields: ["phone"] },
  "customer.email_or_phone": { code: "REQUIRED", fields: ["email", "phone"] },
  "text.control_characters": { code: "INVALID_CHARACTERS" },
  "name.characters": { code: "INVALID_CHARACTERS" },
  "name.starts_with_letter": { code: "INVALID_CHARACTERS" },
  "string.max_len": { code: "TOO_LONG" },
  "string.min_len": { code: "TOO_SHORT" },
  "email.format": { code: "INVALID_FORMAT" },
  "string.pattern": { code: "INVALID_FORMAT" },
  "string.uuid": { code: "INVALID_FORMAT" },
  "int32.gte": { code: "OUT_OF_RANGE" },
  "enum.defined_only": { code: "INVALID_FORMAT" },
  "enum.not_in": { code: "INVALID_FORMAT" },
  "repeated.unique": { code: "DUPLICATE" },
};

const RELEVANCE = new Map(Object.keys(RULE_CODES).map((ruleId, i) => [ruleId, i]));
const UNKNOWN_RULE: RuleMeaning = { code: "INVALID_FORMAT" };

/** One broken proto rule: the proto field path it is reported on, our code, and its rule id. */
export interface ProtoRuleViolation {
  field: string;
  code: FieldErrorCode;
  ruleId: string;
}

/** A broken rule in the contract's shape, with its rule id so callers can rank it against their own. */
export interface RankedViolation extends FieldViolation {
  ruleId: string;
}

// One validator for the process: it compiles each message's rules once and caches them.
const validator = createValidator();

function violationsOf<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): Violation[] {
  const result = validator.validate(schema, message);
  if (result.kind === "valid") return [];
  if (result.kind === "error") throw result.error;
  return result.violations;
}

/**
 * Every buf.validate rule of `message`'s proto that it breaks, in our vocabulary (RULE_CODES), one
 * entry per rule. Customer's rules hold for normalised records (customer.proto's comment): callers
 * pass the server's normalised form, not raw client input.
 */
export function protoRuleViolations<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
): ProtoRuleViolation[] {
  return violationsOf(schema, message).flatMap((violation) => {
    const meaning = RULE_CODES[violation.ruleId] ?? UNKNOWN_RULE;
    const fields = meaning.fields ?? [pathToString(violation.field)];
    return fields.map((field) => ({ field, code: meaning.code, ruleId: violation.ruleId }));
  });
}

/** The JSON spelling of a proto path (`address.postalCode`, `preferredContactMethods[1]`). */
function jsonPath(path: Path): string {
  let out = "";
  for (const element of path) {
    if (element.kind === "list_sub") out += `[${element.index}]`;
    else if (element.kind === "map_sub") out += `[${JSON.stringify(String(element.key))}]`;
    else {
      const name = element.kind === "oneof" ? element.localName : element.jsonName;
      out += out === "" ? name : `.${name}`;
    }
  }
  return out;
}

function lastField(path: Path): DescField | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    const element = path[i];
    if (element.kind === "field") return element;
  }
  return undefined;
}

/** The value at `path` in `message`, as protobuf-es reflection sees it. */
function valueAt(message: ReflectMessage, path: Path): unknown {
  let value: unknown = message;
  for (const element of path) {
    if (element.kind !== "field") return undefined;
    value = (value as ReflectMessage).get(element);
  }
  return value;
}

/**
 * The sentence a standard rule's violation is described by, after the field's JSON path
 * ("must have 2 to 50 characters."). Rules with their own CEL message use that message instead.
 */
function standardSentence(violation: Violation): string {
  const field = lastField(violation.field);
  const rules = field ? getOption(field, validateField) : undefined;
  switch (violation.ruleId) {
    case "required":
      return "is required.";
    case "string.min_len":
    case "string.max_len": {
      const s = rules?.type.case === "string" ? rules.type.value : undefined;
      const min = Number(s?.minLen ?? 0n);
      const max = Number(s?.maxLen ?? 0n);
      if (min > 0 && max > 0) return `must have ${min} to ${max} characters.`;
      return max > 0 ? `must have at most ${max} characters.` : `must have at least ${min} characters.`;
    }
    case "int32.gte": {
      const gte = rules?.type.case === "int32" ? rules.type.value.greaterThan : undefined;
      const bound = gte?.case === "gte" ? gte.value : 0;
      return bound === 0 ? "must not be negative." : `must be at least ${bound}.`;
    }
    case "string.uuid":
      return "must be a UUID.";
    case "enum.defined_only":
    case "enum.not_in": {
      const names = field?.enum?.values.filter((v) => v.number !== 0).map((v) => v.name) ?? [];
      return names.length > 1
        ? `must be ${names.slice(0, -1).join(", ")} or ${names.at(-1)}.`
        : `must be ${names[0] ?? "a defined value"}.`;
    }
    default:
      return (field && FORMAT_SENTENCES[`${field.parent.typeName}.${field.name}`]) || violation.message;
  }
}

/**
 * The contract's sentences for the fields whose format the protos state as a `pattern`, by the
 * field's full name; validate-customer.ts describes its server-side checks of the same fields alike.
 */
export const FORMAT_SENTENCES: Readonly<Record<string, string>> = {
  "customers.v1.Customer.phone": "must be a valid phone number in international format such as +14155552671.",
  "customers.v1.Address.country": "must be an ISO 3166-1 alpha-2 country code such as US.",
};

/**
 * The violations of one protovalidate result in the contract's shape: each field path named once
 * by its JSON spelling in the description, message-level rules reported on the fields RULE_CODES
 * names, and a `repeated.unique` violation reported on each element that repeats an earlier one.
 */
function describe<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  violation: Violation,
): RankedViolation[] {
  const { ruleId } = violation;
  const meaning = RULE_CODES[ruleId] ?? UNKNOWN_RULE;
  if (meaning.fields) {
    return meaning.fields.map((field) => ({
      field,
      code: meaning.code,
      description: violation.message,
      ruleId,
    }));
  }
  const field = pathToString(violation.field);
  if (ruleId === "repeated.unique") {
    const list = valueAt(reflect(schema, message), violation.field) as Iterable<unknown> | undefined;
    const enumType = lastField(violation.field)?.enum;
    const seen = new Set<unknown>();
    const repeats: RankedViolation[] = [];
    let i = 0;
    for (const value of list ?? []) {
      if (seen.has(value)) {
        const name = enumType?.values.find((v) => v.number === value)?.name ?? String(value);
        repeats.push({
          field: `${field}[${i}]`,
          code: meaning.code,
          description: `${jsonPath(violation.field)}[${i}] repeats ${name}, which is already listed.`,
          ruleId,
        });
      }
      seen.add(value);
      i++;
    }
    return repeats;
  }
  const own = violation.rule.some((element) => element.kind === "field" && element.name === "cel");
  const sentence = own ? violation.message : standardSentence(violation);
  return [{ field, code: meaning.code, description: `${jsonPath(violation.field)} ${sentence}`, ruleId }];
}

/** A field path's position in `schema`'s field order: nested fields inside their parent, list elements by index. */
function fieldOrder(schema: DescMessage): (path: string) => number[] {
  const positions = new Map<string, number[]>();
  const walk = (message: DescMessage, prefix: string, at: number[], depth: number) => {
    message.fields.forEach((field, i) => {
      const path = prefix === "" ? field.name : `${prefix}.${field.name}`;
      positions.set(path, [...at, i]);
      if (field.message && depth < 4 && field.message !== message)
        walk(field.message, path, [...at, i], depth + 1);
    });
  };
  walk(schema, "", [], 0);
  return (path) => {
    const element = /^(.*)\[(\d+)\]$/.exec(path);
    const base = positions.get(element ? element[1] : path) ?? [Number.MAX_SAFE_INTEGER];
    return element ? [...base, Number(element[2])] : base;
  };
}

const orders = new WeakMap<DescMessage, (path: string) => number[]>();

function compareOrder(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function relevance(ruleId: string): number {
  return RELEVANCE.get(ruleId) ?? RELEVANCE.size;
}

/**
 * The contract's violations of `message` (docs/api.md, "Errors"): the rules its proto declares
 * plus `extra` ones the caller checks beyond CEL, at most one per field path (the most relevant,
 * by RULE_CODES order; an extra one ranks as the rule id it carries), in the message's field order.
 */
export function contractViolations<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  extra: readonly RankedViolation[] = [],
): FieldViolation[] {
  const all = [...violationsOf(schema, message).flatMap((v) => describe(schema, message, v)), ...extra];
  if (all.length === 0) return [];
  const best = new Map<string, RankedViolation>();
  for (const v of all) {
    const current = best.get(v.field);
    if (!current || relevance(v.ruleId) < relevance(current.ruleId)) best.set(v.field, v);
  }
  let order = orders.get(schema);
  if (!order) {
    order = fieldOrder(schema);
    orders.set(schema, order);
  }
  const rank = order;
  return [...best.values()]
    .sort((a, b) => compareOrder(rank(a.field), rank(b.field)))
    .map(({ field, code, description }) => ({ field, code, description }));
}
