import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../src/db/embedded-postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** URL of a database on the test server whose user may create databases. */
    pgAdminUrl: string;
  }
}

/** Starts one embedded PostgreSQL for the run, unless DATABASE_URL names an external server to use. */
export default async function setup(project: TestProject) {
  const external = process.env.DATABASE_URL;
  if (external) {
    project.provide("pgAdminUrl", external);
    return;
  }
  const dir = await mkdtemp(path.join(tmpdir(), "customer-api-test-pg-"));
  const db = await startEmbeddedPostgres({ directory: dir, persistent: false });
  project.provide("pgAdminUrl", db.url);
  return async () => {
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
