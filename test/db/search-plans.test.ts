// The query plans of the search paths: every statement the repository issues for a search (and for a
// get by id) is explained as it is sent, on a table of 30,000 skewed customers, and must use indexes
// only and read a bounded number of rows, on a first page and on a page after a cursor. The SQL is
// not copied here: the repository runs on a pool that records what it sends.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CustomerRepository,
  createCustomerRepository,
  type PageCursor,
  type PageRequest,
} from "../../src/customers/customer-repository.js";
import { searchKey } from "../../src/customers/search-key.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

/**
 * No more rows than ANALYZE samples (300 × default_statistics_target = 30,000), so the statistics
 * come from every row and the plans do not depend on a random sample.
 */
const ROWS = 30_000;
/** The limit a default page asks for: 50 rows and one more to know whether a next page exists. */
const LIMIT = 51;

// Common first names, most frequent first: rank r is drawn with weight ~1/(r+1), so a few names
// (and prefixes such as "ma") are shared by many customers. The rest get rarer generated names.
// biome-ignore format: a word list
const COMMON_FIRST_NAMES = [
  "Maria", "Michael", "Mohammed", "James", "John", "David", "Anna", "Sarah", "Mary", "Mark", "Martin",
  "Matthew", "Laura", "Linda", "Lucas", "Luis", "José", "Juan", "Jennifer", "Jessica", "Daniel", "Thomas",
  "Sophie", "Emma", "Emily", "Olivia", "Oliver", "Noah", "Liam", "William", "Robert", "Richard", "Joseph",
  "Charles", "Karen", "Nancy", "Lisa", "Paul", "Peter", "Pierre", "Hans", "Jürgen", "Stefan", "Sven", "Ana",
  "Andrea", "Alex", "Alice", "Ahmed", "Ali", "Wei", "Priya", "Raj", "Samuel", "Sara", "Zoë", "Ben",
];

/** The newest 2 % of customers come from a market opened last: names and cities no one else has. */
const RECENT_FIRST_NAMES = ["Haruto", "Yui", "Sota", "Hina", "Ren", "Mio", "Yuto", "Aoi"];

/** Cities, most frequent first (weights as above), with what goes with them; the last two are recent. */
// biome-ignore format: a table
const CITIES: [city: string, state: string, country: string, postalBase: number][] = [
  ["New York", "NY", "US", 10001], ["Los Angeles", "CA", "US", 90001], ["Chicago", "IL", "US", 60601],
  ["London", "", "GB", 0], ["Berlin", "", "DE", 10115], ["Houston", "TX", "US", 77001],
  ["Paris", "Île-de-France", "FR", 75001], ["San Francisco", "CA", "US", 94102],
  ["München", "Bayern", "DE", 80331], ["Seattle", "WA", "US", 98101], ["Manchester", "", "GB", 0],
  ["Boston", "MA", "US", 2108], ["Hamburg", "", "DE", 20095], ["Lyon", "", "FR", 69001],
  ["Austin", "TX", "US", 78701], ["Köln", "", "DE", 50667], ["Zürich", "ZH", "CH", 8001],
  ["Edinburgh", "Scotland", "GB", 0], ["Springfield", "IL", "US", 62701], ["Springfield", "MA", "US", 1101],
  ["Genève", "GE", "CH", 1201], ["Vaduz", "", "LI", 9490],
  ["Tokyo", "", "JP", 1000001], ["Osaka", "", "JP", 5300001],
];
const RECENT_CITIES = 2;

// biome-ignore format: a word list
const STREETS = [
  "Main Street", "Oak Avenue", "Market Street", "High Street", "Station Road", "Hauptstraße", "Bahnhofstraße",
  "rue de Rivoli", "Church Lane", "Park Place", "Broadway", "Maple Drive",
];

/**
 * One statement: row n of 1..$1, in created_at order (as the service appends them: ids are v7-like,
 * created_at 30 s apart). Independent hashes of n pick each part. The *_key columns get the
 * searchKey() forms the service writes: vocabulary keys come from TypeScript, generated names are
 * ASCII (where lower() is searchKey()).
 */
const SEED = `
with
  names as (select * from unnest($2::text[], $3::text[]) with ordinality as t(name, name_key, i)),
  recent_names as (select * from unnest($4::text[], $5::text[]) with ordinality as t(name, name_key, i)),
  cities as (select * from jsonb_to_recordset($6::jsonb)
    as t(i int, city text, city_key text, state text, state_key text, country text, postal_base int)),
  streets as (select * from unnest($7::text[], $8::text[]) with ordinality as t(street, street_key, i)),
  hashed as (
    select n, n > $1 * 0.98 as recent,
      (hashint8extended(n, 1) & 2147483647) / 2147483648.0 as u1,
      (hashint8extended(n, 2) & 2147483647) / 2147483648.0 as u2,
      (hashint8extended(n, 3) & 2147483647)::int as h3,
      (hashint8extended(n, 4) & 2147483647)::int as h4,
      timestamptz '2026-01-01 00:00:00+00' + n * interval '30 seconds'
        + ((hashint8extended(n, 5) & 2147483647) % 29000) * interval '1 millisecond' as created_at
    from generate_series(1, $1::int) as g(n)),
  ranked as (
    select h.*,
      least(floor(exp(h.u1 * ln(cardinality($2::text[]) + 1)))::int, cardinality($2::text[])) as name_rank,
      case when h.recent then $9::int - h.h3 % $10::int
        else least(floor(exp(h.u2 * ln($9::int - $10::int + 1)))::int, $9::int - $10::int) end as city_rank
    from hashed h),
  people as (
    select r.*, c.*, s.street, s.street_key,
      case when r.recent then rn.name when r.h4 % 10 < 6 then nm.name else g.name end as first_name,
      case when r.recent then rn.name_key when r.h4 % 10 < 6 then nm.name_key else lower(g.name) end
        as first_name_key,
      r.h4 % 20 <> 0 as has_address,
      r.h4 % 10 <> 1 as has_phone,
      -- About 3 % live or work at one address (a large building): "1 Main Street".
      case when (r.h4 >> 20) % 33 = 0 then '1' else (1 + r.h3 % 2000)::text end as house,
      case when (r.h4 >> 5) % 5 = 0 then 'Apt ' || (1 + (r.h4 >> 8) % 50) else '' end as line2,
      case when c.country = 'GB' then 'SW' || (1 + (r.h3 >> 11) % 20)
        when c.country = 'JP' then to_char(c.postal_base + (r.h3 >> 11) % 50, 'FM000-0000')
        else lpad((c.postal_base + (r.h3 >> 11) % 50)::text, 5, '0') end as postal_code
    from ranked r
    join names nm on nm.i = r.name_rank
    join recent_names rn on rn.i = 1 + r.n % cardinality($4::text[])
    join cities c on c.i = r.city_rank
    join streets s on s.i = case when (r.h4 >> 20) % 33 = 0 then 1 else 1 + (r.h3 >> 16) % cardinality($7::text[]) end
    cross join lateral (select initcap(
      (array['ka','lo','mi','sa','ta','re','no','be','da','el','fa','gi','is','jo','ke','ol','pa','se','ul','va'])
        [1 + (r.h3 >> 3) % 20]
      || (array['la','ri','mo','na','ve','do','li','ne','ro','ta','ki','lu','be','ra','go','de'])[1 + (r.h3 >> 8) % 16]
      || (array['n','r','l','th','s','nd','ll','st'])[1 + (r.h4 >> 12) % 8]
      || (array['a','o','e','ia','el','an','us','en'])[1 + (r.h4 >> 16) % 8]) as name) g)
insert into customers (id, first_name, last_name, company, email, phone, address_line1, address_line2,
  address_city, address_state, address_postal_code, address_country, preferred_contact_methods,
  marketing_email_opt_in, marketing_sms_opt_in, created_at, updated_at, email_key, first_name_key,
  line1_key, line2_key, city_key, state_key, postal_code_key)
select
  (lpad(to_hex((extract(epoch from p.created_at) * 1000)::bigint), 12, '0') || '70008000'
    || lpad(to_hex(p.n), 12, '0'))::uuid,
  p.first_name, 'Smith', '', p.first_name || '.' || p.n || '@Example.com',
  case when p.has_phone then '+1415' || (2000000 + p.n)::text else '' end,
  case when p.has_address then p.house || ' ' || p.street end,
  case when p.has_address then p.line2 end,
  case when p.has_address then p.city end,
  case when p.has_address then p.state end,
  case when p.has_address then p.postal_code end,
  case when p.has_address then p.country end,
  '{EMAIL}', false, false, p.created_at, p.created_at,
  p.first_name_key || '.' || p.n || '@example.com',
  p.first_name_key,
  case when p.has_address then p.house || ' ' || p.street_key end,
  case when p.has_address then lower(p.line2) end,
  case when p.has_address then p.city_key end,
  case when p.has_address then p.state_key end,
  case when p.has_address then lower(p.postal_code) end
from people p`;

async function seed(pool: pg.Pool): Promise<void> {
  const keys = (words: string[]) => words.map(searchKey);
  await pool.query(SEED, [
    ROWS,
    COMMON_FIRST_NAMES,
    keys(COMMON_FIRST_NAMES),
    RECENT_FIRST_NAMES,
    keys(RECENT_FIRST_NAMES),
    JSON.stringify(
      CITIES.map(([city, state, country, postalBase], i) => ({
        i: i + 1,
        city,
        city_key: searchKey(city),
        state,
        state_key: searchKey(state),
        country,
        postal_base: postalBase,
      })),
    ),
    STREETS,
    keys(STREETS),
    CITIES.length,
    RECENT_CITIES,
  ]);
  await pool.query("vacuum analyze customers");
}

/** A statement as node-postgres sent it. */
interface Sent {
  /** Undefined for an unnamed statement, planned with its values on every run. */
  name: string | undefined;
  text: string;
  values: unknown[];
}

/** `pool`, recording every statement sent with a config object, through `query` or a connected client. */
function recording(pool: pg.Pool): { pool: pg.Pool; sent: Sent[] } {
  const sent: Sent[] = [];
  const record =
    (target: { query: (...args: unknown[]) => unknown }) =>
    (config: pg.QueryConfig, ...rest: unknown[]) => {
      if (typeof config === "object" && config.text) {
        sent.push({ name: config.name, text: config.text, values: config.values ?? [] });
      }
      return target.query(config, ...rest);
    };
  const proxy = new Proxy(pool, {
    get(target, property) {
      if (property === "query")
        return record(target as unknown as { query: (...args: unknown[]) => unknown });
      if (property === "connect") {
        return async () => {
          const client = await target.connect();
          return new Proxy(client, {
            get(c, p) {
              if (p === "query") return record(c as unknown as { query: (...args: unknown[]) => unknown });
              const value: unknown = Reflect.get(c, p, c);
              return typeof value === "function" ? value.bind(c) : value;
            },
          });
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { pool: proxy, sent };
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows": number;
  "Actual Loops": number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  Plans?: PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

/** Table rows the plan's scans produced or filtered out (bitmap index scans count row pointers, not rows). */
function rowsRead(plan: PlanNode): number {
  return nodesOf(plan)
    .filter((n) => n["Node Type"].endsWith("Scan") && n["Node Type"] !== "Bitmap Index Scan")
    .reduce(
      (sum, n) =>
        sum +
        (n["Actual Rows"] + (n["Rows Removed by Filter"] ?? 0) + (n["Rows Removed by Index Recheck"] ?? 0)) *
          n["Actual Loops"],
      0,
    );
}

/** `Limit (51 rows) → [Index Scan on customers_pkey (51 rows)]`, for failure messages. */
function describePlan(plan: PlanNode): string {
  const node = (n: PlanNode): string =>
    `${n["Node Type"]}${n["Index Name"] ? ` on ${n["Index Name"]}` : ""} (${n["Actual Rows"]} rows${
      n["Rows Removed by Filter"] ? `, ${n["Rows Removed by Filter"]} filtered` : ""
    })${n.Plans ? ` → [${n.Plans.map(node).join(", ")}]` : ""}`;
  return node(plan);
}

/** A parameter value as an SQL literal, for EXECUTE (which takes no bind parameters). */
function literal(value: unknown): string {
  if (value instanceof Date) return pg.escapeLiteral(value.toISOString());
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return pg.escapeLiteral(value);
  throw new Error(`no literal for ${String(value)}`);
}

interface ExplainedPlan {
  /** How the plan was obtained. */
  as: string;
  plan: PlanNode;
}

let db: TestDatabase;
/** One connection, so the statements the repository prepares are there to EXPLAIN EXECUTE. */
let pool: pg.Pool;
let sent: Sent[];
let repo: CustomerRepository;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 1, idleTimeoutMillis: 0 });
  const recorder = recording(pool);
  sent = recorder.sent;
  repo = createCustomerRepository(recorder.pool);
  await seed(pool);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

/**
 * Runs `call` (one repository statement) as the service would, then returns that statement's plans:
 * with its values bound (the custom plan of its first executions) and, after more executions, the
 * plan its prepared statement then uses (PostgreSQL may switch to a generic plan after five).
 */
async function plansOf(call: () => Promise<unknown>): Promise<{ statement: Sent; plans: ExplainedPlan[] }> {
  const first = sent.length;
  await call();
  const statements = sent.slice(first);
  expect(statements).toHaveLength(1);
  const statement = statements[0] as Sent;
  for (let i = 0; i < 6; i++) await call();
  const explain = async (as: string, text: string, values?: unknown[]): Promise<ExplainedPlan> => {
    const result = await pool.query<{ "QUERY PLAN": { Plan: PlanNode }[] }>(
      `explain (analyze, format json) ${text}`,
      values,
    );
    const plan = result.rows[0]?.["QUERY PLAN"][0]?.Plan;
    if (!plan) throw new Error(`no plan for ${text}`);
    return { as, plan };
  };
  const args = statement.values.map(literal).join(", ");
  const bound = await explain("with its values bound", statement.text, statement.values);
  // An unnamed statement is always planned with its values: there is no generic plan to check.
  if (statement.name === undefined) return { statement, plans: [bound] };
  return {
    statement,
    plans: [bound, await explain("as its prepared statement", `execute ${statement.name}(${args})`)],
  };
}

function expectIndexedAndBounded(
  explained: { statement: Sent; plans: ExplainedPlan[] },
  maxRowsRead: number,
): void {
  for (const { as, plan } of explained.plans) {
    const message = `${explained.statement.text}\n${as}: ${describePlan(plan)}`;
    const scans = nodesOf(plan).filter((n) => n["Node Type"].endsWith("Scan"));
    expect(scans.length, message).toBeGreaterThan(0);
    expect(
      scans.filter((n) => n["Node Type"] === "Seq Scan").map((n) => n["Relation Name"]),
      message,
    ).toEqual([]);
    expect(rowsRead(plan), message).toBeLessThanOrEqual(maxRowsRead);
  }
}

type Search = (page: PageRequest) => Promise<{ createdAt: Date; id: string }[]>;

/** A customer of the seed with every field set, a tenth into the table, to search for. */
interface Sample {
  id: string;
  email_key: string;
  phone: string;
  line1_key: string;
  city_key: string;
  postal_code_key: string;
  address_country: string;
}

let sample: Sample;

beforeAll(async () => {
  const found = await pool.query<Sample>(
    `select id, email_key, phone, line1_key, city_key, postal_code_key, address_country from customers
     where phone <> '' and city_key = 'new york' and line1_key <> '1 main street'
     order by created_at offset $1 limit 1`,
    [ROWS / 10],
  );
  sample = found.rows[0] as Sample;
  expect(sample).toBeDefined();
});

const contact =
  (search: Parameters<CustomerRepository["searchByContact"]>[0]): Search =>
  (page) =>
    repo.searchByContact(search, page);
const address =
  (search: Parameters<CustomerRepository["searchByAddress"]>[0]): Search =>
  (page) =>
    repo.searchByAddress(search, page);

/**
 * Each search, and the most rows one of its pages may read. Equality searches on an address key read
 * the page's rows from the key's (key, created_at, id) index and no others (LIMIT), unless the value is
 * so common that the (created_at, id) order, filtered, is as cheap (about LIMIT ÷ its share of
 * customers). A first-name prefix is a range, so its page comes either from the (created_at, id)
 * order, filtered (bounded by how common the prefix is), or from sorting the prefix's rows (bounded
 * by how few they are). Without its index, each search here reads far more (the whole table, for
 * the values only recent customers have). Sample values are resolved when the test runs.
 */
// biome-ignore format: one search a line
const SEARCHES: [name: string, maxRowsRead: number, search: () => Search][] = [
  ["email", 1, () => contact({ emailKey: sample.email_key })],
  ["phone", 1, () => contact({ phone: sample.phone })],
  ["a common first-name prefix (maria, 10 %)", 1_000, () => contact({ firstNamePrefixKey: "maria" })],
  ["a short first-name prefix (m, 30 %)", 350, () => contact({ firstNamePrefixKey: "m" })],
  ["a rare first-name prefix (sv, 0.3 %)", 200, () => contact({ firstNamePrefixKey: "sv" })],
  ["a generated first name's prefix", 50, () => contact({ firstNamePrefixKey: "kalan" })],
  ["a first-name prefix only recent customers have", 150, () => contact({ firstNamePrefixKey: "haru" })],
  ["a common country (US, 60 %)", 150, () => address({ country: "US" })],
  ["a rare country (LI)", LIMIT, () => address({ country: "LI" })],
  ["a country only recent customers have (JP)", LIMIT, () => address({ country: "JP" })],
  ["a common city (New York, 19 %)", 550, () => address({ cityKey: "new york" })],
  ["a rare city", LIMIT, () => address({ cityKey: "vaduz" })],
  // The next page may also sort the city's remaining 228 rows, when PostgreSQL expects only a few.
  ["a city only recent customers have", 300, () => address({ cityKey: "tokyo" })],
  // PostgreSQL ANDs the single-column city and country indexes (it takes the two as independent) and
  // sorts all the city's rows: 949 and 279 here. They would read a page only without those indexes.
  ["a city and its country", 1_000, () => address({ cityKey: "münchen", country: "DE" })],
  ["a recent city and its country", 300, () => address({ cityKey: "tokyo", country: "JP" })],
  ["a state", LIMIT, () => address({ stateKey: "bayern" })],
  ["a postal code", LIMIT, () => address({ postalCodeKey: sample.postal_code_key })],
  ["a line 1", LIMIT, () => address({ line1Key: sample.line1_key })],
  ["a line 1 many customers share (3 %)", LIMIT, () => address({ line1Key: "1 main street" })],
  ["a line 2", LIMIT, () => address({ line2Key: "apt 6" })],
  ["a whole address", LIMIT, () => address({
    line1Key: sample.line1_key, cityKey: sample.city_key, postalCodeKey: sample.postal_code_key,
    country: sample.address_country,
  })],
];

/** Explains a search's first page and the page after it, and checks both against `maxRowsRead`. */
async function expectPagesIndexedAndBounded(search: Search, maxRowsRead: number): Promise<void> {
  const firstPage = await search({ limit: LIMIT });
  expect(firstPage.length).toBeGreaterThan(0);
  expectIndexedAndBounded(await plansOf(() => search({ limit: LIMIT })), maxRowsRead);

  const last = firstPage[firstPage.length - 1] as { createdAt: Date; id: string };
  const after: PageCursor = { createdAt: last.createdAt, id: last.id };
  expectIndexedAndBounded(await plansOf(() => search({ after, limit: LIMIT })), maxRowsRead);
}

describe(`search plans on ${ROWS.toLocaleString("en")} skewed customers`, () => {
  it.each(SEARCHES)("%s: indexes only, at most %i rows read a page", async (_name, maxRowsRead, search) => {
    await expectPagesIndexedAndBounded(search(), maxRowsRead);
  });

  // The repository plans prefix searches with their values every time (an unnamed statement): a
  // prepared statement's generic plan cannot use the first-name index for `like $3` and would walk
  // (created_at, id) instead, reading 14,561 rows here and the whole table for a rare prefix.
  it("email, phone or a first-name prefix: indexes only, at most 200 rows read a page", async () => {
    await expectPagesIndexedAndBounded(
      contact({ emailKey: sample.email_key, phone: sample.phone, firstNamePrefixKey: "sv" }),
      200,
    );
  });

  it("gets a customer by id through the primary key, reading one row", async () => {
    expect(await repo.findById(sample.id)).toMatchObject({ id: sample.id });
    expectIndexedAndBounded(await plansOf(() => repo.findById(sample.id)), 1);
  });
});
