// A throw-away embedded PostgreSQL with one database whose schema comes from the service's own
// migrations, so the service and the baselines query exactly the tables and indexes of production.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../../src/db/embedded-postgres.js";
import { createOrm, migrateUp } from "../../src/db/orm.js";
import { onCleanup } from "../processes/cleanup.js";

/** The running benchmark database. */
export interface BenchDatabase {
  /** URL of the migrated `bench` database. */
  url: string;
  /** PostgreSQL's version string, for the report. */
  version: string;
}

const DATABASE = "bench";

/** Starts PostgreSQL in a temporary folder (removed at clean-up), creates and migrates the database. */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const directory = await mkdtemp(path.join(tmpdir(), "customer-api-bench-"));
  onCleanup("temporary database folder", () => rm(directory, { recursive: true, force: true }));
  const server = await startEmbeddedPostgres({ directory, persistent: false });
  onCleanup("embedded PostgreSQL", () => server.stop());

  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  let version: string;
  try {
    await admin.query(`create database ${DATABASE}`);
    version =
      (await admin.query<{ server_version: string }>("show server_version")).rows[0]?.server_version ?? "";
  } finally {
    await admin.end();
  }

  const url = server.urlFor(DATABASE);
  const orm = await createOrm({ databaseUrl: url });
  try {
    await migrateUp(orm);
  } finally {
    await orm.close();
  }
  return { url, version };
}
