// Entry point of `npm run migrate` (in the image: `node dist/src/migrate.js`): applies pending
// migrations to DATABASE_URL and exits, so a deploy step can migrate an external database before
// replicas start with MIGRATE_ON_START=false.
import { createOrm, migrateUp } from "./db/orm.js";

const databaseUrl = process.env.DATABASE_URL?.trim();
if (databaseUrl === undefined || !/^postgres(ql)?:\/\//.test(databaseUrl)) {
  console.error('DATABASE_URL must be a PostgreSQL URL such as "postgres://user:pass@host:5432/db"');
  process.exit(78); // EX_CONFIG, as the service
}
try {
  const orm = await createOrm({ databaseUrl, poolMax: 1 });
  try {
    const applied = await migrateUp(orm);
    console.log(
      applied.length === 0 ? "migrations: none pending" : `migrations: applied ${applied.join(", ")}`,
    );
  } finally {
    await orm.close();
  }
} catch (error) {
  console.error(`migrations failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
