import {
  type SearchCustomersByAddressRequest,
  SearchCustomersByAddressRequestSchema,
  type SearchCustomersRequest,
  SearchCustomersRequestSchema,
} from "../../gen/customers/v1/customer_service_pb.js";
import { ApiError } from "../errors/api-error.js";
import type { FieldViolation } from "../errors/field-violation.js";
import type { CustomerRecord } from "./customer.js";
import type { AddressSearch, ContactSearch, CustomerRepository, PageCursor } from "./customer-repository.js";
import type { PageTokenCodec } from "./page-token.js";
import { parsePhoneNumber } from "./phone-number.js";
import { contractViolations } from "./proto-rules.js";
import { searchKey } from "./search-key.js";

/** Page size when the request gives none (AIP-158 lets the service choose). */
export const DEFAULT_PAGE_SIZE = 50;
/** Larger page sizes are lowered to this (AIP-158: coerce, do not reject). */
export const MAX_PAGE_SIZE = 200;

// PostgreSQL refuses U+0000 in text, and no stored value holds a control character (validation
// rejects them), so a search for one is refused as the caller's mistake, naming the field.
// Whitespace controls (tab, newline) are only whitespace to a search, which collapses them.
const CONTROL_CHARACTER = /(?![\t\n\v\f\r])\p{Cc}/u;

/** INVALID_CHARACTERS for each [proto field, JSON name, value] that holds a control character. */
function controlCharacterViolations(fields: readonly [string, string, string][]): FieldViolation[] {
  return fields
    .filter(([, , value]) => CONTROL_CHARACTER.test(value))
    .map(([field, jsonName]) => ({
      field,
      code: "INVALID_CHARACTERS",
      description: `${jsonName} must not contain control characters.`,
    }));
}

/** A validated search: its normalised criteria (bound into page tokens), page size and query. */
export interface SearchPlan {
  criteria: ContactSearch | AddressSearch;
  pageSize: number;
  /** Fetches one row more than pageSize, so the caller knows whether another page exists. */
  run(repository: CustomerRepository, signal?: AbortSignal): Promise<CustomerRecord[]>;
}

/** Validates a SearchCustomers request (ANY of phone, email, first-name prefix) into a plan. */
export function searchRequestFromContact(
  req: SearchCustomersRequest,
  tokens: PageTokenCodec,
  options: { defaultPhoneRegion?: string },
): SearchPlan {
  const violations = controlCharacterViolations([
    ["phone", "phone", req.phone],
    ["email", "email", req.email],
    ["first_name", "firstName", req.firstName],
    ["page_token", "pageToken", req.pageToken],
  ]);
  if (violations.length > 0) throw ApiError.invalidArgument(violations);
  const criteria: ContactSearch = {};
  const phone = req.phone.trim();
  const email = searchKey(req.email);
  const firstName = searchKey(req.firstName);
  if (phone === "" && email === "" && firstName === "") {
    const description = "Give at least one of phone, email or firstName.";
    for (const field of ["phone", "email", "first_name"])
      violations.push({ field, code: "REQUIRED", description });
  }
  if (phone !== "") {
    const parsed = parsePhoneNumber(phone, options.defaultPhoneRegion);
    if ("e164" in parsed) criteria.phone = parsed.e164;
    else {
      violations.push({
        field: "phone",
        code: "INVALID_FORMAT",
        description: "phone must be a valid phone number in international format, such as +14155552671.",
      });
    }
  }
  if (email !== "") criteria.emailKey = email;
  if (firstName !== "") criteria.firstNamePrefixKey = firstName;
  const page = pageFrom(
    req,
    contractViolations(SearchCustomersRequestSchema, req),
    criteria,
    tokens,
    violations,
  );
  if (violations.length > 0) throw ApiError.invalidArgument(violations);
  return {
    criteria,
    pageSize: page.size,
    run: (repository, signal) =>
      repository.searchByContact(criteria, { after: page.after, limit: page.size + 1 }, signal),
  };
}

/** Validates a SearchCustomersByAddress request (ALL given address fields) into a plan. */
export function searchRequestFromAddress(
  req: SearchCustomersByAddressRequest,
  tokens: PageTokenCodec,
): SearchPlan {
  const violations = controlCharacterViolations([
    ["line1", "line1", req.line1],
    ["line2", "line2", req.line2],
    ["city", "city", req.city],
    ["state", "state", req.state],
    ["postal_code", "postalCode", req.postalCode],
    ["country", "country", req.country],
    ["page_token", "pageToken", req.pageToken],
  ]);
  if (violations.length > 0) throw ApiError.invalidArgument(violations);
  const criteria: AddressSearch = {};
  const keyed: [keyof AddressSearch, string][] = [
    ["line1Key", req.line1],
    ["line2Key", req.line2],
    ["cityKey", req.city],
    ["stateKey", req.state],
    ["postalCodeKey", req.postalCode],
  ];
  for (const [name, value] of keyed) {
    const key = searchKey(value);
    if (key !== "") criteria[name] = key;
  }
  const country = req.country.trim().toUpperCase();
  if (country !== "") criteria.country = country;
  if (Object.keys(criteria).length === 0) {
    const description = "Give at least one of line1, line2, city, state, postalCode or country.";
    for (const field of ["line1", "line2", "city", "state", "postal_code", "country"]) {
      violations.push({ field, code: "REQUIRED", description });
    }
  }
  const rules = contractViolations(SearchCustomersByAddressRequestSchema, req);
  const page = pageFrom(req, rules, criteria, tokens, violations);
  if (violations.length > 0) throw ApiError.invalidArgument(violations);
  return {
    criteria,
    pageSize: page.size,
    run: (repository, signal) =>
      repository.searchByAddress(criteria, { after: page.after, limit: page.size + 1 }, signal),
  };
}

/**
 * The page a search asks for. `ruleViolations` are the request's proto rules broken (page_size
 * must not be negative); a size over MAX_PAGE_SIZE is lowered, not refused.
 */
function pageFrom(
  req: { pageSize: number; pageToken: string },
  ruleViolations: readonly FieldViolation[],
  criteria: object,
  tokens: PageTokenCodec,
  violations: FieldViolation[],
): { size: number; after?: PageCursor } {
  const criteriaInvalid = violations.length > 0;
  violations.push(...ruleViolations);
  const size = req.pageSize <= 0 ? DEFAULT_PAGE_SIZE : Math.min(req.pageSize, MAX_PAGE_SIZE);
  // With invalid criteria the token cannot be checked against them; those errors come first.
  if (req.pageToken === "" || criteriaInvalid) return { size };
  const after = tokens.decode(criteria, req.pageToken);
  if (!after) {
    violations.push({
      field: "page_token",
      code: "INVALID_FORMAT",
      description: "pageToken is not a token this search returned; repeat the search with the same criteria.",
    });
  }
  return { size, after };
}
