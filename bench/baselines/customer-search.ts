// Search requests for the baselines: the documented criteria rules, page sizes and signed keyset page
// tokens (HMAC-SHA256, bound to the criteria), then one indexed query from customer-sql.ts.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type pg from "pg";
import { toE164 } from "./customer-input.js";
import {
  ADDRESS_COLUMNS,
  addressSearch,
  type Cursor,
  type CustomerRow,
  contactSearch,
  type Query,
  searchKey,
} from "./customer-sql.js";

/** Search parameters as both baselines receive them (camelCase names, strings, page size a number). */
export type SearchParams = Partial<Record<string, unknown>>;

/** One page of rows, or the fields that were rejected. */
export type SearchResult = { rows: CustomerRow[]; nextPageToken: string } | { invalid: string[] };

// Tokens need only survive as long as the process: a secret per start is enough for a baseline.
const secret = randomBytes(32);
const sign = (payload: string) => createHmac("sha256", secret).update(payload).digest("base64url");
const hash = (criteria: object) =>
  createHash("sha256").update(JSON.stringify(criteria)).digest("base64url").slice(0, 16);

function encodeToken(criteria: object, last: CustomerRow): string {
  const payload = Buffer.from(
    JSON.stringify({ s: hash(criteria), t: last.created_at.getTime(), i: last.id }),
  ).toString("base64url");
  return `${payload}.${sign(payload)}`;
}

function decodeToken(criteria: object, token: string): Cursor | undefined {
  const [payload = "", signature = ""] = token.split(".");
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const body = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
      s: string;
      t: number;
      i: string;
    };
    return body.s === hash(criteria) ? { createdAt: new Date(body.t), id: body.i } : undefined;
  } catch {
    return undefined;
  }
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

async function run(
  pool: pg.Pool,
  params: SearchParams,
  criteria: object,
  query: (after: Cursor | undefined, limit: number) => Query,
  invalid: string[],
): Promise<SearchResult> {
  const requested = Number(params.pageSize ?? 0);
  if (!Number.isInteger(requested) || requested < 0) invalid.push("pageSize");
  const size = requested === 0 ? 50 : Math.min(requested, 200);
  const token = str(params.pageToken);
  const after = token === "" || invalid.length > 0 ? undefined : decodeToken(criteria, token);
  if (token !== "" && after === undefined) invalid.push("pageToken");
  if (invalid.length > 0) return { invalid };
  const { rows } = await pool.query<CustomerRow>(query(after, size + 1));
  const page = rows.slice(0, size);
  const last = page.at(-1);
  return { rows: page, nextPageToken: rows.length > size && last ? encodeToken(criteria, last) : "" };
}

/** SearchCustomers: ANY of phone (E.164), email (case-insensitive), first-name prefix. */
export function searchByContact(pool: pg.Pool, params: SearchParams): Promise<SearchResult> {
  const invalid: string[] = [];
  const criteria: { emailKey?: string; phone?: string; firstNameKey?: string } = {};
  const email = searchKey(str(params.email));
  const firstName = searchKey(str(params.firstName));
  const phone = str(params.phone).trim();
  if (email !== "") criteria.emailKey = email;
  if (firstName !== "") criteria.firstNameKey = firstName;
  if (phone !== "") {
    const e164 = toE164(phone);
    if (e164 === undefined) invalid.push("phone");
    else criteria.phone = e164;
  }
  if (email === "" && firstName === "" && phone === "") invalid.push("phone", "email", "firstName");
  return run(pool, params, criteria, (after, limit) => contactSearch(criteria, after, limit), invalid);
}

/** SearchCustomersByAddress: ALL given address fields, compared as keys (country upper-case). */
export function searchByAddress(pool: pg.Pool, params: SearchParams): Promise<SearchResult> {
  const criteria: Partial<Record<keyof typeof ADDRESS_COLUMNS, string>> = {};
  for (const name of Object.keys(ADDRESS_COLUMNS) as (keyof typeof ADDRESS_COLUMNS)[]) {
    const raw = str(params[name]);
    const value = name === "country" ? raw.trim().toUpperCase() : searchKey(raw);
    if (value !== "") criteria[name] = value;
  }
  const invalid = Object.keys(criteria).length === 0 ? Object.keys(ADDRESS_COLUMNS) : [];
  return run(pool, params, criteria, (after, limit) => addressSearch(criteria, after, limit), invalid);
}
