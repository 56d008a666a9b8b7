import type { Knex } from "@mikro-orm/postgresql";
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
 * A repository running parameterised SQL on MikroORM's connection pool. MikroORM owns the schema
 * (customer-entity.ts, migrations/); the hot paths skip entity hydration and the unit of work,
 * which cost about 3x a raw query for single-row reads and inserts.
 */
export function createCustomerRepository(knex: Knex): CustomerRepository {
  const rows = async (db: Knex | Knex.Transaction, sql: string, bindings: readonly unknown[]) =>
    ((await db.raw(sql, bindings as Knex.RawBinding[])) as { rows: Row[] }).rows;

  return {
    async insert(record, createRequestId) {
      const inserted = await rows(
        knex,
        `insert into customers (${COLUMNS}, create_request_id, email_key, first_name_key, line1_key, line2_key,
           city_key, state_key, postal_code_key)
         values (${placeholders(17 + 8)})
         on conflict (create_request_id) do nothing
         returning ${COLUMNS}`,
        [
          ...rowValues(record),
          record.createdAt,
          record.updatedAt,
          createRequestId ?? null,
          ...searchKeys(record),
        ],
      );
      if (inserted[0]) return recordFromRow(inserted[0]);
      const [existing] = await rows(knex, `select ${COLUMNS} from customers where create_request_id = ?`, [
        createRequestId,
      ]);
      if (!existing) throw new Error("insert conflicted on create_request_id but no row has it");
      return recordFromRow(existing);
    },

    async findById(id) {
      const [row] = await rows(knex, `select ${COLUMNS} from customers where id = ?`, [id]);
      return row && recordFromRow(row);
    },

    async update(id, change, now) {
      return knex.transaction(async (trx) => {
        const [row] = await rows(trx, `select ${COLUMNS} from customers where id = ? for update`, [id]);
        if (!row) return undefined;
        const current = recordFromRow(row);
        const next: CustomerRecord = { ...change(current), id, createdAt: current.createdAt, updatedAt: now };
        const [updated] = await rows(
          trx,
          `update customers set (${COLUMNS}, email_key, first_name_key, line1_key, line2_key, city_key, state_key,
             postal_code_key) = (${placeholders(17 + 7)})
           where id = ? returning ${COLUMNS}`,
          [...rowValues(next), next.createdAt, next.updatedAt, ...searchKeys(next), id],
        );
        return updated && recordFromRow(updated);
      });
    },

    async searchByContact(search, page) {
      const any: string[] = [];
      const bindings: unknown[] = [];
      const add = (condition: string, value: unknown) => {
        any.push(condition);
        bindings.push(value);
      };
      if (search.emailKey !== undefined) add("email_key = ?", search.emailKey);
      if (search.phone !== undefined) add("phone = ?", search.phone);
      if (search.firstNamePrefixKey !== undefined) {
        add("first_name_key like ? escape '\\'", `${escapeLike(search.firstNamePrefixKey)}%`);
      }
      return pageOf(knex, `(${any.join(" or ")})`, bindings, page);
    },

    async searchByAddress(search, page) {
      const all: string[] = [];
      const bindings: unknown[] = [];
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
        all.push(`${column} = ?`);
        bindings.push(value);
      }
      return pageOf(knex, all.join(" and "), bindings, page);
    },
  };

  async function pageOf(db: Knex, where: string, bindings: unknown[], page: PageRequest) {
    let sql = `select ${COLUMNS} from customers where ${where}`;
    const all = [...bindings];
    if (page.after) {
      sql += " and (created_at, id) > (?, ?)";
      all.push(page.after.createdAt, page.after.id);
    }
    sql += " order by created_at, id limit ?";
    all.push(page.limit);
    return (await rows(db, sql, all)).map(recordFromRow);
  }
}

function placeholders(count: number): string {
  return Array.from({ length: count }, () => "?").join(", ");
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
