// Shared set-up for the benchmarks: a throw-away embedded PostgreSQL with the schema and seed data.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { v7 as uuidv7 } from "uuid";
import type { CustomerRecord } from "../src/customers/customer.js";
import { createCustomerRepository } from "../src/customers/customer-repository.js";
import { startEmbeddedPostgres } from "../src/db/embedded-postgres.js";
import { createOrm, migrateUp } from "../src/db/orm.js";

/** A migrated, seeded database for a benchmark run. */
export async function startBenchDatabase(customers: number) {
  const dir = await mkdtemp(path.join(tmpdir(), "customer-api-bench-"));
  const server = await startEmbeddedPostgres({ directory: dir, persistent: false });
  const orm = await createOrm({ databaseUrl: server.url, poolMax: 10 });
  await migrateUp(orm);
  const knex = orm.em.getConnection().getKnex();
  const repository = createCustomerRepository(knex);
  const ids: string[] = [];
  for (let i = 0; i < customers; i++) {
    const at = new Date();
    const record: CustomerRecord = {
      id: uuidv7(),
      firstName: `Ada${String.fromCharCode(97 + (i % 26))}`,
      lastName: "Lovelace",
      company: "Analytical Engines",
      email: `ada${i}@example.com`,
      phone: "+442079460018",
      address: {
        line1: `${i} St James Sq`,
        line2: "",
        city: "London",
        state: "",
        postalCode: "SW1Y 4JH",
        country: "GB",
      },
      preferredContactMethods: [1],
      marketingEmailOptIn: true,
      marketingSmsOptIn: false,
      createdAt: at,
      updatedAt: at,
    };
    ids.push((await repository.insert(record)).id);
  }
  return {
    url: server.url,
    knex,
    repository,
    ids,
    async stop() {
      await orm.close();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
