import pg from "pg";
import { ContactMethod } from "../../gen/customers/v1/customer_pb.js";
import { asDatabaseFault, isDatabaseFault } from "../db/database-faults.js";
import { type QueryObserver, unobservedQuery } from "../observability/query-observer.js";
import type { AddressData, CustomerData, CustomerRecord } from "./customer.js";
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

/** A CreateCustomer idempotency key, in the scope of the credential that sent it. */
export interface IdempotencyKey {
  scope: string;
  key: string;
  /** Digest of the request without its key: the same key with another payload is refused. */
  requestDigest: Uint8Array;
}

/** What insertOnce did: created the customer, found the one this key created, or found the key reused. */
export type InsertOnce =
  | { outcome: "created" | "replayed"; record: CustomerRecord }
  | { outcome: "key-reused" };

/**
 * Reads and writes customers. Every method is one round trip or one short transaction. With a
 * `signal` (the call's deadline and cancellation), an abort cancels the statement running in
 * PostgreSQL and the method rejects with the signal's reason.
 */
export interface CustomerRepository {
  /** Inserts a customer. */
  insert(record: CustomerRecord, signal?: AbortSignal): Promise<CustomerRecord>;
  /**
   * Inserts a customer under an idempotency key, atomically with the key. When the key (in its
   * scope) is already taken, inserts nothing: returns the customer it created if its digest is this
   * request's, or "key-reused" for another request. Concurrent calls with one key wait for the first.
   */
  insertOnce(record: CustomerRecord, key: IdempotencyKey, signal?: AbortSignal): Promise<InsertOnce>;
  /** Deletes idempotency keys created before `before`; returns how many. */
  pruneIdempotencyKeys(before: Date): Promise<number>;
  findById(id: string, signal?: AbortSignal): Promise<CustomerRecord | undefined>;
  /**
   * Locks the row, computes its new data with `change` (which may throw to abort, e.g. on a stale
   * etag) and writes it with the next version. Returns undefined when no customer has that id.
   */
  update(
    id: string,
    change: (current: CustomerRecord) => CustomerData,
    now: Date,
    signal?: AbortSignal,
  ): Promise<CustomerRecord | undefined>;
  searchByContact(search: ContactSearch, page: PageRequest, signal?: AbortSignal): Promise<CustomerRecord[]>;
  searchByAddress(search: AddressSearch, page: PageRequest, signal?: AbortSignal): Promise<CustomerRecord[]>;
}

/**
 * One column of `customers` the repository writes: how its parameter is computed from a record and, for
 * the columns it reads back, how node-postgres's value is stored into the record being read, or into the
 * address read beside it.
 */
interface Column {
  name: string;
  write(record: CustomerRecord): unknown;
  // A method, so that each entry below may declare the type node-postgres gives its column.
  read?(value: unknown, record: CustomerRecord, address: AddressData): void;
}

type Text = string | null;

/**
 * The columns the repository writes, in statement order, as [name, write, read]: every statement,
 * parameter list and row mapping is derived from this table. Each entry has functions of its own, so
 * every property access on the per-row path stays monomorphic.
 */
const COLUMNS: readonly Column[] = (
  [
    ["id", (r) => r.id, (v: string, r) => (r.id = v)],
    ["first_name", (r) => r.firstName, (v: string, r) => (r.firstName = v)],
    ["last_name", (r) => r.lastName, (v: string, r) => (r.lastName = v)],
    ["company", (r) => r.company, (v: string, r) => (r.company = v)],
    ["email", (r) => r.email, (v: string, r) => (r.email = v)],
    ["phone", (r) => r.phone, (v: string, r) => (r.phone = v)],
    // line1 is required in an address, so a null line1 is a customer without one.
    ["address_line1", (r) => r.address?.line1 ?? null, (v: Text, r, a) => (r.address = readLine1(v, a))],
    ["address_line2", (r) => r.address?.line2 ?? null, (v: Text, _, a) => (a.line2 = v ?? "")],
    ["address_city", (r) => r.address?.city ?? null, (v: Text, _, a) => (a.city = v ?? "")],
    ["address_state", (r) => r.address?.state ?? null, (v: Text, _, a) => (a.state = v ?? "")],
    [
      "address_postal_code",
      (r) => r.address?.postalCode ?? null,
      (v: Text, _, a) => (a.postalCode = v ?? ""),
    ],
    ["address_country", (r) => r.address?.country ?? null, (v: Text, _, a) => (a.country = v ?? "")],
    [
      "preferred_contact_methods",
      (r) => r.preferredContactMethods.map((m) => ContactMethod[m]),
      (v: string[], r) => (r.preferredContactMethods = v.map(contactMethodFromName)),
    ],
    ["marketing_email_opt_in", (r) => r.marketingEmailOptIn, (v: boolean, r) => (r.marketingEmailOptIn = v)],
    ["marketing_sms_opt_in", (r) => r.marketingSmsOptIn, (v: boolean, r) => (r.marketingSmsOptIn = v)],
    ["created_at", (r) => r.createdAt, (v: string | Date, r) => (r.createdAt = dateFromPg(v))],
    ["updated_at", (r) => r.updatedAt, (v: string | Date, r) => (r.updatedAt = dateFromPg(v))],
    // int8: node-postgres gives it as text, unless a type parser is set.
    ["version", (r) => r.version, (v: string | number, r) => (r.version = Number(v))],
    // The *_key columns hold searchKey() forms for the searches; they are written, never read back.
    ["email_key", (r) => searchKey(r.email)],
    ["first_name_key", (r) => searchKey(r.firstName)],
    ["line1_key", (r) => addressKey(r.address?.line1)],
    ["line2_key", (r) => addressKey(r.address?.line2)],
    ["city_key", (r) => addressKey(r.address?.city)],
    ["state_key", (r) => addressKey(r.address?.state)],
    ["postal_code_key", (r) => addressKey(r.address?.postalCode)],
  ] satisfies [string, Column["write"], Column["read"]?][]
).map(([name, write, read]) => ({ name, write, read }));

/** The columns read back, in the order of every select list (node-postgres returns rows as arrays). */
const READ = COLUMNS.filter((c): c is Required<Column> => c.read !== undefined);

const WRITTEN_LIST = COLUMNS.map((c) => c.name).join(", ");
const READ_LIST = READ.map((c) => c.name).join(", ");

// The statements are built once; each is prepared once per connection under its own name.
const INSERT = `insert into customers (${WRITTEN_LIST}) values (${placeholders(COLUMNS.length)})
  returning ${READ_LIST}`;
// The key row comes first: a second call with the key waits here for the first to commit.
const INSERT_KEY = `insert into customer_create_requests (scope, key, request_digest, customer_id, created_at)
  values ($1, $2, $3, $4, $5) on conflict (scope, key) do nothing returning customer_id`;
const SELECT_KEY =
  "select request_digest, customer_id from customer_create_requests where scope = $1 and key = $2";
const PRUNE_KEYS = "delete from customer_create_requests where created_at < $1";
const UPDATE = `update customers set (${WRITTEN_LIST}) = (${placeholders(COLUMNS.length)})
  where id = $${COLUMNS.length + 1} returning ${READ_LIST}`;
const SELECT_BY_ID = `select ${READ_LIST} from customers where id = $1`;
const SELECT_BY_ID_FOR_UPDATE = `${SELECT_BY_ID} for update`;

/** SearchCustomersByAddress criteria and the column each one is compared with. */
const ADDRESS_SEARCH_COLUMNS: readonly [keyof AddressSearch, string][] = [
  ["line1Key", "line1_key"],
  ["line2Key", "line2_key"],
  ["cityKey", "city_key"],
  ["stateKey", "state_key"],
  ["postalCodeKey", "postal_code_key"],
  ["country", "address_country"],
];

/**
 * A repository running parameterised SQL on its own node-postgres pool, each statement prepared once
 * per connection under a stable name. MikroORM owns the schema (customer-entity.ts, migrations/);
 * the hot paths skip it, and knex, whose query building and hydration cost more CPU per call than
 * the query itself.
 */
export function createCustomerRepository(
  pool: pg.Pool,
  observeQuery: QueryObserver = unobservedQuery,
): CustomerRepository {
  const names = new Map<string, string>();
  // The statement's first keyword (select, insert, update, begin, commit): a bounded metric label.
  const operations = new Map<string, string>();
  // Cancels statements of calls whose signal aborted; opened on first use.
  let canceller: pg.Pool | undefined;
  /**
   * Runs `text` as a named prepared statement (PostgreSQL parses it once per connection), or, with
   * `prepared` false, as an unnamed one, planned with its values every time.
   */
  const rows = async (db: pg.PoolClient, text: string, values: unknown[], prepared = true) => {
    let name: string | undefined;
    if (prepared) {
      name = names.get(text);
      if (name === undefined) {
        name = `customers_${names.size}`;
        names.set(text, name);
      }
    }
    let operation = operations.get(text);
    if (operation === undefined) {
      operation = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase() ?? "other";
      operations.set(text, operation);
    }
    try {
      return (
        await observeQuery(operation, () => db.query<unknown[]>({ name, text, values, rowMode: "array" }))
      ).rows;
    } catch (error) {
      throw asDatabaseFault(error);
    }
  };

  return {
    async insert(record, signal) {
      return onConnection(signal, async (client) => {
        const [inserted] = await rows(client, INSERT, parameters(record));
        return recordFromRow(inserted as unknown[]);
      });
    },

    async insertOnce(record, key, signal) {
      const digest = Buffer.from(
        key.requestDigest.buffer,
        key.requestDigest.byteOffset,
        key.requestDigest.byteLength,
      );
      // Twice at most: a key pruned between the two statements below is free again on the second pass.
      for (let attempt = 1; ; attempt++) {
        const created = await inTransaction(signal, async (client) => {
          const [claimed] = await rows(client, INSERT_KEY, [
            key.scope,
            key.key,
            digest,
            record.id,
            record.createdAt,
          ]);
          if (!claimed) return undefined;
          const [inserted] = await rows(client, INSERT, parameters(record));
          return { outcome: "created" as const, record: recordFromRow(inserted as unknown[]) };
        });
        if (created) return created;
        // The key is taken, and committed: the insert above waited for the transaction that took it.
        const [taken] = await onConnection(signal, (client) =>
          rows(client, SELECT_KEY, [key.scope, key.key]),
        );
        if (!taken) {
          if (attempt < 2) continue;
          throw new Error("idempotency key was taken and pruned twice in a row");
        }
        const [takenDigest, customerId] = taken as [Buffer, string];
        if (!takenDigest.equals(digest)) return { outcome: "key-reused" };
        const [existing] = await onConnection(signal, (client) => rows(client, SELECT_BY_ID, [customerId]));
        if (!existing) throw new Error(`idempotency key names customer ${customerId}, which does not exist`);
        return { outcome: "replayed", record: recordFromRow(existing) };
      }
    },

    async pruneIdempotencyKeys(before) {
      const result = await pool.query(PRUNE_KEYS, [before]).catch((error: unknown) => {
        throw asDatabaseFault(error);
      });
      return result.rowCount ?? 0;
    },

    async findById(id, signal) {
      const [row] = await onConnection(signal, (client) => rows(client, SELECT_BY_ID, [id]));
      return row && recordFromRow(row);
    },

    async update(id, change, now, signal) {
      return inTransaction(signal, async (client) => {
        const [row] = await rows(client, SELECT_BY_ID_FOR_UPDATE, [id]);
        if (!row) return undefined;
        const current = recordFromRow(row);
        // `change` runs under the row lock: what it compares with `current` (an etag) still holds at the write.
        const next: CustomerRecord = {
          ...change(current),
          id,
          createdAt: current.createdAt,
          updatedAt: now,
          version: current.version + 1,
        };
        const [updated] = await rows(client, UPDATE, parameters(next, id));
        return updated && recordFromRow(updated);
      });
    },

    async searchByContact(search, page, signal) {
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
      // A generic plan cannot use the first-name index for `like $n` (the prefix is unknown when it
      // is planned) and after five runs PostgreSQL may switch a prepared statement to one, which then
      // walks (created_at, id) and filters: a prefix search is planned with its value every time.
      return pageOf(`(${any.join(" or ")})`, values, page, signal, search.firstNamePrefixKey === undefined);
    },

    async searchByAddress(search, page, signal) {
      const all: string[] = [];
      const values: unknown[] = [];
      for (const [key, column] of ADDRESS_SEARCH_COLUMNS) {
        const value = search[key];
        if (value === undefined) continue;
        values.push(value);
        all.push(`${column} = $${values.length}`);
      }
      return pageOf(all.join(" and "), values, page, signal);
    },
  };

  /**
   * Runs `work` on one pooled connection. If `signal` aborts meanwhile, the statement running on it
   * is cancelled in PostgreSQL (its locks and work released at once, not when it finishes), and the
   * call rejects with the signal's reason (DEADLINE_EXCEEDED or CANCELLED).
   */
  async function onConnection<T>(
    signal: AbortSignal | undefined,
    work: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    if (signal?.aborted) throw signal.reason;
    const client = await pool.connect().catch((error: unknown) => {
      throw asDatabaseFault(error);
    });
    let cancelled = false;
    const cancel = () => {
      cancelled = true;
      cancelStatementOf(client);
    };
    signal?.addEventListener("abort", cancel, { once: true });
    let failure: unknown;
    try {
      return await work(client);
    } catch (error) {
      failure = error;
      throw signal?.aborted ? signal.reason : error;
    } finally {
      signal?.removeEventListener("abort", cancel);
      // A connection that failed is dropped, not handed to the next caller; so is one a cancel was
      // sent for: pg_cancel_backend targets the backend, not the statement, and may arrive after
      // this call's statement ended, when the next caller's would be running on it.
      client.release(isDatabaseFault(failure) || cancelled ? true : undefined);
    }
  }

  /** Runs `work` in a transaction on one connection: committed if it returns, rolled back if it throws. */
  async function inTransaction<T>(
    signal: AbortSignal | undefined,
    work: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    return onConnection(signal, async (client) => {
      await rows(client, "begin", []);
      try {
        const result = await work(client);
        await rows(client, "commit", []);
        return result;
      } catch (error) {
        await client.query("rollback").catch(() => undefined);
        throw error;
      }
    });
  }

  /** Asks PostgreSQL to cancel what `client`'s backend runs, over a connection of its own. */
  function cancelStatementOf(client: pg.PoolClient): void {
    const backend = (client as unknown as { processID?: number }).processID;
    if (backend === undefined) return;
    if (!canceller) {
      canceller = new pg.Pool({ ...pool.options, max: 1, allowExitOnIdle: true });
      // Its idle connection may be closed by the server (a restart, a dropped database): harmless.
      canceller.on("error", () => undefined);
    }
    // Best effort: if it fails (the database is away), the statement ends with its connection.
    canceller.query("select pg_cancel_backend($1)", [backend]).catch(() => undefined);
  }

  async function pageOf(
    where: string,
    values: unknown[],
    page: PageRequest,
    signal: AbortSignal | undefined,
    prepared = true,
  ) {
    let text = `select ${READ_LIST} from customers where ${where}`;
    const all = [...values];
    if (page.after) {
      all.push(page.after.createdAt, page.after.id);
      text += ` and (created_at, id) > ($${all.length - 1}, $${all.length})`;
    }
    all.push(page.limit);
    text += ` order by created_at, id limit $${all.length}`;
    return (await onConnection(signal, (client) => rows(client, text, all, prepared))).map(recordFromRow);
  }
}

/** `$1, $2, …` for `count` parameters. */
function placeholders(count: number): string {
  return Array.from({ length: count }, (_, i) => `$${i + 1}`).join(", ");
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Each column's parameter for `record`, in COLUMNS order, then `last` (the id, for an update). */
function parameters(record: CustomerRecord, last?: string): unknown[] {
  const values = new Array<unknown>(COLUMNS.length + (last === undefined ? 0 : 1));
  for (let i = 0; i < COLUMNS.length; i++) values[i] = COLUMNS[i].write(record);
  if (last !== undefined) values[COLUMNS.length] = last;
  return values;
}

/** Reads a row of READ values into a record. */
function recordFromRow(row: unknown[]): CustomerRecord {
  // Complete once every READ column has run: together they set each CustomerRecord field.
  const record = {} as CustomerRecord;
  const address = {} as AddressData;
  for (let i = 0; i < READ.length; i++) READ[i].read(row[i], record, address);
  return record;
}

/** Stores address_line1 into `address` and returns the record's address: none when line1 is null. */
function readLine1(line1: Text, address: AddressData): AddressData | null {
  if (line1 === null) return null;
  address.line1 = line1;
  return address;
}

function contactMethodFromName(name: string): ContactMethod {
  return ContactMethod[name as keyof typeof ContactMethod];
}

/** The search key of an address text, null for a customer without an address. */
function addressKey(text: string | undefined): string | null {
  return text === undefined ? null : searchKey(text);
}

/** MikroORM makes node-postgres return timestamptz as text such as "2026-11-26 22:20:46.89+00". */
function dateFromPg(value: string | Date): Date {
  if (value instanceof Date) return value;
  const iso = value.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00");
  return new Date(iso);
}
