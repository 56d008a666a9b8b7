import { randomBytes } from "node:crypto";
import type { Knex, MikroORM } from "@mikro-orm/postgresql";
import pg from "pg";
import { inject } from "vitest";
import { createDatabaseIfMissing, createQueryPool } from "../../src/db/database.js";
import { createOrm, migrateUp } from "../../src/db/orm.js";

/** A freshly migrated database of its own for one test file. */
export interface TestDatabase {
  url: string;
  orm: MikroORM;
  knex: Knex;
  /** A request-path query pool, as the service has. */
  pool: pg.Pool;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** Creates and migrates a new database on the run's PostgreSQL (embedded, or DATABASE_URL). */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = inject("pgAdminUrl");
  const name = `customer_api_test_${randomBytes(6).toString("hex")}`;
  await createDatabaseIfMissing(adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const orm = await createOrm({ databaseUrl: url.toString(), poolMax: 5 });
  if (options.migrate ?? true) await migrateUp(orm);
  const pool = createQueryPool(url.toString(), console, 5);
  return {
    url: url.toString(),
    orm,
    knex: orm.em.getConnection().getKnex(),
    pool,
    async drop() {
      await pool.end();
      await orm.close();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
