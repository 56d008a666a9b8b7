import type pg from "pg";
import { ContactMethod } from "../../gen/customers/v1/customer_pb.js";
import type { CustomerData, CustomerRecord } from "./customer.js";
import { searchKey } from "./search-key.js";

/** Position after which a page starts: the last row of the previous page in (created_at, id) order. */
export interface PageCursor {
  createdAt: Date;
  id: string;
}

/** SearchCustomers criteria, already normalised; rows matching ANY given one are returned. */
export interface ContactSearch {
  phone?: string;
  emailKey?: string;
  firstNamePrefixKey?: string;
}

/** SearchCustomersByAddress criteria, already normalised; rows matching ALL given ones are returned. */
export interface AddressSearch {
  line1Key?: string;
  line2Key?: string;
  cityKey?: string;
  stateKey?: string;
  postalCodeKey?: string;
  country?: string;
}

/** Page bounds: rows after `after`, at most `limit` of them. */
export interface PageRequest {
  after?: PageCursor;
  limit: number;
}

/** Reads and writes customers. Every method is one round trip or one short transaction. */
export interface CustomerRepository {
  /**
   * Inserts a customer. With a createRequestId already used, inserts nothing and returns the
   * customer that request created (AIP-155 idempotent retry).
   */
  insert(record: CustomerRecord, createRequestId?: string): Promise<CustomerRecord>;
  findById(id: string): Promise<CustomerRecord | undefined>;
  /**
   * Locks the row, computes its new data with `change` (which may throw to abort) and writes it.
   * Returns undefined when no customer has that id.
   */
  update(
    id: string,
    change: (current: CustomerRecord) => CustomerData,
    now: Date,
  ): Promise<CustomerRecord | undefined>;
  searchByContact(search: ContactSearch, page: PageRequest): Promise<CustomerRecord[]>;
  searchByAddress(search: AddressSearch, page: PageRequest): Promise<CustomerRecord[]>;
}

const COLUMNS = `id, first_name, last_name, company, email, phone, address_line1, address_line2, address_city,
  address_state, address_postal_code, address_country, preferred_contact_methods, marketing_email_opt_in,
  marketing_sms_opt_in, created_at, updated_at`;

interface Row {
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
  created_at: string | Date;
  updated_at: string | Date;
}

/**
 * A repository running parameterised SQL on its own node-postgres pool, each statement prepared once
 * per connection under a stable name. MikroORM owns the schema (customer-entity.ts, migrations/);
 * the hot paths skip it, and knex, whose query building and hydration cost more CPU per call than
 * the query itself.
 */
export function createCustomerRepository(pool: pg.Pool): CustomerRepository {
  const names = new Map<string, string>();
  /** Runs `text` as a named prepared statement: PostgreSQL parses and plans it once per connection. */
  const rows = async (db: pg.Pool | pg.PoolClient, text: string, values: readonly unknown[]) => {
    let name = names.get(text);
    if (name === undefined) {
      name = `customers_${names.size}`;
      names.set(text, name);
    }
    return (await db.query<Row>({ name, text, values: values as unknown[] })).rows;
  };
  const INSERT = `insert into customers (${COLUMNS}, create_request_id, email_key, first_name_key, line1_key,
      line2_key, city_key, state_key, postal_code_key)
    values (${placeholders(1, ALL_COLUMNS + 1 + SEARCH_KEYS)})
    on conflict (create_request_id) do nothing
    returning ${COLUMNS}`;
  const UPDATE = `update customers set (${COLUMNS}, email_key, first_name_key, line1_key, line2_key, city_key,
      state_key, postal_code_key) = (${placeholders(1, ALL_COLUMNS + SEARCH_KEYS)})
    where id = $${ALL_COLUMNS + SEARCH_KEYS + 1} returning ${COLUMNS}`;

  return {
    async insert(record, createRequestId) {
      const inserted = await rows(pool, INSERT, [
        ...rowValues(record),
        record.createdAt,
        record.updatedAt,
        createRequestId ?? null,
        ...searchKeys(record),
      ]);
      if (inserted[0]) return recordFromRow(inserted[0]);
      const [existing] = await rows(pool, `select ${COLUMNS} from customers where create_request_id = $1`, [
        createRequestId,
      ]);
      if (!existing) throw new Error("insert conflicted on create_request_id but no row has it");
      return recordFromRow(existing);
    },

    async findById(id) {
      const [row] = await rows(pool, `select ${COLUMNS} from customers where id = $1`, [id]);
      return row && recordFromRow(row);
    },

    async update(id, change, now) {
      const client = await pool.connect();
      try {
        await client.query("begin");
        const [row] = await rows(client, `select ${COLUMNS} from customers where id = $1 for update`, [id]);
        if (!row) {
          await client.query("rollback");
          return undefined;
        }
        const current = recordFromRow(row);
        const next: CustomerRecord = { ...change(current), id, createdAt: current.createdAt, updatedAt: now };
        const [updated] = await rows(client, UPDATE, [
          ...rowValues(next),
          next.createdAt,
          next.updatedAt,
          ...searchKeys(next),
          id,
        ]);
        await client.query("commit");
        return updated && recordFromRow(updated);
      } catch (error) {
        await client.query("rollback").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },

    async searchByContact(search, page) {
      const any: string[] = [];
      const values: unknown[] = [];
      const add = (condition: (n: string) => string, value: unknown) => {
        values.push(value);
        any.push(condition(`$${values.length}`));
      };
      if (search.emailKey !== undefined) add((n) => `email_key = ${n}`, search.emailKey);
      if (search.phone !== undefined) add((n) => `phone = ${n}`, search.phone);
      if (search.firstNamePrefixKey !== undefined) {
        add((n) => `first_name_key like ${n} escape '\\'`, `${escapeLike(search.firstNamePrefixKey)}%`);
      }
      return pageOf(`(${any.join(" or ")})`, values, page);
    },

    async searchByAddress(search, page) {
      const all: string[] = [];
      const values: unknown[] = [];
      const columns: [keyof AddressSearch, string][] = [
        ["line1Key", "line1_key"],
        ["line2Key", "line2_key"],
        ["cityKey", "city_key"],
        ["stateKey", "state_key"],
        ["postalCodeKey", "postal_code_key"],
        ["country", "address_country"],
      ];
      for (const [key, column] of columns) {
        const value = search[key];
        if (value === undefined) continue;
        values.push(value);
        all.push(`${column} = $${values.length}`);
      }
      return pageOf(all.join(" and "), values, page);
    },
  };

  async function pageOf(where: string, values: unknown[], page: PageRequest) {
    let text = `select ${COLUMNS} from customers where ${where}`;
    const all = [...values];
    if (page.after) {
      all.push(page.after.createdAt, page.after.id);
      text += ` and (created_at, id) > ($${all.length - 1}, $${all.length})`;
    }
    all.push(page.limit);
    text += ` order by created_at, id limit $${all.length}`;
    return (await rows(pool, text, all)).map(recordFromRow);
  }
}

/** Columns in COLUMNS, and the *_key search columns written beside them. */
const ALL_COLUMNS = 17;
const SEARCH_KEYS = 7;

/** `$from, $from+1, …` for `count` parameters. */
function placeholders(from: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `$${from + i}`).join(", ");
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Column values in COLUMNS order, without created_at and updated_at. */
function rowValues(record: CustomerRecord): unknown[] {
  const a = record.address;
  return [
    record.id,
    record.firstName,
    record.lastName,
    record.company,
    record.email,
    record.phone,
    a?.line1 ?? null,
    a ? a.line2 : null,
    a?.city ?? null,
    a ? a.state : null,
    a ? a.postalCode : null,
    a?.country ?? null,
    record.preferredContactMethods.map((m) => ContactMethod[m]),
    record.marketingEmailOptIn,
    record.marketingSmsOptIn,
  ];
}

/** The *_key search columns, in insert/update order. */
function searchKeys(data: CustomerData): unknown[] {
  const a = data.address;
  return [
    searchKey(data.email),
    searchKey(data.firstName),
    a ? searchKey(a.line1) : null,
    a ? searchKey(a.line2) : null,
    a ? searchKey(a.city) : null,
    a ? searchKey(a.state) : null,
    a ? searchKey(a.postalCode) : null,
  ];
}

function recordFromRow(row: Row): CustomerRecord {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    company: row.company,
    email: row.email,
    phone: row.phone,
    address:
      row.address_line1 === null
        ? null
        : {
            line1: row.address_line1,
            line2: row.address_line2 ?? "",
            city: row.address_city ?? "",
            state: row.address_state ?? "",
            postalCode: row.address_postal_code ?? "",
            country: row.address_country ?? "",
          },
    preferredContactMethods: row.preferred_contact_methods.map(
      (name) => ContactMethod[name as keyof typeof ContactMethod],
    ),
    marketingEmailOptIn: row.marketing_email_opt_in,
    marketingSmsOptIn: row.marketing_sms_opt_in,
    createdAt: dateFromPg(row.created_at),
    updatedAt: dateFromPg(row.updated_at),
  };
}

/** MikroORM makes node-postgres return timestamptz as text such as "2026-11-26 22:20:46.89+00". */
function dateFromPg(value: string | Date): Date {
  if (value instanceof Date) return value;
  const iso = value.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00");
  return new Date(iso);
}
