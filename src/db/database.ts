import path from "node:path";
import type { Knex, MikroORM } from "@mikro-orm/postgresql";
import type { FastifyBaseLogger } from "fastify";
import pg from "pg";
import { startEmbeddedPostgres } from "./embedded-postgres.js";
import { createOrm, migrateUp } from "./orm.js";

/** The open database: MikroORM, its query pool, and how to close both (and the embedded server). */
export interface Database {
  orm: MikroORM;
  knex: Knex;
  /** The query pool of the request path (the repository and readiness); MikroORM keeps a small one of its own. */
  pool: pg.Pool;
  embedded: boolean;
  close(): Promise<void>;
}

/** Options for {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** External PostgreSQL; undefined starts the embedded one in `dataDir/postgres`. */
  databaseUrl: string | undefined;
  dataDir: string;
  migrate: boolean;
  /** The request path's wait for a connection before UNAVAILABLE (createQueryPool). */
  connectTimeoutMs?: number;
  log: FastifyBaseLogger;
}

const EMBEDDED_DATABASE = "customers";

/**
 * Connects to PostgreSQL (starting the embedded server when no URL is given) and brings the schema up
 * to date, or, with migrations off, refuses to run against a schema that is behind.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { log } = options;
  let databaseUrl = options.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (databaseUrl === undefined) {
    const directory = path.join(options.dataDir, "postgres");
    log.info({ directory }, "starting embedded PostgreSQL");
    const server = await startEmbeddedPostgres({ directory, persistent: true });
    stopEmbedded = server.stop;
    await createDatabaseIfMissing(server.url, EMBEDDED_DATABASE);
    databaseUrl = server.urlFor(EMBEDDED_DATABASE);
  }
  try {
    // Migrations and start-up reads only: the request path has its own pool.
    const orm = await createOrm({ databaseUrl, poolMax: 2 });
    try {
      await orm.em.getConnection().execute("select 1");
      if (options.migrate) {
        const applied = await migrateUp(orm);
        if (applied.length > 0) log.info({ migrations: applied }, "applied database migrations");
      } else {
        const pending = await orm.getMigrator().getPendingMigrations();
        if (pending.length > 0) {
          throw new Error(
            `the database schema is behind: ${pending.length} migration(s) pending (${pending.map((m) => m.name).join(", ")}); run them or start with MIGRATE_ON_START=true`,
          );
        }
      }
    } catch (error) {
      await orm.close();
      throw error;
    }
    const pool = createQueryPool(databaseUrl, log, 10, options.connectTimeoutMs);
    return {
      orm,
      knex: orm.em.getConnection().getKnex(),
      pool,
      embedded: stopEmbedded !== undefined,
      async close() {
        await pool.end();
        await orm.close();
        await stopEmbedded?.();
      },
    };
  } catch (error) {
    await stopEmbedded?.();
    throw error;
  }
}

/** Creates `name` on the server at `adminUrl` unless it exists. */
export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/** How long a call waits for a database connection (from the pool, or a new one) before UNAVAILABLE. */
export const DEFAULT_DATABASE_CONNECT_TIMEOUT_MS = 3000;

/**
 * The request path's node-postgres pool; an idle connection's error (a server restart) is logged, and
 * no connection's error is fatal. A call that cannot get a connection within `connectTimeoutMs` fails (database-faults.ts
 * answers it as UNAVAILABLE) instead of queueing for as long as the database is down.
 */
export function createQueryPool(
  databaseUrl: string,
  log: Pick<FastifyBaseLogger, "warn">,
  max = 10,
  connectTimeoutMs = DEFAULT_DATABASE_CONNECT_TIMEOUT_MS,
): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: connectTimeoutMs });
  pool.on("error", (error) => log.warn({ err: error }, "idle database connection failed"));
  // pg-pool listens for errors only on idle clients (and during pool.query): a client checked out with
  // pool.connect() (a transaction) whose server goes away emits 'error' with no listener, which would
  // crash the process. The failure also reaches the call using it, so nothing is lost by ignoring it
  // here (test/e2e/database-fault.test.ts stops PostgreSQL under load).
  pool.on("connect", (client) => client.on("error", () => undefined));
  return pool;
}
