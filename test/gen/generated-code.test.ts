import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const buf = path.join(root, "node_modules", ".bin", "buf");
const TIMEOUT = 60_000;

/** Every file under `dir`, as paths relative to it with forward slashes, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

let outDir: string;

beforeAll(async () => {
  // buf compiles against buf/validate/validate.proto, which this script prints from npm's protovalidate.
  await run(path.join(root, "node_modules", ".bin", "tsx"), ["scripts/protovalidate-proto.ts"], {
    cwd: root,
    timeout: TIMEOUT,
  });
  outDir = await mkdtemp(path.join(tmpdir(), "customer-api-buf-gen-"));
}, TIMEOUT);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe("generated code", () => {
  it(
    "gen/ is what `buf generate` makes of the current protos (run `npm run generate` when this fails)",
    async () => {
      // -o prefixes the template's `out: gen`, so a fresh copy lands in <outDir>/gen and gen/ is untouched.
      await run(buf, ["generate", "--template", "buf.gen.yaml", "--output", outDir], {
        cwd: root,
        timeout: TIMEOUT,
      });
      const fresh = path.join(outDir, "gen");
      const committed = path.join(root, "gen");

      const freshFiles = await filesUnder(fresh);
      const committedFiles = await filesUnder(committed);

      expect(freshFiles.length).toBeGreaterThan(0);
      expect(freshFiles).toContain("customers/v1/customer_pb.ts");
      expect(committedFiles, "files missing from or extra in gen/").toEqual(freshFiles);
      const stale: string[] = [];
      for (const file of freshFiles) {
        const [a, b] = await Promise.all([
          readFile(path.join(fresh, file)),
          readFile(path.join(committed, file)),
        ]);
        if (!a.equals(b)) stale.push(file);
      }
      expect(stale, "stale files in gen/").toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "the protos pass `buf lint`",
    async () => {
      const result = await run(buf, ["lint"], { cwd: root, timeout: TIMEOUT }).then(
        ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
        (error: { code?: number | string; stdout?: string; stderr?: string }) => ({
          code: error.code,
          output: `${error.stdout ?? ""}${error.stderr ?? ""}`,
        }),
      );

      expect(result.output).toBe("");
      expect(result.code).toBe(0);
    },
    TIMEOUT,
  );
});
