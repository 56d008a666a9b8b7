import { Migrator } from "@mikro-orm/migrations";
import { MikroORM } from "@mikro-orm/postgresql";
import { migrationsList } from "../../migrations/index.js";
import { CustomerCreateRequestEntity } from "../customers/create-request-entity.js";
import { CustomerEntity } from "../customers/customer-entity.js";
import { ServiceSecretEntity } from "./service-secret.js";

/** Every entity of the schema; the migrations must agree with these (test/db/schema.test.ts). */
export const entities = [CustomerEntity, CustomerCreateRequestEntity, ServiceSecretEntity];

/** Options for {@link createOrm}. */
export interface OrmOptions {
  databaseUrl: string;
  /** Connection pool size; PostgreSQL's default max_connections is 100. */
  poolMax?: number;
  debug?: boolean;
}

/** Connects MikroORM to PostgreSQL with our entities and the statically listed migrations. */
export async function createOrm(options: OrmOptions): Promise<MikroORM> {
  return MikroORM.init({
    clientUrl: options.databaseUrl,
    entities,
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0, max: options.poolMax ?? 10 },
    debug: options.debug ?? false,
    // The service never uses the global identity map; handlers run plain SQL on the pool.
    allowGlobalContext: false,
    migrations: {
      tableName: "mikro_orm_migrations",
      // openDatabase logs what was applied, as JSON like every other line.
      silent: true,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: "ts",
      path: "./migrations",
      pathTs: "./migrations",
      // Listed statically: umzug's folder scan uses a native import() that cannot load .ts under vitest.
      migrationsList,
    },
  });
}

/** Applies pending migrations and returns their names. */
export async function migrateUp(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((migration) => migration.name);
}
