// Writes a migration for the difference between the entities and the committed migrations,
// using a throw-away embedded PostgreSQL. Usage: npm run migration:create
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "../src/db/embedded-postgres.js";
import { createOrm, migrateUp } from "../src/db/orm.js";

const dir = await mkdtemp(path.join(tmpdir(), "customer-api-migration-"));
const db = await startEmbeddedPostgres({ directory: dir, persistent: false });
try {
  const orm = await createOrm({ databaseUrl: db.url });
  try {
    await migrateUp(orm);
    const result = await orm.getMigrator().createMigration();
    if (result.diff.up.length === 0) {
      console.log("No schema changes: entities and migrations agree.");
    } else {
      console.log(`Wrote migrations/${result.fileName}. Add it to migrations/index.ts.`);
      console.log(result.diff.up.join("\n"));
    }
  } finally {
    await orm.close();
  }
} finally {
  await db.stop();
  await rm(dir, { recursive: true, force: true });
}
