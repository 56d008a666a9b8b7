// `npm run migrate` is how an external database is migrated when replicas run with
// MIGRATE_ON_START=false: it must apply what is pending, be harmless when nothing is, and fail in
// one line (no stack trace) on a bad URL.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/test-database.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../", import.meta.url));

function migrate(env: NodeJS.ProcessEnv) {
  return run(process.execPath, ["--import", "tsx", "src/migrate.ts"], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    timeout: 60_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code,
      stdout: error.stdout ?? "",
      stderr: error.stderr ?? "",
    }),
  );
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(async () => {
  await db?.drop();
});

describe("npm run migrate", () => {
  it("applies the pending migrations, then finds none pending", async () => {
    expect((await db.orm.getMigrator().getPendingMigrations()).length).toBeGreaterThan(0);
    const first = await migrate({ DATABASE_URL: db.url });
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toMatch(/^migrations: applied Migration\d+/);
    expect(await db.orm.getMigrator().getPendingMigrations()).toEqual([]);
    const second = await migrate({ DATABASE_URL: db.url });
    expect(second).toMatchObject({ code: 0, stdout: "migrations: none pending\n" });
  });

  it("refuses to run without a PostgreSQL DATABASE_URL (exit 78, one line)", async () => {
    const result = await migrate({});
    expect(result.code).toBe(78);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringContaining("DATABASE_URL must be")]);
  });

  it("reports an unreachable database in one line and exits 1", async () => {
    const result = await migrate({ DATABASE_URL: "postgres://nobody:x@127.0.0.1:1/none" });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^migrations failed: /)]);
  });
});
