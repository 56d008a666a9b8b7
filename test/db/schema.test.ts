import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationsList } from "../../migrations/index.js";
import { migrateUp } from "../../src/db/orm.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

const migrationsDir = fileURLToPath(new URL("../../migrations/", import.meta.url));

let db: TestDatabase;
let applied: string[];

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
  applied = await migrateUp(db.orm);
});

afterAll(async () => {
  await db?.drop();
});

async function indexDefinitions(table: string): Promise<Map<string, string>> {
  const result = (await db.knex.raw("select indexname, indexdef from pg_indexes where tablename = ?", [
    table,
  ])) as {
    rows: { indexname: string; indexdef: string }[];
  };
  return new Map(result.rows.map((r) => [r.indexname, r.indexdef]));
}

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

function indexesIn(plan: PlanNode): string[] {
  return [...(plan["Index Name"] ? [plan["Index Name"]] : []), ...(plan.Plans ?? []).flatMap(indexesIn)];
}

/** The indexes PostgreSQL uses for `query` when sequential scans are (nearly) ruled out. */
async function indexesUsedBy(query: string): Promise<string[]> {
  return db.knex.transaction(async (trx) => {
    await trx.raw("set local enable_seqscan = off");
    const result = (await trx.raw(`explain (format json) ${query}`)) as {
      rows: { "QUERY PLAN": { Plan: PlanNode }[] }[];
    };
    const plan = result.rows[0]?.["QUERY PLAN"][0]?.Plan;
    if (!plan) throw new Error(`no plan for ${query}`);
    return indexesIn(plan);
  });
}

describe("migrations", () => {
  it("apply every listed migration, in order, to an empty database", () => {
    expect(applied).toEqual(migrationsList.map((m) => m.name));
    expect(applied.length).toBeGreaterThan(0);
  });

  it("leave nothing pending", async () => {
    expect(await db.orm.getMigrator().getPendingMigrations()).toEqual([]);
    const executed = await db.orm.getMigrator().getExecutedMigrations();
    expect(executed.map((m) => m.name)).toEqual(migrationsList.map((m) => m.name));
  });

  it("produce the schema the entities describe", async () => {
    const diff = await db.orm.schema.getUpdateSchemaSQL({ wrap: false });

    expect(diff.trim()).toBe("");
  });

  it("are all listed in migrations/index.ts, under their class names, oldest first", async () => {
    const files = (await readdir(migrationsDir))
      .filter((file) => /^Migration.*\.ts$/.test(file))
      .map((file) => file.replace(/\.ts$/, ""))
      .sort();
    const listed = migrationsList.map((m) => m.name);

    expect(files.length).toBeGreaterThan(0);
    expect([...listed].sort()).toEqual(files);
    expect(listed).toEqual([...listed].sort());
    expect(new Set(listed).size).toBe(listed.length);
    for (const migration of migrationsList) {
      expect((migration.class as { name: string }).name).toBe(migration.name);
    }
  });
});

describe("customers indexes", () => {
  it.each<[string, RegExp]>([
    ["the lower-cased email key", /^CREATE INDEX \S+ ON public\.customers USING btree \(email_key\)$/],
    ["phone", /^CREATE INDEX \S+ ON public\.customers USING btree \(phone\)$/],
    [
      "the first-name key with text_pattern_ops",
      /^CREATE INDEX customers_first_name_key_index ON public\.customers USING btree \(first_name_key text_pattern_ops\)$/,
    ],
    [
      "line1 key, created_at, id",
      /^CREATE INDEX \S+ ON public\.customers USING btree \(line1_key, created_at, id\)$/,
    ],
    [
      "line2 key, created_at, id",
      /^CREATE INDEX \S+ ON public\.customers USING btree \(line2_key, created_at, id\)$/,
    ],
    [
      "city key, created_at, id",
      /^CREATE INDEX \S+ ON public\.customers USING btree \(city_key, created_at, id\)$/,
    ],
    [
      "state key, created_at, id",
      /^CREATE INDEX \S+ ON public\.customers USING btree \(state_key, created_at, id\)$/,
    ],
    [
      "postal code key, created_at, id",
      /^CREATE INDEX \S+ ON public\.customers USING btree \(postal_code_key, created_at, id\)$/,
    ],
    [
      "country, created_at, id",
      /^CREATE INDEX \S+ ON public\.customers USING btree \(address_country, created_at, id\)$/,
    ],
    ["(created_at, id)", /^CREATE INDEX \S+ ON public\.customers USING btree \(created_at, id\)$/],
    ["the primary key", /^CREATE UNIQUE INDEX \S+ ON public\.customers USING btree \(id\)$/],
  ])("exists for %s", async (_name, definition) => {
    const definitions = [...(await indexDefinitions("customers")).values()];

    expect(definitions.filter((d) => definition.test(d))).toHaveLength(1);
  });

  it.each<[string, RegExp]>([
    [
      "one key per credential scope (the primary key)",
      /^CREATE UNIQUE INDEX \S+ ON public\.customer_create_requests USING btree \(scope, key\)$/,
    ],
    ["pruning by age", /^CREATE INDEX \S+ ON public\.customer_create_requests USING btree \(created_at\)$/],
  ])("idempotency keys have an index for %s", async (_name, definition) => {
    const definitions = [...(await indexDefinitions("customer_create_requests")).values()];

    expect(definitions.filter((d) => definition.test(d))).toHaveLength(1);
  });

  it.each<[string, string]>([
    ["a first-name prefix", "select id from customers where first_name_key like 'ab%'"],
    [
      "a first-name prefix with an escaped metacharacter",
      "select id from customers where first_name_key like 'a\\_b%' escape '\\'",
    ],
  ])("serve %s through customers_first_name_key_index", async (_name, query) => {
    expect(await indexesUsedBy(query)).toContain("customers_first_name_key_index");
  });

  it.each<[string, string, string]>([
    ["an email key", "select id from customers where email_key = 'a@b.example'", "customers_email_key_index"],
    ["a phone", "select id from customers where phone = '+14155552671'", "customers_phone_index"],
    [
      "a city key",
      "select id from customers where city_key = 'springfield'",
      "customers_city_key_created_at_id_index",
    ],
    [
      "the (created_at, id) order",
      "select id from customers order by created_at, id limit 10",
      "customers_created_at_id_index",
    ],
  ])("serve %s through its index", async (_name, query, index) => {
    expect(await indexesUsedBy(query)).toContain(index);
  });
});

// Last: it takes the schema down and up again.
describe("migrations, in reverse", () => {
  it("can be rolled back completely and applied again", async () => {
    await db.orm.getMigrator().down({ to: 0 });
    const tables = (await db.knex.raw(
      "select tablename from pg_tables where schemaname = 'public' and tablename in ('customers', 'service_secrets')",
    )) as { rows: unknown[] };
    expect(tables.rows).toEqual([]);

    expect(await migrateUp(db.orm)).toEqual(migrationsList.map((m) => m.name));
    expect((await db.orm.schema.getUpdateSchemaSQL({ wrap: false })).trim()).toBe("");
  });
});
