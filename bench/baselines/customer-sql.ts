// The SQL both baselines run: the same statements, columns and index-friendly shapes as the service's
// repository (src/customers/customer-repository.ts), with node-postgres's $n parameters.

/** Every column the API returns, in the repository's order. */
const COLUMNS = `id, first_name, last_name, company, email, phone, address_line1, address_line2, address_city,
  address_state, address_postal_code, address_country, preferred_contact_methods, marketing_email_opt_in,
  marketing_sms_opt_in, created_at, updated_at`;
/** What every statement returns: the columns plus the row version the etag is made of. */
const RETURNED = `${COLUMNS}, version`;

/** A customers row as node-postgres returns it (timestamptz as Date, text[] as an array). */
export interface CustomerRow {
  id: string;
  first_name: string;
  last_name: string;
  company: string;
  email: string;
  phone: string;
  address_line1: string | null;
  address_line2: string | null;
  address_city: string | null;
  address_state: string | null;
  address_postal_code: string | null;
  address_country: string | null;
  preferred_contact_methods: string[];
  marketing_email_opt_in: boolean;
  marketing_sms_opt_in: boolean;
  created_at: Date;
  updated_at: Date;
  /** bigint, which node-postgres returns as a string. */
  version: string;
}

/** A validated customer about to be inserted. */
export interface NewCustomer {
  id: string;
  firstName: string;
  lastName: string;
  company: string;
  email: string;
  phone: string;
  address: {
    line1: string;
    line2: string;
    city: string;
    state: string;
    postalCode: string;
    country: string;
  } | null;
  preferredContactMethods: string[];
  marketingEmailOptIn: boolean;
  marketingSmsOptIn: boolean;
  createdAt: Date;
}

/** A parameterised statement for pool.query. */
export interface Query {
  text: string;
  values: unknown[];
}

/** Position after which a page starts, in (created_at, id) order. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

/** The form the *_key columns hold: NFC, trimmed, whitespace collapsed, lower-cased. */
export function searchKey(text: string): string {
  return text.normalize("NFC").trim().replace(/\s+/gu, " ").toLowerCase();
}

export const SELECT_BY_ID = `select ${RETURNED} from customers where id = $1`;

const INSERT = `insert into customers (${COLUMNS}, email_key, first_name_key, line1_key, line2_key, city_key,
  state_key, postal_code_key)
  values (${Array.from({ length: 24 }, (_, i) => `$${i + 1}`).join(", ")}) returning ${RETURNED}`;

export function insertCustomer(c: NewCustomer): Query {
  const a = c.address;
  const key = (text: string | undefined) => (text === undefined ? null : searchKey(text));
  return {
    text: INSERT,
    values: [
      c.id,
      c.firstName,
      c.lastName,
      c.company,
      c.email,
      c.phone,
      a?.line1 ?? null,
      a?.line2 ?? null,
      a?.city ?? null,
      a?.state ?? null,
      a?.postalCode ?? null,
      a?.country ?? null,
      c.preferredContactMethods,
      c.marketingEmailOptIn,
      c.marketingSmsOptIn,
      c.createdAt,
      c.createdAt,
      searchKey(c.email),
      searchKey(c.firstName),
      key(a?.line1),
      key(a?.line2),
      key(a?.city),
      key(a?.state),
      key(a?.postalCode),
    ],
  };
}

function page(conditions: string, values: unknown[], after: Cursor | undefined, limit: number): Query {
  let text = `select ${RETURNED} from customers where ${conditions}`;
  const all = [...values];
  if (after) {
    all.push(after.createdAt, after.id);
    text += ` and (created_at, id) > ($${all.length - 1}, $${all.length})`;
  }
  all.push(limit);
  return { text: `${text} order by created_at, id limit $${all.length}`, values: all };
}

/** Customers matching ANY of the normalised email key, E.164 phone or first-name key prefix. */
export function contactSearch(
  c: { emailKey?: string; phone?: string; firstNameKey?: string },
  after: Cursor | undefined,
  limit: number,
): Query {
  const any: string[] = [];
  const values: unknown[] = [];
  const add = (condition: (n: string) => string, value: string) => {
    values.push(value);
    any.push(condition(`$${values.length}`));
  };
  if (c.emailKey !== undefined) add((n) => `email_key = ${n}`, c.emailKey);
  if (c.phone !== undefined) add((n) => `phone = ${n}`, c.phone);
  if (c.firstNameKey !== undefined) {
    // % and _ are literal characters of the prefix, as in the service.
    add(
      (n) => `first_name_key like ${n} escape '\\'`,
      `${c.firstNameKey.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`,
    );
  }
  return page(`(${any.join(" or ")})`, values, after, limit);
}

/** Address key columns by query parameter name. */
export const ADDRESS_COLUMNS = {
  line1: "line1_key",
  line2: "line2_key",
  city: "city_key",
  state: "state_key",
  postalCode: "postal_code_key",
  country: "address_country",
} as const;

/** Customers matching ALL given address values (keys, and the upper-case country). */
export function addressSearch(
  c: Partial<Record<keyof typeof ADDRESS_COLUMNS, string>>,
  after: Cursor | undefined,
  limit: number,
): Query {
  const all: string[] = [];
  const values: unknown[] = [];
  for (const [name, column] of Object.entries(ADDRESS_COLUMNS)) {
    const value = c[name as keyof typeof ADDRESS_COLUMNS];
    if (value === undefined) continue;
    values.push(value);
    all.push(`${column} = $${values.length}`);
  }
  return page(all.join(" and "), values, after, limit);
}
