// Started as root with its data in a private (0700) folder, the service cannot hand the embedded
// cluster to the `postgres` user: the real entry point must exit 1 with one line naming the folder and
// the fix, never an unhandled spawn error and a stack trace. Only root meets this case.
import { spawn } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const asRoot = process.getuid?.() === 0;
if (!asRoot)
  console.log("root-private-folder: skipped, the tests do not run as root (only root meets this case)");

let privateDir: string;
beforeAll(async () => {
  privateDir = await mkdtemp(path.join(tmpdir(), "customer-api-root-"));
  await chmod(privateDir, 0o700);
});
afterAll(async () => {
  await rm(privateDir, { recursive: true, force: true });
});

function runServer(dataDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // The embedded database is the case under test, whatever DATABASE_URL the suite itself uses.
    const { DATABASE_URL: _external, ...env } = process.env;
    const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
      env: { ...env, DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("exit", (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    });
  });
}

describe.runIf(asRoot)("first start as root with the data in a 0700 folder", () => {
  it("exits 1 with a message naming the folder and the fix, and no stack trace", async () => {
    const { code, output } = await runServer(path.join(privateDir, "data"));
    expect(code).toBe(1);
    expect(output).toContain(privateDir);
    expect(output).toMatch(/DATABASE_URL/);
    expect(output).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
    expect(output).not.toMatch(/EACCES|Unhandled 'error' event/);
  }, 40_000);
});
