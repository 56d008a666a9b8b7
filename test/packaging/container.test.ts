// Docker is not available where this is developed, so the image is never built here. What can be
// checked without it is: every path the Dockerfile copies exists after `npm run build`, the image
// runs the command the README documents as non-root with a /readyz health check, the runtime stage
// installs production dependencies only, and compose.yaml parses into the expected services.
// The same build also shows that a second `npm run build` with no source change emits nothing.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const BUILD_TIMEOUT = 180_000;

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions per stage, continuation lines joined and comments dropped. */
function stages(text: string): Instruction[][] {
  const joined = text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ");
  const result: Instruction[][] = [];
  for (const line of joined.split("\n")) {
    const match = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!match?.[1] || match[2] === undefined) continue;
    if (match[1] === "FROM") result.push([]);
    result.at(-1)?.push({ keyword: match[1], args: match[2].trim() });
  }
  return result;
}

let dockerfile: Instruction[][];
beforeAll(async () => {
  dockerfile = stages(await readFile(path.join(root, "Dockerfile"), "utf8"));
  await run("npm", ["run", "build"], { cwd: root, timeout: BUILD_TIMEOUT });
}, BUILD_TIMEOUT);

describe("Dockerfile", () => {
  it("copies only paths that exist (the build stage's from the checkout, the runtime's from the build)", () => {
    const [build, runtime] = dockerfile;
    expect(dockerfile).toHaveLength(2);
    for (const [stage, fromBuild] of [
      [build, false],
      [runtime, true],
    ] as const) {
      for (const { args } of stage?.filter((i) => i.keyword === "COPY") ?? []) {
        const words = args.split(/\s+/);
        const sources = words.filter((w) => !w.startsWith("--")).slice(0, -1);
        const copiesFromBuild = words.includes("--from=build");
        expect(sources.length).toBeGreaterThan(0);
        for (const source of sources) {
          // The build stage's WORKDIR is /app, the checkout's root.
          const local = copiesFromBuild
            ? path.join(root, path.relative("/app", source))
            : path.join(root, source);
          expect(existsSync(local), `${args}: ${local}`).toBe(true);
        }
        if (!fromBuild) expect(copiesFromBuild).toBe(false);
      }
    }
    expect(existsSync(path.join(root, "dist/src/server.js"))).toBe(true);
    expect(existsSync(path.join(root, "dist/src/migrate.js"))).toBe(true);
  });

  it("runs the README's start command, as a non-root user, listening on every interface", async () => {
    const runtime = dockerfile[1] ?? [];
    const cmd = runtime.find((i) => i.keyword === "CMD")?.args;
    expect(cmd).toBe('["node", "dist/src/server.js"]');
    const readme = await readFile(path.join(root, "README.md"), "utf8");
    expect(readme).toContain("node dist/src/server.js");
    const user = runtime.find((i) => i.keyword === "USER")?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime.find((i) => i.keyword === "ENV")?.args).toMatch(/HOST=0\.0\.0\.0/);
  });

  it("checks health on /readyz with node (the slim image has no curl)", () => {
    const healthcheck = dockerfile[1]?.find((i) => i.keyword === "HEALTHCHECK")?.args ?? "";
    expect(healthcheck).toMatch(/CMD \["node", "-e"/);
    expect(healthcheck).toContain("/readyz");
    expect(healthcheck).not.toContain("curl");
  });

  it("installs production dependencies only in the runtime stage and compiles nothing there", () => {
    const runtime = dockerfile[1] ?? [];
    const runs = runtime.filter((i) => i.keyword === "RUN").map((i) => i.args);
    expect(runs.some((r) => r.includes("npm ci --omit=dev"))).toBe(true);
    expect(runs.join(" ")).not.toMatch(/npm run build|tsc|apt-get/);
    expect(dockerfile[0]?.[0]?.args).toMatch(/^node:\S+ AS build$/);
    expect(runtime[0]?.args).toMatch(/^node:\S+$/);
  });
});

describe("compose.yaml", () => {
  it("runs the image beside PostgreSQL 18 with DATABASE_URL and migrations on start", async () => {
    const compose = parse(await readFile(path.join(root, "compose.yaml"), "utf8"));
    expect(Object.keys(compose.services).sort()).toEqual(["customer-api", "postgres"]);
    expect(compose.services.postgres.image).toMatch(/^postgres:18(\D|$)/);
    const api = compose.services["customer-api"];
    expect(api.build).toBe(".");
    expect(api.depends_on.postgres.condition).toBe("service_healthy");
    expect(api.environment.DATABASE_URL).toMatch(/^postgres:\/\/customers:.*@postgres:5432\/customers$/);
    expect(api.environment.MIGRATE_ON_START).toBe("true");
    // The service refuses an external database without credentials configured.
    expect(api.environment.API_KEYS).toMatch(/^\$\{API_KEYS:\?/);
    expect(api.ports).toEqual(["8080:8080"]);
  });
});

describe("npm run build", () => {
  it(
    "emits nothing when no source changed (incremental: npm start does not recompile)",
    async () => {
      const output = path.join(root, "dist/src/server.js");
      const before = (await stat(output)).mtimeMs;
      await run("npm", ["run", "build"], { cwd: root, timeout: BUILD_TIMEOUT });
      expect((await stat(output)).mtimeMs).toBe(before);
    },
    BUILD_TIMEOUT,
  );
});
