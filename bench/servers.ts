// Builds the service and starts the three servers of a run on free loopback ports, all on the
// benchmark database: the service from its production build, the baselines from bench/baselines/.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../src/db/embedded-postgres.js";
import type { Servers } from "./operations.js";
import { runCommand, startServer } from "./processes/child-process.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** `npm run build` (tsc to dist/); fails with the compiler's output. */
export async function buildService(): Promise<void> {
  const result = await runCommand("npm", ["run", "build"], { timeoutMs: 600_000, cwd: ROOT });
  if (result.code !== 0) {
    throw new Error(`npm run build failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** Only what Node needs, so no variable of the caller's shell changes the service's configuration. */
function baseEnv(): NodeJS.ProcessEnv {
  const { PATH, HOME, TMPDIR, LANG } = process.env;
  return { PATH, HOME, TMPDIR, LANG, NODE_ENV: "production" };
}

/** Starts the service and both baselines in parallel; resolves when all three are ready. */
export async function startServers(options: {
  databaseUrl: string;
  apiKey: string;
  poolMax: number;
  logDir: string;
}): Promise<Servers> {
  const common = {
    ...baseEnv(),
    DATABASE_URL: options.databaseUrl,
    API_KEYS: options.apiKey,
    HOST: "127.0.0.1",
  };
  const start = async (name: string, args: string[], extra: NodeJS.ProcessEnv, http: boolean) => {
    // A free port is only free until someone binds it (tests may run beside the benchmark): retry.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        return await startServer({
          name,
          command: process.execPath,
          args,
          cwd: ROOT,
          env: { ...common, ...extra, PORT: String(port) },
          port,
          logFile: path.join(options.logDir, `${name}.log`),
          ...(http ? { readyPath: "/readyz" } : { readyLogLine: /grpc-js-pg listening/ }),
        });
      } catch (error) {
        if (attempt >= 3 || !/EADDRINUSE|address already in use/i.test(String(error))) throw error;
      }
    }
  };
  const baseline = (file: string): string[] => ["--import", "tsx", path.join("bench/baselines", file)];
  const [service, fastifyPg, grpcJsPg] = await Promise.all([
    start("service", ["dist/src/server.js"], { LOG_LEVEL: "warn" }, true),
    start("fastify-pg", baseline("fastify-pg.ts"), { POOL_MAX: String(options.poolMax) }, true),
    start("grpc-js-pg", baseline("grpc-js-pg.ts"), { POOL_MAX: String(options.poolMax) }, false),
  ]);
  return { service, fastifyPg, grpcJsPg };
}
