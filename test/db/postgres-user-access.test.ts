// Started as root, the embedded PostgreSQL runs as the `postgres` user: a private folder above the
// cluster (a 0700 home or mktemp folder) must stop start-up with a message naming it, not with an
// unhandled spawn error. The check looks at folder modes only, so it runs for any user.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertPostgresUserCanReach } from "../../src/db/postgres-user-access.js";

let privateDir: string;
let openDir: string;
beforeAll(async () => {
  privateDir = await mkdtemp(path.join(tmpdir(), "customer-api-private-"));
  await chmod(privateDir, 0o700);
  openDir = await mkdtemp(path.join(tmpdir(), "customer-api-open-"));
  await chmod(openDir, 0o755);
});
afterAll(async () => {
  await rm(privateDir, { recursive: true, force: true });
  await rm(openDir, { recursive: true, force: true });
});

describe("assertPostgresUserCanReach", () => {
  it("names the private folder above the data directory and the ways out", async () => {
    const failure = assertPostgresUserCanReach(path.join(privateDir, "data", "postgres"));
    await expect(failure).rejects.toThrow(privateDir);
    await expect(failure).rejects.toThrow(/mode 0700/);
    await expect(failure).rejects.toThrow(/DATABASE_URL/);
    await expect(failure).rejects.toThrow(`chmod o+x ${privateDir}`);
  });

  it("accepts a data directory every folder above which others may enter", async () => {
    await expect(assertPostgresUserCanReach(path.join(openDir, "data", "postgres"))).resolves.toBeUndefined();
  });
});
